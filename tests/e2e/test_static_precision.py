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
