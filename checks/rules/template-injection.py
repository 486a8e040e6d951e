import jinja2
from flask import Flask, render_template_string, request

app = Flask(__name__)


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    # ruleid: template-injection
    return render_template_string("<h1>Hello " + name + "</h1>")


@app.route("/greet2")
def greet2():
    name = request.args.get("name", "")
    # ok: template-injection
    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)


@app.route("/tpl")
def tpl():
    source = request.form["template"]
    # ruleid: template-injection
    return jinja2.Template(source).render()


@app.route("/tpl2")
def tpl2():
    env = jinja2.Environment(autoescape=True)
    value = request.form["value"]
    # ok: template-injection
    return env.from_string("{{ value }}").render(value=value)
