# label: safe CWE-611 flask
from lxml import etree
import defusedxml.ElementTree as SafeET
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    root = SafeET.fromstring(value)
    return root.tag
