"""Flask calculator and rule engine."""
import ast

from flask import Flask, request

app = Flask(__name__)


@app.get("/calc")
def calc():
    expression = request.args.get("expr", "0")
    return str(eval(expression))  # label: vulnerable CWE-95


@app.get("/calc-safe")
def calc_safe():
    expression = request.args.get("expr", "0")
    return str(ast.literal_eval(expression))  # label: safe CWE-95


@app.post("/rules")
def rules():
    source = request.get_data(as_text=True)
    code = compile(source, "<rule>", "exec")  # label: vulnerable CWE-95
    namespace = {}
    exec(code, namespace)
    return "ok"


@app.get("/version")
def version():
    return str(eval("1 + 1"))  # label: safe CWE-95
