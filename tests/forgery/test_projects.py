"""Forgery corpus, project side: hostile projects try to earn credit they did not earn.

Each case is a small real project in tests/fixtures/forgery_*, scanned by the real ``baseline scan``
CLI with only the techniques it needs; each forgery must earn nothing and be named in the report.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from baseline import sandbox

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def scan(tmp_path: Path, name: str, select: str, *extra: str, prepare: Any = None, work: bool = True) -> dict[str, Any]:
    """Copy a fixture project, optionally prepare it (git history...), scan it; the JSON report."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    if prepare is not None:
        prepare(root)
    out = tmp_path / f"{name}.json"
    process = sandbox.run(
        [sys.executable, "-m", "baseline", "scan", str(root), "--select", select, "--no-gate",
         *(["--work-dir", str(tmp_path / f"{name}-work")] if work else []), "--format", "json", "--output", str(out), *extra],
        cwd=REPO_ROOT,
        limits=sandbox.Limits(timeout_s=600),
    )
    assert "Traceback" not in process.stderr, process.stderr
    assert out.is_file(), process.stderr_tail(20)
    report: dict[str, Any] = json.loads(out.read_text())
    report["_work"] = str(tmp_path / f"{name}-work") if work else str(root / ".baseline")
    return report


def result(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    """One check's result."""
    return next(r for r in report["results"] if r["spec"]["id"] == check_id)


def technique(report: dict[str, Any], technique_id: str) -> dict[str, Any]:
    """One technique's line of the score breakdown."""
    return next(t for t in report["breakdown"]["techniques"] if t["technique"] == technique_id)


def rules(check: dict[str, Any]) -> set[str]:
    """The rule ids of a result's findings."""
    return {finding["rule_id"] for finding in check["findings"]}


# -- T02: the project cannot quietly rewrite its verdict ---------------------------------------

T02_CASES = {
    # a conftest hookwrapper turns failed reports into passed ones (the JUnit pytest would write says "passed" too)
    "forgery_outcome_rewrite": {"automated-testing.outcome-rewritten"},
    # a firstresult pytest_runtest_makereport returns its own "passed" report, pytest's never runs
    "forgery_short_circuit": {"automated-testing.short-circuit-hook", "automated-testing.outcome-rewritten"},
    # a test body replaces _pytest.runner.call_and_report for the tests after it
    "forgery_monkeypatch": {"automated-testing.pytest-patched", "automated-testing.outcome-rewritten"},
    # addopts loads a plugin whose pytest_report_teststatus shows failures as passed
    "forgery_addopts": {"automated-testing.addopts-plugin", "automated-testing.status-rewritten"},
}


@pytest.mark.parametrize("name", sorted(T02_CASES))
def test_t02_forgery_earns_nothing_and_is_named(tmp_path: Path, name: str) -> None:
    report = scan(tmp_path, name, "T02")
    check = result(report, "automated-testing.pytest")
    assert check["outcome"] == "fail" and check["score"] == 0.0, check["message"]
    assert T02_CASES[name] <= rules(check), rules(check)
    assert "cannot be trusted" in check["message"]
    # The toolkit's own JUnit file tells the truth: the failing test is a failure in it.
    junits = list(Path(report["_work"]).rglob("junit.xml"))
    assert len(junits) == 1, "the toolkit wrote no JUnit file"
    text = junits[0].read_text()
    assert 'name="test_halve_is_wrong"' in text and "<failure" in text.split('name="test_halve_is_wrong"', 1)[1].split("</testcase>", 1)[0]


def test_t02_ordinary_hooks_and_a_rerun_plugin_are_legitimate_and_the_flaky_test_is_listed(tmp_path: Path) -> None:
    pytest.importorskip("pytest_rerunfailures")
    check = result(scan(tmp_path, "forgery_honest_flaky", "T02"), "automated-testing.pytest")
    assert check["outcome"] == "pass" and check["score"] == 10.0, check["message"]
    assert "automated-testing.flaky" in rules(check) and not any(rule.endswith(("rewritten", "hook", "patched")) for rule in rules(check))
    assert check["metrics"]["flaky"] == ["tests/test_calc.py::test_halve_flaky_first_time"]


# -- T11: VEX statements with nothing behind them ---------------------------------------------


def test_t11_vex_fixed_and_unjustified_not_affected_earn_nothing(tmp_path: Path) -> None:
    report = scan(tmp_path, "forgery_vex", "T11", "--components-osv-db", str(FIXTURES / "osv_small"))
    check = result(report, "included-components.osv")
    assert check["outcome"] == "fail"
    assert check["metrics"]["vulnerabilities_vex"] == 0 and check["metrics"]["vulnerabilities_open"] == 2
    assert not any(finding["suppressed"] for finding in check["findings"])
    rejected = " ".join(check["metrics"]["vex_rejected"])
    assert "inside the affected range" in rejected and "without a justification" in rejected
    assert "VEX rejected" in check["message"] and check["metrics"]["vex_accepted"] == []


# -- T08: a test named after an issue, with no fix behind it ----------------------------------

GIT = ["git", "-c", "user.name=Forger", "-c", "user.email=forger@example.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def _git(root: Path, *args: str) -> None:
    done = sandbox.run([*GIT, *args], cwd=root, limits=sandbox.Limits(timeout_s=60))
    assert done.ok, done.stderr


def _history_with_a_cited_test_only(root: Path) -> None:
    """Product and tests first, then "Add regression test for #42": a test-only commit, no fix."""
    test_file = root / "tests" / "test_calc.py"
    text = test_file.read_text()
    test_file.write_text(text.split("\n\ndef test_issue_42", 1)[0] + "\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Initial import")
    test_file.write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Add regression test for #42 (fixes CVE-2099-0042)")


def test_t08_a_test_named_after_an_issue_earns_nothing(tmp_path: Path) -> None:
    report = scan(tmp_path, "forgery_regression_cited", "T08", prepare=_history_with_a_cited_test_only)
    cited = result(report, "regression-tests.cited")
    assert cited["outcome"] == "fail" and cited["score"] == 0.0, cited["message"]
    assert "regression-tests.cited-without-fix" in rules(cited) and cited["metrics"]["cited_without_fix"] == ["tests/test_calc.py::test_issue_42_halve_rejects_odd"]
    history = result(report, "regression-tests.fix-commits")
    assert history["outcome"] == "not_applicable" and "touching product code" in history["message"]
    assert technique(report, "T08")["score"] == 0.0


def test_t08_without_history_is_not_evaluated(tmp_path: Path) -> None:
    report = scan(tmp_path, "forgery_regression_cited", "T08")
    for check_id in ("regression-tests.cited", "regression-tests.fix-commits"):
        check = result(report, check_id)
        assert check["outcome"] == "not_evaluated", check["message"]


# -- T01: a threat model that covers nothing the code exposes ---------------------------------


@pytest.mark.parametrize("name", ["forgery_threat_headings", "forgery_threat_twenty"])
def test_t01_a_model_that_names_no_sink_earns_nothing(tmp_path: Path, name: str) -> None:
    check = result(scan(tmp_path, name, "T01"), "threat-modeling.model")
    assert check["outcome"] == "fail" and check["score"] == 0.0, check["message"]
    not_covered = " ".join(check["metrics"]["not_covered"])
    for item in ("cli-script 'cachetool'", "subprocess 'subprocess.run' in cachetool/__init__.py", "deserialiser 'pickle.loads' in cachetool/__init__.py"):
        assert item in not_covered
    assert {"threat-model.sink-not-covered", "threat-model.entry-point-not-covered"} <= rules(check)


# -- T09: a harness that returns at once, the entry point named in a comment ------------------


def test_t09_a_harness_that_returns_at_once_earns_nothing_and_a_real_one_is_generated(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    # The generated harness is written under the work folder, which must lie in the project.
    report = scan(tmp_path, "forgery_fuzz_instant", "T09", "--fuzz-time", "12", work=False)
    check = result(report, "fuzzing.atheris")
    runs = {run["harness"]: run for run in check["metrics"]["runs"]}
    instant = runs["fuzz/fuzz_tinyparse.py"]
    assert instant["recorded_execs"] > 0 and instant["entry_points_called"] == [] and instant["product_functions_reached"] == 0
    assert "fuzzing.harness-reached-nothing" in rules(check)
    # Its comment names the entry point; the toolkit generated a harness anyway, and it found the crash.
    assert len(check["metrics"]["generated"]) == 1
    generated = runs[check["metrics"]["generated"][0]]
    assert generated["entry_points_called"] == ["tinyparse:parse_header"]
    assert check["outcome"] == "fail" and "fuzzing.uncaught-exception" in rules(check)
    # No credit from the project's harness: the surface share is the generated harness's half.
    assert check["metrics"]["surface_share"] == 0.5


# -- T07: coverage configuration that hides the product -----------------------------------------


def test_t07_omit_exclude_and_pragma_hiding_the_product_count_as_not_covered(tmp_path: Path) -> None:
    check = result(scan(tmp_path, "forgery_coverage_omit", "T02,T07"), "structural-coverage.coverage")
    metrics = check["metrics"]
    assert check["outcome"] == "fail", check["message"]  # never "100.0% statements (0/0)"
    # every product line counts: the 11 statements of calc/, 4 of them run by the one test
    assert (metrics["num_statements"], metrics["covered_lines"]) == (11, 4) and metrics["percent_statements"] < 40, metrics
    assert metrics["project_omit"] == ["calc/*"] and metrics["project_exclude"] == ["def ", "return"]  # shown, not obeyed
