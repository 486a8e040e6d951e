# label: vulnerable CWE-79 flask
from markupsafe import escape
from django.http import HttpResponse as DjangoResponse
from fastapi.responses import HTMLResponse
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    return '<b>' + value + '</b>'
