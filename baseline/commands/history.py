"""``baseline history [PATH]``: the trend of recorded scans."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from baseline import exitcodes, state
from baseline.history import load_history

_BARS = "▁▂▃▄▅▆▇█"


def install(subparsers: Any) -> None:
    """Add the ``history`` sub-command."""
    parser = subparsers.add_parser("history", help="show the trust-score trend of recorded scans")
    parser.add_argument("path", nargs="?", default=".", help="the project (default: the current folder)")
    parser.add_argument("--db", help="history database; default: the project's history.db in the user's data folder (as scan writes it)")
    parser.add_argument("--limit", type=int, default=20, help="number of scans shown (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per scan, oldest first, with a sparkline of the score."""
    db = state.history_db(Path(args.path), args.db)
    entries = load_history(db, max(1, args.limit))
    if args.json:
        print(json.dumps([asdict(entry) for entry in entries], indent=2, sort_keys=True))
        return exitcodes.OK
    if not entries:
        print(f"no scans recorded in {db}")
        return exitcodes.OK
    previous: float | None = None
    for entry in entries:
        change = "" if previous is None else f" ({entry.trust_score - previous:+.2f})"
        commit = (entry.commit or "-")[:10]
        gate = "pass" if entry.gate_passed else "FAIL"
        print(f"#{entry.run_id:<4} {entry.started}  {commit:<10}  score {entry.trust_score:6.2f}{change:<10} gate {gate}  "
              f"open {entry.open_findings}  suppressed {entry.suppressed_findings}")
        previous = entry.trust_score
    print("trend: " + "".join(_BARS[min(7, int(entry.trust_score / 12.5))] for entry in entries))
    return exitcodes.OK
