"""Markdown summary fit for a pull-request comment: score, gate, new findings first."""

from __future__ import annotations

from baseline.model import CheckResult, Finding, Outcome, Report
from baseline.reports.redact import redact
from baseline.reports.text import printable
from baseline.scoring import fix_first_for

_ICON = {Outcome.PASS: "✅", Outcome.FAIL: "❌", Outcome.ERROR: "💥", Outcome.NOT_EVALUATED: "⚪", Outcome.NOT_APPLICABLE: "➖"}
MAX_FINDINGS = 50


def _cell(text: str) -> str:
    """Target text inside a table cell or list item: redacted, literal (no HTML, no code-span break) and printable."""
    return printable(redact(text)).replace("|", "\\|").replace("<", "&lt;").replace("`", "'").strip()


def _where(finding: Finding) -> str:
    if finding.location is None:
        return "-"
    line = f":{finding.location.start_line}" if finding.location.start_line else ""
    return f"`{_cell(finding.location.path)}{line}`"


def _rows(items: list[tuple[CheckResult, Finding]]) -> list[str]:
    lines = ["| severity | rule | where | message | check |", "|---|---|---|---|---|"]
    for result, finding in items[:MAX_FINDINGS]:
        lines.append(
            f"| {finding.severity.value} | `{_cell(finding.rule_id)}` | {_where(finding)} | {_cell(finding.message)} | {result.spec.id} |"
        )
    if len(items) > MAX_FINDINGS:
        lines.append(f"\n…and {len(items) - MAX_FINDINGS} more (see the SARIF or HTML report).")
    return lines


def format_report(report: Report) -> str:
    """Render the Markdown summary."""
    gate = report.gate
    verdict = ("passed" if gate.passed else "**failed**") if gate.enabled else ("would pass" if gate.passed else "would fail")
    lines = [
        f"## baseline: {_cell(report.target.name)} scored {report.breakdown.trust_score:.1f}/100",
        "",
        f"Gate {verdict}" + (" (incomplete)" if gate.incomplete else "") + f" · catalog {report.catalog_id} {report.catalog_version}"
        + (f" · commit `{report.target.commit[:12]}`" if report.target.commit else ""),
    ]
    if report.unconfined:
        lines += ["", "**UNCONFINED SCAN: the project's code ran without filesystem confinement (--unconfined)**"]
    for reason in gate.reasons:
        lines.append(f"- {_cell(reason)}")
    pairs = [(result, finding) for result in report.results for finding in result.findings]
    pairs.sort(key=lambda pair: (-pair[1].severity.rank, pair[1].location.path if pair[1].location else "", pair[1].rule_id))
    fresh = [pair for pair in pairs if not pair[1].suppressed]
    kept = [pair for pair in pairs if pair[1].suppressed]
    lines += ["", f"### New findings ({len(fresh)})", ""]
    lines += _rows(fresh) if fresh else ["None."]
    improvements = fix_first_for(report.breakdown, report.results, limit=5)
    if improvements:
        lines += ["", "### Fix first", "", "| change | gain |", "|---|---|"]
        lines += [f"| {item.technique} `{item.check}`: {_cell(item.change)} | +{item.gain:.1f} |" for item in improvements]
    lines += ["", "### Techniques", "", "| technique | outcome | score | contribution | reason |", "|---|---|---|---|---|"]
    for item in report.breakdown.techniques:
        score = "n/a" if item.score is None else f"{item.score:.1f}/10"
        lines.append(f"| {item.technique} {_cell(item.title)} | {_ICON[item.outcome]} {item.outcome.value} | {score} | {item.contribution:.1f} | {_cell(item.reason)} |")
    missing = [r for r in report.results if r.outcome in (Outcome.NOT_EVALUATED, Outcome.ERROR)]
    if missing:
        lines += ["", "### Not evaluated or errored", ""]
        lines += [f"- `{r.spec.id}` ({r.outcome.value}): {_cell(r.message)}" for r in missing]
    if kept:
        lines += ["", f"<details><summary>Accepted or suppressed findings ({len(kept)})</summary>", ""]
        for result, finding in kept:
            sup = finding.suppression
            if sup is None:
                continue
            owner = f", owner {sup.owner}" if sup.owner else ""
            expires = f", expires {sup.expires}" if sup.expires else ""
            lines.append(f"- `{_cell(finding.rule_id)}` {_where(finding)}: {sup.kind}: {_cell(sup.reason)}{owner}{expires}")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
