# label: vulnerable CWE-95 fastapi
import ast
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    result = eval('(' + value + ')')
    return str(result)
