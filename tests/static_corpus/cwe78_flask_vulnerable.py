# label: vulnerable CWE-78 flask
import subprocess
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    out = subprocess.run('whois ' + value, shell=True, capture_output=True)
    return str(out.returncode)
