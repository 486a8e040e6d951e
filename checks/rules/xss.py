import html

from django.http import HttpResponse
from django.utils.safestring import mark_safe
from flask import Flask, make_response, render_template, request
from markupsafe import Markup, escape

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: xss
    return "<h1>Hello " + name + "</h1>"


@app.route("/hi")
def hi():
    name = request.args.get("name", "")
    # ok: xss
    return f"<h1>Hello {escape(name)}</h1>"


@app.route("/page")
def page():
    name = request.args.get("name", "")
    # ok: xss
    return render_template("page.html", name=name)


@app.route("/api")
def api():
    name = request.args.get("name", "")
    # ok: xss
    return {"name": name}


@app.route("/banner")
def banner():
    text = request.cookies.get("banner")
    # ruleid: xss
    return make_response(Markup("<div>%s</div>" % text))


def django_view(request):
    comment = request.GET["comment"]
    # ruleid: xss
    safe = mark_safe("<p>" + comment + "</p>")
    # ruleid: xss
    return HttpResponse("<p>" + comment + "</p>")


def django_escaped(request):
    comment = request.GET["comment"]
    # ok: xss
    return HttpResponse("<p>" + html.escape(comment) + "</p>")


from django.utils.html import format_html


def django_bio(request):
    text = request.GET.get("bio", "")
    # ok: xss
    safe = HttpResponse(format_html("<p>{}</p>", text))
    # ruleid: xss
    return HttpResponse("<p>" + text + "</p>")
