"""Whole-scan wall time of the fixture projects, against running the same tools by hand.

The "by hand" baseline is what a developer would run without the toolkit:
``coverage run --branch -m pytest`` followed by ``coverage json``. The ratio shows the toolkit's
overhead for the foundation checks (T02 automated testing, T07 structural coverage). Each figure is
the median of several runs, interleaved so that machine noise hits both sides alike.

    python bench/bench_scan.py [--runs 5] [--select T02,T07]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = ("weak_project", "good_project")


def _time(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--select", default="T02,T07", help="checks to run (default: the foundation's)")
    args = parser.parse_args()
    print(f"{'fixture':<16}{'baseline scan (s)':>18}{'by hand (s)':>13}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for name in FIXTURES:
            project = Path(scratch) / name
            shutil.copytree(REPO / "tests" / "fixtures" / name, project)
            scan_times, hand_times = [], []
            for _ in range(args.runs):
                scan_times.append(
                    _time([sys.executable, "-m", "baseline", "scan", str(project), "--quiet", "--select", args.select], REPO)
                )
                hand_times.append(
                    _time([sys.executable, "-m", "coverage", "run", "--branch", "--data-file=.bench-cov", "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
                    + _time([sys.executable, "-m", "coverage", "json", "--data-file=.bench-cov", "-o", ".bench-cov.json"], project)
                )
            scan, hand = statistics.median(scan_times), statistics.median(hand_times)
            print(f"{name:<16}{scan:>18.2f}{hand:>13.2f}{scan / hand:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
