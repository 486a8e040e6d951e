"""Views that pick a value on a local constant, and tuples binding a constant beside request data."""

import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)
DB = sqlite3.connect(":memory:")


@app.get("/search")
def search():
    use_index = False
    if use_index:
        order = request.args["order"]
    else:
        order = "created"
    return str(DB.execute("SELECT * FROM posts ORDER BY " + order).fetchall())  # label: safe CWE-89


@app.get("/search2")
def search2():
    backend = "fts"
    if backend != "fts":
        order = "created"
    else:
        order = request.args["order"]
    return str(DB.execute("SELECT * FROM posts ORDER BY " + order).fetchall())  # label: vulnerable CWE-89


@app.get("/archive")
def archive():
    tool, name = "tar", request.args["name"]
    subprocess.run(tool + " -czf /tmp/backup.tgz /srv/data", shell=True)  # label: safe CWE-78
    subprocess.run(tool + " -czf /tmp/" + name + ".tgz /srv/data", shell=True)  # label: vulnerable CWE-78
    return "ok"


@app.get("/convert")
def convert():
    fmt = "png"
    codec = "webp" if fmt not in ("png", "jpg") else request.args["codec"]
    subprocess.run("convert in." + fmt + " -define " + codec + " out", shell=True)  # label: vulnerable CWE-78
    return "ok"
