"""Scoring: pure functions from check results to a trust score with a full breakdown.

- A check's score is 0..10; ``not_evaluated`` and ``error`` score 0 (fail closed);
  ``not_applicable`` has no score and leaves the mean. Preview checks carry no weight.
- A technique's score is the weighted mean of its checks' scores.
- The trust score (0..100) is 10 x the weighted mean of technique scores over the techniques that
  are not ``not_applicable``. A technique with no installed check is ``not_evaluated`` and scores 0.
"""

from __future__ import annotations

from typing import Sequence

from baseline.model import Catalog, CheckResult, Lifecycle, Outcome, ScoreBreakdown, Technique, TechniqueScore

METHOD = (
    "technique score = weighted mean of its checks' scores (0-10; not_evaluated and error count 0; "
    "not_applicable checks excluded; preview checks weigh 0); trust score = 10 x weighted mean of "
    "technique scores over techniques that are not not_applicable"
)

NO_CHECK = "no check installed for this technique"

# Worst first: the outcome a technique shows when its checks disagree.
_PRECEDENCE = (Outcome.ERROR, Outcome.FAIL, Outcome.NOT_EVALUATED, Outcome.PASS, Outcome.NOT_APPLICABLE)


def check_weight(result: CheckResult) -> float:
    """The weight a check result carries in its technique (0 for preview checks)."""
    return 0.0 if result.spec.lifecycle is Lifecycle.PREVIEW else result.spec.weight


def technique_outcome(results: Sequence[CheckResult]) -> Outcome:
    """The outcome of a technique: the worst among its non-preview checks."""
    counted = [result for result in results if result.spec.lifecycle is not Lifecycle.PREVIEW]
    if not counted:
        return Outcome.NOT_EVALUATED
    outcomes = {result.outcome for result in counted}
    for outcome in _PRECEDENCE:
        if outcome in outcomes:
            return outcome
    return Outcome.NOT_EVALUATED


def score_technique(technique: Technique, results: Sequence[CheckResult]) -> TechniqueScore:
    """Score one technique from its checks' results."""
    ids = tuple(result.spec.id for result in results)
    counted = [result for result in results if check_weight(result) > 0]
    if not results:
        return TechniqueScore(technique.id, technique.title, Outcome.NOT_EVALUATED, 0.0, technique.weight, 0.0, ids, NO_CHECK)
    if not counted:
        return TechniqueScore(
            technique.id, technique.title, Outcome.NOT_EVALUATED, 0.0, technique.weight, 0.0, ids,
            "only preview or zero-weight checks are installed for this technique",
        )
    outcome = technique_outcome(results)
    applicable = [result for result in counted if result.outcome is not Outcome.NOT_APPLICABLE]
    if not applicable:
        reason = "; ".join(dict.fromkeys(result.message for result in counted))  # each distinct reason once
        return TechniqueScore(technique.id, technique.title, Outcome.NOT_APPLICABLE, None, technique.weight, 0.0, ids, reason)
    total = sum(check_weight(result) for result in applicable)
    score = sum(check_weight(result) * (result.score or 0.0) for result in applicable) / total
    worst = next((result for result in applicable if result.outcome is outcome), applicable[0])
    return TechniqueScore(technique.id, technique.title, outcome, round(score, 4), technique.weight, 0.0, ids, worst.message)


def score_report(catalog: Catalog, results: Sequence[CheckResult]) -> ScoreBreakdown:
    """Score every technique of the catalog and aggregate the trust score."""
    grouped: dict[str, list[CheckResult]] = {}
    for result in results:
        grouped.setdefault(result.spec.technique, []).append(result)
    techniques = [score_technique(technique, grouped.get(technique.id, [])) for technique in catalog.techniques]
    counted = [item for item in techniques if item.outcome is not Outcome.NOT_APPLICABLE]
    counted_weight = sum(item.weight for item in counted)
    final: list[TechniqueScore] = []
    for item in techniques:
        if item.outcome is Outcome.NOT_APPLICABLE or counted_weight == 0:
            final.append(item)
            continue
        contribution = 10.0 * item.weight * (item.score or 0.0) / counted_weight
        final.append(
            TechniqueScore(item.technique, item.title, item.outcome, item.score, item.weight, round(contribution, 4), item.checks, item.reason)
        )
    trust = sum(item.contribution for item in final) if counted_weight else 0.0
    return ScoreBreakdown(
        trust_score=round(trust, 2),
        techniques=tuple(final),
        counted_weight=counted_weight,
        excluded=tuple(item.technique for item in techniques if item.outcome is Outcome.NOT_APPLICABLE),
        method=METHOD,
    )
