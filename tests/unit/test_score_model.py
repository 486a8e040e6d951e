"""Issue 18, items 4 and 5: the scoring model's properties (hypothesis) and what to fix first.

The properties are checked on whole score reports (every technique of the catalog, random outcomes,
scores and findings), and where a check's own formula is in play on the real judges.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from baseline.catalog import load_catalog
from baseline.checks.automated_testing import CHECK as PYTEST_CHECK
from baseline.checks.hardcoded_secrets import judge as judge_secrets
from baseline.checks.language_checks import WARNINGS_CHECK
from baseline.checks.structural_coverage import CHECK as COVERAGE_CHECK
from baseline.config import load_config
from baseline.discovery import discover_checks
from baseline.docgen import NOT_APPLICABLE_WHEN
from baseline.model import CheckResult, Confidence, Evidence, Finding, Outcome, Provenance, Severity
from baseline.scoring import capped_score, fix_first, fix_first_for, score_report
from baseline.tools.pytest_run import CoverageData, TestCounts, TestRun
from baseline.tools.secrets.engine import Detection
from baseline.tools.secrets.scan import SecretsScan, TreeHit
from tests.helpers import spec

CATALOG = load_catalog()
TECHNIQUES = [technique.id for technique in CATALOG.techniques]
ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "good_project"
EVIDENCE = (Evidence(Provenance.EXECUTED, "ran", tool="t", exit_code=0),)
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)

severities = st.sampled_from(list(Severity))
confidences = st.sampled_from(list(Confidence))
findings = st.builds(
    Finding,
    rule_id=st.sampled_from(["r1", "r2", "r3"]),
    severity=severities,
    message=st.just("m"),
    tool=st.just("t"),
    confidence=confidences,
    context=st.sampled_from(["product", "product", "test", "history"]),
)
outcomes = st.sampled_from([Outcome.PASS, Outcome.FAIL, Outcome.NOT_EVALUATED, Outcome.ERROR, Outcome.NOT_APPLICABLE])


@st.composite
def check_results(draw: Any, technique: str, index: int) -> CheckResult:
    outcome = draw(outcomes)
    score = None if outcome is Outcome.NOT_APPLICABLE else (0.0 if outcome in (Outcome.ERROR, Outcome.NOT_EVALUATED) else draw(st.floats(0, 10)))
    found = tuple(draw(st.lists(findings, max_size=4))) if score is not None else ()
    weight = draw(st.sampled_from([0.5, 1.0, 2.0]))
    return CheckResult(spec(f"{technique.lower()}.c{index}", technique, weight), outcome, score, "m", found, EVIDENCE)


@st.composite
def projects(draw: Any) -> list[CheckResult]:
    results: list[CheckResult] = []
    for technique in TECHNIQUES:
        for index in range(draw(st.integers(0, 2))):
            results.append(draw(check_results(technique, index)))
    return results


@st.composite
def project_and_index(draw: Any) -> tuple[list[CheckResult], int]:
    results = draw(projects())
    scored = [i for i, r in enumerate(results) if r.score is not None]
    if not scored:
        results.append(draw(check_results("T03", 9).filter(lambda r: r.score is not None)))
        scored = [len(results) - 1]
    return results, draw(st.sampled_from(scored))


def trust(results: list[CheckResult]) -> float:
    return sum(item.contribution for item in score_report(CATALOG, results).techniques)


def technique_scores(results: list[CheckResult]) -> dict[str, float | None]:
    return {item.technique: item.score for item in score_report(CATALOG, results).techniques}


# --- property 1: adding a critical finding never raises a score ------------------------------------


@SETTINGS
@given(project_and_index(), st.data())
def test_adding_a_critical_finding_never_raises_a_score(case: tuple[list[CheckResult], int], data: Any) -> None:
    results, index = case
    before = results[index]
    critical = Finding("new", Severity.CRITICAL, "m", "t", confidence=data.draw(confidences), context=data.draw(st.sampled_from(["product", "history"])))
    # The check's own formula can only deduct for the new finding (and may turn a pass into a fail).
    new_score = data.draw(st.floats(0, before.score or 0.0))
    new_outcome = data.draw(st.sampled_from([before.outcome, Outcome.FAIL])) if before.outcome is Outcome.PASS else before.outcome
    after = replace(before, outcome=new_outcome, score=new_score, findings=before.findings + (critical,))
    trial = list(results)
    trial[index] = after
    assert capped_score(after) <= capped_score(before)
    assert trust(trial) <= trust(results) + 1e-9
    old, new = technique_scores(results), technique_scores(trial)
    assert (new[before.spec.technique] or 0.0) <= (old[before.spec.technique] or 0.0) + 1e-9


# --- property 2: removing a vulnerability never lowers a score --------------------------------------


@SETTINGS
@given(project_and_index(), st.data())
def test_removing_a_finding_never_lowers_a_score(case: tuple[list[CheckResult], int], data: Any) -> None:
    results, index = case
    before = results[index]
    if not before.findings:
        before = replace(before, findings=(Finding("x", data.draw(severities), "m", "t", confidence=data.draw(confidences)),))
        results = list(results)
        results[index] = before
    drop = data.draw(st.integers(0, len(before.findings) - 1))
    kept = before.findings[:drop] + before.findings[drop + 1:]
    new_score = data.draw(st.floats(before.score or 0.0, 10.0))  # the check gives back what it deducted, or more
    after = replace(before, score=new_score, findings=kept)
    trial = list(results)
    trial[index] = after
    assert capped_score(after) >= capped_score(before)
    assert trust(trial) >= trust(results) - 1e-9


def test_real_judges_are_monotone_in_findings() -> None:
    detection = Detection(rule_id="secrets.github-pat-classic", start_line=3, end_line=3, secret_sha256="a" * 64, length=40,
                          redacted="ghp_...", snippet="T = ...", validated=True, confidence="high")
    clean = SecretsScan("ok", "", (), 10, 1000, (), 0.1, None, "secrets.history = off", ())
    leaked = replace(clean, tree=(TreeHit("app/cfg.py", detection),))
    twice = replace(clean, tree=(TreeHit("app/cfg.py", detection), TreeHit("app/b.py", replace(detection, secret_sha256="b" * 64))))
    scores = [capped_score(judge_secrets(scan, [], [])) for scan in (clean, leaked, twice)]
    assert scores[0] > scores[1] >= scores[2]


# --- property 3: no tests never beats passing tests at 80% coverage ---------------------------------


class RunContext:
    def __init__(self, run: TestRun) -> None:
        self.root = ROOT
        self.config = load_config(ROOT)
        self.run = run

    def shared(self, _run: Any) -> Any:
        return self.run


def _testing_results(run: TestRun) -> list[CheckResult]:
    context = RunContext(run)
    return [check.run(context) for check in (PYTEST_CHECK, COVERAGE_CHECK, WARNINGS_CHECK)]  # type: ignore[attr-defined]


COVERAGE = CoverageData(80.0, 80.0, 80.0, 100, 80, 10, 8, (), ("goodparse",), "7.0")
TESTED = _testing_results(TestRun("ok", "10 passed", TestCounts(collected=10, passed=10), coverage=COVERAGE, evidence=EVIDENCE, sources=("goodparse",), dev_mode=True, recorder_ok=True))
UNTESTED = _testing_results(TestRun("no-tests", "no test was collected", TestCounts(), evidence=EVIDENCE, sources=("goodparse",), dev_mode=True))


def test_the_testing_fixtures_judge_as_intended() -> None:
    assert [r.outcome for r in TESTED] == [Outcome.PASS, Outcome.PASS, Outcome.PASS]
    assert all(r.outcome is not Outcome.NOT_APPLICABLE and not r.score for r in UNTESTED)


@SETTINGS
@given(projects())
def test_a_project_without_tests_never_scores_above_the_same_project_tested(rest: list[CheckResult]) -> None:
    owned = {r.spec.technique for r in TESTED}
    others = [r for r in rest if r.spec.technique not in owned or r.spec.technique == "T05"]
    assert trust(others + UNTESTED) <= trust(others + TESTED) + 1e-9


# --- property 4: many low findings cannot outweigh one critical -------------------------------------


@SETTINGS
@given(projects(), st.integers(1, 500), st.floats(0, 10), st.floats(0, 10), st.sampled_from([Confidence.HIGH, Confidence.MEDIUM]), st.sampled_from(["T03", "T04", "T10", "T11"]))
def test_many_low_findings_never_outweigh_one_critical(rest: list[CheckResult], lows: int, low_score: float, critical_score: float,
                                                       confidence: Confidence, technique: str) -> None:
    check = spec(f"{technique.lower()}.judged", technique)
    many = CheckResult(check, Outcome.FAIL, low_score, "m", tuple(Finding(f"l{i}", Severity.LOW, "m", "t") for i in range(lows)), EVIDENCE)
    one = CheckResult(check, Outcome.FAIL, critical_score, "m", (Finding("c", Severity.CRITICAL, "m", "t", confidence=confidence),), EVIDENCE)
    assert trust(rest + [one]) <= trust(rest + [many]) + 1e-9


# --- what to fix first -----------------------------------------------------------------------------


def test_fix_first_lists_the_largest_gains_computed_by_rescoring() -> None:
    results = [
        CheckResult(spec("t07.cov", "T07"), Outcome.FAIL, 3.0, "low coverage", (), EVIDENCE),
        CheckResult(spec("t03.static", "T03"), Outcome.FAIL, 7.0, "sqli", (Finding("sqli", Severity.CRITICAL, "m", "bandit"),), EVIDENCE),
        CheckResult(spec("t02.tests", "T02"), Outcome.PASS, 10.0, "ok", (), EVIDENCE),
        CheckResult(spec("t10.web", "T10"), Outcome.NOT_APPLICABLE, None, "no listener", (), EVIDENCE),
    ]
    base = trust(results)
    improvements = fix_first(CATALOG, results)
    assert improvements == tuple(sorted(improvements, key=lambda item: -item.gain))
    assert not any(item.check in ("t02.tests", "t10.web") for item in improvements)
    by_change = {(item.check, item.change): item.gain for item in improvements}
    fixed = [replace(results[0], outcome=Outcome.PASS, score=10.0)] + results[1:]
    assert by_change[("t07.cov", "from fail (3.0) to pass")] == round(trust(fixed) - base, 2)
    # Fixing the critical finding lifts the cap (0) to the check's own score (7).
    uncapped = [results[0], replace(results[1], findings=())] + results[2:]
    assert by_change[("t03.static", "fix its 1 open critical finding(s)")] == round(trust(uncapped) - base, 2) > 0
    assert improvements[0].describe().startswith(f"{improvements[0].technique} {improvements[0].check}: ")


def test_fix_first_from_a_report_breakdown_matches_the_catalog() -> None:
    results = [CheckResult(spec("t07.cov", "T07"), Outcome.FAIL, 3.0, "m", (), EVIDENCE), CheckResult(spec("t01.tm", "T01"), Outcome.ERROR, 0.0, "m", (), EVIDENCE)]
    breakdown = score_report(CATALOG, results)
    assert fix_first_for(breakdown, results) == fix_first(CATALOG, results)


def test_every_installed_check_says_when_it_is_not_applicable() -> None:
    installed = {loaded.spec.id for loaded in discover_checks(CATALOG).checks}
    assert installed == set(NOT_APPLICABLE_WHEN), (installed ^ set(NOT_APPLICABLE_WHEN))


def test_console_prints_the_top_three() -> None:
    import io

    from rich.console import Console

    from baseline.advice import render_fix_first
    from baseline.model import GateVerdict, Report, Target

    results = tuple(CheckResult(spec(f"t0{i}.c", f"T0{i}"), Outcome.FAIL, float(i), "m", (), EVIDENCE) for i in range(1, 6))
    target = Target("/p", "p", None, None, None, "sha256:" + "0" * 64, 0, "python", "test")
    report = Report("1.0", "0", target, "c", "1", "sha256:" + "0" * 64, "", "", 0.0, results, score_report(CATALOG, results), GateVerdict(False, True, False, ()))
    out = io.StringIO()
    render_fix_first(report, Console(file=out, width=200))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Fix first") and len(lines) == 4
    assert lines[1].strip() == improvements_top(report) and ": from fail (" in lines[1] and "to pass: +" in lines[1]


def test_markdown_and_html_list_what_to_fix_first_and_bars_follow_the_score() -> None:
    from baseline.model import GateVerdict, Report, Target
    from baseline.reports import html, markdown

    results = tuple(CheckResult(spec(f"t0{i}.c", f"T0{i}"), Outcome.FAIL, float(i), "m", (), EVIDENCE) for i in range(1, 6))
    target = Target("/p", "p", None, None, None, "sha256:" + "0" * 64, 0, "python", "test")
    report = Report("1.0", "0", target, "c", "1", "sha256:" + "0" * 64, "", "", 0.0, results, score_report(CATALOG, results), GateVerdict(False, True, False, ()))
    top = fix_first_for(report.breakdown, report.results, limit=1)[0]
    text = markdown.format_report(report)
    assert "### Fix first" in text and f"+{top.gain:.1f}" in text and f"`{top.check}`" in text
    page = html.format_report(report)
    assert 'id="fix-first"' in page and f"+{top.gain:.1f}" in page
    # Colour by score: two failing checks, one at 1.0 and one at 5.0, get different bars.
    assert html.score_colour(1.0) != html.score_colour(5.0) != html.score_colour(9.0)
    assert html.score_colour(1.0) in page and html.score_colour(5.0) in page


def improvements_top(report: Any) -> str:
    return fix_first_for(report.breakdown, report.results, limit=1)[0].describe()


def test_html_shows_the_figures_an_errored_check_measured() -> None:
    from baseline.model import GateVerdict, Report, Target
    from baseline.reports import html

    errored = CheckResult(spec("t07.c", "T07"), Outcome.ERROR, 0.0, "coverage below what the run needed", (), EVIDENCE, {"percent_statements": 63.5, "files": 12, "note": "x"})
    target = Target("/p", "p", None, None, None, "sha256:" + "0" * 64, 0, "python", "test")
    report = Report("1.0", "0", target, "c", "1", "sha256:" + "0" * 64, "", "", 0.0, (errored,), score_report(CATALOG, (errored,)), GateVerdict(False, True, False, ()))
    page = html.format_report(report)
    assert "Figures measured" in page and "percent_statements" in page and "63.5" in page
    assert html.figures({"a": 1, "b": [1, 2], "c": True, "d": "short"}) == [("a", "1"), ("d", "short")]
