"""Flask guestbook."""
from flask import Flask, make_response, render_template, render_template_string, request
from markupsafe import Markup, escape

app = Flask(__name__)


@app.get("/hello")
def hello():
    name = request.args.get("name", "")
    return "<h1>Hello " + name + "</h1>"  # label: vulnerable CWE-79


@app.get("/hello-safe")
def hello_safe():
    name = request.args.get("name", "")
    return "<h1>Hello " + str(escape(name)) + "</h1>"  # label: safe CWE-79


@app.get("/signature")
def signature():
    sig = request.args.get("sig", "")
    return render_template("profile.html", signature=Markup(sig))  # label: vulnerable CWE-79


@app.get("/comments")
def comments():
    return render_template("comments.html", comments=request.args.getlist("c"))


@app.get("/raw")
def raw():
    response = make_response(request.args["html"])  # label: vulnerable CWE-79
    return response
