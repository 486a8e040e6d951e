# label: vulnerable CWE-502 flask
import pickle
import base64
import json
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    obj = pickle.loads(base64.b64decode(value))
    return str(obj)
