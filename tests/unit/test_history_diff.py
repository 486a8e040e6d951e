"""History store and report diff."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from baseline.cli import main
from baseline.diffing import diff_reports
from baseline.history import load_history, record_scan
from baseline.model import Location
from baseline.reports.json_report import format_report
from tests.unit.reports_synthetic import make_report


def test_history_records_runs_in_scan_tables(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("BASELINE_DATA_DIR", str(tmp_path / "data"))
    from baseline.state import history_db

    db = history_db(tmp_path)  # the project's database in the user's data folder, where scan writes it
    report = make_report()
    record_scan(db, report)
    better = replace(report, breakdown=replace(report.breakdown, trust_score=40.0))
    record_scan(db, better)
    entries = load_history(db)
    assert [e.trust_score for e in entries] == [report.breakdown.trust_score, 40.0]
    assert entries[0].open_findings == 2 and entries[0].suppressed_findings == 1
    assert entries[0].outcomes["fuzzing.atheris"] == "not_evaluated"
    tables = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {t for t in tables if t != "sqlite_sequence"} == {"scan_runs", "scan_outcomes", "scan_findings"}
    assert main(["history", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "(+18.33)" in out and "trend:" in out


def test_diff_ignores_moved_lines_and_finds_new_and_fixed(tmp_path: Path, capsys):
    old = make_report()
    static = next(r for r in old.results if r.spec.technique == "T03")
    moved = tuple(replace(f, location=replace(f.location, start_line=(f.location.start_line or 0) + 5)) for f in static.findings)
    fixed_one = moved[1:]
    new_one = replace(moved[0], rule_id="B999", fingerprint="e" * 32 + ":0", location=Location("pkg/new.py", 1))
    new = replace(old, results=tuple(replace(r, findings=fixed_one + (new_one,)) if r is static else r for r in old.results))
    change = diff_reports(old, new)
    assert [f.rule_id for f in change.new] == ["B999"]
    assert [f.fingerprint for f in change.fixed] == [static.findings[0].fingerprint]
    assert len(change.unchanged) == 2  # moved, same fingerprint
    (tmp_path / "old.json").write_text(format_report(old))
    (tmp_path / "new.json").write_text(format_report(new))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--fail-on-new"]) == 1
    assert "+ [high] B999 pkg/new.py" in capsys.readouterr().out
