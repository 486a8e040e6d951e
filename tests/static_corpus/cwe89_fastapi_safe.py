# label: safe CWE-89 fastapi
import sqlite3
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    cur = sqlite3.connect('a.db').cursor()
    cur.execute('DELETE FROM t WHERE k = ?', [value])
    return 'ok'
