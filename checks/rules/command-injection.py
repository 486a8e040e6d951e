import os
import shlex
import subprocess
import sys

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: command-injection
    subprocess.run("ping -c 1 " + host, shell=True)
    # ruleid: command-injection
    os.system(f"nslookup {host}")
    # ok: command-injection
    subprocess.run(["ping", "-c", "1", "--", host])
    # ok: command-injection
    subprocess.run("ping -c 1 " + shlex.quote(host), shell=True)
    return "ok"


@app.post("/convert")
async def convert(fmt: str):
    # ruleid: command-injection
    subprocess.check_output(["sh", "-c", "convert in." + fmt])
    # ok: command-injection
    subprocess.check_output(["convert", "in.png", "out." + fmt])
    return {}


def main():
    tool = os.environ.get("EDITOR")
    # ruleid: command-injection
    subprocess.Popen([tool, "notes.txt"])
    # ruleid: command-injection
    os.popen("grep " + sys.argv[1] + " notes.txt")
    # ok: command-injection
    os.system("ls -l")


@app.route("/log")
def git_log():
    import re

    branch = request.args["branch"]
    if not re.match(r"[A-Za-z]", branch):
        return "bad branch", 400
    # ruleid: command-injection
    subprocess.check_output(f"git log -1 {branch}", shell=True)
    if not re.match(r"^[A-Za-z0-9._-]+$", branch):
        return "bad branch", 400
    # ok: command-injection
    return subprocess.check_output(f"git log -1 {branch}", shell=True)
