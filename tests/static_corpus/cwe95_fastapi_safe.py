# label: safe CWE-95 fastapi
import ast
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    result = ast.literal_eval(value)
    return str(result)
