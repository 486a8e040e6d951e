"""The AST pre-pass: which functions return request data, which self fields hold it."""

from __future__ import annotations

import textwrap

from baseline.tools.static_summaries import Summary, project_pack, render_sources, summarise
from baseline.tools.semgrep import rules_dir

CODE = textwrap.dedent('''
    from flask import request

    def get_param(name):
        return request.args.get(name, "").strip()

    def wrapped(name):
        value = get_param(name)
        return value.lower()

    def constant():
        return "x"

    class Query:
        def __init__(self, request):
            self.host = request.GET.get("host", "")
            self.count = 3

        def command(self):
            return "ping -c %d %s" % (self.count, self.host)

        def get(self, request):
            return request.GET["x"]

    @app.route("/v")
    def view():
        return request.args["q"]
''')


def test_summary_follows_helpers_fields_and_methods_to_a_fixed_point():
    summary = summarise([CODE, "def broken(:\n"])
    assert summary.functions == {"get_param", "wrapped"}
    assert summary.methods == {"command"}  # 'get' is too common a name to summarise
    assert summary.fields == {("Query", "host")}
    assert summarise(["x = 1"]).empty()


def test_rendered_sources_go_into_every_taint_rule_and_only_there(tmp_path):
    summary = Summary(functions={"get_param"}, methods={"command"}, fields={("Query", "host")})
    text = render_sources(summary)
    assert "    - pattern: get_param(...)" in text and "$OBJ.command(...)" in text and "self.host" in text
    folder = project_pack(rules_dir(), summary, tmp_path / "pack")
    sql = (folder / "sql-injection.yaml").read_text()
    assert "get_param(...)" in sql
    assert "get_param(...)" not in (folder / "weak-hash.yaml").read_text()
    assert summary.digest() != Summary().digest()
