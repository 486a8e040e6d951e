"""How a hostile case is run and judged: the real CLI in a subprocess, then the report and /proc.

A :class:`Case` is a factory that builds a small project in a temporary folder plus what the scan
must produce. :func:`run_case` runs ``baseline scan`` the way a user does (``--format json
--output ...``, short budgets, ``--select`` limited to the techniques the case exercises) with fake
credentials in its environment, and returns everything a test asserts on.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[2]

# Fake credentials put in the scan's environment: target code must never see them.
FAKE_CREDENTIALS = {
    "AWS_SECRET_ACCESS_KEY": "hostile-aws-secret-wJalrXUtnFEMI",
    "GITHUB_TOKEN": "ghp_hostileTokenThatMustNotLeak000000000",
    "DATABASE_URL": "postgres://app:hostile-db-password@db.internal/app",
}

# What the toolkit may never print, and what a check's own bug looks like in the report.
TOOLKIT_CRASH = re.compile(r"Traceback \(most recent call last\)|baseline: internal error")
CHECK_RAISED = re.compile(r"^check \S+ raised \w+")

Factory = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile project: how to build it, how to scan it, and what must come out."""

    name: str
    build: Factory
    select: str
    args: tuple[str, ...] = ()
    exit_code: int = 0
    outcomes: dict[str, str | tuple[str, ...]] = field(default_factory=dict)  # check id -> allowed outcome(s)
    messages: dict[str, str] = field(default_factory=dict)  # check id or "stderr" -> regex that must match
    max_seconds: float = 60.0
    needs: tuple[str, ...] = ()  # "atheris", "wapiti", "semgrep", "git", "pidns"
    gate: bool = True  # --gate --min-score 0 --fail-on none --required <select>: the exit code says what happened

    def __str__(self) -> str:
        return self.name


@dataclass
class Scan:
    """What one scan produced."""

    root: Path
    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any]
    elapsed: float

    def result(self, check_id: str) -> dict[str, Any]:
        """The report's result of one check."""
        return next(item for item in self.report["results"] if item["spec"]["id"] == check_id)

    def text_of(self, check_id: str) -> str:
        """Everything a reader sees about one check: message, evidence and finding messages."""
        result = self.result(check_id)
        parts = [result["message"]]
        parts += [item.get("summary", "") + "\n" + (item.get("stderr_tail") or "") for item in result.get("evidence", [])]
        parts += [f"{(item.get('location') or {}).get('path', '')} {item.get('message', '')}" for item in result.get("findings", [])]
        parts.append(json.dumps(result.get("metrics", {})))
        return "\n".join(parts)


def scan_environment() -> dict[str, str]:
    """The caller's environment plus the fake credentials."""
    return {**os.environ, **FAKE_CREDENTIALS}


def work_dir(root: Path) -> Path:
    """Where the scan of ``root`` keeps its work files (its test records among them)."""
    return root.parent / f"{root.name}-work"


def run_scan(root: Path, select: str, *args: str, gate: bool = True, timeout: float = 300.0) -> Scan:
    """``baseline scan root --select ... --format json --output ...`` as a real subprocess."""
    out = root.parent / f"{root.name}-report.json"
    out.unlink(missing_ok=True)
    # The run's own folder, outside the project (the scan writes nothing into the tree).
    argv = [sys.executable, "-m", "baseline", "scan", str(root), "--select", select, "--format", "json", "--output", str(out), "--no-history",
            "--work-dir", str(work_dir(root))]
    if gate:
        argv += ["--gate", "--min-score", "0", "--fail-on", "none", "--required", select]
    started = time.monotonic()
    proc = subprocess.run([*argv, *args], capture_output=True, text=True, timeout=timeout, env=scan_environment(), cwd=root.parent)
    elapsed = time.monotonic() - started
    report = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    return Scan(root, proc.returncode, proc.stdout, proc.stderr, report, elapsed)


def processes_touching(root: Path, marker: str | None = None) -> list[str]:
    """Live processes whose working folder is inside ``root`` or whose command line names it (or ``marker``)."""
    needles = [str(root)] + ([marker] if marker else [])
    found: list[str] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
            if stat.rsplit(")", 1)[-1].split()[0] == "Z":
                continue  # a zombie is dead; its parent reaps it
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                cwd = ""
        except OSError:
            continue
        if any(needle in cmdline for needle in needles) or cwd == str(root) or cwd.startswith(str(root) + os.sep):
            found.append(f"{entry.name}: {cmdline[:200]} (cwd {cwd})")
    return found


def wait_until_gone(root: Path, marker: str | None = None, seconds: float = 3.0) -> list[str]:
    """Leftover processes after a short grace period (the kernel tears a namespace down asynchronously)."""
    deadline = time.monotonic() + seconds
    left = processes_touching(root, marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = processes_touching(root, marker)
    return left


def assert_case(case: Case, scan: Scan) -> None:
    """The assertions every case shares: exit code, outcomes, messages, no toolkit traceback."""
    combined = scan.stdout + scan.stderr
    assert not TOOLKIT_CRASH.search(combined), f"{case.name}: the toolkit crashed:\n{combined[-3000:]}"
    assert scan.returncode == case.exit_code, f"{case.name}: exit code {scan.returncode}, expected {case.exit_code}\n{combined[-3000:]}"
    for key, pattern in case.messages.items():
        if key == "stderr":
            flat = " ".join(scan.stderr.split())  # the console wraps long lines
            assert re.search(pattern, flat), f"{case.name}: stderr does not match {pattern!r}:\n{scan.stderr[-2000:]}"
    if case.exit_code == 2:
        assert not scan.report, f"{case.name}: a configuration error must stop the scan before any report"
        return
    assert scan.report, f"{case.name}: no report written\n{combined[-3000:]}"
    for result in scan.report["results"]:
        assert not CHECK_RAISED.search(result["message"]), f"{case.name}: {result['message']}"
    for check_id, expected in case.outcomes.items():
        allowed = (expected,) if isinstance(expected, str) else expected
        outcome = scan.result(check_id)["outcome"]
        assert outcome in allowed, f"{case.name}: {check_id} is {outcome}, expected {allowed}: {scan.result(check_id)['message']}"
    for key, pattern in case.messages.items():
        if key != "stderr":
            text = scan.text_of(key)
            assert re.search(pattern, text), f"{case.name}: {key} does not say {pattern!r}:\n{text[:3000]}"
    assert scan.elapsed < case.max_seconds, f"{case.name}: the scan took {scan.elapsed:.1f} s (limit {case.max_seconds:g} s)"
