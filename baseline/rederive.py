"""Re-derive a check's outcome and score from the figures in its own result, with the verifier's
configuration: a signed bundle whose outcome says ``pass`` while its metrics say "2 failed" is
caught here, without the source.

Every built-in check has a rule (RULES). Each mirrors the judgement of one check (the check module
named beside it), calling the verdict function the check itself calls where there is arithmetic to
share, and reads only the result's metrics and findings, which come from an untrusted bundle: a
figure that is missing or not a finite number is itself a mismatch, and where the check lists each
counted item as a finding (a failed test, an uncovered sink, a crash) the findings count too, so a
figure lowered in the metrics alone changes nothing. Thresholds and budgets are the verifier's.

A ``not_applicable`` claim takes a check out of the mean: it is a mismatch (``not_evaluated``, 0)
for a check that never concludes it (baseline/applicability.py, the table docs/checks.md shows)
and for one whose own figures or findings show it had something to judge. ``error`` and
``not_evaluated`` claims score 0 and are taken as claimed. A check without a rule (a plugin) keeps
its claimed outcome and score, and the verifier marks it as replayed. The forgery corpus
(tests/forgery/) runs every rule against a real scan, so a rule that drifted from its check fails
there on an honest bundle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from baseline.applicability import never_not_applicable
from baseline.config import Config
from baseline.model import CheckResult, Outcome, Severity


@dataclass(frozen=True)
class Mismatch:
    """One field of a result that its own figures contradict."""

    field: str
    claimed: Any
    derived: Any
    why: str


# The derived (outcome, score, why), or why the figures cannot be judged (a mismatch). The score is
# None only with not_applicable.
Derived = tuple[Outcome, float | None, str] | str
Rule = Callable[[CheckResult, Config], Derived]


def _count(metrics: Mapping[str, Any], key: str) -> int | None:
    value = metrics.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 100:
        return None
    return float(value)


def _tests(result: CheckResult, config: Config) -> Derived:
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


def _coverage(result: CheckResult, config: Config) -> Derived:
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


def _static(result: CheckResult, config: Config) -> Derived:
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


def _secrets(result: CheckResult, config: Config) -> Derived:
    """checks/hardcoded_secrets.py: 10 - 3 per failing tree secret - 2 per failing history-only one - 0.25
    per test or docs one. Severity and the product/test/docs class come from the rule and the path, not
    the claim; a suppression from the vendor's allow or rotated list counts only when the verifier's
    own ``secrets.allow`` / ``secrets.rotated`` name it (an inline comment is in the source itself)."""
    from baseline.checks.hardcoded_secrets import where
    from baseline.model import Confidence
    from baseline.tools.secrets.allowlist import first_match, parse_entries
    from baseline.tools.secrets.rules import RULES_BY_ID
    from baseline.tools.secrets.scan import TOOL

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


def _web(result: CheckResult, config: Config) -> Derived:
    """checks/web_scanning.py: its own penalty per unsuppressed finding; any high or worse fails."""
    from baseline.checks.web_scanning import _penalised

    counted = [finding for finding in result.findings if not finding.suppressed]
    blocking = [finding for finding in counted if finding.severity.at_least(Severity.HIGH)]
    return (Outcome.FAIL if blocking else Outcome.PASS), _penalised(result.findings), f"{len(counted)} unsuppressed finding(s), {len(blocking)} high or worse"


def _components(result: CheckResult, config: Config) -> Derived:
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
    if audited == 0 and not blocking:
        return Outcome.ERROR, 0.0, f"none of the {total} components was audited: never a pass"
    return (Outcome.FAIL if blocking else Outcome.PASS), score, f"{len(open_vulns)} open vulnerabilities, {len(blocking)} at {bar.value} or worse; {audited}/{total} audited"


def _seen(result: CheckResult, *rule_ids: str) -> int:
    """How many of the result's findings carry one of these rule ids (each one item the check counted)."""
    return sum(1 for finding in result.findings if finding.rule_id in rule_ids)


def _counts(metrics: Mapping[str, Any], *keys: str) -> dict[str, int] | str:
    counts = {key: _count(metrics, key) for key in keys}
    bad = [key for key, value in counts.items() if value is None]
    if bad:
        return f"the {', '.join(bad)} count(s) are missing or not whole numbers"
    return {key: int(value or 0) for key, value in counts.items()}


def _threat_model(result: CheckResult, config: Config) -> Derived:
    """checks/threat_modeling.py: share of extracted entry points and sinks covered (elements described
    when none), pass with all five elements, coverage at the verifier's threat_model.min_coverage, the
    model not older than the code by more than its threat_model.max_age_days, every named test passing."""
    from baseline.checks.threat_modeling import is_stale, model_verdict
    from baseline.tools.threat_model import ELEMENTS

    if "elements" not in result.metrics:
        # The check judges no further when the model is absent, unreadable or an untouched draft.
        return Outcome.FAIL, 0.0, "no readable threat model was judged (absent, unreadable or an untouched draft)"
    elements = result.metrics["elements"]
    if not isinstance(elements, list) or len(set(map(str, elements))) != len(elements) or not set(map(str, elements)) <= set(ELEMENTS):
        return "elements is not a list of distinct threat-model elements"
    counts = _counts(result.metrics, "requirements", "covered", "named_tests_failing")
    if isinstance(counts, str):
        return counts
    requirements = counts["requirements"]
    # Each item not covered is one finding, each named test that did not pass another.
    not_covered = max(requirements - counts["covered"], _seen(result, "threat-model.entry-point-not-covered", "threat-model.sink-not-covered"))
    if counts["covered"] > requirements or not_covered > requirements:
        return "covered / requirements are inconsistent with each other or with the findings"
    broken = max(counts["named_tests_failing"], _seen(result, "threat-model.mitigation-test"))
    raw_age = result.metrics.get("age_days_exact")
    if raw_age is not None and (isinstance(raw_age, bool) or not isinstance(raw_age, (int, float)) or not math.isfinite(raw_age)):
        return "age_days_exact is not a number"
    max_age = int(config.get("threat_model.max_age_days"))
    stale = is_stale(None if raw_age is None else float(raw_age), max_age)
    minimum = float(config.get("threat_model.min_coverage"))
    ok, score = model_verdict(len(elements), requirements - not_covered, requirements, stale, broken, minimum)
    why = (
        f"{len(elements)}/{len(ELEMENTS)} elements, {requirements - not_covered}/{requirements} covered against the verifier's "
        f"{minimum:g}%, {'stale' if stale else 'current'} by its {max_age} days, {broken} named test(s) not passing"
    )
    return (Outcome.PASS if ok else Outcome.FAIL), score, why


def _blackbox(result: CheckResult, config: Config) -> Derived:
    """checks/blackbox_tests.py: 10 x pass rate x (0.6 + 0.4 x negative share); fail with no pass, no
    negative case or any failure (each failure is also a finding)."""
    from baseline.checks.blackbox_tests import verdict

    counts = _counts(result.metrics, "passed", "failed", "negative_passed")
    if isinstance(counts, str):
        return counts
    passed, negative = counts["passed"], counts["negative_passed"]
    failed = max(counts["failed"], _seen(result, "black-box-tests.failed", "black-box-tests.generated-failed"))
    if negative > passed:
        return "negative_passed exceeds passed"
    outcome, score = verdict(passed, passed + failed, negative)
    return outcome, score, f"{passed} passed, {failed} failed, {negative} passing negative case(s)"


def _cited(result: CheckResult, config: Config) -> Derived:
    """checks/regression_tests.py: 10 x passed / executed among the tests fix commits added."""
    from baseline.checks.regression_tests import cited_verdict

    counts = _counts(result.metrics, "passed", "executed")
    if isinstance(counts, str):
        return counts
    passed = counts["passed"]
    executed = max(counts["executed"], passed + _seen(result, "regression-tests.failed"))
    if passed > executed:
        return "passed exceeds executed"
    outcome, score = cited_verdict(passed, executed)
    return outcome, score, f"{passed} of {executed} regression test(s) added by fix commits passed"


def _fix_commits(result: CheckResult, config: Config) -> Derived:
    """checks/regression_tests.py: 10 x share of fix commits that added a test, against the verifier's
    regression.min_share; no fix commit is not_applicable."""
    from baseline.checks.regression_tests import fix_commit_verdict

    counts = _counts(result.metrics, "fix_commits", "with_tests")
    if isinstance(counts, str):
        return counts
    fixes = counts["fix_commits"]
    with_tests = min(counts["with_tests"], fixes - _seen(result, "regression-tests.fix-without-test"))
    if counts["with_tests"] > fixes or with_tests < 0:
        return "with_tests / fix_commits are inconsistent with each other or with the findings"
    if fixes == 0:
        return Outcome.NOT_APPLICABLE, None, "no fix commit in the window"
    minimum = float(config.get("regression.min_share"))
    outcome, score = fix_commit_verdict(fixes, with_tests, minimum)
    return outcome, score, f"{with_tests} of {fixes} fix commit(s) added a test, against the verifier's {minimum:g}%"


def _replay(result: CheckResult, config: Config) -> Derived:
    """checks/regression_tests.py: 10 x fixed / stored crash reproducers; any still crashing or hanging fails."""
    from baseline.checks.regression_tests import replay_verdict

    counts = _counts(result.metrics, "fixed", "crashes", "hangs", "unreplayable")
    if isinstance(counts, str):
        return counts
    fixed = counts["fixed"]
    crashes, hangs, unreplayable = (max(counts[key], _seen(result, f"regression-tests.crash-{key}")) for key in ("crashes", "hangs", "unreplayable"))
    if fixed + crashes + hangs + unreplayable == 0:
        return Outcome.NOT_APPLICABLE, None, "no stored crash"
    outcome, score = replay_verdict(fixed, crashes, hangs, unreplayable)
    return outcome, score, f"{fixed} fixed, {crashes} still crash, {hangs} hang, {unreplayable} unreplayable"


def _warnings(result: CheckResult, config: Config) -> Derived:
    """checks/language_checks.py: 10 - 2 per product warning site - 0.5 per test site; any product site fails."""
    from baseline.checks.language_checks import warnings_verdict

    counts = _counts(result.metrics, "product_sites", "test_sites")
    if isinstance(counts, str):
        return counts
    # One finding per site, its place in its properties.
    places = [str(f.properties.get("where", "")) for f in result.findings if f.tool == "python -X dev"]
    product = max(counts["product_sites"], places.count("product"))
    test = max(counts["test_sites"], places.count("test"))
    outcome, score = warnings_verdict(product, test)
    return outcome, score, f"{product} warning site(s) in product code, {test} in tests"


def _asserts(result: CheckResult, config: Config) -> Derived:
    """checks/language_checks.py: 10 - 4 per authorisation assert - 1 per validation or state assert;
    an authorisation assert fails; no guard at all is not_applicable (every module parsed) or not_evaluated."""
    from baseline.checks.language_checks import assert_verdict

    counts = _counts(result.metrics, "modules", "unparsable", "authorisation", "validation", "state")
    if isinstance(counts, str):
        return counts
    kinds = {kind: max(counts[kind], _seen(result, f"language-checks.assert-{kind}")) for kind in ("authorisation", "validation", "state")}
    if counts["modules"] == 0:
        return Outcome.NOT_EVALUATED, 0.0, "no product module was parsed"
    if not any(kinds.values()):
        if counts["unparsable"]:
            return Outcome.NOT_EVALUATED, 0.0, f"no assert guard, but {counts['unparsable']} module(s) could not be parsed"
        return Outcome.NOT_APPLICABLE, None, "no assert guards anything: nothing to judge"
    outcome, score = assert_verdict(kinds["authorisation"], kinds["validation"], kinds["state"])
    return outcome, score, f"{kinds['authorisation']} authorisation, {kinds['validation']} validation, {kinds['state']} state assert(s)"


def _typecheck(result: CheckResult, config: Config) -> Derived:
    """checks/language_checks.py: 10 x 10 / (10 + errors); pass with no error."""
    from baseline.checks.language_checks import typecheck_verdict

    counts = _counts(result.metrics, "errors")
    if isinstance(counts, str):
        return counts
    errors = max(counts["errors"], _seen(result, "language-checks.type-error"))
    outcome, score = typecheck_verdict(errors)
    return outcome, score, f"{errors} type error(s)"


def _hardening(result: CheckResult, config: Config) -> Derived:
    """checks/language_checks.py: 10 x hardening properties present / checked; a module without RELRO,
    NX or PIC fails (each missing property is also a finding on the module)."""
    from baseline.checks.language_checks import CRITICAL_HARDENING, HARDENING_PROPERTIES, hardening_verdict

    counts = _counts(result.metrics, "readable", "present", "checked", "severe")
    if isinstance(counts, str):
        return counts
    readable, present, checked = counts["readable"], counts["present"], counts["checked"]
    if checked != HARDENING_PROPERTIES * readable or present > checked:
        return "readable / present / checked are inconsistent"
    if readable == 0:
        return Outcome.ERROR, 0.0, "no module could be read as ELF"
    critical = {f"language-checks.elf-no-{name}" for name in CRITICAL_HARDENING}
    lacking = {f.location.path if f.location else "" for f in result.findings if f.rule_id in critical}
    severe = max(counts["severe"], len(lacking))
    # A missing property is one finding: present cannot exceed what the findings leave.
    present = min(present, checked - sum(1 for f in result.findings if f.rule_id.startswith("language-checks.elf-no-")))
    if present < 0:
        return "the findings list more missing properties than were checked"
    outcome, score = hardening_verdict(present, checked, severe)
    return outcome, score, f"{present}/{checked} properties present, {severe} module(s) lack RELRO, NX or PIC"


def _fuzzing(result: CheckResult, config: Config) -> Derived:
    """checks/fuzzing.py judge(): 10 x (0.7 x surface + 0.3 x completion) from the runs recorded in the
    harness processes (completion: the planned executions done); halved and failed with any crash or
    entry point left unfuzzed; nothing ran or reached product code fails at 0."""
    from baseline.checks.fuzzing import _CRASH, completion_of, verdict

    metrics = result.metrics
    status = metrics.get("status")
    if status == "disabled":
        return Outcome.NOT_EVALUATED, 0.0, "fuzzing was disabled"
    if status == "nothing-to-fuzz":
        return Outcome.NOT_APPLICABLE, None, "nothing to fuzz"
    if status == "error":
        return Outcome.ERROR, 0.0, "the campaign failed"
    if status != "ok":
        return "status is missing or unknown"
    runs = metrics.get("runs")
    if not isinstance(runs, list) or not all(isinstance(run, Mapping) and isinstance(run.get("started"), bool) and isinstance(run.get("reached_product"), bool) for run in runs):
        return "runs is missing or its started / reached_product flags are not booleans"
    started = [run for run in runs if run["started"]]
    reaching = [run for run in started if run["reached_product"]]
    crash_rules = {rule for rule, _s, _c in _CRASH.values()}
    crash_ids: set[str] = set()
    for key in ("crashes", "unresolved_stored_crashes"):
        listed = metrics.get(key, [])
        if not isinstance(listed, list):
            return f"{key} is not a list"
        crash_ids.update(map(str, listed))
    crash_ids.update(str(f.properties.get("crash_id", f.fingerprint or f.message)) for f in result.findings if f.rule_id in crash_rules)
    if not started:
        return Outcome.FAIL, 0.0, "no harness reached the fuzz loop"
    if not reaching:
        return Outcome.FAIL, 0.0, "no harness's inputs reached product code"
    entries, generated, covered = metrics.get("entry_point_ids"), metrics.get("generated"), metrics.get("covered")
    if not isinstance(entries, list) or not isinstance(generated, list) or not isinstance(covered, Mapping) or _count(metrics, "entry_points") != len(entries):
        return "entry_point_ids / entry_points / generated / covered are missing or inconsistent"
    if not all(isinstance(value, list) for value in covered.values()):
        return "covered is not a map of entry points to harnesses"
    def number(value: Any) -> float | None:
        return float(value) if not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) and value >= 0 else None

    parts: list[float] = []
    for run in runs:
        execs, fuzzed, budget = number(run.get("execs")), number(run.get("fuzzed_s")), number(run.get("budget_s"))
        planned = run.get("runs_planned")
        planned_number = None if planned is None else number(planned)
        if execs is None or fuzzed is None or budget is None or (planned is not None and planned_number is None):
            return "a run's execs / fuzzed_s / budget_s / runs_planned is missing or not a number"
        parts.append(completion_of(bool(run["started"]), bool(run["reached_product"]), execs, planned_number, fuzzed, budget))
    skipped = metrics.get("skipped", [])
    if not isinstance(skipped, list):
        return "skipped is not a list"
    completion = sum(parts) / (len(runs) + len(skipped)) if runs or skipped else 0.0
    outcome, score, surface, completion, unfuzzed = verdict(
        [str(entry) for entry in entries], {str(k): [str(h) for h in v] for k, v in covered.items()}, {str(g) for g in generated},
        [str(run.get("harness", "")) for run in reaching], completion, len(crash_ids),
    )
    why = f"surface {surface:.2f}, {completion:.2f} of the planned fuzzing done, {len(crash_ids)} crash(es), {len(unfuzzed)} entry point(s) not fuzzed"
    return outcome, score, why


def _nonzero(metrics: Mapping[str, Any], *keys: str) -> list[str]:
    """The keys whose value shows something was there to judge (anything but absent, 0, None or empty)."""
    return [key for key in keys if metrics.get(key) not in (None, 0, 0.0, [], {}, "", False)]


def _contradicted(findings: bool, *keys: str) -> Callable[[CheckResult], str]:
    """A not_applicable claim contradicted by these figures (and, when ``findings``, by any finding)."""

    def test(result: CheckResult) -> str:
        shown = _nonzero(result.metrics, *keys) + (["findings"] if findings and result.findings else [])
        return f"its own {', '.join(shown)} show(s) something was judged" if shown else ""

    return test


def _na_by_rule(result: CheckResult, config: Config) -> str:
    """For a check whose rule can itself conclude not_applicable: the rule must, from the claim's figures."""
    derived = RULES[result.spec.id](result, config)
    if isinstance(derived, str):
        return derived
    return "" if derived[0] is Outcome.NOT_APPLICABLE else f"its own figures give {derived[0].value} ({derived[2]})"


RULES: dict[str, Rule] = {
    "automated-testing.pytest": _tests,
    "structural-coverage.coverage": _coverage,
    "static-analysis.scan": _static,
    "hardcoded-secrets.scan": _secrets,
    "included-components.osv": _components,
    "web-app-scanning.wapiti": _web,
    "web-app-scanning.api": _web,
    "threat-modeling.model": _threat_model,
    "black-box-tests.identified": _blackbox,
    "regression-tests.cited": _cited,
    "regression-tests.fix-commits": _fix_commits,
    "regression-tests.fuzz-replay": _replay,
    "language-checks.dev-mode-warnings": _warnings,
    "language-checks.assert-guards": _asserts,
    "language-checks.type-checker": _typecheck,
    "language-checks.native-hardening": _hardening,
    "fuzzing.atheris": _fuzzing,
}

# What contradicts a not_applicable claim of a check that can conclude it: its honest
# not_applicable result carries none of these (the check returns before it counts anything).
NOT_APPLICABLE_CONTRADICTED: dict[str, Callable[[CheckResult], str]] = {
    "static-analysis.scan": _contradicted(True, "python_files", "analysed_files"),
    "structural-coverage.coverage": _contradicted(True, "percent_statements", "num_statements", "covered_lines"),
    "included-components.osv": _contradicted(True, "components", "audited"),
    "web-app-scanning.wapiti": _contradicted(True, "app", "crawled_pages", "listeners", "high_or_worse"),
    "web-app-scanning.api": _contradicted(True, "specification", "operations_tested", "cases", "tests"),
    "language-checks.native-hardening": _contradicted(True, "modules", "readable", "checked", "present"),
    "language-checks.type-checker": _contradicted(True, "tool", "errors"),
    "regression-tests.fuzz-replay": _contradicted(True, "fixed", "crashes", "hangs", "unreplayable"),
    # A project with only token harness files is not_applicable and lists them as findings.
    "fuzzing.atheris": _contradicted(False, "entry_points", "harnesses_found", "runs", "executions", "fuzzed_s", "crashes", "unresolved_stored_crashes"),
}
# Checks whose rule decides not_applicable itself (from figures every honest result carries).
NOT_APPLICABLE_BY_RULE = frozenset({"language-checks.assert-guards", "regression-tests.fix-commits", "fuzzing.atheris"})


def not_applicable_problem(result: CheckResult, config: Config) -> str:
    """Why a not_applicable claim cannot stand on its own figures ('' when it can, or when nothing
    is known about the check): a check that never concludes it, or one whose figures show it judged."""
    check_id = result.spec.id
    if check_id in never_not_applicable():
        return "this check never concludes not_applicable (docs/checks.md)"
    problems = []
    if check_id in NOT_APPLICABLE_BY_RULE:
        problems.append(_na_by_rule(result, config))
    if check_id in NOT_APPLICABLE_CONTRADICTED:
        problems.append(NOT_APPLICABLE_CONTRADICTED[check_id](result))
    return "; ".join(problem for problem in problems if problem)


def rederive(result: CheckResult, config: Config) -> tuple[CheckResult, list[Mismatch], bool]:
    """(result with derived outcome and score, what the claims got wrong, whether a rule applied).

    Results that are error or not_evaluated are left as they are: they earn no more than their claim
    (0). A not_applicable claim (out of the mean) must be one the check can conclude and that its
    own figures do not contradict; otherwise it is not_evaluated at 0. An outcome the figures put
    out of the mean while the claim does not is not_evaluated at 0 too (fail closed).
    """
    check_id = result.spec.id
    if result.outcome is Outcome.NOT_APPLICABLE:
        problem = not_applicable_problem(result, config)
        known = check_id in RULES or check_id in NOT_APPLICABLE_CONTRADICTED or check_id in never_not_applicable()
        if not problem:
            return result, [], known
        mismatch = Mismatch("outcome", Outcome.NOT_APPLICABLE.value, Outcome.NOT_EVALUATED.value, problem)
        return replace(result, outcome=Outcome.NOT_EVALUATED, score=0.0, message=f"failed verification: {problem}"), [mismatch], True
    rule = RULES.get(check_id)
    if rule is None or result.outcome in (Outcome.ERROR, Outcome.NOT_EVALUATED):
        return result, [], False
    derived = rule(result, config)
    if isinstance(derived, str):
        mismatch = Mismatch("metrics", "-", "-", derived)
        return replace(result, outcome=Outcome.NOT_EVALUATED, score=0.0, message=f"failed verification: {derived}"), [mismatch], True
    outcome, score, why = derived
    if outcome is Outcome.NOT_APPLICABLE:
        mismatch = Mismatch("outcome", result.outcome.value, outcome.value, why)
        return replace(result, outcome=Outcome.NOT_EVALUATED, score=0.0, message=f"failed verification: {why}"), [mismatch], True
    mismatches = []
    if outcome is not result.outcome:
        mismatches.append(Mismatch("outcome", result.outcome.value, outcome.value, why))
    claimed = result.score
    if score is None or claimed is None or not math.isfinite(claimed) or abs(claimed - score) > 0.011:
        mismatches.append(Mismatch("score", claimed, score, why))
    if not mismatches:
        return result, [], True
    return replace(result, outcome=outcome, score=score), mismatches, True
