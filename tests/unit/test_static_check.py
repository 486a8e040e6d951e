"""Table tests of the T03 check's judgement over fake static runs (no tool is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline.config import Config
from baseline.model import Evidence, Finding, Location, Outcome, Provenance, Severity, Suppression
from baseline.tools.static_common import FileNote
from baseline.tools.static_run import StaticScan
from baseline.checks.static_analysis import CHECK, static_score, weighted_load


class FakeContext:
    def __init__(self, scan: StaticScan, **values):
        self.scan = scan
        self.config = Config(values=values, source=None)
        self.root = Path(".")

    def shared(self, run):
        assert run.key == "static-run"
        return self.scan


EVIDENCE = (Evidence(Provenance.EXECUTED, "ran bandit", tool="bandit"),)


def finding(severity: Severity, context: str = "product", suppressed: bool = False, cwe=(89,)) -> Finding:
    return Finding(
        rule_id="sql-injection", severity=severity, message="m", tool="semgrep", location=Location("app.py", 3),
        cwe=cwe, context=context, suppression=Suppression("inline-nosec", "reason") if suppressed else None,
    )


def scan(findings=(), files=("app.py", "tests/test_app.py"), analysed=2, notes=(), status="ok") -> StaticScan:
    return StaticScan(status=status, message="m", files=files, product_files=1, test_files=1, findings=tuple(findings),
                      analysed_files=analysed, not_analysed=tuple(notes), evidence=EVIDENCE)


def test_no_python_is_not_applicable_with_evidence():
    empty = StaticScan(status="no-python", message="no Python files", evidence=(Evidence(Provenance.INSPECTED, "listed"),))
    result = CHECK.run(FakeContext(empty))
    assert result.outcome is Outcome.NOT_APPLICABLE and result.evidence and result.score is None


def test_tool_error_is_error():
    result = CHECK.run(FakeContext(scan(status="error")))
    assert result.outcome is Outcome.ERROR and result.score == 0.0


@pytest.mark.parametrize(
    "findings, outcome",
    [
        ([], Outcome.PASS),
        ([finding(Severity.HIGH)], Outcome.FAIL),
        ([finding(Severity.CRITICAL)], Outcome.FAIL),
        ([finding(Severity.HIGH, suppressed=True)], Outcome.PASS),
        ([finding(Severity.HIGH, context="test")], Outcome.PASS),
        ([finding(Severity.MEDIUM), finding(Severity.LOW)], Outcome.PASS),
    ],
)
def test_fails_only_on_unsuppressed_serious_product_findings(findings, outcome):
    result = CHECK.run(FakeContext(scan(findings)))
    assert result.outcome is outcome
    if outcome is Outcome.FAIL:
        assert "CWE 89" in result.message


def test_fail_on_threshold_is_configurable():
    assert CHECK.run(FakeContext(scan([finding(Severity.MEDIUM)]), **{"static.fail_on": "medium"})).outcome is Outcome.FAIL
    assert CHECK.run(FakeContext(scan([finding(Severity.CRITICAL)]), **{"static.fail_on": "none"})).outcome is Outcome.PASS


def test_mostly_unanalysed_tree_cannot_pass():
    notes = [FileNote("app.py", "bandit", "syntax error while parsing AST from file")]
    result = CHECK.run(FakeContext(scan(analysed=1, notes=notes)))
    assert result.outcome is Outcome.FAIL and "analysed" in result.message
    assert result.metrics["not_analysed"] == ["app.py"]
    assert any(f.rule_id == "baseline-not-analysed" for f in result.findings)
    assert result.score == pytest.approx(5.0)


def test_score_function():
    assert static_score([], 0.2, 1.0) == 10.0
    assert static_score([finding(Severity.CRITICAL)], 0.2, 1.0) == 5.0
    assert static_score([finding(Severity.MEDIUM)], 0.2, 1.0) == pytest.approx(8.33)
    assert weighted_load([finding(Severity.HIGH, context="test")], 0.2) == pytest.approx(1.0)
    assert weighted_load([finding(Severity.HIGH, suppressed=True)], 0.2) == 0.0
    assert static_score([], 0.2, 0.5) == 5.0


def test_metrics_count_product_and_test_separately():
    result = CHECK.run(FakeContext(scan([finding(Severity.MEDIUM), finding(Severity.LOW, context="test")])))
    assert result.metrics["product"]["medium"] == 1 and result.metrics["test"]["low"] == 1


def test_confidence_weighs_and_many_minor_findings_never_outweigh_one_serious_one() -> None:
    from dataclasses import replace

    from baseline.model import Confidence

    assert weighted_load([replace(finding(Severity.HIGH), confidence=Confidence.LOW)], 0.2) == pytest.approx(2.5)
    assert weighted_load([replace(finding(Severity.MEDIUM), confidence=Confidence.MEDIUM)], 0.2) == pytest.approx(1.5)
    asserts = [replace(finding(Severity.LOW, cwe=(703,)), rule_id=f"B101-{n}") for n in range(200)]  # a library's asserts
    injection = [finding(Severity.CRITICAL)]  # one SQL injection in an app
    assert weighted_load(asserts, 0.2) == pytest.approx(5.0)  # capped at one high
    assert static_score(asserts, 0.2, 1.0) > static_score(injection, 0.2, 1.0)
    # adding a serious finding never raises the score; the cap never hides a new medium or worse
    assert static_score(asserts + injection, 0.2, 1.0) < static_score(asserts, 0.2, 1.0)
