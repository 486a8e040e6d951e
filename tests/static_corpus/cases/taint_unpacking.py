"""Request data carried through tuple unpacking, partition, loops over items and starred targets."""
import subprocess

from django.http import HttpResponse
from flask import Flask, request

app = Flask(__name__)


@app.post("/ping")
def ping():
    user, host = request.form["target"].split("@", 1)
    subprocess.run("ssh " + user + "@" + host + " uptime", shell=True)  # label: vulnerable CWE-78
    return "ok"


@app.post("/ping-safe")
def ping_safe():
    user, host = request.form["target"].split("@", 1)
    subprocess.run(["ssh", "--", f"{user}@{host}", "uptime"])  # label: safe CWE-78
    return "ok"


def archive(request):
    name, _sep, ext = request.GET["file"].rpartition(".")
    subprocess.call("tar czf /tmp/%s.tgz %s.%s" % (name, name, ext), shell=True)  # label: vulnerable CWE-78
    return HttpResponse("queued")


def pairs(request):
    for key, value in request.GET.items():
        subprocess.check_output("echo %s=%s" % (key, value), shell=True)  # label: vulnerable CWE-78
    return HttpResponse("done")


@app.post("/multi")
def multi():
    head, *rest = request.get_json()["args"]
    subprocess.Popen(" ".join([head, *rest]), shell=True)  # label: vulnerable CWE-78
    tool, flags = "ls", request.args["flags"]
    subprocess.run(tool + " -la", shell=True)  # label: safe CWE-78
    return "started"
