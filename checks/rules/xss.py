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


# Blueprint shortcuts and async views: a returned HTML string built from input.
import jinja2
import tornado.web
from http.server import BaseHTTPRequestHandler


@app.get("/greet")
def greet():
    name = request.args.get("name", "")
    # ruleid: xss
    return f"<p>Hi {name}</p>"


@app.post("/echo")
async def echo():
    text = request.form["text"]
    # ruleid: xss
    return "<div>" + text + "</div>"


@app.get("/plain")
def plain():
    name = request.args.get("name", "")
    # ok: xss
    return f"Hi {escape(name)}"


@app.get("/motd")
def motd():
    template = jinja2.Template("<p>{{ m }}</p>")
    # ruleid: xss
    return template.render(m=request.args["m"])


@app.get("/motd-safe")
def motd_safe():
    env = jinja2.Environment(autoescape=True)
    # ok: xss
    return env.from_string("<p>{{ m }}</p>").render(m=request.args["m"])


class Greeter(BaseHTTPRequestHandler):
    def do_GET(self):
        body = "<p>" + self.path + "</p>"
        # ruleid: xss
        self.wfile.write(body.encode())


class Search(tornado.web.RequestHandler):
    def get(self):
        query = self.get_argument("q", "")
        # ruleid: xss
        self.write("<p>" + query + "</p>")

    def post(self):
        query = self.get_argument("q", "")
        # ok: xss
        self.write("<p>" + tornado.escape.xhtml_escape(query) + "</p>")


@app.route("/banner")
def banner():
    text = request.form.get("banner", "")
    # ruleid: xss
    return render_template("banner.html", banner=Markup(text))


@app.route("/motd")
def motd():
    # ok: xss
    return render_template("banner.html", banner=Markup("<i>Scheduled maintenance</i>"), user=request.args["u"])


def bio_view(request):
    # ruleid: xss
    return django.shortcuts.render(request, "bio.html", {"bio": mark_safe(request.POST["bio"])})
