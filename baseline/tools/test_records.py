"""Typed records of what the pytest recorder plugin wrote during the shared test run.

The plugin (``pytest_plugin/baseline_recorder.py``) runs in the target's interpreter and writes
JSONL files; this module reads them back into frozen dataclasses. Warnings that escaped pytest's
capture (printed to stderr, e.g. at interpreter shutdown) are parsed from the run's stderr.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from baseline.reports.redact import redact as shared_redact

PLUGIN_DIR = Path(__file__).resolve().parent / "pytest_plugin"
PLUGIN_MODULE = "baseline_recorder"

# "path/to/file.py:12: DeprecationWarning: message" as printed by warnings.showwarning.
_STDERR_WARNING = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+): (?P<category>[A-Za-z_]\w*Warning): (?P<message>.*)$", re.MULTILINE)


@dataclass(frozen=True)
class RecordedWarning:
    """One warning raised while the test suite ran."""

    category: str
    message: str
    file: str  # relative to the target root when inside it
    line: int | None
    when: str  # "collect", "runtest", "config" or "stderr"
    nodeid: str = ""
    module: str = ""


@dataclass(frozen=True)
class Marker:
    """A pytest marker on a test, with its string arguments."""

    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestDetail:
    """One collected test item with its markers, docstring and overall outcome."""

    __test__ = False

    nodeid: str
    file: str
    line: int | None
    name: str
    markers: tuple[Marker, ...]
    doc: str
    hypothesis: bool
    outcome: str  # passed | failed | error | skipped | xfailed | not-run

    @property
    def marker_names(self) -> frozenset[str]:
        """The names of the test's markers."""
        return frozenset(marker.name for marker in self.markers)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def read_warnings(folder: Path) -> tuple[RecordedWarning, ...]:
    """Warnings recorded by the plugin, in the order they were raised (duplicates kept)."""
    found: list[RecordedWarning] = []
    for record in _lines(folder / "warnings.jsonl"):
        line = record.get("line")
        found.append(
            RecordedWarning(
                category=str(record.get("category") or "Warning"),
                message=redact(str(record.get("message") or "")),
                file=str(record.get("file") or ""),
                line=line if isinstance(line, int) else None,
                when=str(record.get("when") or ""),
                nodeid=str(record.get("nodeid") or ""),
                module=str(record.get("module") or ""),
            )
        )
    return tuple(found)


def stderr_warnings(stderr: str, root: Path) -> tuple[RecordedWarning, ...]:
    """Warnings the interpreter printed to stderr outside pytest's capture."""
    found: list[RecordedWarning] = []
    for match in _STDERR_WARNING.finditer(stderr or ""):
        file = match.group("file")
        if os.path.isabs(file):
            try:
                relative = os.path.relpath(file, root)
            except ValueError:
                relative = file
            file = file if relative.startswith("..") else Path(relative).as_posix()
        found.append(RecordedWarning(match.group("category"), redact(match.group("message").strip()), file, int(match.group("line")), "stderr"))
    return tuple(found)


def _overall(phases: dict[str, str]) -> str:
    if not phases:
        return "not-run"
    if phases.get("call") == "failed":
        return "failed"
    if any(outcome == "failed" for when, outcome in phases.items() if when != "call"):
        return "error"
    values = set(phases.values())
    if "xfailed" in values:
        return "xfailed"
    if "skipped" in values:
        return "skipped"
    if phases.get("call") in ("passed", "xpassed"):
        return "passed"
    return "not-run"


def read_details(folder: Path) -> tuple[TestDetail, ...]:
    """Per-test details: collected items joined with the outcome of their phases."""
    items: dict[str, dict[str, Any]] = {}
    phases: dict[str, dict[str, str]] = {}
    for record in _lines(folder / "tests.jsonl"):
        nodeid = str(record.get("nodeid") or "")
        if record.get("event") == "item":
            items[nodeid] = record
        elif record.get("event") == "phase":
            phases.setdefault(nodeid, {})[str(record.get("when"))] = str(record.get("outcome"))
    details: list[TestDetail] = []
    for nodeid, record in items.items():
        markers = tuple(
            Marker(str(mark.get("name")), tuple(str(arg) for arg in mark.get("args") or ()))
            for mark in record.get("markers") or ()
            if isinstance(mark, dict)
        )
        line = record.get("line")
        details.append(
            TestDetail(
                nodeid=nodeid,
                file=str(record.get("file") or ""),
                line=line if isinstance(line, int) else None,
                name=str(record.get("name") or ""),
                markers=markers,
                doc=str(record.get("doc") or ""),
                hypothesis=bool(record.get("hypothesis")),
                outcome=_overall(phases.get(nodeid, {})),
            )
        )
    return tuple(details)


def redact(text: str) -> str:
    """Hide values that look like credentials in text shown in findings and evidence (the shared redactor)."""
    return shared_redact(text, mask="***")
