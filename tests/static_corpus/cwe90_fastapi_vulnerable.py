# label: vulnerable CWE-90 fastapi
import ldap
from ldap.filter import escape_filter_chars
from fastapi import FastAPI

app = FastAPI()


@app.get('/h')
def handler(value: str):
    conn = ldap.initialize('ldap://directory')
    return str(conn.search_s('ou=people', ldap.SCOPE_SUBTREE, '(cn=' + value + ')'))
