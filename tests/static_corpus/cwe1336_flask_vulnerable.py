# label: vulnerable CWE-1336 flask
from flask import render_template_string
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    return render_template_string('<p>' + value + '</p>')
