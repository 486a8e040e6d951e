from __future__ import annotations

from baseline import exitcodes
from baseline.catalog import load_catalog
from baseline.config import Config
from baseline.gate import evaluate_gate
from baseline.model import Outcome, Severity, Suppression
from baseline.scoring import score_report
from tests.helpers import finding, result

CATALOG = load_catalog()


def _gate(results, **values):  # type: ignore[no-untyped-def]
    config = Config(values={"gate": True, **values}, source=None)
    return evaluate_gate(config, CATALOG, results, score_report(CATALOG, results))


def test_low_score_fails() -> None:
    verdict = _gate([result(Outcome.PASS, 10)], min_score=70)
    assert not verdict.passed
    assert "below the minimum 70" in verdict.reasons[0]


def test_severity_threshold_fails_only_at_or_above_and_ignores_suppressed() -> None:
    everything = [result(Outcome.PASS, 10, f"c{t.id}", t.id) for t in CATALOG.techniques]
    high = finding(Severity.HIGH)
    assert _gate(everything).passed  # default fail_on = critical
    with_high = everything[:-1] + [result(Outcome.PASS, 10, "cT11", "T11", findings=(high,))]
    assert _gate(with_high).passed
    assert not _gate(with_high, fail_on="high").passed
    assert not _gate(with_high, fail_on="low").passed
    from dataclasses import replace

    suppressed = replace(high, suppression=Suppression(kind="inline", reason="constant input"))
    quiet = everything[:-1] + [result(Outcome.PASS, 10, "cT11", "T11", findings=(suppressed,))]
    assert _gate(quiet, fail_on="low").passed


def test_required_technique_not_evaluated_is_incomplete() -> None:
    verdict = _gate([result(Outcome.PASS, 10)], min_score=0, required=["T07"])
    assert verdict.incomplete and not verdict.passed
    failed = _gate([result(Outcome.FAIL, 1, "c", "T07")], min_score=0, required=["structural-coverage"])
    assert not failed.incomplete and not failed.passed


def test_exit_codes_are_distinct_constants() -> None:
    codes = [exitcodes.OK, exitcodes.GATE_FAILED, exitcodes.USAGE_ERROR, exitcodes.INCOMPLETE, exitcodes.INTERNAL_ERROR]
    assert codes == [0, 1, 2, 3, 4]
