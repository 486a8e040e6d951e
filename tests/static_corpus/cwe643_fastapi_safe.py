# label: safe CWE-643 fastapi
from lxml import etree
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    doc = etree.parse('users.xml')
    return str(doc.xpath('//user[name/text()=$n]', n=value))
