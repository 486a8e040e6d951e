"""Allow-list guards with early return (Flask)."""
import os
import subprocess

from flask import Flask, abort, redirect, request

app = Flask(__name__)
SERVICES = {"nginx", "redis"}
REPORTS = "/srv/reports"


@app.post("/restart")
def restart():
    service = request.form["service"]
    if service not in SERVICES:
        abort(400)
    subprocess.run(f"systemctl restart {service}", shell=True, check=True)  # label: safe CWE-78
    return "ok"


@app.get("/report")
def report():
    name = request.args["name"]
    if ".." in name or name.startswith("/"):
        return "bad name", 400
    return open(os.path.join(REPORTS, name)).read()  # label: safe CWE-22


@app.get("/next")
def after():
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        return redirect("/")
    return redirect(target)  # label: safe CWE-601


@app.post("/restart-bad")
def restart_bad():
    service = request.form["service"]
    if service in SERVICES:
        print("known service")
    subprocess.run(f"systemctl restart {service}", shell=True, check=True)  # label: vulnerable CWE-78
    return "ok"
