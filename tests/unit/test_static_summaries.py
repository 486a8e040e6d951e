"""The AST pre-pass: which functions return request data, which self fields hold it."""

from __future__ import annotations

import textwrap

import pytest

from baseline.tools.static_summaries import Summary, project_pack, render_sinks, render_sources, summarise
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


SINK_CODE = textwrap.dedent('''
    import os, subprocess

    class Repo:
        def by_name(self, name, limit=10):
            sql = "SELECT * FROM t WHERE name = '%s' LIMIT %d" % (name, int(limit))
            return self._run(sql)

        def _run(self, statement):
            return self.db.execute(statement).fetchall()

        def by_id(self, ident):
            return self.db.execute("SELECT * FROM t WHERE id = ?", (ident,))

    def shell(cmd):
        return subprocess.check_output("tool " + cmd, shell=True)

    def no_shell(cmd):
        return subprocess.check_output(["tool", cmd])

    def read(name):
        with open(os.path.join("/srv", os.path.basename(name))) as handle:
            return handle.read()

    def read_raw(folder, name):
        path = os.path.join(folder, name)
        with open(path) as handle:
            return handle.read()
''')


def test_sink_helpers_follow_parameters_to_sinks_through_locals_and_other_helpers():
    summary = summarise([SINK_CODE])
    assert summary.sinks == {
        ("sql-injection", "_run", 0, True),
        ("sql-injection", "by_name", 0, True),  # through a local and the _run helper; int(limit) is not
        ("command-injection", "shell", 0, False),
        ("path-traversal", "read_raw", 0, False),
        ("path-traversal", "read_raw", 1, False),
    }  # by_id binds its parameter, no_shell runs no shell, read takes the basename


def test_rendered_sinks_go_into_the_rule_whose_sink_is_reached(tmp_path):
    summary = Summary(sinks={("sql-injection", "by_name", 1, True), ("command-injection", "shell", 0, False)})
    text = render_sinks(summary, "sql-injection")
    assert "pattern: $OBJ.$HELPER($A0, $A1, ...)" in text and "regex: ^(by_name)$" in text and "focus-metavariable: $A1" in text
    folder = project_pack(rules_dir(), summary, tmp_path / "pack")
    assert "^(by_name)$" in (folder / "sql-injection.yaml").read_text()
    assert "$HELPER($A0, ...)" in (folder / "command-injection.yaml").read_text() and "^(shell)$" in (folder / "command-injection.yaml").read_text()
    assert "by_name" not in (folder / "command-injection.yaml").read_text()
    many = Summary(sinks={("sql-injection", f"helper_{n}", 0, False) for n in range(50)})
    assert render_sinks(many, "sql-injection").count("- patterns:") == 1  # one pattern per position and kind
    assert summary.digest() != Summary(sinks={("sql-injection", "by_name", 0, True)}).digest()


def test_facts_survive_the_json_cache_and_give_the_same_summary(tmp_path):
    import json

    from baseline.tools.static_run import ResultCache, SourceFile
    from baseline.tools.static_summaries import file_facts, summarise_facts

    texts = [CODE, SINK_CODE, "def broken(:\n"]
    facts = [file_facts(text) for text in texts]
    assert facts[2] is None
    cache = ResultCache(tmp_path, {"summary": "facts"})
    for index, value in enumerate(facts):
        cache.store_facts("summary", SourceFile(f"f{index}.py", f"d{index}"), value)
    loaded = [cache.load_facts("summary", SourceFile(f"copy{index}.py", f"d{index}")) for index in range(3)]
    assert all(found for found, _ in loaded) and cache.hits["summary"] == 3
    assert cache.load_facts("summary", SourceFile("new.py", "other")) == (False, None)
    fresh = summarise(texts)
    assert summarise_facts(value for _, value in loaded).digest() == fresh.digest()
    assert summarise_facts(json.loads(json.dumps(facts))).digest() == fresh.digest()
    assert summarise_facts([[{"name": "x"}], None]).empty()  # a malformed entry is left out, never fatal


SLICE_CODE = textwrap.dedent('''
    import os
    from http.server import BaseHTTPRequestHandler
    from flask import request

    def avatar():
        name = request.args.get("name", "")
        stem = name[:32]
        safe = os.path.basename(name)[:32]
        fixed = "constant"[:3]
        return stem, safe, fixed

    @app.get("/files/<path>")
    def files(path):
        return open(path[1:]).read()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            return self.path[1:]

        def helper(self):
            return self.path[1:]
''')


def test_slices_of_request_data_become_sources_scoped_to_their_function():
    summary = summarise([SLICE_CODE])
    assert summary.slices == {
        ("", "avatar", "name[:32]"),  # a local carrying request data, not the basename or a constant
        ("", "files", "path[1:]"),  # a route parameter
        ("Handler", "do_GET", "self.path[1:]"),  # an http.server handler, not any method reading self.path
    }
    text = render_sources(summary)
    assert 'class Handler(...):' in text and 'def do_GET(...):' in text and '- pattern: "self.path[1:]"' in text
    assert "async def avatar(...):" in text


DEAD_CODE = textwrap.dedent('''
    from flask import request

    def pick():
        mode = "fast"
        if mode == "fast":
            column = "name"
        else:
            column = request.args["col"]
        table = "t" if mode in ("fast", "slow") else request.args["table"]
        if not mode:
            other = request.args["other"]
        return column, table, other

    def both():
        mode = "fast"
        if mode != "fast":
            column = request.args["col"]
        column = request.args["col"]  # the same value also in reachable code
        return column

    def reassigned(flag):
        mode = "fast"
        if flag:
            mode = "slow"
        if mode == "fast":
            column = "name"
        else:
            column = request.args["col"]  # mode is not a constant
        return column

    def unknown():
        mode = os.environ.get("MODE")
        if mode == "fast":
            return request.args["col"]

    def pair():
        tool, flags = "ls", request.args["flags"]
        return tool + flags
''')


def test_unreachable_branches_and_tuple_constants_become_sanitisers(tmp_path):
    summary = summarise([DEAD_CODE])
    assert summary.inert == {
        ("", "pick", "request.args['col']", "if mode == 'fast':\n  ..."),
        ("", "pick", "request.args['table']", "'t' if mode in ('fast', 'slow') else request.args['table']"),
        ("", "pick", "request.args['other']", "if not mode:\n  ..."),
        ("", "pair", "tool", ""),
    }
    folder = project_pack(rules_dir(), summary, tmp_path / "pack")
    sql = (folder / "sql-injection.yaml").read_text()
    sanitisers = sql.split("  pattern-sanitizers:\n", 1)[1]
    assert sanitisers.startswith("  - patterns:") and '"if mode == \'fast\':\\n  ..."' in sanitisers
    assert "request.args['col']" not in (folder / "weak-hash.yaml").read_text()
    assert Summary(inert=set(list(summary.inert)[:1])).digest() != summary.digest()


def test_comprehensions_over_request_data_become_sources_unless_each_element_is_converted():
    code = textwrap.dedent('''
        import shlex
        from flask import request

        def lint():
            files = request.args.getlist("f")
            a = " ".join([name.strip() for name in files])
            b = " ".join(shlex.quote(name) for name in files)
            c = ",".join(c.lower() for c in request.args["cols"].split(","))
            d = [name.strip() for name in ("a", "b")]
            return a, b, c, d
    ''')
    assert summarise([code]).slices == {
        ("", "lint", "[name.strip() for name in files]"),
        ("", "lint", "','.join(c.lower() for c in request.args['cols'].split(','))"),  # the call: no double parentheses
    }


@pytest.mark.parametrize(
    "rebinding",
    [
        "    try:\n        pass\n    except Exception as mode:\n        pass\n",
        "    match value:\n        case mode:\n            pass\n",
        "    match value:\n        case [*mode]:\n            pass\n",
        "    match value:\n        case {**mode}:\n            pass\n",
        "    for mode in value:\n        pass\n",
    ],
    ids=["except-as", "match-capture", "match-star", "match-rest", "for"],
)
def test_a_second_binding_of_any_kind_makes_a_name_no_constant(rebinding: str) -> None:
    """A name bound to a literal and bound again (even where the AST writes the name as a string) is not
    a constant, so a branch on it is never judged unreachable."""
    import ast

    from baseline.tools.static_summaries import _local_constants

    source = "def view(value):\n    mode = 'safe'\n" + rebinding + "    return mode\n"
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    assert "mode" not in _local_constants(function)[0]
    alone = ast.parse("def view(value):\n    mode = 'safe'\n    return mode\n").body[0]
    assert isinstance(alone, ast.FunctionDef)
    assert _local_constants(alone)[0] == {"mode": "safe"}
