"""The recorder plugin's JSONL files and the warnings printed to stderr."""

from __future__ import annotations

import json
from pathlib import Path

from baseline.tools.test_records import PLUGIN_DIR, PLUGIN_MODULE, read_details, read_warnings, stderr_warnings


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records) + "not json\n")


def test_plugin_module_ships_beside_the_adapter() -> None:
    source = (PLUGIN_DIR / f"{PLUGIN_MODULE}.py").read_text()
    # It runs in the target's interpreter: nothing from baseline may be imported there.
    assert "import baseline" not in source and "from baseline" not in source


def test_details_join_items_with_phase_outcomes(tmp_path: Path) -> None:
    _write(
        tmp_path / "tests.jsonl",
        [
            {"event": "item", "nodeid": "t.py::a", "file": "t.py", "line": 3, "name": "a", "markers": [{"name": "e2e", "args": []}], "doc": "Regression for #12", "hypothesis": False},
            {"event": "item", "nodeid": "t.py::b", "file": "t.py", "line": 9, "name": "b", "markers": [], "doc": "", "hypothesis": True},
            {"event": "item", "nodeid": "t.py::c", "file": "t.py", "line": 12, "name": "c", "markers": [], "doc": "", "hypothesis": False},
            {"event": "item", "nodeid": "t.py::d", "file": "t.py", "line": 15, "name": "d", "markers": [], "doc": "", "hypothesis": False},
            {"event": "phase", "nodeid": "t.py::a", "when": "setup", "outcome": "passed"},
            {"event": "phase", "nodeid": "t.py::a", "when": "call", "outcome": "passed"},
            {"event": "phase", "nodeid": "t.py::b", "when": "call", "outcome": "failed"},
            {"event": "phase", "nodeid": "t.py::c", "when": "setup", "outcome": "skipped"},
            {"event": "phase", "nodeid": "t.py::d", "when": "setup", "outcome": "failed"},
        ],
    )
    details = {detail.nodeid: detail for detail in read_details(tmp_path)}
    assert details["t.py::a"].outcome == "passed" and details["t.py::a"].marker_names == {"e2e"}
    assert details["t.py::b"].outcome == "failed" and details["t.py::b"].hypothesis
    assert details["t.py::c"].outcome == "skipped"
    assert details["t.py::d"].outcome == "error"


def test_warnings_from_plugin_and_stderr(tmp_path: Path) -> None:
    _write(tmp_path / "warnings.jsonl", [{"category": "BytesWarning", "message": "Comparison", "file": "app/a.py", "line": 4, "when": "runtest", "nodeid": "t.py::a"}])
    recorded = read_warnings(tmp_path)
    assert [(w.category, w.file, w.line, w.nodeid) for w in recorded] == [("BytesWarning", "app/a.py", 4, "t.py::a")]
    stderr = f"{tmp_path}/app/b.py:7: ResourceWarning: unclosed file <x>\nnoise\n/elsewhere/lib.py:1: DeprecationWarning: old\n"
    parsed = stderr_warnings(stderr, tmp_path)
    assert [(w.category, w.file, w.line, w.when) for w in parsed] == [("ResourceWarning", "app/b.py", 7, "stderr"), ("DeprecationWarning", "/elsewhere/lib.py", 1, "stderr")]
    assert read_warnings(tmp_path / "absent") == ()


def test_redaction_of_credential_looking_values() -> None:
    from baseline.tools.test_records import redact

    assert redact('assert token == "s3cr3t-value-123"') == 'assert token == "***"'
    assert redact("password=hunter2hunter2 ok") == "password=*** ok"
    assert "AKIA" not in redact("key AKIAABCDEFGHIJKLMNOP used")
    assert redact("assert user.is_admin") == "assert user.is_admin"
    assert redact("assert user.is_authenticated == request.user") == "assert user.is_authenticated == request.user"
    assert redact("auth_token: abc123def456") == "auth_token: ***"
    assert redact("coroutine 'f' was never awaited") == "coroutine 'f' was never awaited"


def test_raw_outcome_wins_over_the_logged_report(tmp_path: Path) -> None:
    from baseline.tools.test_records import read_integrity, write_junit

    (tmp_path / "session.jsonl").write_text(json.dumps({"event": "configure"}) + "\n" + json.dumps({"event": "finish", "stopped": False}) + "\n")
    item = {"event": "item", "file": "t.py", "line": 1, "markers": [], "doc": "", "hypothesis": False, "classname": "t"}
    _write(
        tmp_path / "tests.jsonl",
        [
            {**item, "nodeid": "t.py::forged", "name": "forged"},
            {**item, "nodeid": "t.py::flaky", "name": "flaky"},
            {**item, "nodeid": "t.py::xfail", "name": "xfail"},
            {**item, "nodeid": "t.py::hidden", "name": "hidden"},
            {**item, "nodeid": "t.py::skipped_protocol", "name": "skipped_protocol"},
            {"event": "phase", "nodeid": "t.py::forged", "when": "setup", "outcome": "passed", "raw": "passed"},
            {"event": "phase", "nodeid": "t.py::forged", "when": "call", "outcome": "passed", "raw": "failed", "message": "AssertionError: 3 != 4"},
            {"event": "phase", "nodeid": "t.py::flaky", "when": "setup", "outcome": "passed", "raw": "passed"},
            {"event": "phase", "nodeid": "t.py::flaky", "when": "call", "outcome": "rerun", "raw": "failed"},
            {"event": "phase", "nodeid": "t.py::flaky", "when": "setup", "outcome": "passed", "raw": "passed"},
            {"event": "phase", "nodeid": "t.py::flaky", "when": "call", "outcome": "passed", "raw": "passed"},
            {"event": "phase", "nodeid": "t.py::xfail", "when": "call", "outcome": "xfailed", "raw": "failed", "xfail_marked": True},
            {"event": "phase", "nodeid": "t.py::hidden", "when": "call", "outcome": "skipped", "raw": "failed", "xfail_marked": False},
            {"event": "phase", "nodeid": "t.py::ghost", "when": "call", "outcome": "passed"},
        ],
    )
    details = {detail.nodeid: detail for detail in read_details(tmp_path)}
    assert details["t.py::forged"].outcome == "failed" and "3 != 4" in details["t.py::forged"].message
    assert details["t.py::flaky"].outcome == "passed" and details["t.py::flaky"].flaky
    assert details["t.py::xfail"].outcome == "xfailed" and details["t.py::hidden"].outcome == "failed"
    integrity = read_integrity(tmp_path)
    assert {(d.nodeid, d.raw, d.logged) for d in integrity.disagreements} == {("t.py::forged", "failed", "passed"), ("t.py::hidden", "failed", "skipped"), ("t.py::ghost", "none", "passed")}
    assert integrity.flaky == ("t.py::flaky",) and integrity.never_ran == ("t.py::skipped_protocol",) and integrity.forged
    junit = tmp_path / "junit.xml"
    assert write_junit(tmp_path, junit)
    from baseline.tools.pytest_run import parse_junit

    cases, counts = parse_junit(junit, tmp_path)
    assert counts.failed == 2 and {case.name: case.outcome for case in cases}["forged"] == "failed"


def test_session_findings_addopts_and_tampering(tmp_path: Path) -> None:
    from baseline.tools.test_records import read_integrity

    _write(
        tmp_path / "session.jsonl",
        [
            {"event": "configure"},
            {"event": "addopts-plugin", "name": "no:cacheprovider"},
            {"event": "addopts-plugin", "name": "no:baseline_recorder"},
            {"event": "addopts-plugin", "name": "tests.forge"},
            {"event": "project-hook", "hook": "pytest_runtest_makereport", "file": "conftest.py", "line": 5},
            {"event": "tampered", "name": "_pytest.runner.call_and_report", "where": "t.py::a"},
            {"event": "status-rewritten", "nodeid": "t.py::b", "when": "call"},
            {"event": "finish", "stopped": True},
        ],
    )
    integrity = read_integrity(tmp_path)
    assert integrity.recorded and integrity.finished and integrity.forged
    assert integrity.addopts_plugins == ("no:baseline_recorder", "tests.forge")
    assert integrity.project_hooks == (("pytest_runtest_makereport", "conftest.py", 5),)
    assert integrity.tampered == (("_pytest.runner.call_and_report", "t.py::a"),) and integrity.status_rewritten == (("t.py::b", "call"),)
    assert not read_integrity(tmp_path / "absent").recorded


def test_lines_without_the_recorders_signature_are_ignored_and_counted(tmp_path: Path) -> None:
    import hashlib
    import hmac

    from baseline.tools.test_records import read_integrity

    key = b"k" * 32

    def signed(record: dict) -> str:
        body = json.dumps(record, sort_keys=True)
        return json.dumps({"mac": hmac.new(key, body.encode(), hashlib.sha256).hexdigest(), "record": body}) + "\n"

    (tmp_path / "session.jsonl").write_text(signed({"event": "configure"}) + signed({"event": "finish", "stopped": False}))
    item = {"event": "item", "nodeid": "t.py::a", "file": "t.py", "line": 1, "name": "a", "markers": [], "doc": "", "hypothesis": False}
    lines = [signed(item), signed({"event": "phase", "nodeid": "t.py::a", "when": "call", "outcome": "failed", "raw": "failed"})]
    # A test appends a second, passing attempt to the recorder's file: it has no valid signature.
    lines += [json.dumps({"event": "phase", "nodeid": "t.py::a", "when": "setup", "outcome": "passed", "raw": "passed"}) + "\n"]
    lines += [json.dumps({"mac": "0" * 64, "record": json.dumps({"event": "phase", "nodeid": "t.py::a", "when": "call", "outcome": "passed", "raw": "passed"})}) + "\n"]
    (tmp_path / "tests.jsonl").write_text("".join(lines))
    (details,) = read_details(tmp_path, key)
    assert details.outcome == "failed" and not details.flaky
    integrity = read_integrity(tmp_path, key)
    assert integrity.forged_records == 2 and integrity.forged


def test_a_session_pytest_interrupted_for_collection_errors_is_not_a_skipped_protocol(tmp_path: Path) -> None:
    """pytest runs nothing when collection failed (exit status 2): the collected tests that never ran are
    pytest's own rule, not a hook that skipped them."""
    from baseline.tools.test_records import read_integrity

    (tmp_path / "session.jsonl").write_text(json.dumps({"event": "configure"}) + "\n" + json.dumps({"event": "finish", "exitstatus": 2, "stopped": False}) + "\n")
    item = {"event": "item", "file": "t.py", "line": 1, "markers": [], "doc": "", "hypothesis": False, "classname": "t"}
    _write(tmp_path / "tests.jsonl", [{**item, "nodeid": "t.py::never", "name": "never"}])
    assert read_integrity(tmp_path).never_ran == ()
    (tmp_path / "session.jsonl").write_text(json.dumps({"event": "configure"}) + "\n" + json.dumps({"event": "finish", "exitstatus": 0, "stopped": False}) + "\n")
    assert read_integrity(tmp_path).never_ran == ("t.py::never",)
