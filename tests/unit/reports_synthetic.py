"""A deterministic synthetic Report for formatter, bundle and verification tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from baseline.catalog import load_catalog
from baseline.config import Config
from baseline.fingerprint import assign_fingerprints
from baseline.gate import evaluate_gate
from baseline.model import (
    Artifact, CheckResult, CheckSpec, Confidence, Evidence, Finding, Location, Outcome, Problem,
    Provenance, Report, Severity, Suppression, Target,
)
from baseline.scoring import score_report

JUNIT = (
    b'<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="3" failures="0">'
    b'<testcase classname="t" name="a"/><testcase classname="t" name="b"/><testcase classname="t" name="c"/>'
    b"</testsuite></testsuites>\n"
)
COVERAGE = b'{"totals": {"num_statements": 200, "covered_lines": 183, "percent_statements_covered": 91.5}}\n'


def _spec(check_id: str, technique: str, title: str, cwe: tuple[int, ...] = ()) -> CheckSpec:
    return CheckSpec(
        id=check_id, technique=technique, title=title, verifies=f"verifies {title.lower()}",
        why="because it matters", remediation="fix the findings", references=("NIST IR 8397 section 2",), cwe=cwe,
    )


def make_report(artifact_dir: Path | None = None) -> Report:
    """Build the report; when ``artifact_dir`` is given, write its artifacts there (real files)."""
    base = artifact_dir or Path("/nonexistent/scan")
    junit, coverage = base / "tests" / "junit.xml", base / "tests" / "coverage.json"
    if artifact_dir is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_bytes(JUNIT)
        coverage.write_bytes(COVERAGE)
    tests_evidence = Evidence(
        provenance=Provenance.EXECUTED, summary="pytest ran 3 tests", tool="pytest", tool_version="8.3.0",
        argv=("python", "-m", "pytest", "-q"), exit_code=0, duration_s=1.25,
        artifacts=(Artifact(str(junit), hashlib.sha256(JUNIT).hexdigest(), "application/xml"),),
    )
    cov_evidence = Evidence(
        provenance=Provenance.EXECUTED, summary="coverage.py measured 91.5% of statements", tool="coverage",
        tool_version="7.6.1", argv=("coverage", "json"), exit_code=0,
        artifacts=(Artifact(str(coverage), hashlib.sha256(COVERAGE).hexdigest(), "application/json"),),
    )
    static_evidence = Evidence(
        provenance=Provenance.EXECUTED, summary="bandit scanned 4 files", tool="bandit", tool_version="1.9.4",
        argv=("bandit", "-r", "pkg", "-f", "json"), exit_code=1, data_version="rules 1.9.4", data_date="2026-01-01",
    )
    dup = dict(rule_id="B602", severity=Severity.HIGH, message="subprocess call with shell=True", tool="bandit", cwe=(78,))
    findings = (
        Finding(**dup, location=Location("pkg/run.py", 10, 10, "os.system(cmd)")),
        Finding(**dup, location=Location("pkg/run.py", 20, 20, "os.system(cmd)")),
        Finding(rule_id="B105", severity=Severity.LOW, message="possible hard-coded password 'x<y>&\"'", tool="bandit",
                location=Location("pkg/conf.py", 3), cwe=(259,), confidence=Confidence.MEDIUM,
                suppression=Suppression(kind="inline", reason="test value", owner="dev")),
    )
    results = (
        CheckResult(_spec("automated-testing.pytest", "T02", "The test suite runs and passes"), Outcome.PASS, 10.0,
                    "3 passed", (), (tests_evidence,), {"passed": 3, "failed": 0}),
        CheckResult(_spec("static-analysis.bandit", "T03", "No high-severity static analysis findings", (78, 259)),
                    Outcome.FAIL, 4.0, "2 high findings", assign_fingerprints(findings), (static_evidence,)),
        CheckResult(_spec("structural-coverage.coverage", "T07", "Coverage meets the floor"), Outcome.PASS, 10.0,
                    "91.5% statements", (), (cov_evidence,), {"percent_statements": 91.5}),
        CheckResult(_spec("fuzzing.atheris", "T09", "Fuzz harnesses run"), Outcome.NOT_EVALUATED, 0.0,
                    "no fuzz harness found"),
    )
    catalog = load_catalog(None)
    breakdown = score_report(catalog, results)
    config = Config(values={"gate": True, "fail_on": "high"}, source=None)
    gate = evaluate_gate(config, catalog, results, breakdown)
    target = Target(path="/src/demo", name="demo", vcs="git", commit="0" * 40, dirty=False,
                    tree_digest="sha256:" + "ab" * 32, file_count=7, interpreter="/usr/bin/python3",
                    interpreter_source="test", interpreter_version="3.11.2")
    return Report(
        schema_version="1.0", tool_version="0.1.0", target=target, catalog_id=catalog.id,
        catalog_version=catalog.version, catalog_digest=catalog.digest, started="2026-01-02T03:04:05+00:00",
        finished="2026-01-02T03:05:05+00:00", duration_s=60.0, results=results, breakdown=breakdown, gate=gate,
        problems=(Problem("plugin", "broken-plugin", "failed to import"),), config={"fail_on": "high"},
    )
