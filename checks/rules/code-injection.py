import ast
import sys

from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    expression = request.args.get("expr")
    # ruleid: code-injection
    result = eval(expression)
    # ok: code-injection
    value = ast.literal_eval(expression)
    # ok: code-injection
    total = eval("1 + 2")
    return str(result + value + total)


def django_view(request):
    source = request.POST["code"]
    # ruleid: code-injection
    exec(source)
    # ruleid: code-injection
    compiled = compile("print(" + source + ")", "<input>", "exec")
    return compiled


def cli():
    # ruleid: code-injection
    eval(sys.argv[1])
    # ok: code-injection
    exec("import math")
