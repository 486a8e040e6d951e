"""Flask admin tools that shell out."""
import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/admin/ping")
def ping():
    host = request.form["host"]
    out = subprocess.check_output("ping -c 1 " + host, shell=True)  # label: vulnerable CWE-78
    return out


@app.post("/admin/ping2")
def ping2():
    host = request.form["host"]
    out = subprocess.run(["ping", "-c", "1", host], capture_output=True, check=False).stdout  # label: safe CWE-78
    return out


@app.post("/admin/ping3")
def ping3():
    host = request.form["host"]
    out = subprocess.check_output("ping -c 1 " + shlex.quote(host), shell=True)  # label: safe CWE-78
    return out


@app.get("/admin/version")
def version():
    return subprocess.check_output(["git", "rev-parse", "HEAD"])  # label: safe CWE-78
