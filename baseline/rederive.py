"""Re-derive a check's outcome and score from the figures in its own result, with the verifier's
configuration: a signed bundle whose outcome says ``pass`` while its metrics say "2 failed" is
caught here, without the source.

Each rule mirrors the judgement of one built-in check (the check module named beside it) and reads
only the result's metrics and findings, which come from an untrusted bundle: a figure that is not a
finite number is itself a mismatch. A check without a rule keeps its claimed outcome and score,
and the verifier marks it as replayed. The forgery corpus (tests/forgery/) runs every rule against
real scans, so a rule that drifted from its check fails there on an honest bundle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from baseline.config import Config
from baseline.model import CheckResult, Outcome, Severity


@dataclass(frozen=True)
class Mismatch:
    """One field of a result that its own figures contradict."""

    field: str
    claimed: Any
    derived: Any
    why: str


Rule = Callable[[CheckResult, Config], tuple[Outcome, float, str] | str]


def _count(metrics: Mapping[str, Any], key: str) -> int | None:
    value = metrics.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 100:
        return None
    return float(value)


def _tests(result: CheckResult, config: Config) -> tuple[Outcome, float, str] | str:
    """checks/automated_testing.py: score = 10 x passed / executed; any failure or error fails."""
    counts = {key: _count(result.metrics, key) for key in ("passed", "failed", "errors")}
    bad = [key for key, value in counts.items() if value is None]
    if bad:
        return f"the {', '.join(bad)} count(s) are missing or not whole numbers"
    passed, failed, errors = (int(counts[key] or 0) for key in ("passed", "failed", "errors"))
    executed = passed + failed + errors
    if executed == 0:
        return Outcome.FAIL, 0.0, "no test ran"
    outcome = Outcome.FAIL if failed + errors else Outcome.PASS
    return outcome, round(10.0 * passed / executed, 2), f"{passed} passed, {failed} failed, {errors} errors"


def _coverage(result: CheckResult, config: Config) -> tuple[Outcome, float, str] | str:
    """checks/structural_coverage.py: 75% statements, 25% branches against the verifier's floor."""
    statements = _percent(result.metrics.get("percent_statements"))
    if statements is None:
        return "percent_statements is missing or not a percentage"
    raw_branches = result.metrics.get("percent_branches")
    branches = None if raw_branches is None else _percent(raw_branches)
    if raw_branches is not None and branches is None:
        return "percent_branches is not a percentage"
    threshold = float(config.get("coverage.threshold"))
    statement_part = min(1.0, statements / threshold) if threshold else 1.0
    branch_part = statement_part if branches is None else (min(1.0, branches / threshold) if threshold else 1.0)
    score = round(10.0 * (0.75 * statement_part + 0.25 * branch_part), 2)
    outcome = Outcome.PASS if statements >= threshold else Outcome.FAIL
    return outcome, score, f"{statements:.1f}% statements against the verifier's floor of {threshold:g}%"


def _static(result: CheckResult, config: Config) -> tuple[Outcome, float, str] | str:
    """checks/static_analysis.py: the score of the findings; serious product findings or too few
    analysed files fail (the verifier's static.fail_on and static.min_analysed)."""
    from baseline.checks.static_analysis import static_score

    total = _count(result.metrics, "python_files")
    analysed = _count(result.metrics, "analysed_files")
    if total is None or analysed is None or analysed > total:
        return "python_files / analysed_files are missing or inconsistent"
    fraction = analysed / total if total else 0.0
    score = static_score(result.findings, float(config.get("static.test_weight")), fraction)
    threshold = str(config.get("static.fail_on"))
    serious = []
    if threshold != "none":
        bar = Severity(threshold)
        serious = [f for f in result.findings if not f.suppressed and f.context == "product" and f.severity.at_least(bar)]
    if serious:
        return Outcome.FAIL, score, f"{len(serious)} unsuppressed {threshold}-or-worse product finding(s)"
    if 100.0 * fraction < float(config.get("static.min_analysed")):
        return Outcome.FAIL, score, f"{analysed}/{total} Python files analysed"
    return Outcome.PASS, score, f"{analysed}/{total} Python files analysed, no serious product finding"


def _secrets(result: CheckResult, config: Config) -> tuple[Outcome, float, str] | str:
    """checks/hardcoded_secrets.py: 10 - 3 per failing tree secret - 2 per failing history-only one - 0.25
    per test or docs one. Severity and the product/test/docs class come from the rule and the path, not
    the claim; a suppression from the vendor's allow or rotated list counts only when the verifier's
    own ``secrets.allow`` / ``secrets.rotated`` name it (an inline comment is in the source itself)."""
    from baseline.checks.hardcoded_secrets import TOOL, where
    from baseline.model import Confidence
    from baseline.tools.secrets.allowlist import first_match, parse_entries
    from baseline.tools.secrets.rules import RULES_BY_ID

    allow, _ = parse_entries(list(config.get("secrets.allow")))
    rotated, _ = parse_entries(list(config.get("secrets.rotated")))
    bad_tree = bad_history = minor = 0
    for finding in result.findings:
        rule = RULES_BY_ID.get(finding.rule_id)
        if finding.tool != TOOL or rule is None:
            continue
        path = finding.location.path if finding.location else ""
        secret = str(finding.properties.get("secret_sha256", ""))
        kind = where(path)
        history = finding.context == "history"
        suppression = finding.suppression
        accepted = suppression is not None and (
            suppression.kind == "inline"
            or (suppression.kind == "config" and first_match(allow, path, secret) is not None)
            or (suppression.kind == "rotated" and history and first_match(rotated, path, secret) is not None)
        )
        if accepted:
            continue
        if kind != "product":
            minor += 1
            continue
        if rule.severity.at_least(Severity.MEDIUM) and finding.confidence is not Confidence.LOW:
            if history:
                bad_history += 1
            else:
                bad_tree += 1
    score = round(max(0.0, 10.0 - 3 * bad_tree - 2 * bad_history - 0.25 * minor), 2)
    why = f"{bad_tree} failing secret(s) in the tree, {bad_history} only in history, {minor} in test or docs files, by the verifier's lists"
    return (Outcome.FAIL if bad_tree or bad_history else Outcome.PASS), score, why


def _web(result: CheckResult, config: Config) -> tuple[Outcome, float, str] | str:
    """checks/web_scanning.py: its own penalty per unsuppressed finding; any high or worse fails."""
    from baseline.checks.web_scanning import _penalised

    counted = [finding for finding in result.findings if not finding.suppressed]
    blocking = [finding for finding in counted if finding.severity.at_least(Severity.HIGH)]
    return (Outcome.FAIL if blocking else Outcome.PASS), _penalised(result.findings), f"{len(counted)} unsuppressed finding(s), {len(blocking)} high or worse"


def _components(result: CheckResult, config: Config) -> tuple[Outcome, float, str] | str:
    """checks/included_components.py: 10 x audited share minus a penalty per open vulnerability of a
    shipped component; one at the verifier's components.fail_on or worse fails."""
    from baseline.checks.included_components import PENALTY

    total, audited = _count(result.metrics, "components"), _count(result.metrics, "audited")
    if total is None or audited is None or audited > total or total == 0:
        return "components / audited are missing or inconsistent"
    open_vulns = [f for f in result.findings if f.tool != "baseline" and not f.suppressed and f.properties.get("scope", "required") == "required"]
    bar = Severity(str(config.get("components.fail_on")))
    blocking = [f for f in open_vulns if f.severity.at_least(bar)]
    score = round(max(0.0, 10.0 * audited / total - sum(PENALTY[f.severity] for f in open_vulns)), 2)
    return (Outcome.FAIL if blocking else Outcome.PASS), score, f"{len(open_vulns)} open vulnerabilities, {len(blocking)} at {bar.value} or worse; {audited}/{total} audited"


RULES: dict[str, Rule] = {
    "automated-testing.pytest": _tests,
    "structural-coverage.coverage": _coverage,
    "static-analysis.scan": _static,
    "hardcoded-secrets.scan": _secrets,
    "included-components.osv": _components,
    "web-app-scanning.wapiti": _web,
    "web-app-scanning.api": _web,
}


def rederive(result: CheckResult, config: Config) -> tuple[CheckResult, list[Mismatch], bool]:
    """(result with derived outcome and score, what the claims got wrong, whether a rule applied).

    Results that are error, not_evaluated or not_applicable are left as they are: they earn no
    more than their claim (0, or out of the mean with evidence checked elsewhere).
    """
    rule = RULES.get(result.spec.id)
    if rule is None or result.outcome in (Outcome.ERROR, Outcome.NOT_EVALUATED, Outcome.NOT_APPLICABLE):
        return result, [], False
    derived = rule(result, config)
    if isinstance(derived, str):
        mismatch = Mismatch("metrics", "-", "-", derived)
        return replace(result, outcome=Outcome.NOT_EVALUATED, score=0.0, message=f"failed verification: {derived}"), [mismatch], True
    outcome, score, why = derived
    mismatches = []
    if outcome is not result.outcome:
        mismatches.append(Mismatch("outcome", result.outcome.value, outcome.value, why))
    claimed = result.score
    if claimed is None or not math.isfinite(claimed) or abs(claimed - score) > 0.011:
        mismatches.append(Mismatch("score", claimed, score, why))
    if not mismatches:
        return result, [], True
    return replace(result, outcome=outcome, score=score), mismatches, True
