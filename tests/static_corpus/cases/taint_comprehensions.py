"""Request data cleaned element by element in comprehensions before a sink."""

import shlex
import sqlite3
import subprocess

from django.http import HttpResponse
from flask import Flask, request

app = Flask(__name__)
DB = sqlite3.connect(":memory:")


def lint(request):
    files = request.POST.getlist("files")
    args = " ".join([name.strip() for name in files])
    return HttpResponse(subprocess.check_output("flake8 " + args, shell=True))  # label: vulnerable CWE-78


def lint_safe(request):
    files = request.POST.getlist("files")
    args = " ".join([shlex.quote(name) for name in files])
    return HttpResponse(subprocess.check_output("flake8 " + args, shell=True))  # label: safe CWE-78


@app.get("/columns")
def columns():
    cols = ", ".join(c.strip().lower() for c in request.args["cols"].split(","))
    return str(DB.execute(f"SELECT {cols} FROM items").fetchall())  # label: vulnerable CWE-89


@app.get("/ids")
def ids():
    wanted = ", ".join(str(int(i)) for i in request.args["ids"].split(","))
    return str(DB.execute(f"SELECT * FROM items WHERE id IN ({wanted})").fetchall())  # label: safe CWE-89
