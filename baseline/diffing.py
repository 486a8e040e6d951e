"""Compare two reports: new, fixed and unchanged findings (by fingerprint) and the score change."""

from __future__ import annotations

from dataclasses import dataclass

from baseline.model import Finding, Report


@dataclass(frozen=True)
class ReportDiff:
    """What changed between two scans."""

    old_score: float
    new_score: float
    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    outcome_changes: tuple[tuple[str, str, str], ...]  # (check id, old outcome, new outcome)

    @property
    def score_change(self) -> float:
        """New score minus old score."""
        return round(self.new_score - self.old_score, 2)


def _findings(report: Report) -> dict[str, Finding]:
    return {finding.fingerprint: finding for result in report.results for finding in result.findings if finding.fingerprint}


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Match findings by fingerprint (line moves do not count as changes)."""
    before, after = _findings(old), _findings(new)
    old_outcomes = {r.spec.id: r.outcome.value for r in old.results}
    new_outcomes = {r.spec.id: r.outcome.value for r in new.results}
    changes = tuple(
        (check, old_outcomes.get(check, "absent"), new_outcomes.get(check, "absent"))
        for check in sorted(set(old_outcomes) | set(new_outcomes))
        if old_outcomes.get(check) != new_outcomes.get(check)
    )
    return ReportDiff(
        old_score=old.breakdown.trust_score,
        new_score=new.breakdown.trust_score,
        new=tuple(after[key] for key in sorted(set(after) - set(before))),
        fixed=tuple(before[key] for key in sorted(set(before) - set(after))),
        unchanged=tuple(after[key] for key in sorted(set(after) & set(before))),
        outcome_changes=changes,
    )
