"""The same tree and flags give the same trust score on a loaded machine.

Three full scans of a project with tests, fuzzable entry points and a web app with an OpenAPI
specification run at the same time, beside a process that burns a core: the scans are load for each
other too. Fuzzing budgets are execution counts (``fuzz.runs``), the generated API tests a seeded
number of examples (``web.api_max_examples``; ``web.api_time`` is only a cap, set high here), and every
scan has its own cache, so nothing is shared between them; the scores may differ by at most 0.5 points.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from baseline.toolenv import tools_dir
from baseline.tools.wapiti import find_wapiti

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_wapiti() is None, reason="wapiti is not installed (baseline tools install wapiti)"),
    pytest.mark.skipif(importlib.util.find_spec("fastapi") is None, reason="fastapi is not installed (the dev extra has it)"),
]
OPERATOR = """[tool.baseline.fuzz]
runs = 30000
time = 240
startup_grace = 60
minimize_time = 0

[tool.baseline.web]
time = 30
api_time = 180
api_max_examples = 20
"""


def _scan(root: Path, where: Path) -> dict[str, object]:
    where.mkdir()
    (where / "operator.toml").write_text(OPERATOR)
    report = where / "report.json"
    env = {**os.environ, "BASELINE_CACHE_DIR": str(where / "cache"), "BASELINE_TOOLS_DIR": str(tools_dir())}
    argv = [
        sys.executable, "-m", "baseline", "scan", str(root), "--config", str(where / "operator.toml"), "--no-history",
        "--work-dir", str(where / "work"), "--format", "json", "--output", str(report), "--quiet",
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=env, cwd=where, check=False)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return json.loads(report.read_text())


def test_three_scans_under_load_agree_within_half_a_point(tmp_path: Path) -> None:
    root = tmp_path / "fastapi_ratio"
    shutil.copytree(FIXTURES / "fastapi_ratio", root)
    # An entry point that takes untrusted text, for the fuzzing technique (a harness is generated for it).
    (root / "ratioapi" / "codec.py").write_text(
        '"""Parse a ratio written as \'a/b\'."""\n\n\n'
        "def parse_ratio(text: str) -> tuple[int, int]:\n"
        '    """Numerator and denominator of \'a/b\'; ValueError when it is not one."""\n'
        '    head, sep, tail = text.partition("/")\n'
        "    if not sep or not head.strip().isdigit() or not tail.strip().isdigit():\n"
        '        raise ValueError(f"not a ratio: {text!r}")\n'
        "    numerator, denominator = int(head), int(tail)\n"
        "    if denominator == 0:\n"
        '        raise ValueError("zero denominator")\n'
        "    return numerator, denominator\n"
    )
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            reports = list(pool.map(lambda index: _scan(root, tmp_path / f"scan-{index}"), range(3)))
    finally:
        hog.kill()
        hog.wait()
    scores = [report["breakdown"]["trust_score"] for report in reports]
    per_technique = [{item["technique"]: item["score"] for item in report["breakdown"]["techniques"]} for report in reports]
    assert max(scores) - min(scores) <= 0.5, (scores, per_technique)
    # Every technique the fixture exercises was evaluated in each scan: agreement is not agreement on errors.
    for report in reports:
        outcomes = {item["technique"]: item["outcome"] for item in report["breakdown"]["techniques"]}
        assert all(outcomes[technique] in ("pass", "fail") for technique in ("T02", "T07", "T09", "T10")), outcomes
