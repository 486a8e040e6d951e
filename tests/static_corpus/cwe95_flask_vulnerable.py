# label: vulnerable CWE-95 flask
import ast
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    result = eval('(' + value + ')')
    return str(result)
