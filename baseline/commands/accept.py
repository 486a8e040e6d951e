"""``baseline accept REPORT``: add findings of a report to ``.baseline/accepted.toml``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from baseline import exitcodes
from baseline.accepted import dump_accepted, entry_for, load_accepted, parse_date
from baseline.errors import UsageError
from baseline.reports.load import load_report


def install(subparsers: Any) -> None:
    """Add the ``accept`` sub-command."""
    parser = subparsers.add_parser("accept", help="accept findings of a JSON report (reason and owner required)")
    parser.add_argument("report", help="a canonical JSON report (baseline scan --format json --output FILE)")
    parser.add_argument("--fingerprint", action="append", default=[], help="accept this finding occurrence (repeatable)")
    parser.add_argument("--rule", help="accept the findings of this rule id")
    parser.add_argument("--path", dest="finding_path", help="accept the findings in this file (relative path)")
    parser.add_argument("--all", action="store_true", help="accept every finding that is not already suppressed")
    parser.add_argument("--reason", required=True, help="why the finding is acceptable (required)")
    parser.add_argument("--owner", required=True, help="who is accountable for it (required)")
    parser.add_argument("--expires", help="date YYYY-MM-DD after which the acceptance stops suppressing")
    parser.add_argument("--file", help="accepted-findings file; default: .baseline/accepted.toml in the scanned project")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Select findings and merge them into the accepted-findings file."""
    if not (args.fingerprint or args.rule or args.finding_path or args.all):
        raise UsageError("say which findings to accept: --fingerprint, --rule, --path or --all")
    if not args.reason.strip() or not args.owner.strip():
        raise UsageError("--reason and --owner must not be empty")
    expires = parse_date(args.expires, "--expires") if args.expires else None
    report = load_report(args.report)
    wanted = set(args.fingerprint)
    chosen = []
    for result in report.results:
        for finding in result.findings:
            if finding.suppressed and finding.suppression and finding.suppression.kind != "accepted":
                continue
            path = finding.location.path if finding.location else ""
            if wanted and finding.fingerprint not in wanted:
                continue
            if args.rule and finding.rule_id != args.rule:
                continue
            if args.finding_path and path != args.finding_path:
                continue
            chosen.append(finding)
    missing = wanted - {finding.fingerprint for finding in chosen}
    if missing:
        raise UsageError(f"no finding with fingerprint {', '.join(sorted(missing))} in {args.report}")
    if not chosen:
        raise UsageError("no finding matches; nothing accepted")
    target = Path(args.file) if args.file else Path(report.target.path) / ".baseline" / "accepted.toml"
    existing = {entry.fingerprint: entry for entry in load_accepted(target)}
    added = 0
    for finding in chosen:
        entry = entry_for(finding, args.reason.strip(), args.owner.strip(), expires)
        if existing.get(entry.fingerprint) != entry:
            added += 1
        existing[entry.fingerprint] = entry
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_accepted(existing.values()), encoding="utf-8")
    print(f"accepted {added} finding(s) in {target} ({len(existing)} entries)")
    return exitcodes.OK
