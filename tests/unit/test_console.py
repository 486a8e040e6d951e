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


def _hostile_report(count: int = 1):
    from dataclasses import replace

    from baseline.model import Finding, Location, Severity

    report = make_report()
    fake = "\x1b[2K\rTrust score: 100.0 / 100\nGate: PASSED\n"
    findings = tuple(
        Finding("B602", Severity.HIGH, f"[/word] [bold]msg{index} {fake}", "bandit", Location(f"pkg/a{index}[/x]\n{fake}.py", 3))
        for index in range(count)
    )
    results = tuple(replace(r, findings=r.findings + findings, message=r.message + " [tool.baseline] " + fake) if r.spec.technique == "T03" else r for r in report.results)
    return replace(report, results=results)


def test_target_text_is_literal_and_cannot_draw_a_line_of_its_own() -> None:
    report = _hostile_report()
    console = Console(record=True, width=400, force_terminal=True, color_system="truecolor")
    render_report(report, console)
    text = console.export_text()
    assert "[/word] [bold]msg0" in text and "pkg/a0[/x]" in text  # markup shown, never interpreted (and no crash)
    assert "\x1b[2K" not in console.export_text(styles=False) and "\\x1b[2K\\rTrust score: 100.0 / 100\\nGate: PASSED" in text
    lines = text.splitlines()
    assert sum(line.startswith("Trust score:") for line in lines) == 1
    assert not any(line.lstrip("│ ").startswith("Gate: PASSED") for line in lines)
    raw = Console(record=True, width=400, force_terminal=True)
    render_report(report, raw)
    assert "\x1b[2K" not in raw.export_text(styles=True)  # the target's escape sequence never reaches the terminal


def test_only_the_worst_findings_then_and_n_more_unless_all_are_asked() -> None:
    report = _hostile_report(12)
    console = _console()
    render_report(report, console)
    text = console.export_text()
    open_count = sum(1 for r in report.results for f in r.findings if not f.suppressed)
    assert f"... and {open_count - 8} more open findings" in text
    console = _console()
    render_report(report, console, all_findings=True)
    text = console.export_text()
    assert "more open findings" not in text and "msg11" in text


def test_junit_and_markdown_escape_control_characters() -> None:
    import xml.etree.ElementTree as ET

    from baseline.reports import junit, markdown
    from baseline.reports.text import printable

    assert printable("a\x1b[31mb\r\nc\u202ed\x00") == "a\\x1b[31mb\\r\\nc\\u202ed\\x00"
    assert printable("tail\nline\r", keep_newlines=True) == "tail\nline\\r"
    report = _hostile_report()
    xml_text = junit.format_report(report)
    ET.fromstring(xml_text.encode())  # control characters would make the XML invalid
    assert "\x1b" not in xml_text and "\\x1b[2K" in xml_text
    md = markdown.format_report(report)
    assert "\x1b" not in md and "\r" not in md
    assert not any(line.startswith("Gate: PASSED") or line.startswith("Trust score") for line in md.splitlines())
