"""LDAP directory lookup (python-ldap, ldap3)."""
import ldap
from flask import Flask, request
from ldap3.utils.conv import escape_filter_chars

app = Flask(__name__)
conn = ldap.initialize("ldap://ldap.example.com")


@app.get("/people")
def people():
    uid = request.args["uid"]
    return str(conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + uid + ")"))  # label: vulnerable CWE-90


@app.get("/people-safe")
def people_safe():
    uid = escape_filter_chars(request.args["uid"])
    return str(conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + uid + ")"))  # label: safe CWE-90
