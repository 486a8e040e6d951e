"""Webhook tester and avatar fetcher (requests, http.client)."""
import http.client
from urllib.parse import urlparse

import requests
from flask import Flask, abort, request

app = Flask(__name__)
ALLOWED_HOSTS = {"hooks.example.com", "api.example.com"}


@app.post("/webhooks/test")
def test_webhook():
    url = request.json["url"]
    response = requests.post(url, json={"ping": True}, timeout=5)  # label: vulnerable CWE-918
    return str(response.status_code)


@app.post("/webhooks/test-safe")
def test_webhook_safe():
    url = request.json["url"]
    if urlparse(url).netloc not in ALLOWED_HOSTS:
        abort(400)
    response = requests.post(url, json={"ping": True}, timeout=5)  # label: safe CWE-918
    return str(response.status_code)


@app.get("/avatar")
def avatar():
    host = request.args["host"]
    conn = http.client.HTTPSConnection(host, timeout=5)  # label: vulnerable CWE-918
    conn.request("GET", "/avatar.png")
    return conn.getresponse().read()


@app.get("/status")
def status():
    return requests.get("https://status.example.com/api", timeout=5).text  # label: safe CWE-918
