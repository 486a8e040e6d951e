# label: safe CWE-502 fastapi
import pickle
import base64
import json
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    obj = json.loads(base64.b64decode(value))
    return str(obj)
