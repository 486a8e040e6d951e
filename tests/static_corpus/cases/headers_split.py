"""Response headers from user input."""
from django.http import HttpResponse
from flask import Flask, request

app = Flask(__name__)


@app.get("/download")
def download():
    name = request.args["name"]
    response = app.response_class("data")
    response.headers["Content-Disposition"] = "attachment; filename=" + name  # label: vulnerable CWE-113
    return response


def lang(request):
    response = HttpResponse("ok")
    response["Content-Language"] = request.GET["lang"]  # label: vulnerable CWE-113
    response["X-Frame-Options"] = "DENY"  # label: safe CWE-113
    return response
