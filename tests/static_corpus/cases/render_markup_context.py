"""Input marked safe before it reaches an autoescaping template (Flask, Django, Jinja2 environment)."""
from django.shortcuts import render
from django.utils.safestring import mark_safe
from flask import Flask, render_template, request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

app = Flask(__name__)
env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())


@app.post("/banner")
def banner():
    text = request.form.get("banner", "")
    return render_template("banner.html", banner=Markup(text), title="Banner")  # label: vulnerable CWE-79


@app.post("/banner-escaped")
def banner_escaped():
    text = request.form.get("banner", "")
    return render_template("banner.html", banner=Markup("<b>%s</b>") % escape(text))  # label: safe CWE-79


@app.get("/motd")
def motd():
    return render_template("banner.html", banner=Markup("<i>Scheduled maintenance</i>"))  # label: safe CWE-79


def profile(request):
    context = {"bio": mark_safe(request.POST["bio"]), "name": request.POST["name"]}  # label: vulnerable CWE-79
    return render(request, "profile.html", context)


def profile_plain(request):
    return render(request, "profile.html", {"name": request.POST["name"]})  # label: safe CWE-79


@app.get("/card")
def card():
    return env.get_template("card.html").render(note=Markup(request.args["note"]))  # label: vulnerable CWE-79
