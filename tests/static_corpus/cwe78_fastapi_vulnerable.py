# label: vulnerable CWE-78 fastapi
import subprocess
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    out = subprocess.run('whois ' + value, shell=True, capture_output=True)
    return str(out.returncode)
