"""RSS feed importer (lxml) and SAML-ish metadata reader."""
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.post("/feeds")
def import_feed():
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True)
    doc = etree.fromstring(request.data, parser)  # label: vulnerable CWE-611
    return str(len(doc))


@app.post("/feeds-safe")
def import_feed_safe():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(request.data, parser)  # label: safe CWE-611
    return str(len(doc))


@app.post("/metadata")
def metadata():
    tree = etree.parse(request.files["xml"].stream)  # label: vulnerable CWE-611
    return tree.getroot().tag
