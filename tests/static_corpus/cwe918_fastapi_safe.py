# label: safe CWE-918 fastapi
import requests
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    return requests.get('https://api.example.com/v1/lookup', params={'q': value}, timeout=5).text
