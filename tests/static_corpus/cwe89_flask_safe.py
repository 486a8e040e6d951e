# label: safe CWE-89 flask
import sqlite3
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    cur = sqlite3.connect('a.db').cursor()
    cur.execute('DELETE FROM t WHERE k = ?', [value])
    return 'ok'
