from urllib.parse import urlparse
from urllib.request import urlopen

import requests
from flask import Flask, request

app = Flask(__name__)
ALLOWED_HOSTS = {"api.example.com"}


@app.route("/fetch")
def fetch():
    url = request.args["url"]
    # ruleid: ssrf
    return requests.get(url).text


@app.route("/preview")
def preview():
    target = request.form.get("target")
    # ruleid: ssrf
    return urlopen(target).read()


@app.route("/proxy")
def proxy():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        return "forbidden", 403
    # ok: ssrf
    return requests.get(url).text


@app.route("/search")
def search():
    term = request.args["q"]
    # ok: ssrf
    return requests.get("https://api.example.com/search", params={"q": term}).text


import http.client
from urllib.parse import urlparse

ALLOWED = {"api.example.com"}


@app.get("/avatar")
def avatar():
    host = request.args["host"]
    # ruleid: ssrf
    conn = http.client.HTTPSConnection(host, timeout=5)
    url = request.args["url"]
    if urlparse(url).netloc not in ALLOWED:
        return "no", 400
    # ok: ssrf
    return requests.get(url, timeout=5).text


@app.route("/fetch-logged")
def fetch_logged():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        print("unexpected host", url)
    # ruleid: ssrf
    return requests.get(url, timeout=5).text


@app.route("/fetch-parsed")
def fetch_parsed():
    url = request.args["url"]
    parsed = urlparse(url)
    if parsed.hostname not in ALLOWED_HOSTS:
        raise ValueError("host not allowed")
    # ok: ssrf
    return requests.get(url, timeout=5).text
