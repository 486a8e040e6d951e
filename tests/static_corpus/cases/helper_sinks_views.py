"""Flask views that hand request data to helpers defined in another module."""
from flask import Flask, request

from helper_sinks_repo import (
    ArticleRepository,
    ping_webhook,
    read_attachment,
    read_numbered_attachment,
    run_report_tool,
    run_report_tool_args,
)

app = Flask(__name__)
repo = ArticleRepository("blog.db")


@app.get("/search")
def search():
    return {"hits": repo.search_titles(request.args["q"])}  # label: vulnerable CWE-89


@app.get("/author")
def author():
    return {"hits": repo.by_author(request.args["id"])}  # label: safe CWE-89


@app.get("/article/<slug>")
def article(slug):
    return {"hits": repo.by_slug(slug)}  # label: vulnerable CWE-89


@app.post("/report")
def report():
    flags = request.form.get("flags", "")
    run_report_tool_args(flags)  # label: safe CWE-78
    return run_report_tool(flags)  # label: vulnerable CWE-78


@app.get("/attachment")
def attachment():
    return read_attachment(request.args["name"])  # label: vulnerable CWE-22


@app.get("/attachment-n")
def attachment_n():
    return read_numbered_attachment(request.args["n"])  # label: safe CWE-22


@app.post("/hook")
def hook():
    body = request.get_json()
    ping_webhook(body["url"], {"event": "test"})  # label: vulnerable CWE-918
    return ping_webhook("https://hooks.example.com/in", body)  # label: safe CWE-918
