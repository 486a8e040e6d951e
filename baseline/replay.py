"""Recompute a check's figures from the artifacts in a bundle and compare them with its metrics.

Each replayer recognises one kind of artifact by content and returns a mismatch description, or
'' when the artifact agrees with the metrics (or says nothing about them). Replayers read untrusted
bundle bytes: they parse, never execute, and treat unparsable input as a mismatch.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

from baseline import safexml

Replayer = Callable[[bytes, Mapping[str, Any]], str]


def junit_counts(data: bytes) -> dict[str, int]:
    """passed/failed/errors/skipped counted from the test cases of a JUnit XML document."""
    root = safexml.fromstring(data)
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for case in root.iter("testcase"):
        if case.find("failure") is not None:
            counts["failed"] += 1
        elif case.find("error") is not None:
            counts["errors"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def replay_junit(data: bytes, metrics: Mapping[str, Any]) -> str:
    """Test counts in the metrics must equal those in the JUnit artifact."""
    if "passed" not in metrics or not data.lstrip().startswith(b"<"):
        return ""
    try:
        counts = junit_counts(data)
    except (safexml.ParseError, ValueError) as exc:
        return f"the JUnit evidence is not valid XML: {exc}"
    for key in ("passed", "failed", "errors"):
        if key in metrics and int(metrics[key]) != counts[key]:
            return f"the JUnit evidence shows {counts[key]} {key} tests, the result claims {metrics[key]}"
    return ""


def replay_coverage(data: bytes, metrics: Mapping[str, Any]) -> str:
    """Statement coverage in the metrics must equal the coverage.py JSON totals."""
    if "percent_statements" not in metrics or not data.lstrip().startswith(b"{"):
        return ""
    try:
        totals = json.loads(data)["totals"]
    except (ValueError, KeyError, TypeError) as exc:
        return f"the coverage evidence is not a coverage.py JSON report: {exc}"
    if not isinstance(totals, dict) or "num_statements" not in totals:
        return ""
    statements = int(totals["num_statements"])
    measured = float(totals.get("percent_statements_covered", 100.0 * int(totals.get("covered_lines", 0)) / statements if statements else 100.0))
    if abs(measured - float(metrics["percent_statements"])) > 0.05:
        return f"the coverage evidence shows {measured:.2f}% statements, the result claims {float(metrics['percent_statements']):.2f}%"
    return ""


# Which technique's metrics each replayer can recompute: other checks share the same artifacts
# (e.g. black-box tests count a subset of the JUnit cases) and must not be compared with totals.
REPLAYERS: dict[str, tuple[Replayer, ...]] = {"T02": (replay_junit,), "T07": (replay_coverage,)}


def replay(data: bytes, metrics: Mapping[str, Any], technique: str) -> str:
    """The first mismatch a replayer of ``technique`` finds ('' when all agree)."""
    for replayer in REPLAYERS.get(technique, ()):
        problem = replayer(data, metrics)
        if problem:
            return problem
    return ""
