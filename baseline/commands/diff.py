"""``baseline diff OLD.json NEW.json``: new, fixed and unchanged findings and the score change."""

from __future__ import annotations

import argparse
import json
from typing import Any

from baseline import exitcodes
from baseline.diffing import diff_reports
from baseline.model import Finding
from baseline.reports.load import load_report
from baseline.reports.redact import redact


def install(subparsers: Any) -> None:
    """Add the ``diff`` sub-command."""
    parser = subparsers.add_parser("diff", help="compare two JSON reports: new, fixed, unchanged findings, score change")
    parser.add_argument("old", help="the earlier JSON report")
    parser.add_argument("new", help="the later JSON report")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--fail-on-new", action="store_true", help="exit 1 when there is any new unsuppressed finding")
    parser.set_defaults(handler=run)


def _line(finding: Finding) -> str:
    where = finding.location.path if finding.location else "-"
    if finding.location and finding.location.start_line:
        where += f":{finding.location.start_line}"
    mark = " (suppressed)" if finding.suppressed else ""
    return redact(f"[{finding.severity.value}] {finding.rule_id} {where}: {finding.message}{mark}")


def _entry(finding: Finding) -> dict[str, Any]:
    return {"fingerprint": finding.fingerprint, "rule_id": finding.rule_id, "severity": finding.severity.value,
            "path": finding.location.path if finding.location else None, "message": redact(finding.message), "suppressed": finding.suppressed}


def run(args: argparse.Namespace) -> int:
    """Print the difference."""
    result = diff_reports(load_report(args.old), load_report(args.new))
    if args.json:
        print(json.dumps({
            "old_score": result.old_score, "new_score": result.new_score, "score_change": result.score_change,
            "new": [_entry(f) for f in result.new], "fixed": [_entry(f) for f in result.fixed],
            "unchanged": [_entry(f) for f in result.unchanged],
            "outcome_changes": [{"check": c, "old": o, "new": n} for c, o, n in result.outcome_changes],
        }, indent=2, sort_keys=True))
    else:
        print(f"score: {result.old_score:.2f} -> {result.new_score:.2f} ({result.score_change:+.2f})")
        for check, old, new in result.outcome_changes:
            print(f"check {check}: {old} -> {new}")
        for title, items in (("new", result.new), ("fixed", result.fixed)):
            print(f"{title} findings: {len(items)}")
            for finding in items:
                print(f"  + {_line(finding)}" if title == "new" else f"  - {_line(finding)}")
        print(f"unchanged findings: {len(result.unchanged)}")
    blocking = [f for f in result.new if not f.suppressed]
    return exitcodes.GATE_FAILED if args.fail_on_new and blocking else exitcodes.OK
