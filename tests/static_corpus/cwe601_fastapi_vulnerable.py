# label: vulnerable CWE-601 fastapi
from flask import redirect
from django.shortcuts import redirect as django_redirect
from fastapi.responses import RedirectResponse
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    return RedirectResponse(value)
