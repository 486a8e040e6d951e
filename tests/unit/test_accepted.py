"""Accepted findings: occurrence counting, expiry, stable file, new_only, runner integration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from baseline.accepted import AcceptedEntry, apply_accepted, dump_accepted, entry_for, load_accepted
from baseline.catalog import load_catalog
from baseline.cli import main
from baseline.config import Config
from baseline.discovery import Discovered, LoadedCheck
from baseline.errors import ConfigError
from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.reports.json_report import format_report
from baseline.runner import execute_scan
from baseline.target import Interpreter, describe_target

SPEC = CheckSpec(id="static-analysis.fake", technique="T03", title="fake static analysis", verifies="v", why="w", remediation="r")


class TwinFindings:
    """A check that reports the same finding twice in one file (look-alikes)."""

    spec = SPEC

    def run(self, context):
        finding = Finding(rule_id="B602", severity=Severity.HIGH, message="shell=True", tool="bandit")
        return CheckResult(
            SPEC, Outcome.FAIL, 5.0, "two findings",
            (
                Finding(**{**finding.__dict__, "location": Location("pkg/run.py", 3, 3, "os.system(cmd)")}),
                Finding(**{**finding.__dict__, "location": Location("pkg/run.py", 9, 9, "os.system(cmd)")}),
            ),
            (Evidence(provenance=Provenance.EXECUTED, summary="fake run"),),
        )


def _scan(root: Path, **values):
    config = Config(values={"gate": True, "fail_on": "high", "min_score": 0.0, **values}, source=None)
    target = describe_target(root, Interpreter(path="python3", source="test", version=None))
    discovered = Discovered(checks=(LoadedCheck("fake", SPEC, TwinFindings()),), problems=())
    return execute_scan(target=target, root=root, config=config, catalog=load_catalog(None), discovered=discovered, work_dir=root / ".baseline" / "scan")


def _accept(root: Path, report, count: int, expires: str | None = None) -> None:
    findings = [f for r in report.results for f in r.findings][:count]
    path = root / ".baseline" / "accepted.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_accepted(entry_for(f, "reviewed: input is constant", "alice", expires) for f in findings))


def test_accepting_one_of_two_identical_findings_keeps_the_other_failing(tmp_path: Path):
    first = _scan(tmp_path)
    assert not first.gate.passed
    fingerprints = [f.fingerprint for r in first.results for f in r.findings]
    assert len(set(fingerprints)) == 2 and fingerprints[0].split(":")[0] == fingerprints[1].split(":")[0]
    _accept(tmp_path, first, 1)
    second = _scan(tmp_path)
    findings = [f for r in second.results for f in r.findings]
    assert [f.suppressed for f in findings].count(True) == 1
    assert not second.gate.passed and "1 unsuppressed finding" in " ".join(second.gate.reasons)
    _accept(tmp_path, first, 2)
    assert _scan(tmp_path).gate.passed


def test_expired_acceptance_fails_the_gate_again(tmp_path: Path):
    first = _scan(tmp_path)
    _accept(tmp_path, first, 2, expires=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    assert _scan(tmp_path).gate.passed
    _accept(tmp_path, first, 2, expires="2020-01-01")
    again = _scan(tmp_path)
    assert not again.gate.passed
    assert [p.kind for p in again.problems] == ["accepted-expired", "accepted-expired"]
    assert all(f.properties.get("acceptance_expired") == "2020-01-01" for r in again.results for f in r.findings)


def test_new_only_fails_on_any_unaccepted_finding(tmp_path: Path):
    # fail_on none: the severity rule is off, new_only still catches the new finding
    first = _scan(tmp_path, fail_on="none")
    assert first.gate.passed
    assert not _scan(tmp_path, fail_on="none", new_only=True).gate.passed
    _accept(tmp_path, first, 2)
    assert _scan(tmp_path, fail_on="none", new_only=True).gate.passed


def test_file_is_sorted_without_churn_and_round_trips(tmp_path: Path):
    entries = [
        AcceptedEntry("b" * 32 + ":0", "R2", "z.py", "why \"quoted\"", "bob"),
        AcceptedEntry("a" * 32 + ":1", "R1", "a.py", "why", "alice", "2030-01-31"),
        AcceptedEntry("a" * 32 + ":0", "R1", "a.py", "why", "alice"),
    ]
    text = dump_accepted(entries)
    assert text == dump_accepted(reversed(entries))
    keys = {line.split(" = ")[0] for line in text.splitlines() if " = " in line}
    assert keys == {"fingerprint", "rule", "path", "reason", "owner", "expires"}
    path = tmp_path / "accepted.toml"
    path.write_text(text)
    assert sorted(load_accepted(path), key=str) == sorted(entries, key=str)


def test_reason_and_owner_are_required(tmp_path: Path):
    path = tmp_path / "accepted.toml"
    path.write_text('[[accepted]]\nfingerprint = "abc:0"\nreason = "x"\n')
    with pytest.raises(ConfigError, match="owner"):
        load_accepted(path)


def test_unused_entry_is_reported():
    finding = Finding("R", Severity.LOW, "m", "t", Location("a.py"), fingerprint="f" * 32 + ":0")
    result = CheckResult(SPEC, Outcome.FAIL, 1.0, "x", (finding,))
    entries = [AcceptedEntry("f" * 32 + ":0", "R", "a.py", "ok", "me"), AcceptedEntry("f" * 32 + ":1", "R", "a.py", "ok", "me")]
    out, problems = apply_accepted([result], entries, dt.date(2026, 1, 1))
    assert out[0].findings[0].suppressed
    assert [p.kind for p in problems] == ["accepted-unused"]


def test_accept_command_writes_entries(tmp_path: Path, capsys):
    report = _scan(tmp_path)
    report_path = tmp_path / "report.json"
    report_path.write_text(format_report(report))
    fingerprint = report.results[0].findings[1].fingerprint
    code = main(["accept", str(report_path), "--fingerprint", fingerprint, "--reason", "constant input", "--owner", "alice", "--expires", "2099-12-31"])
    assert code == 0
    entries = load_accepted(tmp_path / ".baseline" / "accepted.toml")
    assert [(e.fingerprint, e.owner, e.expires) for e in entries] == [(fingerprint, "alice", "2099-12-31")]
    assert main(["accept", str(report_path), "--all", "--reason", " ", "--owner", "x"]) == 2


def test_bad_accepted_file_fails_before_the_scan(tmp_path: Path, capsys):
    project = tmp_path / "proj"
    (project / ".baseline").mkdir(parents=True)
    (project / ".baseline" / "accepted.toml").write_text('[[accepted]]\nfingerprint = "abc:0"\nreason = "r"\nowner = "o"\nexpires = "soon"\n')
    assert main(["scan", str(project), "--quiet"]) == 2
    assert "expires must be a date" in capsys.readouterr().err
