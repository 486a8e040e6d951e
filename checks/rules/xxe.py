import defusedxml.lxml
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/upload", methods=["POST"])
def upload():
    # ruleid: xxe
    doc = etree.fromstring(request.data)
    # ok: xxe
    safe = defusedxml.lxml.fromstring(request.data)
    return str(doc) + str(safe)


@app.route("/import", methods=["POST"])
def import_xml():
    body = request.get_data()
    # ruleid: xxe
    tree = etree.XML(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: xxe
    safe = etree.fromstring(body, parser=parser)
    return str(tree) + str(safe)
