# label: vulnerable CWE-918 fastapi
import requests
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    return requests.get(value, timeout=5).text
