"""Taint through helpers, containers, unpacking and string methods (Flask)."""
import os
import sqlite3

from flask import Flask, request

app = Flask(__name__)
DB = sqlite3.connect("app.db")


def get_param(name):
    return request.args.get(name, "").strip()


def quote_like(value):
    return "%" + value + "%"


@app.get("/a")
def a():
    term = quote_like(get_param("q"))
    return str(DB.execute("SELECT * FROM t WHERE name LIKE '" + term + "'").fetchall())  # label: vulnerable CWE-89


@app.get("/b")
def b():
    filters = {}
    filters["owner"] = request.args["owner"]
    owner = filters.get("owner")
    return str(DB.execute("SELECT * FROM t WHERE owner = '%s'" % owner).fetchall())  # label: vulnerable CWE-89


@app.get("/c")
def c():
    parts = []
    parts.extend(request.args.getlist("col"))
    cols = ", ".join(parts)
    return str(DB.execute("SELECT " + cols + " FROM t").fetchall())  # label: vulnerable CWE-89


@app.get("/d")
def d():
    first, _rest = request.args["path"].split("/", 1)
    return open(os.path.join("/data", first[:64].lower())).read()  # label: vulnerable CWE-22


@app.get("/e")
def e():
    mode = "fast"
    if mode == "fast":
        column = "name"
    else:
        column = request.args["col"]
    return str(DB.execute("SELECT " + column + " FROM t").fetchall())  # label: safe CWE-89
