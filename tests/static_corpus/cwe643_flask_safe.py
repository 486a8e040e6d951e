# label: safe CWE-643 flask
from lxml import etree
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    doc = etree.parse('users.xml')
    return str(doc.xpath('//user[name/text()=$n]', n=value))
