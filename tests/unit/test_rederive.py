"""verify's re-derivation (baseline/rederive.py) of T01, T05, T06, T08 and T09, and its judgement of
not_applicable claims, on synthetic results; T09's rule is also run on the check's own verdicts of
the campaigns tests/unit/test_fuzz_check.py builds, so rule and check cannot drift apart there.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from baseline.applicability import NOT_APPLICABLE_WHEN, never_not_applicable
from baseline.checks import blackbox_tests, fuzzing, language_checks, regression_tests, threat_modeling
from baseline.checks.language_checks import ASSERT_CHECK
from baseline.config import Config
from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.rederive import NOT_APPLICABLE_BY_RULE, NOT_APPLICABLE_CONTRADICTED, RULES, rederive
from tests.unit import test_fuzz_check as fz
from tests.unit.test_applicability import Ctx, _project

DEFAULTS = Config({}, None)
LOOKED = (Evidence(Provenance.INSPECTED, "looked: nothing to judge"),)


def result(spec: CheckSpec, outcome: str, score: float | None, findings: tuple[Finding, ...] = (), **metrics: Any) -> CheckResult:
    return CheckResult(spec, Outcome(outcome), score, "claimed", findings, LOOKED, metrics)


def judged(claim: CheckResult, config: Config = DEFAULTS) -> tuple[str, float | None, set[str]]:
    """(verified outcome, verified score, the fields found wrong)."""
    out, mismatches, ruled = rederive(claim, config)
    assert ruled
    return out.outcome.value, out.score, {m.field for m in mismatches}


def finding(rule_id: str, tool: str = "baseline", path: str = "pkg/x.py", **properties: Any) -> Finding:
    return Finding(rule_id, Severity.MEDIUM, "m", tool, Location(path), properties=properties)


def test_every_rule_and_not_applicable_table_names_an_installed_check() -> None:
    assert set(RULES) <= set(NOT_APPLICABLE_WHEN)
    assert set(NOT_APPLICABLE_CONTRADICTED) | NOT_APPLICABLE_BY_RULE <= set(NOT_APPLICABLE_WHEN) - never_not_applicable()
    # One source for the docs' table and the verifier: the checks documented as never not_applicable.
    assert never_not_applicable() == {
        "threat-modeling.model", "automated-testing.pytest", "hardcoded-secrets.scan", "language-checks.dev-mode-warnings",
        "black-box-tests.identified", "regression-tests.cited",
    }
    from baseline import docgen

    assert docgen.NOT_APPLICABLE_WHEN is NOT_APPLICABLE_WHEN


# --- T01 -----------------------------------------------------------------------------------------

ALL = ["assets", "entry points", "trust boundaries", "threats", "mitigations"]


def model(outcome: str, score: float, findings: tuple[Finding, ...] = (), **overrides: Any) -> CheckResult:
    metrics: dict[str, Any] = {"elements": ALL, "requirements": 4, "covered": 4, "named_tests_failing": 0, "age_days_exact": 3.0}
    metrics.update(overrides)
    return result(threat_modeling.SPEC, outcome, score, findings, **metrics)


def test_threat_model_verdict_from_its_figures_and_the_verifiers_thresholds() -> None:
    assert judged(model("pass", 10.0)) == ("pass", 10.0, set())
    assert judged(model("pass", 10.0, elements=ALL[:4])) == ("fail", 10.0, {"outcome"})
    assert judged(model("pass", 10.0, covered=3)) == ("fail", 7.5, {"outcome", "score"})
    assert judged(model("pass", 7.5, covered=3), Config({"threat_model.min_coverage": 75.0}, None)) == ("pass", 7.5, set())
    assert judged(model("pass", 10.0, named_tests_failing=1)) == ("fail", 10.0, {"outcome"})
    # Stale by the verifier's own limit, from the unrounded age.
    assert judged(model("pass", 10.0, age_days_exact=180.04)) == ("fail", 10.0, {"outcome"})
    assert judged(model("pass", 10.0, age_days_exact=180.04), Config({"threat_model.max_age_days": 365}, None))[2] == set()
    # Nothing extracted: the elements described.
    assert judged(model("fail", 6.0, elements=ALL[:3], requirements=0, covered=0)) == ("fail", 6.0, set())
    # No readable model: nothing further is judged.
    assert judged(result(threat_modeling.SPEC, "pass", 10.0, entry_points=0, missing=[], models=[])) == ("fail", 0.0, {"outcome", "score"})


def test_threat_model_figures_cannot_hide_what_the_findings_list() -> None:
    gap = finding("threat-model.sink-not-covered")
    assert judged(model("pass", 10.0, (gap,))) == ("fail", 7.5, {"outcome", "score"})
    broken = finding("threat-model.mitigation-test")
    assert judged(model("pass", 10.0, (broken,)))[0] == "fail"
    for bad in ({"covered": 5}, {"covered": -1}, {"requirements": math.nan}, {"age_days_exact": "old"}, {"elements": ["assets", "assets"]}, {"named_tests_failing": None}):
        assert judged(model("pass", 10.0, **bad)) == ("not_evaluated", 0.0, {"metrics"}), bad


# --- T06 -----------------------------------------------------------------------------------------


def blackbox(outcome: str, score: float, findings: tuple[Finding, ...] = (), **metrics: Any) -> CheckResult:
    return result(blackbox_tests.SPEC, outcome, score, findings, **{"passed": 5, "failed": 0, "negative_passed": 1, **metrics})


def test_blackbox_verdict_from_its_counts() -> None:
    assert judged(blackbox("pass", 10.0)) == ("pass", 10.0, set())
    assert judged(blackbox("pass", 10.0, negative_passed=0)) == ("fail", 6.0, {"outcome", "score"})
    assert judged(blackbox("pass", 10.0, failed=1)) == ("fail", 8.33, {"outcome", "score"})
    assert judged(blackbox("pass", 10.0, passed=0, negative_passed=0)) == ("fail", 0.0, {"outcome", "score"})
    # A failure the metrics hide is still a finding.
    assert judged(blackbox("pass", 10.0, (finding("black-box-tests.failed", "pytest"),)))[0] == "fail"
    assert judged(blackbox("pass", 10.0, negative_passed=6))[2] == {"metrics"}


# --- T08 -----------------------------------------------------------------------------------------


def test_regression_verdicts_from_their_counts() -> None:
    cited = regression_tests.TESTS_SPEC
    assert judged(result(cited, "pass", 10.0, passed=3, executed=3)) == ("pass", 10.0, set())
    assert judged(result(cited, "pass", 10.0, passed=2, executed=3)) == ("fail", 6.67, {"outcome", "score"})
    assert judged(result(cited, "pass", 10.0, (finding("regression-tests.failed", "pytest"),), passed=3, executed=3)) == ("fail", 7.5, {"outcome", "score"})
    assert judged(result(cited, "pass", 10.0, passed=0, executed=0)) == ("fail", 0.0, {"outcome", "score"})
    history = regression_tests.HISTORY_SPEC
    assert judged(result(history, "pass", 5.0, fix_commits=4, with_tests=2)) == ("pass", 5.0, set())
    assert judged(result(history, "pass", 5.0, fix_commits=4, with_tests=2), Config({"regression.min_share": 60.0}, None)) == ("fail", 5.0, {"outcome"})
    hidden = tuple(finding("regression-tests.fix-without-test", "git") for _ in range(3))
    assert judged(result(history, "pass", 5.0, hidden, fix_commits=4, with_tests=2)) == ("fail", 2.5, {"outcome", "score"})
    assert judged(result(history, "pass", 10.0, fix_commits=0, with_tests=0)) == ("not_evaluated", 0.0, {"outcome"})
    replay = regression_tests.REPLAY_SPEC
    assert judged(result(replay, "pass", 10.0, fixed=2, crashes=0, hangs=0, unreplayable=0)) == ("pass", 10.0, set())
    assert judged(result(replay, "pass", 10.0, fixed=2, crashes=1, hangs=1, unreplayable=0)) == ("fail", 5.0, {"outcome", "score"})
    stuck = (finding("regression-tests.crash-crashes", "fuzz-replay"),)
    assert judged(result(replay, "pass", 10.0, stuck, fixed=1, crashes=0, hangs=0, unreplayable=0)) == ("fail", 5.0, {"outcome", "score"})
    assert judged(result(replay, "pass", 10.0, fixed=0, crashes=0, hangs=0, unreplayable=2)) == ("error", 0.0, {"outcome", "score"})


# --- T05 -----------------------------------------------------------------------------------------


def test_language_check_verdicts_from_their_counts_and_findings() -> None:
    warnings = language_checks.WARNINGS_SPEC
    assert judged(result(warnings, "pass", 9.0, product_sites=0, test_sites=2)) == ("pass", 9.0, set())
    assert judged(result(warnings, "pass", 9.0, product_sites=1, test_sites=2)) == ("fail", 7.0, {"outcome", "score"})
    site = finding("language-checks.deprecated-api", "python -X dev", where="product")
    assert judged(result(warnings, "pass", 10.0, (site,), product_sites=0, test_sites=0)) == ("fail", 8.0, {"outcome", "score"})
    asserts = language_checks.ASSERT_SPEC
    counts = {"modules": 3, "unparsable": 0, "authorisation": 0, "validation": 2, "state": 1}
    assert judged(result(asserts, "pass", 7.0, **counts)) == ("pass", 7.0, set())
    assert judged(result(asserts, "pass", 7.0, (finding("language-checks.assert-authorisation", "baseline-ast"),), **counts)) == ("fail", 3.0, {"outcome", "score"})
    assert judged(result(asserts, "pass", 10.0, **{**counts, "validation": 0, "state": 0})) == ("not_evaluated", 0.0, {"outcome"})
    typecheck = language_checks.TYPECHECK_SPEC
    assert judged(result(typecheck, "pass", 10.0, tool="mypy", errors=0)) == ("pass", 10.0, set())
    assert judged(result(typecheck, "pass", 10.0, tuple(finding("language-checks.type-error", "mypy") for _ in range(10)), tool="mypy", errors=0)) == ("fail", 5.0, {"outcome", "score"})
    native = language_checks.NATIVE_SPEC
    assert judged(result(native, "pass", 10.0, modules=2, readable=2, present=12, checked=12, severe=0)) == ("pass", 10.0, set())
    nx = (finding("language-checks.elf-no-nx", "pyelftools", "pkg/_x.so"),)
    assert judged(result(native, "pass", 10.0, nx, modules=2, readable=2, present=12, checked=12, severe=0)) == ("fail", 9.17, {"outcome", "score"})
    assert judged(result(native, "pass", 10.0, modules=2, readable=2, present=12, checked=10, severe=0))[2] == {"metrics"}


# --- T09: the rule on the check's own verdicts -------------------------------------------------------


CAMPAIGNS = {
    "full": fz.campaign(),
    "generated": fz.campaign(runs=(fz.run("fuzz/gen_decode.py", generated=True),), covered={fz.ENTRY.id: ("fuzz/gen_decode.py",)}, generated=("fuzz/gen_decode.py",), harness_files=()),
    "unfuzzed": fz.campaign(surface=fz.Surface((fz.ENTRY, fz.OTHER), files_scanned=2, public_functions=4)),
    "short": fz.campaign(runs=(fz.run("fuzz/fuzz_codec.py", fuzzed=2.5),)),
    "never started": fz.campaign(runs=(fz.run("fuzz/fuzz_codec.py", stats=fz.NEVER, status="no-start"),)),
    "reached nothing": fz.campaign(runs=(fz.run("fuzz/fuzz_codec.py", probe=fz.Probe(10, 10, True, (), ())),)),
    "unresolved crash": fz.campaign(unresolved=(fz.crash(),)),
    "nothing to fuzz": fz.campaign(status="nothing-to-fuzz", runs=(), covered={}, harness_files=(), surface=fz.Surface((), files_scanned=2, public_functions=0)),
    "disabled": fz.campaign(status="disabled", runs=(), covered={}),
}


@pytest.mark.parametrize("name", sorted(CAMPAIGNS))
def test_fuzzing_rule_agrees_with_the_check_on_every_campaign(name: str) -> None:
    honest = fuzzing.judge(CAMPAIGNS[name])
    config = Config({"fuzz.time": CAMPAIGNS[name].budget_s}, None)
    out, mismatches, _ = rederive(honest, config)
    assert mismatches == [] and (out.outcome, out.score) == (honest.outcome, honest.score), (name, mismatches)
    if honest.outcome is not Outcome.PASS:
        forged = CheckResult(honest.spec, Outcome.PASS, 10.0, honest.message, honest.findings, honest.evidence, honest.metrics)
        assert rederive(forged, config)[1], name


def test_fuzzing_crash_ids_come_from_the_metrics_and_the_findings() -> None:
    honest = fuzzing.judge(CAMPAIGNS["unresolved crash"])
    config = Config({"fuzz.time": 10.0}, None)
    assert honest.outcome is Outcome.FAIL
    hidden = dict(honest.metrics, unresolved_stored_crashes=[])
    forged = CheckResult(honest.spec, Outcome.PASS, 10.0, "m", honest.findings, honest.evidence, hidden)
    assert judged(forged, config)[:2] == (honest.outcome.value, honest.score)
    # The completion share is the planned executions done, recomputed from the runs (not the claim, not wall time).
    from dataclasses import replace as _replace

    half = fuzzing.judge(fz.campaign(runs=(_replace(fz.run("fuzz/fuzz_codec.py"), runs=100000),)))  # 50000 of 100000 done
    assert half.score == 8.5 and judged(half, config) == ("pass", 8.5, set())
    inflated = CheckResult(half.spec, Outcome.PASS, 10.0, "m", half.findings, half.evidence, dict(half.metrics, completion_share=1.0))
    assert judged(inflated, config) == ("pass", 8.5, {"score"})
    broken = CheckResult(honest.spec, Outcome.PASS, 10.0, "m", (), honest.evidence, dict(honest.metrics, runs=[{"harness": "h", "started": "yes"}]))
    assert judged(broken, config) == ("not_evaluated", 0.0, {"metrics"})


# --- not_applicable ------------------------------------------------------------------------------


@pytest.mark.parametrize("check_id", sorted(never_not_applicable()))
def test_not_applicable_from_a_check_that_never_concludes_it_is_not_evaluated(check_id: str) -> None:
    spec = CheckSpec(id=check_id, technique="T00", title="t", verifies="v", why="w", remediation="r")
    out, mismatches, ruled = rederive(result(spec, "not_applicable", None), DEFAULTS)
    assert ruled and (out.outcome, out.score) == (Outcome.NOT_EVALUATED, 0.0)
    assert [(m.field, m.claimed, m.derived) for m in mismatches] == [("outcome", "not_applicable", "not_evaluated")]


def _spec(check_id: str) -> CheckSpec:
    return CheckSpec(id=check_id, technique="T00", title="t", verifies="v", why="w", remediation="r")


# Each check's honest not_applicable figures (as the check returns them), then figures showing it judged.
HONEST_NOT_APPLICABLE: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "static-analysis.scan": ({}, {"python_files": 3, "analysed_files": 3}),
    "structural-coverage.coverage": ({}, {"percent_statements": 40.0}),
    "included-components.osv": ({}, {"components": 4, "audited": 4}),
    "web-app-scanning.wapiti": ({"app": None, "crawled_pages": 0, "listeners": [], "routes": [], "frameworks": []}, {"app": "flask app", "crawled_pages": 12}),
    "web-app-scanning.api": ({"specification": None, "duration_s": 0.0, "listeners": []}, {"specification": "/openapi.json", "operations_tested": 3}),
    "language-checks.native-hardening": ({}, {"modules": 1, "readable": 1, "checked": 6, "present": 4}),
    "language-checks.type-checker": ({}, {"tool": "mypy", "errors": 4}),
    "regression-tests.fuzz-replay": ({}, {"fixed": 0, "crashes": 2, "hangs": 0, "unreplayable": 0}),
    "regression-tests.fix-commits": ({"commits": 40, "fix_commits": 0, "with_tests": 0, "window": 200}, {"commits": 40, "fix_commits": 3, "with_tests": 0, "window": 200}),
    "language-checks.assert-guards": (
        {"modules": 3, "unparsable": 0, "authorisation": 0, "validation": 0, "state": 0},
        {"modules": 3, "unparsable": 0, "authorisation": 1, "validation": 0, "state": 0},
    ),
}


@pytest.mark.parametrize("check_id", sorted(HONEST_NOT_APPLICABLE))
def test_not_applicable_stands_unless_its_own_figures_show_something_was_judged(check_id: str) -> None:
    honest, judged_something = HONEST_NOT_APPLICABLE[check_id]
    assert rederive(result(_spec(check_id), "not_applicable", None, **honest), DEFAULTS)[1] == []
    out, mismatches, _ = rederive(result(_spec(check_id), "not_applicable", None, **judged_something), DEFAULTS)
    assert (out.outcome, out.score) == (Outcome.NOT_EVALUATED, 0.0) and mismatches, check_id
    if check_id not in NOT_APPLICABLE_BY_RULE:
        # A finding is something judged too.
        assert rederive(result(_spec(check_id), "not_applicable", None, (finding("x.y"),), **honest), DEFAULTS)[1], check_id


def test_the_checks_own_not_applicable_results_stand(tmp_path: Path) -> None:
    """Honest not_applicable results built by the checks themselves, not by hand."""
    nothing = fuzzing.judge(CAMPAIGNS["nothing to fuzz"])
    assert nothing.outcome is Outcome.NOT_APPLICABLE and rederive(nothing, DEFAULTS)[1] == []
    # Token harness files alone leave T09 not_applicable, with their findings.
    tokens = fuzzing.judge(fz.campaign(status="nothing-to-fuzz", runs=(), covered={}, surface=fz.Surface((), 2, 0), harness_files=(fz.HarnessFile("fuzz/t.py", "conventional", False, False, None, ""),)))
    assert tokens.outcome is Outcome.NOT_APPLICABLE and tokens.findings and rederive(tokens, DEFAULTS)[1] == []
    disabled = fuzzing.judge(CAMPAIGNS["disabled"])
    forged = CheckResult(disabled.spec, Outcome.NOT_APPLICABLE, None, "m", disabled.findings, LOOKED, disabled.metrics)
    assert rederive(forged, DEFAULTS)[0].outcome is Outcome.NOT_EVALUATED
    root = _project(tmp_path / "plain", {"app/__init__.py": "def view(q):\n    return q\n"})
    asserts = ASSERT_CHECK.run(Ctx(root, {}))  # type: ignore[arg-type]
    assert asserts.outcome is Outcome.NOT_APPLICABLE and rederive(asserts, DEFAULTS)[1] == []


def test_a_claim_the_figures_put_out_of_the_mean_is_not_evaluated() -> None:
    """A pass whose own figures say not_applicable takes nothing: not_evaluated at 0, named."""
    out, mismatches, _ = rederive(result(regression_tests.REPLAY_SPEC, "pass", 10.0, fixed=0, crashes=0, hangs=0, unreplayable=0), DEFAULTS)
    assert (out.outcome, out.score) == (Outcome.NOT_EVALUATED, 0.0) and mismatches[0].derived == "not_applicable"
