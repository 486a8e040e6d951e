"""Typed records of what the pytest recorder plugin wrote during the shared test run.

The plugin (``pytest_plugin/baseline_recorder.py``) runs in the target's interpreter and writes
JSONL files; this module reads them back into frozen dataclasses. Warnings that escaped pytest's
capture (printed to stderr, e.g. at interpreter shutdown) are parsed from the run's stderr.

A test's outcome is the *raw* one the recorder took from the test body's exception and the
CallInfo, not the report pytest logged after the project's hooks had it: :func:`read_integrity`
lists every phase where the two disagree (a failed call logged as passed or skipped, a report
logged without a call), the project's hooks that short-circuit reporting, plugins loaded through
``addopts`` and pytest internals replaced during the run. A failure followed by a rerun (as
pytest-rerunfailures does) is not a disagreement: the test is listed as flaky.
:func:`write_junit` writes the run's JUnit file from these records.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
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
    flaky: bool = False  # failed at least once, then passed on a rerun
    classname: str = ""
    message: str = ""
    duration_s: float = 0.0

    @property
    def marker_names(self) -> frozenset[str]:
        """The names of the test's markers."""
        return frozenset(marker.name for marker in self.markers)


def _lines(path: Path, key: bytes | None = None) -> Iterator[dict[str, Any]]:
    """The records of one JSONL file; with ``key``, only lines whose HMAC verifies."""
    for record, ok in _signed_lines(path, key):
        if ok:
            yield record


def _signed_lines(path: Path, key: bytes | None) -> Iterator[tuple[dict[str, Any], bool]]:
    """(record, authentic) per line: a line is ``{"mac": hex, "record": json}``."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            try:
                line = json.loads(raw)
                body = line["record"] if isinstance(line, dict) and isinstance(line.get("record"), str) else None
                record = json.loads(body) if body is not None else line
            except (ValueError, KeyError, TypeError):
                continue
            if not isinstance(record, dict):
                continue
            if key is None:
                yield record, True
                continue
            mac = line.get("mac") if isinstance(line, dict) else None
            expected = hmac.new(key, (body or "").encode("utf-8"), hashlib.sha256).hexdigest()
            yield record, body is not None and isinstance(mac, str) and hmac.compare_digest(mac, expected)


def forged_lines(folder: Path, key: bytes | None) -> int:
    """How many lines of the record files do not carry the recorder's HMAC (written by someone else)."""
    if key is None:
        return 0
    return sum(1 for name in ("tests.jsonl", "session.jsonl", "warnings.jsonl") for _, ok in _signed_lines(folder / name, key) if not ok)


def read_warnings(folder: Path, key: bytes | None = None) -> tuple[RecordedWarning, ...]:
    """Warnings recorded by the plugin, in the order they were raised (duplicates kept)."""
    found: list[RecordedWarning] = []
    for record in _lines(folder / "warnings.jsonl", key):
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


@dataclass(frozen=True)
class Disagreement:
    """A phase whose logged outcome is not what the test really did."""

    nodeid: str
    when: str
    raw: str  # what the recorder saw (body exception / CallInfo), or "none" when no call was recorded
    logged: str  # what pytest logged after the project's hooks


@dataclass(frozen=True)
class Integrity:
    """What the recorder found about the run's honesty (empty tuples: nothing found)."""

    recorded: bool  # the recorder was configured (session.jsonl exists)
    finished: bool  # the session reached its end
    disagreements: tuple[Disagreement, ...] = ()
    project_hooks: tuple[tuple[str, str, int | None], ...] = ()  # (hook, file, line)
    addopts_plugins: tuple[str, ...] = ()
    tampered: tuple[tuple[str, str], ...] = ()  # (internal replaced, where it was first seen)
    status_rewritten: tuple[tuple[str, str], ...] = ()  # (nodeid, phase shown as passed)
    never_ran: tuple[str, ...] = ()  # collected, never reported, the session not stopped early
    flaky: tuple[str, ...] = ()
    collect_errors: tuple[tuple[str, str], ...] = ()  # (nodeid, message)
    forged_records: int = 0  # record lines without the recorder's HMAC (ignored)

    @property
    def forged(self) -> bool:
        """True when anything was found that can change the verdict behind the recorder's back."""
        return bool(self.disagreements or self.project_hooks or self.addopts_plugins or self.tampered or self.status_rewritten or self.never_ran or self.forged_records)


def _legitimate(raw: str, logged: str, xfail_marked: bool) -> bool:
    """Whether pytest itself could turn ``raw`` into ``logged``."""
    if raw == logged or logged == "rerun":
        return True
    if raw == "failed":
        return logged == "failed" or (logged == "xfailed" and xfail_marked)
    if raw == "passed":
        return logged in ("failed", "xpassed")
    if raw == "xfailed":
        return logged in ("xfailed", "skipped", "failed")
    if raw == "skipped":
        return logged in ("skipped", "xfailed", "failed")
    return False


@dataclass
class _Item:
    record: dict[str, Any]
    attempts: list[dict[str, str]] = field(default_factory=list)
    raws: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    duration: float = 0.0


def _collect(folder: Path, key: bytes | None = None) -> tuple[dict[str, _Item], list[Disagreement], list[tuple[str, str]]]:
    items: dict[str, _Item] = {}
    orphans: dict[str, _Item] = {}
    disagreements: list[Disagreement] = []
    collect_errors: list[tuple[str, str]] = []
    for record in _lines(folder / "tests.jsonl", key):
        nodeid = str(record.get("nodeid") or "")
        event = record.get("event")
        if event == "item":
            known = orphans.pop(nodeid) if nodeid in orphans else _Item(record)
            known.record = record
            items[nodeid] = known
        elif event == "collect-error":
            collect_errors.append((nodeid, redact(str(record.get("message") or ""))[-500:]))
        elif event == "phase":
            item = items.get(nodeid) or orphans.setdefault(nodeid, _Item({"nodeid": nodeid}))
            when = str(record.get("when"))
            logged = str(record.get("outcome"))
            raw_value = record.get("raw")
            body = record.get("body")
            raw = str(raw_value) if raw_value is not None else None
            if raw == "passed" and body == "failed":
                raw = "failed"  # the body raised and something in between swallowed it
            if when == "setup" or not item.attempts:
                item.attempts.append({})
                item.raws.append({})
            item.attempts[-1][when] = logged
            # pytest's own conversions (xfail, strict xpass) stand; a rewrite or a rerun does not.
            honest = raw is None or (logged != "rerun" and _legitimate(raw, logged, bool(record.get("xfail_marked"))))
            item.raws[-1][when] = logged if honest else str(raw)
            if record.get("message"):
                item.message = redact(str(record["message"]))[:500]
            if isinstance(record.get("duration"), (int, float)):
                item.duration += float(record["duration"])
            if raw is None:
                if logged in ("passed", "xpassed", "skipped", "xfailed"):
                    disagreements.append(Disagreement(nodeid, when, "none", logged))
            elif not _legitimate(raw, logged, bool(record.get("xfail_marked"))):
                disagreements.append(Disagreement(nodeid, when, raw, logged))
    for nodeid, item in orphans.items():
        items.setdefault(nodeid, item)
    return items, disagreements, collect_errors


def read_details(folder: Path, key: bytes | None = None) -> tuple[TestDetail, ...]:
    """Per-test details: collected items joined with the real outcome of their last attempt."""
    items, _, _ = _collect(folder, key)
    details: list[TestDetail] = []
    for nodeid, item in items.items():
        record = item.record
        markers = tuple(
            Marker(str(mark.get("name")), tuple(str(arg) for arg in mark.get("args") or ()))
            for mark in record.get("markers") or ()
            if isinstance(mark, dict)
        )
        line = record.get("line")
        outcome = _overall(item.raws[-1]) if item.raws else "not-run"
        flaky = outcome == "passed" and any(_overall(raws) in ("failed", "error") for raws in item.raws[:-1])
        details.append(
            TestDetail(
                nodeid=nodeid,
                file=str(record.get("file") or nodeid.split("::", 1)[0]),
                line=line if isinstance(line, int) else None,
                name=str(record.get("name") or nodeid.rsplit("::", 1)[-1]),
                markers=markers,
                doc=str(record.get("doc") or ""),
                hypothesis=bool(record.get("hypothesis")),
                outcome=outcome,
                flaky=flaky,
                classname=str(record.get("classname") or ""),
                message=item.message if outcome in ("failed", "error") else "",
                duration_s=round(item.duration, 4),
            )
        )
    return tuple(details)


def read_integrity(folder: Path, key: bytes | None = None) -> Integrity:
    """What the recorder saw of the project's attempts to change the verdict."""
    session = list(_lines(folder / "session.jsonl", key))
    items, disagreements, collect_errors = _collect(folder, key)
    events = {str(record.get("event")) for record in session}
    finish = next((record for record in session if record.get("event") == "finish"), {})
    hooks = tuple(dict.fromkeys((str(r.get("hook")), str(r.get("file")), r.get("line") if isinstance(r.get("line"), int) else None) for r in session if r.get("event") == "project-hook"))
    # "-p no:NAME" disables a plugin, which is the project's business, except for the recorder itself.
    addopts = tuple(
        dict.fromkeys(
            str(r.get("name"))
            for r in session
            if r.get("event") == "addopts-plugin" and (not str(r.get("name")).startswith("no:") or "baseline_recorder" in str(r.get("name")))
        )
    )
    tampered = tuple(dict.fromkeys((str(r.get("name")), str(r.get("where"))) for r in session if r.get("event") == "tampered"))
    rewritten = tuple(dict.fromkeys((str(r.get("nodeid")), str(r.get("when"))) for r in session if r.get("event") == "status-rewritten"))
    # pytest stops before the run when collection failed (exit status 2, "Interrupted: N errors during
    # collection"), on an internal error (3) or a usage error (4): nothing ran, by pytest's own rule. Such a
    # session earns nothing (no test passed), so a hook that fakes it gains nothing either.
    stopped = bool(finish.get("stopped")) or not finish or finish.get("exitstatus") in (2, 3, 4)
    never = tuple(nodeid for nodeid, item in items.items() if not item.attempts and "event" in item.record and not stopped)
    flaky = tuple(detail.nodeid for detail in read_details(folder, key) if detail.flaky)
    return Integrity(
        recorded="configure" in events,
        forged_records=forged_lines(folder, key),
        finished=bool(finish),
        disagreements=tuple(disagreements),
        project_hooks=hooks,
        addopts_plugins=addopts,
        tampered=tampered,
        status_rewritten=rewritten,
        never_ran=never,
        flaky=flaky,
        collect_errors=tuple(collect_errors),
    )


def _junit_outcome(outcome: str) -> str:
    return {"xfailed": "skipped", "not-run": "skipped", "xpassed": "passed"}.get(outcome, outcome)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text the target wrote (test names, messages), with what XML 1.0 cannot carry shown as ``\\xNN``."""
    return _XML_INVALID.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def write_junit(folder: Path, path: Path, key: bytes | None = None) -> bool:
    """Write the run's JUnit XML (xunit2) from the recorder's records; False when there are none.

    Each test's outcome is its real one (:func:`read_details`), whatever the project's hooks did to
    pytest's reports; collection errors are error cases, as pytest writes them.
    """
    from xml.sax.saxutils import quoteattr as _quoteattr

    def quoteattr(text: str) -> str:
        return _quoteattr(_xml_text(text))

    if not any(record.get("event") == "configure" for record in _lines(folder / "session.jsonl", key)):
        return False
    details = read_details(folder, key)
    _, _, collect_errors = _collect(folder, key)
    cases: list[str] = []
    counts = {"failed": 0, "error": 0, "skipped": 0}
    for detail in details:
        outcome = _junit_outcome(detail.outcome)
        attributes = f"classname={quoteattr(detail.classname)} name={quoteattr(detail.nodeid.rsplit('::', 1)[-1])} file={quoteattr(detail.file)}"
        if detail.line is not None:
            attributes += f' line="{detail.line - 1}"'
        attributes += f' time="{detail.duration_s:.3f}"'
        child = ""
        if outcome in counts:
            counts[outcome] += 1
            tag = {"failed": "failure", "error": "error", "skipped": "skipped"}[outcome]
            note = detail.message or ("not run" if detail.outcome == "not-run" else detail.outcome)
            child = f"<{tag} message={quoteattr(note)} />"
        cases.append(f"<testcase {attributes}>{child}</testcase>")
    for nodeid, message in collect_errors:
        counts["error"] += 1
        classname = nodeid.replace("/", ".").removesuffix(".py")
        cases.append(f"<testcase classname={quoteattr(classname)} name=\"\"><error message={quoteattr('collection failure: ' + message[-300:])} /></testcase>")
    total = len(details) + len(collect_errors)
    suite = f'<testsuite name="pytest" errors="{counts["error"]}" failures="{counts["failed"]}" skipped="{counts["skipped"]}" tests="{total}">'
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>' + suite + "".join(cases) + "</testsuite></testsuites>\n", encoding="utf-8")
    return True


def redact(text: str) -> str:
    """Hide values that look like credentials in text shown in findings and evidence (the shared redactor)."""
    return shared_redact(text, mask="***")
