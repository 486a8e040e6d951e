# label: safe CWE-601 fastapi
from flask import redirect
from django.shortcuts import redirect as django_redirect
from fastapi.responses import RedirectResponse
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    if value not in ('/home', '/account'):
        value = '/home'
    return RedirectResponse(value)
