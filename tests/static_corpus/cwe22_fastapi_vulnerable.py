# label: vulnerable CWE-22 fastapi
import os
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    with open(os.path.join('/var/data', value)) as fh:
        return fh.read()
