"""The gate: policy evaluation as a pure function, and the exit code it implies.

What fails the gate is configured apart from what is reported: ``fail_on`` never hides a finding
below it, it only decides which findings fail the gate.
"""

from __future__ import annotations

from typing import Sequence

from baseline import exitcodes
from baseline.config import Config
from baseline.model import Catalog, CheckResult, GateVerdict, Outcome, Report, ScoreBreakdown, Severity

_INCOMPLETE = (Outcome.ERROR, Outcome.NOT_EVALUATED)


def evaluate_gate(
    config: Config, catalog: Catalog, results: Sequence[CheckResult], breakdown: ScoreBreakdown
) -> GateVerdict:
    """Apply the policy; returns every reason it failed (empty when it passed)."""
    min_score = float(config.get("min_score"))
    fail_on = str(config.get("fail_on"))
    required_keys = list(config.get("required"))
    policy = {"min_score": min_score, "fail_on": fail_on, "required": required_keys}
    reasons: list[str] = []
    incomplete = False

    if breakdown.trust_score < min_score:
        reasons.append(f"trust score {breakdown.trust_score:.1f} is below the minimum {min_score:g}")

    if fail_on != "none":
        threshold = Severity(fail_on)
        blocking = [
            finding
            for result in results
            for finding in result.findings
            if not finding.suppressed and finding.severity.at_least(threshold)
        ]
        if blocking:
            reasons.append(f"{len(blocking)} unsuppressed finding(s) at or above '{fail_on}'")

    by_id = {item.technique: item for item in breakdown.techniques}
    for key in required_keys:
        technique = catalog.technique(key)
        if technique is None:
            reasons.append(f"required technique {key!r} is not in catalog {catalog.id}")
            continue
        item = by_id[technique.id]
        if item.outcome in _INCOMPLETE:
            incomplete = True
            reasons.append(f"required technique {technique.id} ({technique.title}) is {item.outcome.value}: {item.reason}")
        elif item.outcome is Outcome.FAIL:
            reasons.append(f"required technique {technique.id} ({technique.title}) failed: {item.reason}")

    return GateVerdict(
        enabled=bool(config.get("gate")),
        passed=not reasons,
        incomplete=incomplete,
        reasons=tuple(reasons),
        policy=policy,
    )


def exit_code_for(report: Report) -> int:
    """The process exit code a finished scan implies."""
    gate = report.gate
    if not gate.enabled:
        return exitcodes.OK
    if gate.incomplete:
        return exitcodes.INCOMPLETE
    return exitcodes.OK if gate.passed else exitcodes.GATE_FAILED
