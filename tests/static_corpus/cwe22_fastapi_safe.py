# label: safe CWE-22 fastapi
import os
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    path = os.path.realpath(os.path.join('/var/data', value))
    if not path.startswith('/var/data/'):
        return 'no'
    with open(path) as fh:
        return fh.read()
