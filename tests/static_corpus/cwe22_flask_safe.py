# label: safe CWE-22 flask
import os
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    path = os.path.realpath(os.path.join('/var/data', value))
    if not path.startswith('/var/data/'):
        return 'no'
    with open(path) as fh:
        return fh.read()
