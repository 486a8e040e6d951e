"""Pages from several frameworks that write request data into HTML."""
import html
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import jinja2
import tornado.web
from flask import Blueprint, request
from markupsafe import Markup

pages = Blueprint("pages", __name__)


@pages.get("/hello")
def hello():
    name = request.args.get("name", "")
    return f"<h1>Hello {name}</h1>"  # label: vulnerable CWE-79


@pages.get("/hello-safe")
def hello_safe():
    name = request.args.get("name", "")
    return f"<h1>Hello {html.escape(name)}</h1>"  # label: safe CWE-79


@pages.post("/note")
async def note():
    text = request.form["text"]
    return "<div class='note'>" + text + "</div>"  # label: vulnerable CWE-79


@pages.get("/motd")
def motd():
    template = jinja2.Template("<p>{{ message }}</p>")
    return template.render(message=request.args["m"])  # label: vulnerable CWE-79


@pages.get("/motd-safe")
def motd_safe():
    env = jinja2.Environment(autoescape=True)
    return env.from_string("<p>{{ message }}</p>").render(message=request.args["m"])  # label: safe CWE-79


@pages.get("/badge")
def badge():
    label = request.args.get("label", "")
    return Markup("<span>{}</span>").format(label)  # label: safe CWE-79


class Greeter(BaseHTTPRequestHandler):
    def do_GET(self):
        who = parse_qs(urlsplit(self.path).query).get("who", [""])[0]
        body = "<p>Hi " + who + "</p>"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode())  # label: vulnerable CWE-79

    def do_HEAD(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<p>ok</p>")  # label: safe CWE-79


class SearchHandler(tornado.web.RequestHandler):
    def get(self):
        query = self.get_argument("q", "")
        self.write("<p>Results for " + query + "</p>")  # label: vulnerable CWE-79

    def post(self):
        query = self.get_body_argument("q", "")
        self.write("<p>Results for " + tornado.escape.xhtml_escape(query) + "</p>")  # label: safe CWE-79
