from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/login")
def login():
    target = request.args.get("next", "/")
    # ruleid: open-redirect
    return redirect(target)


@app.route("/logout")
def logout():
    # ok: open-redirect
    return redirect(url_for("index"))


@app.route("/go")
def go():
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    # ok: open-redirect
    return redirect(target)


def django_login(request):
    nxt = request.GET.get("next")
    # ruleid: open-redirect
    return HttpResponseRedirect(nxt)


def django_login_checked(request):
    nxt = request.GET.get("next")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={"example.com"}):
        nxt = "/"
    # ok: open-redirect
    return HttpResponseRedirect(nxt)
