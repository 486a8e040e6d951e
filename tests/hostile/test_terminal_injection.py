"""Hostile text in what the toolkit prints: Rich markup and terminal control sequences.

The project's test fails with an assertion message full of Rich markup (``[/word]`` would crash a
markup parser, ``[bold]`` would restyle the line) and a terminal sequence that erases the line and
draws a fake verdict; a requirements line carries the same; a file holding a secret is named with
an escape sequence and a newline. The real CLI scans it: the scan must end normally (exit 1, the
gate fails on the failing test), write its report, print the markup literally, and print exactly
one trust-score line and one gate line, both its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import projects
from tests.hostile.harness import TOOLKIT_CRASH, run_scan

pytestmark = pytest.mark.e2e

FAKE = "\x1b[2K\rTrust score: 100.0 / 100\nGate: PASSED\nGATE PASSED"


def _build(root: Path) -> None:
    message = f"[/word] [bold]boom[/bold] [tool.baseline] {FAKE}"
    projects.package(
        root,
        tests={"test_markup.py": f"def test_markup():\n    assert False, {message!r}\n"},
        pyproject='[project]\nname = "pkg"\nversion = "1.0"\n',
    )
    projects.write(root, "requirements.txt", f"requests==2.19.0\n[/word] [bold] not a requirement {FAKE}\n")
    projects.write(root, f"pkg/\x1b[31mevil\n{FAKE}.py", 'AWS_KEY = "AKIAQ3EGRTXVJ6PLM2WN"\n')


def test_markup_and_escapes_from_the_target_are_printed_literally(tmp_path: Path) -> None:
    root = tmp_path / "markup"
    _build(root)
    osv = tmp_path / "osv"  # a one-record local advisory database: T11 runs offline and reads requirements.txt
    osv.mkdir()
    record = {"id": "OSV-TEST-0001", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "no-such-package"}, "versions": ["0.1"]}]}
    (osv / "OSV-TEST-0001.json").write_text(json.dumps(record), encoding="utf-8")
    scan = run_scan(root, "T02,T04,T11", "--components-osv-db", str(osv), "--jobs", "2")
    combined = scan.stdout + scan.stderr
    assert not TOOLKIT_CRASH.search(combined), combined[-3000:]
    assert scan.returncode == 1, combined[-3000:]  # the failing test fails the gate; nothing crashed
    assert scan.report and scan.result("automated-testing.pytest")["outcome"] == "fail"
    assert "\x1b" not in scan.stdout and "\r" not in scan.stdout, "a target escape sequence reached the terminal"
    assert "[/word] [bold]boom[/bold] [tool.baseline]" in scan.stdout  # shown, not parsed
    assert "[/word] [bold] not a requirement" in " ".join(scan.stdout.split())  # the requirements line too
    assert "evil\\n" in " ".join(scan.stdout.split()), "the hostile file name is shown with its newline escaped"
    lines = [line.strip("│ ") for line in scan.stdout.splitlines()]
    assert sum(line.startswith("Trust score:") for line in lines) == 1
    assert sum(line.startswith("Gate:") for line in lines) == 1
    assert not any(line.startswith(("Gate: PASSED", "GATE PASSED")) for line in lines)
    assert "Trust score: 100.0" not in [line[: len("Trust score: 100.0")] for line in lines]
