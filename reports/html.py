"""HTML: one self-contained file for auditors and stakeholders (no network at view time).

The page carries its own CSS and script (a Content-Security-Policy forbids any fetch), an inline
SVG chart of technique scores, per-technique sections with each check's outcome, evidence and
findings, a filterable findings table, what was not evaluated and why, and print styles.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2

from baseline.model import Outcome, Report
from baseline.reports.redact import redact
from baseline.scoring import fix_first_for

_COLOURS = {
    Outcome.PASS: "#2e7d32",
    Outcome.FAIL: "#c62828",
    Outcome.ERROR: "#6a1b9a",
    Outcome.NOT_EVALUATED: "#757575",
    Outcome.NOT_APPLICABLE: "#90a4ae",
}


def _template() -> jinja2.Template:
    text = resources.files("baseline.reports").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["redact"] = redact
    return env.from_string(text)


def score_colour(score: float | None) -> str:
    """A bar's colour from its score (0-10), not its outcome: red below 4, amber below 7, green above."""
    if score is None:
        return "#90a4ae"
    if score < 4:
        return "#c62828"
    if score < 7:
        return "#ef6c00"
    return "#2e7d32"


def figures(metrics: Any, limit: int = 24) -> list[tuple[str, str]]:
    """The scalar figures a check measured (numbers, booleans, short strings), shown whatever its
    outcome: a check that errored still shows, e.g., the coverage it found."""
    if not isinstance(metrics, dict):
        return []
    rows: list[tuple[str, str]] = []
    for key, value in metrics.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)):
            rows.append((str(key), f"{value:g}" if isinstance(value, float) else str(value)))
        elif isinstance(value, str) and len(value) <= 120:
            rows.append((str(key), value))
        if len(rows) >= limit:
            break
    return rows


def _chart(report: Report) -> dict[str, Any]:
    rows = []
    for index, item in enumerate(report.breakdown.techniques):
        score = item.score or 0.0
        rows.append(
            {
                "y": 8 + index * 26,
                "label": f"{item.technique} {item.title}",
                "width": round(score * 30, 1),
                "score": "n/a" if item.score is None else f"{score:.1f}",
                "colour": score_colour(item.score),
                "outcome": item.outcome.value,
            }
        )
    return {"rows": rows, "height": 16 + 26 * len(rows)}


def build_context(report: Report) -> dict[str, Any]:
    """The data the template renders."""
    by_technique: dict[str, list[Any]] = {}
    for result in report.results:
        by_technique.setdefault(result.spec.technique, []).append(result)
    findings = [
        (result, finding)
        for result in report.results
        for finding in result.findings
    ]
    findings.sort(key=lambda pair: (-pair[1].severity.rank, pair[1].location.path if pair[1].location else "", pair[1].rule_id))
    return {
        "report": report,
        "chart": _chart(report),
        "by_technique": by_technique,
        "findings": findings,
        "fix_first": fix_first_for(report.breakdown, report.results),
        "figures": {result.spec.id: figures(result.metrics) for result in report.results},
        "colours": {outcome.value: colour for outcome, colour in _COLOURS.items()},
        "not_evaluated": [r for r in report.results if r.outcome in (Outcome.NOT_EVALUATED, Outcome.ERROR)],
        "missing_techniques": [t for t in report.breakdown.techniques if t.outcome in (Outcome.NOT_EVALUATED, Outcome.ERROR) and not t.checks],
    }


def format_report(report: Report) -> str:
    """Render the self-contained HTML report."""
    return _template().render(**build_context(report))
