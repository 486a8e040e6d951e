"""Flask attachment storage."""
import os

from flask import Flask, abort, request, send_file
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/var/app/uploads"


@app.route("/attachments/<path:name>")
def attachment(name):
    return send_file(os.path.join(UPLOADS, name))  # label: vulnerable CWE-22


@app.route("/attachments2")
def attachment2():
    name = request.args.get("f", "")
    full = os.path.realpath(os.path.join(UPLOADS, name))
    if not full.startswith(UPLOADS + os.sep):
        abort(404)
    return send_file(full)  # label: safe CWE-22


@app.post("/upload")
def upload():
    item = request.files["file"]
    item.save(os.path.join(UPLOADS, secure_filename(item.filename)))  # label: safe CWE-22
    exists = os.path.exists(os.path.join(UPLOADS, request.form["check"]))  # label: vulnerable CWE-22
    return {"ok": exists}
