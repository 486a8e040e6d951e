"""Run every benchmark against its peer tools in one go and print one table of ratios.

    python -m bench [--quick] [--only NAME[,NAME]] [--repeats N] [--json FILE] [--osv-db PATH]

Each benchmark runs ours and the peer in the same run, alternating which goes first, ``--repeats``
times, and reports the medians. A row whose tool or data is missing says "skipped: <reason>".
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from bench.common import REPO, Options, Row, table

# name -> (module, what it covers); in the order they run.
BENCHMARKS = {
    "reports": ("bench.bench_reports", "accepted-findings baseline vs bandit -b / detect-secrets; formatting time"),
    "secrets": ("bench.bench_secrets", "secrets corpus P/R/F1 and throughput vs detect-secrets and grep"),
    "components": ("bench.bench_components", "SBOM + OSV matching vs pip-audit; OSV index load cold/warm"),
    "static": ("bench.bench_static", "T03 vs bandit and semgrep: corpus TPR/FPR, cold scan, rescans"),
    "fuzz": ("bench.bench_fuzz", "time to crash and exec/s vs atheris run directly"),
    "fidelity": ("bench.bench_fidelity", "real libraries from PyPI sdists: T02/T07 vs their documented command by hand; provisioning cold vs cached"),
    "scan": ("bench.bench_scan", "T02+T07 vs pytest+coverage by hand; whole scan and no-change rescan"),
    "testing": ("bench.bench_testing", "T05/T06/T08 added cost on a real test suite"),
    "web": ("bench.bench_web", "T10 pipeline vs bare wapiti"),
    "git": ("bench.bench_git", "history reading with dulwich (no git process, no git config) vs the git binary"),
    "confinement": ("bench.bench_confinement", "the same scans with bubblewrap vs --unconfined"),
}


def _names(values: list[str]) -> list[str]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0],
        epilog="benchmarks: " + "; ".join(f"{name}: {about}" for name, (_, about) in BENCHMARKS.items()),
    )
    parser.add_argument("--quick", action="store_true", help="small inputs and one repeat (a few minutes in all)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these benchmarks (repeatable or comma-separated)")
    parser.add_argument("--repeats", type=int, help="runs of each side (default: 1 with --quick, else 3); the table shows medians")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the raw results (every sample) to this JSON file")
    parser.add_argument("--osv-db", type=Path, metavar="PATH", help="local OSV database for the components rows (default: a generated one)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--show", action="append", default=[], type=Path, metavar="FILE",
                        help="print the table of results saved with --json instead of running anything (repeatable: "
                             "a later file's benchmarks replace an earlier file's)")
    args = parser.parse_args(argv)
    args.only = _names(args.only)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def run(names: list[str], options: Options, progress: bool = True) -> tuple[list[Row], dict[str, float]]:
    """Run the named benchmarks; a benchmark that fails becomes one row saying so."""
    rows: list[Row] = []
    durations: dict[str, float] = {}
    for name in names:
        module_name, _ = BENCHMARKS[name]
        if progress:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            rows.extend(module.measure(options))
        except ModuleNotFoundError as exc:
            rows.append(Row(name, skipped=f"{exc.name} is not installed (pip install -e '.[dev]')"))
        except Exception as exc:  # one broken benchmark must not hide the others
            rows.append(Row(name, skipped=f"error: {type(exc).__name__}: {str(exc)[:200]}"))
            if progress:
                traceback.print_exc()
        durations[name] = time.perf_counter() - started
        if progress:
            print(f"[bench] {name} done in {durations[name]:.0f} s", file=sys.stderr, flush=True)
    return rows, durations


def _row(data: dict) -> Row:
    fields = {key: value for key, value in data.items() if key in Row.__dataclass_fields__}
    return Row(**fields)


def show(files: list[Path]) -> int:
    """Print the table of saved results; a benchmark found in a later file replaces the earlier one's rows."""
    by_benchmark: dict[str, list[Row]] = {}
    for path in files:
        try:
            saved = json.loads(path.read_text())
            rows = [_row(item) for item in saved["rows"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"cannot read {path}: {exc}", file=sys.stderr)
            return 2
        print(f"{path.name}: {saved.get('mode')}, {saved.get('repeats')} repeat(s), {saved.get('seconds', 0):.0f} s")
        fresh: dict[str, list[Row]] = {}
        for row in rows:
            fresh.setdefault(row.benchmark.split(":")[0], []).append(row)
        by_benchmark.update(fresh)
    order = {name: index for index, name in enumerate(BENCHMARKS)}
    ordered = sorted(by_benchmark.items(), key=lambda item: order.get(item[0], len(order)))
    print(table([row for _, rows in ordered for row in rows]))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for name, (_, about) in BENCHMARKS.items():
            print(f"{name:<12}{about}")
        return 0
    if args.show:
        return show(args.show)
    os.chdir(REPO)
    repeats = args.repeats or (1 if args.quick else 3)
    options = Options(quick=args.quick, repeats=repeats, osv_db=args.osv_db)
    names = args.only or list(BENCHMARKS)
    started = time.perf_counter()
    rows, durations = run(names, options)
    total = time.perf_counter() - started
    mode = "quick" if args.quick else "full"
    print(f"baseline benchmarks ({mode}, {repeats} repeat(s), medians; {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{total:.0f} s in all)")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({
            "mode": mode, "repeats": repeats, "cpus": os.cpu_count(), "python": platform.python_version(),
            "seconds": total, "benchmark_seconds": durations, "rows": [row.as_dict() for row in rows],
        }, indent=2) + "\n")
    return 1 if any(row.skipped and row.skipped.startswith("error:") for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
