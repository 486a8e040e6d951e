"""pulldom/SAX on request bodies (safe defaults vs external general entities on) and pathlib joins."""

import os
import xml.sax
from pathlib import Path
from xml.dom import pulldom
from xml.sax.handler import feature_external_ges

from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = Path("/srv/uploads")


@app.post("/feed")
def feed():
    events = pulldom.parseString(request.get_data())  # label: safe CWE-611
    return str(sum(1 for _ in events))


@app.post("/feed-entities")
def feed_entities():
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    events = pulldom.parseString(request.get_data(), parser)  # label: vulnerable CWE-611
    return str(sum(1 for _ in events))


@app.post("/sax")
def sax():
    xml.sax.parseString(request.get_data(), xml.sax.ContentHandler())  # label: safe CWE-611
    return "ok"


@app.get("/file")
def file():
    return (UPLOADS / request.args["name"]).read_text()  # label: vulnerable CWE-22


@app.get("/file-safe")
def file_safe():
    return (UPLOADS / secure_filename(request.args["name"])).read_text()  # label: safe CWE-22


@app.get("/exists")
def exists():
    return str(os.path.exists(os.path.join("/srv/uploads", request.args["name"])))  # label: vulnerable CWE-22
