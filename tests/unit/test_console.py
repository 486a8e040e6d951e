"""The terminal output: the technique table, findings, trust score, gate verdict, progress and explain."""

from __future__ import annotations

from rich.console import Console

from baseline.catalog import load_catalog
from baseline.console import ScanProgress, render_explain, render_report
from baseline.discovery import discover_checks
from tests.unit.reports_synthetic import make_report


def _console() -> Console:
    return Console(record=True, width=220, force_terminal=False, color_system=None)


def test_report_shows_every_technique_the_score_findings_and_verdict() -> None:
    report = make_report()
    console = _console()
    render_report(report, console)
    text = console.export_text()
    for item in report.breakdown.techniques:
        assert f"{item.technique} {item.title}" in text
    assert f"Trust score: {report.breakdown.trust_score:.1f} / 100" in text
    verdict = "PASSED" if report.gate.passed else "FAILED"
    expected = f"Gate: {verdict}" if report.gate.enabled else f"Gate: not applied (use --gate); the policy would have {verdict.lower()}"
    assert expected in text
    for reason in report.gate.reasons:
        assert f"  - {reason}" in text
    open_findings = [f for result in report.results for f in result.findings if not f.suppressed]
    if open_findings:
        assert "Findings:" in text
        worst = max(open_findings, key=lambda f: f.severity.rank)
        assert worst.rule_id in text


def test_progress_prints_plain_lines_without_a_terminal() -> None:
    console = _console()
    with ScanProgress(console) as progress:
        progress("the test run", "running")
        progress("the test run", "collected 3 tests")
        progress("automated-testing.pytest", "start")
        progress("automated-testing.pytest", "end:pass")
        progress("the test run", "done")
    text = console.export_text()
    assert "running the test run" in text and "collected 3 tests" in text
    assert "automated-testing.pytest: pass" in text and "the test run: done" in text
    quiet = _console()
    with ScanProgress(quiet, enabled=False) as progress:
        progress("x", "start")
    assert quiet.export_text() == ""


def test_explain_a_technique_a_check_and_an_unknown_key() -> None:
    catalog = load_catalog()
    checks = list(discover_checks(catalog).checks)
    console = _console()
    assert render_explain(catalog, "T07", checks, console)
    text = console.export_text()
    assert "T07" in text and "Check structural-coverage.coverage" in text and "How it is scored" in text
    console = _console()
    assert render_explain(catalog, "static-analysis.scan", checks, console)
    assert "Check static-analysis.scan" in console.export_text()
    assert not render_explain(catalog, "no-such-thing", checks, _console())
    console = _console()
    assert render_explain(catalog, "T04", [], console)
    assert "No check is installed" in console.export_text()
