# label: vulnerable CWE-918 flask
import requests
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    return requests.get(value, timeout=5).text
