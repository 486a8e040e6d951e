# label: vulnerable CWE-1336 fastapi
from flask import render_template_string
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    return render_template_string('<p>' + value + '</p>')
