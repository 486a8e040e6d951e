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


@app.route("/feed", methods=["POST"])
def feed():
    import xml.sax
    from xml.dom import pulldom
    from xml.sax.handler import feature_external_ges

    # ok: xxe
    events = pulldom.parseString(request.get_data())
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    # ruleid: xxe
    risky = pulldom.parseString(request.get_data(), parser)
    return str(events) + str(risky)
