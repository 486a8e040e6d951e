"""Taint through slices, branches on local constants and tuples mixing constants with request data."""

import os
import sqlite3
import subprocess

from django.http import HttpResponse
from flask import Flask, request

app = Flask(__name__)
DB = sqlite3.connect(":memory:")


@app.get("/avatar")
def avatar():
    name = request.args.get("name", "")
    stem = name[:32]
    return open(os.path.join("/srv/avatars", stem + ".png"), "rb").read()  # label: vulnerable CWE-22


@app.get("/tail")
def tail():
    return open("/var/log/" + request.args.get("log", "")[1:]).read()  # label: vulnerable CWE-22


@app.post("/grep")
def grep():
    pattern = request.form["q"]
    return subprocess.check_output("grep -r " + pattern[::-1][:80] + " /srv", shell=True)  # label: vulnerable CWE-78


def report(request):
    order = request.GET.get("order", "id")
    direction = "ASC"
    if direction == "ASC":
        column = order.strip()[:20]
    else:
        column = "id"
    return HttpResponse(DB.execute(f"SELECT * FROM t ORDER BY {column} {direction}").fetchall())  # label: vulnerable CWE-89


@app.get("/export")
def export():
    engine = "sqlite"
    table = "audit" if engine == "sqlite" else request.args["table"]
    return str(DB.execute("SELECT * FROM " + table).fetchall())  # label: safe CWE-89


@app.get("/stats")
def stats():
    strict = True
    if not strict:
        field = request.args["field"]
    else:
        field = "count"
    return str(DB.execute("SELECT " + field + " FROM stats").fetchall())  # label: safe CWE-89


@app.get("/dump")
def dump():
    binary, target = "pg_dump", request.args["db"]
    subprocess.run(binary + " --schema-only", shell=True)  # label: safe CWE-78
    subprocess.run(binary + " " + target, shell=True)  # label: vulnerable CWE-78
    return "ok"
