# label: vulnerable CWE-90 flask
import ldap
from ldap.filter import escape_filter_chars
from flask import Flask, request

app = Flask(__name__)


@app.route('/h')
def handler():
    value = request.args.get('q', '')
    conn = ldap.initialize('ldap://directory')
    return str(conn.search_s('ou=people', ldap.SCOPE_SUBTREE, '(cn=' + value + ')'))
