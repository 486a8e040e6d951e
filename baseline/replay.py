"""Recompute a check's figures from the artifacts in a bundle and compare them with its metrics.

Each replayer recognises one kind of artifact by content and returns a mismatch description, or
'' when the artifact agrees with the metrics (or says nothing about them). Replayers read untrusted
bundle bytes: they parse, never execute, and treat unparsable input as a mismatch.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from defusedxml import ElementTree as safe_et

from baseline.parsing import json_loads

Replayer = Callable[[bytes, Mapping[str, Any]], str]


def junit_counts(data: bytes) -> dict[str, int]:
    """passed/failed/errors/skipped counted from the test cases of a JUnit XML document."""
    root = safe_et.fromstring(data, forbid_dtd=True)
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


def _number(value: Any) -> float | None:
    """A metric or artifact figure as a finite number, or None when it is not one (tampered)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def replay_junit(data: bytes, metrics: Mapping[str, Any]) -> str:
    """Test counts in the metrics must equal those in the JUnit artifact."""
    if "passed" not in metrics or not data.lstrip().startswith(b"<"):
        return ""
    try:
        counts = junit_counts(data)
    except (safe_et.ParseError, ValueError) as exc:
        return f"the JUnit evidence is not valid XML: {exc}"
    for key in ("passed", "failed", "errors"):
        if key not in metrics:
            continue
        claimed = _number(metrics[key])
        if claimed is None:
            return f"the result's {key} count {str(metrics[key])[:40]!r} is not a number"
        if claimed != counts[key]:
            return f"the JUnit evidence shows {counts[key]} {key} tests, the result claims {metrics[key]}"
    return ""


def replay_coverage(data: bytes, metrics: Mapping[str, Any]) -> str:
    """Statement coverage in the metrics must equal the coverage.py JSON totals."""
    if "percent_statements" not in metrics or not data.lstrip().startswith(b"{"):
        return ""
    try:
        totals = json_loads(data)["totals"]
    except (ValueError, KeyError, TypeError) as exc:
        return f"the coverage evidence is not a coverage.py JSON report: {exc}"
    if not isinstance(totals, dict) or "num_statements" not in totals:
        return ""
    claimed = _number(metrics["percent_statements"])
    if claimed is None:
        return f"the result's statement coverage {str(metrics['percent_statements'])[:40]!r} is not a number"
    statements = _number(totals["num_statements"])
    covered = _number(totals.get("covered_lines", 0))
    measured = _number(totals["percent_statements_covered"]) if "percent_statements_covered" in totals else (
        None if statements is None or covered is None else 100.0 * covered / statements if statements else 100.0
    )
    if measured is None:
        return "the coverage evidence holds totals that are not numbers"
    if abs(measured - claimed) > 0.05:
        return f"the coverage evidence shows {measured:.2f}% statements, the result claims {claimed:.2f}%"
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
