"""End to end: hostile inputs never abort the static run, and every unanalysed file is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baseline.tools import semgrep as semgrep_tool
from baseline.tools.static_common import find_executable
from baseline.tools.static_run import run_static

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_executable("semgrep") is None, reason="semgrep is not installed"),
]


def scan(root: Path, work: Path, **overrides):
    options = dict(root=root, work_dir=work, cache_dir=None, exclude=[], timeout_s=300, max_file_kb=64)
    options.update(overrides)
    return run_static(**options)


def test_hostile_files_are_noted_and_the_scan_completes(tmp_path):
    root = tmp_path / "project"
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "good.py").write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    (pkg / "legacy.py").write_text('print "python 2"\nexec "x = 1"\n')
    (pkg / "partial.py").write_text("def broken(:\n    return\n")
    (pkg / "latin.py").write_bytes(b"name = '\xe9\xff'\n")
    (pkg / "blob.py").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    (pkg / "generated.py").write_text("DATA = [\n" + "    1,\n" * 20000 + "]\n")
    (pkg / "modern.py").write_text("def f(x):\n    return f'{x.decode('utf-8')}'\n")
    (pkg / "loop").mkdir()
    os.symlink(pkg / "loop", pkg / "loop" / "again")
    result = scan(root, tmp_path / "work")
    assert result.status == "ok"
    reasons = {}
    for note in result.not_analysed:
        reasons.setdefault(note.path, []).append(f"{note.tool}: {note.reason}")
    assert "prescreen" in " ".join(reasons["pkg/blob.py"]) and "binary" in " ".join(reasons["pkg/blob.py"])
    assert "max_file_kb" in " ".join(reasons["pkg/generated.py"])
    assert "not decodable" in " ".join(reasons["pkg/latin.py"])
    assert any(item.startswith("bandit") for item in reasons["pkg/legacy.py"])
    assert any(item.startswith("bandit") for item in reasons["pkg/partial.py"])
    # bandit parses with Python 3.11 and silently skips PEP 701 f-strings: we report it.
    assert any(item.startswith("bandit") for item in reasons["pkg/modern.py"])
    assert "pkg/good.py" not in reasons and "pkg/__init__.py" not in reasons
    assert result.analysed_files == 2 and len(result.files) == 8
    assert any(f.location.path == "pkg/good.py" and 78 in f.cwe for f in result.findings)


def test_broken_rule_pack_gives_an_error_with_argv_exit_code_and_stderr(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.yaml").write_text("rules:\n  - id: broken\n    languages: [python]\n    severity: ERROR\n    message: x\n    pattern: foo(\n")
    monkeypatch.setattr(semgrep_tool, "rules_dir", lambda: rules)
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text("x = 1\n")
    result = scan(root, tmp_path / "work")
    assert result.status == "error"
    semgrep_run = next(run for run in result.tools if run.tool == "semgrep")
    assert semgrep_run.status == "error"
    assert semgrep_run.evidence.argv[0].endswith("semgrep") and semgrep_run.evidence.exit_code not in (0, None)
    assert semgrep_run.evidence.stderr_tail is not None
    bandit_run = next(run for run in result.tools if run.tool == "bandit")
    assert bandit_run.status == "ok"
