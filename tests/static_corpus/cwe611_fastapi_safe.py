# label: safe CWE-611 fastapi
from lxml import etree
import defusedxml.ElementTree as SafeET
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    root = SafeET.fromstring(value)
    return root.tag
