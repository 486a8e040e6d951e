"""The command-line conventions users expect, tested on the installed console script.

``-V``/``--version``; ``-q``/``--quiet`` and ``-v``/``--verbose`` before or after the sub-command;
"did you mean" for a mistyped flag, sub-command, format, check or technique; ``--select``,
``--disable`` and ``--required`` validated (from the flag or from pyproject.toml) before anything
runs; help with defaults and examples; at most one format on stdout; a relative ``--python``
taken from where the user typed it; ``[tool.baseline]`` shown literally in messages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli_contract import EXECUTABLE, run

pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the baseline console script is not installed")


def _project(root: Path, extra: str = "") -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "1.0"\n' + extra, encoding="utf-8")
    return root


def _flat(text: str) -> str:
    return " ".join(text.split())  # the console wraps long lines


def test_version_short_and_long(tmp_path: Path) -> None:
    for flag in ("-V", "--version"):
        done = run(flag, cwd=tmp_path)
        assert done.returncode == 0 and done.stdout.strip().startswith("baseline 0.")


def test_typos_get_a_suggestion_and_exit_2(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    cases = [
        (("scan", str(project), "--selct", "T01"), "did you mean --select?"),
        (("scna", str(project)), "did you mean scan?"),
        (("scan", str(project), "--fail-on", "hihg"), "did you mean high?"),
        (("scan", str(project), "--format", "sarf", "--output", str(tmp_path / "r")), "did you mean sarif?"),
    ]
    for argv, hint in cases:
        done = run(*argv, cwd=tmp_path)
        assert done.returncode == 2, (argv, done.stderr)
        assert hint in _flat(done.stderr), (argv, done.stderr)


def test_unknown_selection_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    out = tmp_path / "report.json"
    for argv, hint in (
        (("--select", "T99"), "--select 'T99': no such check or technique (did you mean T09?)"),
        (("--select", "T4"), "did you mean T04?"),
        (("--disable", "static.scan"), "did you mean static-analysis.scan?"),
        (("--required", "T13"), "--required 'T13': no such technique"),
    ):
        done = run("scan", str(project), *argv, "--format", "json", "--output", str(out), cwd=tmp_path)
        assert done.returncode == 2 and hint in _flat(done.stderr), (argv, done.stderr)
        assert not out.exists()
    configured = _project(tmp_path / "q", '\n[tool.baseline]\nselect = ["T99"]\n')
    done = run("scan", str(configured), cwd=tmp_path)
    assert done.returncode == 2 and "T99" in done.stderr


def test_help_lists_defaults_sections_and_examples(tmp_path: Path) -> None:
    done = run("scan", "--help", cwd=tmp_path)
    text = _flat(done.stdout)
    assert done.returncode == 0
    assert "examples:" in text and "baseline scan path/to/project --gate" in text
    assert "--min-score FLOAT Gate: minimum trust score (0-100). (default: 70)" in text
    assert "[tool.baseline.tests] settings" in text and "(default: off)" in text
    assert len(done.stdout.splitlines()[0]) < 120, "the usage line is a summary, not every flag"


def test_quiet_before_or_after_the_command_and_one_format_on_stdout(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    for argv in (("-q", "scan", str(project), "--select", "T01"), ("scan", str(project), "--select", "T01", "-q")):
        done = run(*argv, cwd=tmp_path)
        assert done.returncode == 0 and done.stdout == "" and done.stderr == "", argv
    done = run("scan", str(project), "--select", "T01", "--format", "json", "--format", "sarif", cwd=tmp_path)
    assert done.returncode == 2 and "json, sarif would all go to stdout" in _flat(done.stderr)
    done = run("scan", str(project), "--select", "T01", "--format", "json", "--output", "-", cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["target"]["name"] == "pkg"


def test_a_relative_python_is_relative_to_the_working_folder(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    (tmp_path / "bin").mkdir()
    os.symlink(sys.executable, tmp_path / "bin" / "py")
    done = run("scan", str(project), "--select", "T01", "--python", "bin/py", "--format", "json", "--output", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["target"]["interpreter"] == str(tmp_path / "bin" / "py")


def test_messages_keep_square_brackets(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", '\n[tool.baseline]\nmin_score = "x"\n')
    done = run("scan", str(project), cwd=tmp_path)
    assert done.returncode == 2 and "pyproject.toml [tool.baseline]: key 'min_score'" in _flat(done.stderr)


def test_explain_suggests_and_main_help_has_examples(tmp_path: Path) -> None:
    done = run("explain", "T3", cwd=tmp_path)
    assert done.returncode == 2 and "did you mean T03?" in _flat(done.stderr)
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0 and "examples:" in done.stdout and "exit codes:" in done.stdout


def test_verbose_lists_every_finding(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    for index in range(10):
        key = "AKIA" + base64.b32encode(hashlib.sha256(str(index).encode()).digest()).decode()[:16]
        (project / "pkg" / f"leak{index}.py").write_text(f'AWS_KEY = "{key}"\n', encoding="utf-8")
    short = run("scan", str(project), "--select", "T04", cwd=tmp_path)
    assert short.returncode == 0 and "more open findings" in short.stdout
    full = run("-v", "scan", str(project), "--select", "T04", cwd=tmp_path)
    assert full.returncode == 0 and "more open findings" not in full.stdout
    assert all(f"leak{index}.py" in full.stdout for index in range(10))
