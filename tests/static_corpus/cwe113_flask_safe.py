# label: safe CWE-113 flask
from flask import make_response
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    response = make_response('ok')
    response.headers['X-Tag'] = value.replace('\r', '').replace('\n', '')
    return response
