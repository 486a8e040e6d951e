"""End to end (real bandit and semgrep, one shared scan): newer syntax, templates, downgrades, imports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from baseline.model import Severity
from baseline.tools.static_common import find_executable
from baseline.tools.static_run import StaticScan, run_static

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_executable("semgrep") is None, reason="semgrep is not installed"),
]

FILES = {
    "pyproject.toml": '[project]\nname = "precision"\nversion = "1"\nrequires-python = ">=3.12"\n',
    "app/newer.py": """\
        from flask import Flask, request
        import sqlite3
        app = Flask(__name__)
        @app.get("/i")
        def items():
            sql = f"SELECT * FROM t WHERE o = '{request.args["o"]}'"
            return str(sqlite3.connect("a").execute(sql).fetchall())
        """,
    "app/jobs.py": """\
        import pickle
        import subprocess
        import random
        def housekeeping():
            subprocess.run("find /tmp -name '*.tmp' -delete", shell=True, check=False)
            return random.uniform(0, 1)
        """,
    "app/templates/page.html": "<li>{{ comment|safe }}</li>\n<li>{{ comment }}</li>\n",
}


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> StaticScan:
    root = tmp_path_factory.mktemp("precision")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return run_static(root=root, work_dir=root.parent / "work", cache_dir=None, exclude=[], timeout_s=300, max_file_kb=512)


def test_newer_syntax_is_analysed_by_semgrep_alone_not_a_project_failure(scan):
    assert scan.status == "ok" and scan.analysed_files == 2 and not scan.not_analysed
    (note,) = scan.partly_analysed
    assert note.path == "app/newer.py" and "could not parse this syntax" in note.reason
    sql = [f for f in scan.findings if f.location.path == "app/newer.py" and 89 in f.cwe]
    assert sql and sql[0].severity is Severity.HIGH and sql[0].cwe[:2] == (89, 943)


def test_pattern_hits_on_constants_are_downgraded_with_a_reason_and_imports_carry_no_cwe(scan):
    jobs = [f for f in scan.findings if f.location.path == "app/jobs.py"]
    shell = [f for f in jobs if f.rule_id == "B602"]
    rand = [f for f in jobs if f.rule_id == "B311"]
    assert shell and shell[0].properties["downgraded"] and shell[0].severity is Severity.LOW
    assert rand and rand[0].properties["downgraded"] and rand[0].cwe == (338, 330)
    assert all(f.cwe == () for f in jobs if f.rule_id in ("B403", "B404"))


def test_templates_are_read_for_xss(scan):
    (xss,) = [f for f in scan.findings if f.location.path == "app/templates/page.html"]
    assert xss.rule_id == "template-xss" and xss.location.start_line == 1 and xss.cwe[0] == 79


SLICES_AND_CONSTANTS = """\
    import os
    import sqlite3
    import subprocess
    from flask import Flask, request
    app = Flask(__name__)
    DB = sqlite3.connect(":memory:")

    @app.get("/a")
    def avatar():
        name = request.args.get("name", "")
        return open(os.path.join("/srv", name[:32])).read()

    @app.get("/b")
    def export():
        engine = "sqlite"
        table = "audit" if engine == "sqlite" else request.args["table"]
        return str(DB.execute("SELECT * FROM " + table).fetchall())

    @app.get("/c")
    def export_live():
        engine = "pg"
        table = "audit" if engine == "sqlite" else request.args["table"]
        return str(DB.execute("SELECT * FROM " + table).fetchall())

    @app.get("/d")
    def dump():
        binary, target = "pg_dump", request.args["db"]
        subprocess.run(binary + " --schema-only", shell=True)
        subprocess.run(binary + " " + target, shell=True)
        return "ok"
    """


def test_slices_dead_branches_and_tuple_constants_through_real_semgrep(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent(SLICES_AND_CONSTANTS))
    scan = run_static(root=tmp_path, work_dir=tmp_path / "work", cache_dir=None, exclude=[], timeout_s=600, max_file_kb=512)
    lines = {
        (finding.location.start_line, cwe)
        for finding in scan.findings
        if finding.location is not None and not finding.properties.get("downgraded") and finding.severity != Severity.INFO
        for cwe in finding.cwe
    }
    assert (11, 22) in lines  # the slice keeps the request data
    assert (17, 89) not in lines and (23, 89) in lines  # only the branch the constant takes
    assert (28, 78) not in lines and (29, 78) in lines  # the constant of the tuple is not tainted
