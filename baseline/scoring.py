"""Scoring: pure functions from check results to a trust score with a full breakdown.

- A check's score is 0..10; ``not_evaluated`` and ``error`` score 0 (fail closed);
  ``not_applicable`` has no score and leaves the mean, and only with evidence that the check looked
  and found nothing to judge (``NA_RULE``). Preview checks carry no weight.
- The worst open finding of a check caps its score (``SEVERITY_CAP``): one open critical finding
  costs more than any number of low ones.
- A technique's score is the weighted mean of its checks' (capped) scores.
- The trust score (0..100) is 10 x the weighted mean of technique scores over the techniques that
  are not ``not_applicable``. A technique with no installed check is ``not_evaluated`` and scores 0.
- ``fix_first`` re-scores hypothetical outcomes to say which change would raise the score most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from baseline.model import (
    Catalog,
    CheckResult,
    Confidence,
    Evidence,
    Finding,
    Lifecycle,
    Outcome,
    Provenance,
    ScoreBreakdown,
    Severity,
    Technique,
    TechniqueScore,
)

METHOD = (
    "technique score = weighted mean of its checks' scores (0-10; not_evaluated and error count 0; "
    "not_applicable checks excluded; preview checks weigh 0; a check's worst open finding caps its score: "
    "critical 0, high 4, a low-confidence finding one severity lower); trust score = 10 x weighted mean of "
    "technique scores over techniques that are not not_applicable"
)

# The worst open finding of a check caps the check's score. Findings are weighed by severity and by
# confidence (a low-confidence finding counts one severity lower); suppressed findings and findings in
# tests do not cap. Medium and lower findings cost what the check's own formula says, and no more.
SEVERITY_CAP: dict[Severity, float] = {Severity.CRITICAL: 0.0, Severity.HIGH: 4.0}
_ONE_LOWER = {Severity.CRITICAL: Severity.HIGH, Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW, Severity.LOW: Severity.INFO, Severity.INFO: Severity.INFO}

MODEL_DOC = """
Every check answers with an outcome and a score from 0 to 10; the score is built from these rules
(baseline/scoring.py, pure functions of the check results):

1. **Fail closed.** `not_evaluated` and `error` score 0. A scan that did less never scores more.
2. **Not applicable is proven, not assumed.** `not_applicable` takes a check out of its technique's mean,
   and a technique whose checks are all not applicable out of the trust score, only with evidence that
   the check looked and found nothing to judge (table below). Otherwise the result becomes
   `not_evaluated` (0) and says why.
3. **Credit only for work done.** A check with nothing to judge (no test ran, no product code) earns
   no credit: it is `not_evaluated`, or `not_applicable` when it read everything and found nothing.
4. **Findings by severity and confidence.** Each check's own formula (below, per check) deducts per
   finding. On top of it, the worst open finding caps the check's score: an open **critical** finding caps
   it at **0**, an open **high** finding at **4**. A finding of low confidence counts one severity lower;
   suppressed findings (inline, accepted, VEX) and findings in tests do not cap. So one critical finding
   always costs at least as much as any number of low ones, and fixing a finding never lowers a score.
5. **Technique score** = weighted mean of its checks' capped scores (check weights from the catalog;
   preview checks weigh 0).
6. **Trust score** (0-100) = 10 x weighted mean of the technique scores (technique weights from the
   catalog) over the techniques that are not `not_applicable`. A technique with no installed check is
   `not_evaluated` and scores 0.
7. **What to fix first.** The report's `fix_first` list re-scores the report with one check changed at
   a time (its blocking findings fixed, or the check brought to a full pass) and lists the changes by the
   trust-score points each would gain; the console prints the top three.

   The JSON report's `timeline` lists when each check and each shared run (the test run, the static
   analysis run, the SBOM...) started and ended, in seconds from the scan's start; no score depends on it.

Properties the tests hold the model to (tests/unit/test_score_model.py, with hypothesis): adding a
critical finding never raises a score; removing a finding never lowers it; a project without tests never
scores above the same project with passing tests at 80% coverage; many low findings never outweigh one
critical finding.
"""

NO_CHECK = "no check installed for this technique"

NA_RULE = (
    "not_applicable needs evidence of provenance inspected (the project's files were read) or executed (a tool "
    "ran and exited 0) that says what was looked for and found absent; a project's own declaration never "
    "proves it"
)


def absence(looked_for: str, where: str, *, tool: str | None = None) -> Evidence:
    """The evidence a ``not_applicable`` result carries: what was looked for, where, and that none was found.

    This is the contract of inapplicability: a check may take itself out of the score only by showing
    that it looked and found nothing to judge. Anything that could not look is ``not_evaluated`` or
    ``error`` and scores 0.
    """
    return Evidence(provenance=Provenance.INSPECTED, summary=f"looked for {looked_for} in {where}: none found", tool=tool)


def proves_inapplicable(evidence: Sequence[Evidence]) -> bool:
    """True when ``evidence`` holds a record that can show a technique does not apply (see ``NA_RULE``).

    Inspected evidence (files read) qualifies; executed evidence qualifies only when the tool exited 0
    (a run that failed shows nothing); declared evidence (the project's own statement) never does.
    """
    for item in evidence:
        if not item.summary.strip():
            continue
        if item.provenance is Provenance.INSPECTED:
            return True
        if item.provenance is Provenance.EXECUTED and item.exit_code in (None, 0) and not item.stderr_tail:
            return True
    return False

# Worst first: the outcome a technique shows when its checks disagree.
_PRECEDENCE = (Outcome.ERROR, Outcome.FAIL, Outcome.NOT_EVALUATED, Outcome.PASS, Outcome.NOT_APPLICABLE)


def check_weight(result: CheckResult) -> float:
    """The weight a check result carries in its technique (0 for preview checks)."""
    return 0.0 if result.spec.lifecycle is Lifecycle.PREVIEW else result.spec.weight


def effective_severity(finding: Finding) -> Severity:
    """A finding's severity as the score weighs it: one step lower when the tool's confidence is low."""
    return _ONE_LOWER[finding.severity] if finding.confidence is Confidence.LOW else finding.severity


def caps(finding: Finding) -> bool:
    """Whether a finding can cap its check's score: open (not suppressed) and not in the tests."""
    return not finding.suppressed and finding.context not in ("test", "tooling")


def finding_cap(findings: Sequence[Finding]) -> tuple[float, Finding] | None:
    """The cap the worst open finding puts on its check's score, and that finding (None: no cap)."""
    worst: tuple[float, Finding] | None = None
    for finding in findings:
        if not caps(finding):
            continue
        cap = SEVERITY_CAP.get(effective_severity(finding))
        if cap is not None and (worst is None or cap < worst[0]):
            worst = (cap, finding)
    return worst


def capped_score(result: CheckResult) -> float:
    """The score a check result counts for in its technique (0 when it has none)."""
    score = 0.0 if result.score is None else max(0.0, min(10.0, float(result.score)))
    cap = finding_cap(result.findings)
    return score if cap is None else min(score, cap[0])


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
    score = sum(check_weight(result) * capped_score(result) for result in applicable) / total
    worst = next((result for result in applicable if result.outcome is outcome), applicable[0])
    reason = worst.message
    capped = [(result, finding_cap(result.findings)) for result in applicable]
    notes = [
        f"{result.spec.id} capped at {cap[0]:g} by an open {effective_severity(cap[1]).value} finding ({cap[1].rule_id})"
        for result, cap in capped
        if cap is not None and result.score is not None and result.score > cap[0]
    ]
    if notes:
        reason = f"{reason} [{'; '.join(notes)}]"
    return TechniqueScore(technique.id, technique.title, outcome, round(score, 4), technique.weight, 0.0, ids, reason)


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


@dataclass(frozen=True)
class Improvement:
    """One change that would raise the trust score, and by how many points."""

    check: str
    technique: str
    change: str
    gain: float

    def describe(self) -> str:
        """One line: ``T07 structural-coverage.coverage: from fail (3.2) to pass: +6.1``."""
        return f"{self.technique} {self.check}: {self.change}: +{self.gain:.1f}"


def _catalog_of(breakdown: ScoreBreakdown) -> Catalog:
    """The technique weights a breakdown was computed with (enough to re-score its results)."""
    techniques = tuple(Technique(item.technique, item.technique, item.title, "", item.weight) for item in breakdown.techniques)
    return Catalog("breakdown", "", "", "", techniques)


def _exact_trust(catalog: Catalog, results: Sequence[CheckResult]) -> float:
    breakdown = score_report(catalog, results)
    return sum(item.contribution for item in breakdown.techniques)


def _figure(result: CheckResult) -> str:
    return f"{result.outcome.value} ({capped_score(result):.1f})"


def fix_first(catalog: Catalog, results: Sequence[CheckResult], limit: int = 10) -> tuple[Improvement, ...]:
    """The changes that would raise the trust score most, best first, computed by re-scoring.

    For each weighted check that is not already a full pass, two hypothetical outcomes are scored:
    its open critical and high findings fixed (the cap they put on the check lifted; a lower bound, since
    the check's own formula would also give the points back), and the check brought to a full pass. The
    gain is the difference in trust score with every other result unchanged. Pure: no I/O.
    """
    base = _exact_trust(catalog, results)
    found: list[Improvement] = []
    for index, result in enumerate(results):
        if check_weight(result) <= 0 or result.outcome is Outcome.NOT_APPLICABLE:
            continue
        options: list[tuple[str, CheckResult]] = []
        cap = finding_cap(result.findings)
        if cap is not None and result.score is not None and result.score > cap[0]:
            blocking = [f for f in result.findings if caps(f) and effective_severity(f) in SEVERITY_CAP]
            kept = tuple(f for f in result.findings if f not in blocking)
            severities = sorted({effective_severity(f).value for f in blocking})
            options.append((f"fix its {len(blocking)} open {'/'.join(severities)} finding(s)", replace(result, findings=kept)))
        if result.outcome is not Outcome.PASS or capped_score(result) < 10.0:
            options.append((f"from {_figure(result)} to pass", replace(result, outcome=Outcome.PASS, score=10.0, findings=())))
        for change, hypothetical in options:
            trial = list(results)
            trial[index] = hypothetical
            gain = round(_exact_trust(catalog, trial) - base, 2)
            if gain > 0:
                found.append(Improvement(result.spec.id, result.spec.technique, change, gain))
    found.sort(key=lambda item: (-item.gain, item.technique, item.check, item.change))
    return tuple(found[:limit])


def fix_first_for(breakdown: ScoreBreakdown, results: Sequence[CheckResult], limit: int = 10) -> tuple[Improvement, ...]:
    """``fix_first`` from a report's own breakdown and results (the weights it was scored with)."""
    return fix_first(_catalog_of(breakdown), results, limit)
