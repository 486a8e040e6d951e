import ldap
from flask import Flask, request
from ldap.filter import escape_filter_chars

app = Flask(__name__)
conn = ldap.initialize("ldap://ldap.example.com")


@app.route("/lookup")
def lookup():
    user = request.args["user"]
    # ruleid: ldap-injection
    found = conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + user + ")")
    # ok: ldap-injection
    safe = conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=%s)" % escape_filter_chars(user))
    return str(found + safe)


def django_lookup(request, connection):
    mail = request.GET["mail"]
    # ruleid: ldap-injection
    connection.search("dc=example,dc=com", f"(mail={mail})")
    # ok: ldap-injection
    connection.search("dc=example,dc=com", "(objectClass=person)")
