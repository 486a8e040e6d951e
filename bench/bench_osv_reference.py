"""The OSV matcher against the two independent references of tests/unit/test_osv_reference.py.

1. The OSV schema's sorted walk of the events (written in the test). Explained differences: the
   record's intervals overlap and its own list of affected versions does not contradict ours.
2. univers (a dev/bench dependency, never a runtime one): its vers-range containment on intervals
   read from the raw record. Explained differences: a bound that is not a PEP 440 version.

Prints the records read, the version checks made at every boundary a record names (and just
around it), and the differences; exits 1 on any unexplained one.

    python bench/bench_osv_reference.py [FOLDER]   # default: the shared advisory snapshot
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.test_osv_reference import SNAPSHOT, SUBSET, compare, compare_univers  # noqa: E402


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else (SNAPSHOT if SNAPSHOT.is_dir() else SUBSET)
    started = time.perf_counter()
    records, checks, explained, unexplained = compare(folder)
    print(f"{folder}: {records} records, {checks} version checks in {time.perf_counter() - started:.1f} s")
    print(f"differences: {len(explained)} explained (overlapping intervals), {len(unexplained)} unexplained")
    for line in (explained + unexplained)[:20]:
        print("  " + line)
    started = time.perf_counter()
    outcome = compare_univers(folder)
    if outcome is None:
        print("univers: not installed (pip install univers), comparison skipped")
        return 1 if unexplained else 0
    u_records, u_checks, u_explained, u_unexplained = outcome
    print(f"univers: {u_records} records, {u_checks} version checks in {time.perf_counter() - started:.1f} s")
    print(f"differences: {len(u_explained)} explained (bound not PEP 440), {len(u_unexplained)} unexplained")
    for line in (u_explained + u_unexplained)[:20]:
        print("  " + line)
    return 1 if unexplained or u_unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
