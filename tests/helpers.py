"""Builders for synthetic records used by unit tests."""

from __future__ import annotations

from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Lifecycle, Outcome, Provenance, Severity


def spec(check_id: str = "x.check", technique: str = "T02", weight: float = 1.0, preview: bool = False) -> CheckSpec:
    """A minimal CheckSpec."""
    return CheckSpec(
        id=check_id,
        technique=technique,
        title="t",
        verifies="v",
        why="w",
        remediation="r",
        weight=weight,
        lifecycle=Lifecycle.PREVIEW if preview else Lifecycle.STABLE,
    )


EVIDENCE = (Evidence(provenance=Provenance.EXECUTED, summary="ran"),)


def result(
    outcome: Outcome,
    score: float | None,
    check_id: str = "x.check",
    technique: str = "T02",
    weight: float = 1.0,
    findings: tuple[Finding, ...] = (),
    preview: bool = False,
) -> CheckResult:
    """A CheckResult with evidence."""
    return CheckResult(
        spec=spec(check_id, technique, weight, preview),
        outcome=outcome,
        score=score,
        message=f"{outcome.value} message",
        findings=findings,
        evidence=EVIDENCE,
    )


def finding(severity: Severity = Severity.HIGH, rule: str = "r1", path: str = "a.py", line: int = 1, snippet: str = "x = 1") -> Finding:
    """A Finding with a location."""
    from baseline.model import Location

    return Finding(rule_id=rule, severity=severity, message="m", tool="t", location=Location(path=path, start_line=line, snippet=snippet))
