"""The T10 check judges the shared web-scan record (faked here; the e2e tests run the real scan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baseline.config import load_config
from baseline.model import Evidence, Finding, Outcome, Provenance, Severity
from checks.web_scanning import CHECK
from baseline.web.app import AppSpec
from baseline.web.detect import FrameworkHit, WebSurface
from baseline.web.scan import WEB_SCAN, WebScan, run_web_scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SURFACE = WebSurface((FrameworkHit("Flask", "dependency", "pyproject.toml declares flask"),), (), 2)


class FakeContext:
    def __init__(self, records: dict[str, Any], root: Path = FIXTURES) -> None:
        self.records = records
        self.root = root
        self.config = load_config(root)

    def shared(self, run: Any) -> Any:
        return self.records[run.key]


def _scan(status: str, findings: tuple[Finding, ...] = (), evidence: tuple[Evidence, ...] = ()) -> WebScan:
    ran = evidence or (Evidence(Provenance.EXECUTED, "wapiti ran", tool="wapiti"),)
    return WebScan(status, "message", SURFACE, AppSpec("wsgi", "a:app"), modules=("xss",), findings=findings, evidence=ran)


def test_high_finding_fails_and_score_follows_the_formula() -> None:
    findings = (
        Finding("wapiti.sql-injection", Severity.CRITICAL, "sqli", "wapiti", cwe=(89,)),
        Finding("wapiti.clickjacking-protection", Severity.LOW, "xfo", "wapiti"),
    )
    result = CHECK.run(FakeContext({WEB_SCAN.key: _scan("ok", findings)}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL
    assert result.score == 10 - 4 - 0.25
    assert "CWE-89" in result.message


def test_low_findings_only_pass() -> None:
    result = CHECK.run(FakeContext({WEB_SCAN.key: _scan("ok", (Finding("x", Severity.MEDIUM, "m", "wapiti"),))}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.PASS and result.score == 9.0


def test_scan_error_is_an_error_with_evidence() -> None:
    result = CHECK.run(FakeContext({WEB_SCAN.key: _scan("error", evidence=(Evidence(Provenance.INSPECTED, "detected"),))}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.ERROR
    assert any(item.provenance is Provenance.EXECUTED for item in result.evidence)


def test_library_without_web_surface_is_not_applicable_with_evidence(tmp_path: Path) -> None:
    root = FIXTURES / "good_project"
    scan = run_web_scan(root, "python-not-needed", tmp_path, load_config(root), "sha256:x")
    assert scan.status == "no-web"
    result = CHECK.run(FakeContext({WEB_SCAN.key: scan}, root))  # type: ignore[arg-type]
    assert result.outcome is Outcome.NOT_APPLICABLE
    assert result.evidence and "no web surface" in result.evidence[0].summary
    assert "files" in result.evidence[0].summary


def test_app_that_never_starts_is_an_error_and_is_stopped(tmp_path: Path) -> None:
    project = tmp_path / "broken"
    (project / "brokenapp").mkdir(parents=True)
    (project / "brokenapp" / "__init__.py").write_text("", encoding="utf-8")
    (project / "brokenapp" / "web.py").write_text("from flask import Flask\nraise SystemExit('misconfigured: no DATABASE_URL')\napp = Flask(__name__)\n", encoding="utf-8")
    import sys

    scan = run_web_scan(project, sys.executable, tmp_path / "work", load_config(project, {"web.startup_timeout": 10}), "sha256:x")
    assert scan.status == "error"
    assert "could not be started" in scan.message
    started = [item for item in scan.evidence if item.provenance is Provenance.EXECUTED]
    assert started and "misconfigured" in (started[0].stderr_tail or "")


def test_non_loopback_url_is_refused(tmp_path: Path) -> None:
    project = FIXTURES / "flask_xss_sqli"
    config = load_config(project, {"web.command": "true", "web.url": "http://192.0.2.10:{port}/"})
    scan = run_web_scan(project, "python", tmp_path, config, "sha256:x")
    assert scan.status == "error" and "loopback" in scan.message


def test_one_finding_per_method_path_parameter_and_cwe_with_the_payload_count() -> None:
    from baseline.tools.wapiti import WebFinding, collapse, to_finding

    def entry(parameter: str, level: int, cwe: tuple[int, ...] = (79,), category: str = "Reflected Cross Site Scripting", method: str = "GET") -> WebFinding:
        return WebFinding(category, "vulnerability", "xss", method, "/search", parameter, "payload", level, cwe, "GET /search", "curl")

    items = [entry("q", 1), entry("q", 3), entry("q", 2), entry("page", 1), entry("q", 2, method="POST"), entry("q", 2, (89,), "SQL Injection")]
    collapsed = collapse(items)
    assert [(item.method, item.parameter, item.cwe, payloads) for item, payloads in collapsed] == [
        ("GET", "q", (79,), 3), ("GET", "page", (79,), 1), ("POST", "q", (79,), 1), ("GET", "q", (89,), 1),
    ]
    first, payloads = collapsed[0]
    from baseline.tools.wapiti import severity_of

    assert severity_of(first) == max((severity_of(item) for item in items[:3]), key=lambda severity: severity.rank)
    finding = to_finding(first, payloads=payloads)
    assert finding.properties["payloads"] == 3 and "(3 payloads hit)" in finding.message


def test_a_scan_cut_short_fails_on_what_it_found_and_is_never_a_pass() -> None:
    from dataclasses import replace

    found = _scan("ok", (Finding("wapiti.sql-injection", Severity.CRITICAL, "sqli", "wapiti", cwe=(89,)),))
    result = CHECK.run(FakeContext({WEB_SCAN.key: replace(found, extra={"cut_short": True})}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL and result.metrics["cut_short"] is True and result.score == 6.0
    quiet = _scan("ok", (Finding("x", Severity.MEDIUM, "m", "wapiti"),))
    result = CHECK.run(FakeContext({WEB_SCAN.key: replace(quiet, extra={"cut_short": True})}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.ERROR and result.score == 0.0 and "not a pass for an unfinished scan" in result.message
    assert len(result.findings) == 1  # what it found up to then is still reported
