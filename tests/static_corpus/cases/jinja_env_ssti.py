"""Email preview rendering with Jinja2."""
import jinja2
from flask import Flask, render_template_string, request

app = Flask(__name__)
env = jinja2.Environment(autoescape=True)


@app.post("/preview")
def preview():
    body = request.form["template"]
    return render_template_string(body)  # label: vulnerable CWE-1336


@app.post("/preview2")
def preview2():
    body = request.form["template"]
    return env.from_string(body).render(user="x")  # label: vulnerable CWE-1336


@app.post("/preview-safe")
def preview_safe():
    name = request.form["name"]
    return render_template_string("Hello {{ name }}", name=name)  # label: safe CWE-1336
