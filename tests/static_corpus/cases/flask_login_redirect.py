"""Flask login flow with a next parameter."""
from urllib.parse import urlparse

from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.post("/login")
def login():
    target = request.args.get("next", "/")
    return redirect(target)  # label: vulnerable CWE-601


@app.post("/login-safe")
def login_safe():
    target = request.args.get("next", "/")
    if urlparse(target).netloc not in ("", "app.example.com"):
        target = url_for("index")
    return redirect(target)  # label: safe CWE-601


@app.get("/")
def index():
    return redirect(url_for("login"))  # label: safe CWE-601
