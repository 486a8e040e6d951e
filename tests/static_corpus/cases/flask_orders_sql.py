"""Order lookup service (Flask + sqlite3)."""
import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)
TABLE = "orders"


def db():
    if "db" not in g:
        g.db = sqlite3.connect("shop.db")
    return g.db


@app.get("/orders/search")
def search_orders():
    customer = request.args.get("customer", "")
    sql = f"SELECT id, total FROM {TABLE} WHERE customer = '{customer}'"
    rows = db().execute(sql).fetchall()  # label: vulnerable CWE-89
    return jsonify(rows)


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    sql = f"SELECT id, total FROM {TABLE} WHERE id = ?"
    row = db().execute(sql, (order_id,)).fetchone()  # label: safe CWE-89
    return jsonify(row)


@app.post("/orders/bulk")
def bulk():
    ids = request.get_json()["ids"]
    placeholders = ",".join("?" for _ in ids)
    rows = db().execute(f"SELECT id FROM {TABLE} WHERE id IN ({placeholders})", ids).fetchall()  # label: safe CWE-89
    return jsonify(rows)
