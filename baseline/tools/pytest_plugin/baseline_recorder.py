"""Records warnings and per-test details of a pytest run as JSONL (loaded with ``-p baseline_recorder``).

This module runs inside the *target's* interpreter, which may be a different virtual environment
without baseline installed: it imports only the standard library and pytest. It writes into the
folder named by ``BASELINE_RECORD_DIR``:

- ``warnings.jsonl``: one line per warning pytest captured (category, message, file, line, phase,
  test node id);
- ``tests.jsonl``: one line per test item (node id, file, line, markers with their string
  arguments, docstring, Hypothesis flag and the outcome of each phase).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_DIR = os.environ.get("BASELINE_RECORD_DIR", "")
_MAX_TEXT = 2000


def _write(name: str, record: dict[str, Any]) -> None:
    if not _DIR:
        return
    try:
        with open(os.path.join(_DIR, name), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
    except OSError:
        pass


def _relative(path: Any, root: str) -> str:
    text = str(path or "")
    if text and os.path.isabs(text) and root:
        try:
            rel = os.path.relpath(text, root)
        except ValueError:
            return text
        return text if rel.startswith("..") else rel.replace(os.sep, "/")
    return text.replace(os.sep, "/")


_ROOT = ""
_OUTCOMES: dict[str, dict[str, str]] = {}


def pytest_configure(config: Any) -> None:
    """Remember the root folder so that locations are written relative to it."""
    global _ROOT
    _ROOT = str(getattr(config, "rootpath", "") or os.getcwd())
    _write("session.jsonl", {"event": "configure", "python": sys.version.split()[0], "dev_mode": bool(sys.flags.dev_mode), "bytes_warning": int(sys.flags.bytes_warning)})


def pytest_warning_recorded(warning_message: Any, when: str, nodeid: str, location: Any) -> None:
    """One warning pytest captured (during collection, a test, or the session)."""
    category = getattr(warning_message, "category", None)
    _write(
        "warnings.jsonl",
        {
            "category": getattr(category, "__name__", str(category)),
            "module": getattr(category, "__module__", ""),
            "message": str(getattr(warning_message, "message", ""))[:_MAX_TEXT],
            "file": _relative(getattr(warning_message, "filename", ""), _ROOT),
            "line": getattr(warning_message, "lineno", None),
            "when": when,
            "nodeid": nodeid,
        },
    )


def _marker_args(mark: Any) -> list[str]:
    values: list[str] = []
    for value in list(getattr(mark, "args", ())) + list(getattr(mark, "kwargs", {}).values()):
        if isinstance(value, (str, int, float)):
            values.append(str(value)[:200])
    return values[:10]


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    """Record every collected test item with its markers and docstring."""
    for item in items:
        function = getattr(item, "function", None)
        obj = getattr(item, "obj", None)
        doc = getattr(function, "__doc__", None) or ""
        path, line, _ = item.location
        _write(
            "tests.jsonl",
            {
                "event": "item",
                "nodeid": item.nodeid,
                "file": _relative(getattr(item, "path", path), _ROOT) or path,
                "line": (line + 1) if isinstance(line, int) else None,
                "name": getattr(item, "originalname", None) or item.name,
                "markers": [{"name": mark.name, "args": _marker_args(mark)} for mark in item.iter_markers()],
                "doc": doc.strip()[:_MAX_TEXT],
                "hypothesis": bool(getattr(obj, "is_hypothesis_test", False) or getattr(obj, "hypothesis", None) is not None),
            },
        )


def pytest_runtest_logreport(report: Any) -> None:
    """Record the outcome of each phase (setup, call, teardown) of each test."""
    outcome = report.outcome
    if getattr(report, "wasxfail", None) is not None:
        outcome = "xfailed" if report.skipped else "xpassed"
    _write("tests.jsonl", {"event": "phase", "nodeid": report.nodeid, "when": report.when, "outcome": outcome})
