"""Recompute a check's figures from the artifacts in a bundle and compare them with its metrics.

Each replayer recognises one kind of artifact by content and returns a mismatch description, or
'' when the artifact agrees with the metrics (or says nothing about them). Replayers read untrusted
bundle bytes: they parse, never execute, and treat unparsable input as a mismatch.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

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
def unlisted_tool_results(data: bytes, findings: Sequence[Any], root: str) -> str:
    """A bandit or semgrep result in the bundled tool output that no finding of the result covers.

    T03's findings come from those outputs (merged where both tools report one weakness on
    overlapping lines; assert checks in test files are the one thing dropped): a result deleted
    from the report while the tool's own output still holds it is a forgery, whatever score the
    claim recomputed. Paths in the outputs are absolute (the vendor's ``root``) or relative.
    """
    from baseline.target import is_test_path
    from baseline.tools.static_normalise import TEST_IDIOMS

    if not data.lstrip().startswith(b"{"):
        return ""
    try:
        document = json_loads(data.decode("utf-8", "replace"))
    except ValueError:
        return "the static analysis output is not valid JSON"
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        return ""
    covered: dict[str, list[tuple[int, int]]] = {}
    for finding in findings:
        location = getattr(finding, "location", None)
        if location is not None and location.start_line is not None:
            covered.setdefault(location.path, []).append((location.start_line, location.end_line or location.start_line))
    prefix = root.rstrip("/") + "/" if root else ""
    for item in results[:100_000]:
        if not isinstance(item, dict):
            return "the static analysis output holds a result that is not an object"
        if "test_id" in item:  # bandit
            tool, rule, path = "bandit", str(item.get("test_id", "")), str(item.get("filename", ""))
            span = item.get("line_range")
            lines: list[Any] = span if isinstance(span, list) and span else [item.get("line_number")]
            first, last = _number(lines[0]), _number(lines[-1])
        elif "check_id" in item:  # semgrep
            tool, rule, path = "semgrep", str(item.get("check_id", "")), str(item.get("path", ""))
            start, end = item.get("start"), item.get("end")
            first = _number(start.get("line")) if isinstance(start, dict) else None
            last = _number(end.get("line")) if isinstance(end, dict) else first
        else:
            continue
        if first is None or last is None:
            return f"a {tool} result has no line number"
        relative = path[len(prefix):] if prefix and path.startswith(prefix) else path.removeprefix("./")
        if (tool, rule) in TEST_IDIOMS and is_test_path(relative):
            continue
        if not any(start <= last and first <= end for start, end in covered.get(relative, ())):
            return f"{tool} reported {rule} at {relative[:120]}:{int(first)}, which the result does not list"
    return ""


REPLAYERS: dict[str, tuple[Replayer, ...]] = {"T02": (replay_junit,), "T07": (replay_coverage,)}


def replay(data: bytes, metrics: Mapping[str, Any], technique: str) -> str:
    """The first mismatch a replayer of ``technique`` finds ('' when all agree)."""
    for replayer in REPLAYERS.get(technique, ()):
        problem = replayer(data, metrics)
        if problem:
            return problem
    return ""
