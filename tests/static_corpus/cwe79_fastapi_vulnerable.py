# label: vulnerable CWE-79 fastapi
from markupsafe import escape
from django.http import HttpResponse as DjangoResponse
from fastapi.responses import HTMLResponse
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    return HTMLResponse('<b>' + value + '</b>')
