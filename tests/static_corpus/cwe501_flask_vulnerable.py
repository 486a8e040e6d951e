# label: vulnerable CWE-501 flask
from flask import session
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    session['nick'] = value
    return 'ok'
