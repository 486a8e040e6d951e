# label: vulnerable CWE-22 flask
import os
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    with open(os.path.join('/var/data', value)) as fh:
        return fh.read()
