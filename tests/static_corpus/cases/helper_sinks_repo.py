"""Data-access and shell helpers whose parameters reach a sink (imported by helper_sinks_views.py)."""
import os
import sqlite3
import subprocess

import requests

UPLOADS = "/srv/uploads"


class ArticleRepository:
    def __init__(self, path):
        self.db = sqlite3.connect(path)

    def search_titles(self, term, limit=20):
        sql = f"SELECT id, title FROM articles WHERE title LIKE '%{term}%' LIMIT {int(limit)}"
        return self.db.execute(sql).fetchall()

    def by_author(self, author_id):
        return self.db.execute("SELECT * FROM articles WHERE author = ?", (author_id,)).fetchall()

    def by_slug(self, slug):
        return self._query("SELECT * FROM articles WHERE slug = '" + slug + "'")

    def _query(self, statement):
        return self.db.execute(statement).fetchall()


def run_report_tool(options):
    return subprocess.check_output("report-tool " + options, shell=True)


def run_report_tool_args(options):
    return subprocess.check_output(["report-tool", "--", options])


def read_attachment(name):
    with open(os.path.join(UPLOADS, name), "rb") as handle:
        return handle.read()


def read_numbered_attachment(number):
    with open(os.path.join(UPLOADS, "%d.bin" % int(number)), "rb") as handle:
        return handle.read()


def ping_webhook(target, payload):
    return requests.post(target, json=payload, timeout=5)
