"""Python 3.12 syntax: nested quotes in f-strings, type statements (PEP 695/701)."""
import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)
type Row = tuple[int, str]


@app.get("/items")
def items():
    params = request.args
    sql = f"SELECT * FROM items WHERE owner = '{params["owner"]}'"
    return str(sqlite3.connect("a.db").execute(sql).fetchall())  # label: vulnerable CWE-89


@app.get("/tag")
def tag():
    labels = {"a": "x"}
    return subprocess.check_output(["echo", f"{labels["a"]}"])  # label: safe CWE-78


def first[T](values: list[T]) -> T:
    return values[0]
