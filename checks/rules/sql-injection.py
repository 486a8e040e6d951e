import os
import sqlite3
import sys

import sqlalchemy
from django.http import HttpResponse
from flask import Flask, request

app = Flask(__name__)


@app.route("/users")
def users():
    name = request.args.get("name")
    cur = sqlite3.connect("app.db").cursor()
    # ruleid: sql-injection
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ruleid: sql-injection
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    # ok: sql-injection
    cur.execute("SELECT * FROM users WHERE name = ?", (name,))
    # ok: sql-injection
    cur.execute("SELECT * FROM users WHERE id = %d" % int(name))
    return "done"


@app.route("/order")
def order():
    column = request.args["sort"]
    if column not in ("name", "created"):
        return "bad", 400
    cur = sqlite3.connect("app.db").cursor()
    # ok: sql-injection
    cur.execute("SELECT * FROM users ORDER BY " + column)
    return "done"


@app.get("/items/{item_id}")
def read_item(item_id: str, session=None):
    # ruleid: sql-injection
    return session.execute(sqlalchemy.text("SELECT * FROM items WHERE id = " + item_id))


def django_view(request, slug):
    # ruleid: sql-injection
    rows = Person.objects.raw("SELECT * FROM person WHERE slug = '%s'" % slug)
    # ok: sql-injection
    rows = Person.objects.raw("SELECT * FROM person WHERE slug = %s", [slug])
    query = request.GET.get("q")
    # ruleid: sql-injection
    connection.cursor().execute("SELECT * FROM t WHERE q = '" + query + "'")
    return HttpResponse("ok")


def cli():
    table = sys.argv[1]
    cur = sqlite3.connect("app.db").cursor()
    # ruleid: sql-injection
    cur.executescript("DROP TABLE " + table)
    # ok: sql-injection
    cur.execute("SELECT count(*) FROM logs")
    if False:
        # ok: sql-injection
        cur.execute("DELETE FROM " + os.environ["TABLE"])


class GrapheneQuery:
    def resolve_book(root, info, title):
        # ruleid: sql-injection
        connection.cursor().execute("SELECT isbn FROM books WHERE title = '" + title + "'")
        # ok: sql-injection
        connection.cursor().execute("SELECT isbn FROM books WHERE title = %s", (title,))


@app.get("/helper")
def through_helper():
    columns = []
    columns.append(flask.request.args.get("col", ""))
    # ruleid: sql-injection
    connection.cursor().execute("SELECT " + ", ".join(columns) + " FROM t")
    order = flask.request.args.get("order", "name")
    if order not in ("name", "date"):
        return "bad order", 400
    # ok: sql-injection
    connection.cursor().execute("SELECT * FROM t ORDER BY " + order)
    if order in ("name", "date"):
        print("known")
    # ruleid: sql-injection
    connection.cursor().execute("SELECT * FROM t ORDER BY " + flask.request.args["o"])


# Tornado and Bottle requests are sources too.
import bottle
import tornado.web


class Lookup(tornado.web.RequestHandler):
    def get(self):
        name = self.get_query_argument("name")
        connection = sqlite3.connect("app.db")
        # ruleid: sql-injection
        connection.execute("SELECT * FROM users WHERE name = '" + name + "'")
        # ok: sql-injection
        connection.execute("SELECT * FROM users WHERE name = ?", (name,))


@bottle.route("/find")
def find():
    connection = sqlite3.connect("app.db")
    # ruleid: sql-injection
    return str(connection.execute("SELECT * FROM t WHERE k = '%s'" % bottle.request.query.k).fetchall())
