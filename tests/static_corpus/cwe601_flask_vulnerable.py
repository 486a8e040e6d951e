# label: vulnerable CWE-601 flask
from flask import redirect
from django.shortcuts import redirect as django_redirect
from fastapi.responses import RedirectResponse
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    return redirect(value)
