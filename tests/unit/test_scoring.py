from __future__ import annotations

import pytest

from baseline.catalog import load_catalog
from baseline.model import Outcome
from baseline.scoring import NO_CHECK, score_report, score_technique
from tests.helpers import result

CATALOG = load_catalog()
T02 = CATALOG.technique("T02")


@pytest.mark.parametrize(
    ("results", "outcome", "score"),
    [
        ([], Outcome.NOT_EVALUATED, 0.0),
        ([result(Outcome.PASS, 10)], Outcome.PASS, 10.0),
        ([result(Outcome.PASS, 10), result(Outcome.FAIL, 4, "b")], Outcome.FAIL, 7.0),
        ([result(Outcome.PASS, 10, weight=3), result(Outcome.FAIL, 2, "b")], Outcome.FAIL, 8.0),
        ([result(Outcome.PASS, 10), result(Outcome.ERROR, 0, "b")], Outcome.ERROR, 5.0),
        ([result(Outcome.PASS, 10), result(Outcome.NOT_EVALUATED, 0, "b")], Outcome.NOT_EVALUATED, 5.0),
        ([result(Outcome.PASS, 8), result(Outcome.NOT_APPLICABLE, None, "b")], Outcome.PASS, 8.0),
        ([result(Outcome.NOT_APPLICABLE, None)], Outcome.NOT_APPLICABLE, None),
        ([result(Outcome.PASS, 10, preview=True)], Outcome.NOT_EVALUATED, 0.0),
        ([result(Outcome.PASS, 6), result(Outcome.FAIL, 0, "b", preview=True)], Outcome.PASS, 6.0),
    ],
)
def test_technique_score_table(results, outcome, score) -> None:  # type: ignore[no-untyped-def]
    item = score_technique(T02, results)
    assert item.outcome is outcome
    assert item.score == score


def test_technique_without_checks_is_visible_and_scores_zero() -> None:
    item = score_technique(T02, [])
    assert item.reason == NO_CHECK
    assert item.score == 0.0


def test_trust_score_is_fail_closed_and_excludes_only_not_applicable() -> None:
    all_pass = [result(Outcome.PASS, 10, f"c{t.id}", t.id) for t in CATALOG.techniques]
    assert score_report(CATALOG, all_pass).trust_score == 100.0
    # Drop one technique's check entirely: it is not_evaluated and pulls the score down.
    missing = all_pass[:-1]
    breakdown = score_report(CATALOG, missing)
    t11 = CATALOG.technique("T11")
    expected = 100.0 * (sum(t.weight for t in CATALOG.techniques) - t11.weight) / sum(t.weight for t in CATALOG.techniques)
    assert breakdown.trust_score == pytest.approx(expected, abs=0.01)
    # Mark it not applicable (with evidence) instead: it leaves the denominator.
    na = missing + [result(Outcome.NOT_APPLICABLE, None, "cT11", "T11")]
    breakdown = score_report(CATALOG, na)
    assert breakdown.trust_score == 100.0
    assert breakdown.excluded == ("T11",)


def test_breakdown_contributions_add_up_and_are_deterministic() -> None:
    results = [result(Outcome.PASS, 10, "a", "T02"), result(Outcome.FAIL, 3, "b", "T07"), result(Outcome.ERROR, 0, "c", "T03")]
    first = score_report(CATALOG, results)
    second = score_report(CATALOG, list(reversed(results)))
    assert first == second
    assert sum(t.contribution for t in first.techniques) == pytest.approx(first.trust_score, abs=0.01)
    assert len(first.techniques) == 11
