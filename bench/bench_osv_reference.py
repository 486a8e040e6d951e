"""The OSV matcher against the independent reference of tests/unit/test_osv_reference.py.

Prints the records read, the version checks made at every boundary a record names, and the
differences (explained: the record's intervals overlap; unexplained: anything else).

    python bench/bench_osv_reference.py [FOLDER]   # default: the shared advisory snapshot
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.test_osv_reference import SNAPSHOT, SUBSET, compare  # noqa: E402


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else (SNAPSHOT if SNAPSHOT.is_dir() else SUBSET)
    started = time.perf_counter()
    records, checks, explained, unexplained = compare(folder)
    print(f"{folder}: {records} records, {checks} version checks in {time.perf_counter() - started:.1f} s")
    print(f"differences: {len(explained)} explained (overlapping intervals), {len(unexplained)} unexplained")
    for line in (explained + unexplained)[:20]:
        print("  " + line)
    return 1 if unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
