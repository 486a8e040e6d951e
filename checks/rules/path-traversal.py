import os
import shutil
from pathlib import Path

from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
BASE = "/srv/files"
BASE_PATH = Path(BASE)


@app.route("/files/<path:name>")
def get_file(name):
    # ruleid: path-traversal
    return send_file(os.path.join(BASE, name))


@app.route("/read")
def read():
    name = request.args["name"]
    # ruleid: path-traversal
    with open(BASE + "/" + name) as handle:
        data = handle.read()
    # ok: path-traversal
    with open(os.path.join(BASE, secure_filename(name))) as handle:
        data += handle.read()
    # ok: path-traversal
    with open(os.path.join(BASE, os.path.basename(name))) as handle:
        data += handle.read()
    return data


@app.route("/contained")
def contained():
    name = request.args["name"]
    full = os.path.realpath(os.path.join(BASE, name))
    if not full.startswith(BASE + os.sep):
        return "no", 404
    # ok: path-traversal
    return send_file(full)


@app.route("/resolved")
def resolved():
    name = request.args["name"]
    target = (BASE_PATH / name).resolve()
    if not target.is_relative_to(BASE_PATH):
        return "no", 404
    # ok: path-traversal
    return open(target).read()


@app.route("/static/<name>")
def static_file(name):
    # ok: path-traversal
    return send_from_directory(BASE, name)


def django_delete(request):
    victim = request.POST.get("path")
    # ruleid: path-traversal
    shutil.rmtree(victim)
    # ruleid: path-traversal
    os.remove(os.path.join("/tmp/uploads", victim))


from http.server import BaseHTTPRequestHandler


class FileHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        # ruleid: path-traversal
        data = (BASE_PATH / self.path.lstrip("/")).read_bytes()
        # ok: path-traversal
        data = (BASE_PATH / os.path.basename(self.path)).read_bytes()
        # ruleid: path-traversal
        found = os.path.exists(BASE + self.path)
        self.wfile.write(data if found else b"")

