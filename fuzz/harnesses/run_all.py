"""Run every self-fuzzing harness of this folder for a short budget; exit 1 on any crash.

Usage (from the repository root, with the toolkit installed)::

    python fuzz/harnesses/run_all.py --time 8 [--jobs 2] [--only config,vex] [--artifacts DIR]

Each harness runs through the toolkit's own atheris runner (``baseline.fuzz.runner``): its own
sandboxed process, ``-max_total_time``, a per-input timeout, a memory limit, and a fresh corpus
folder seeded from ``corpus/<name>/``. One line per harness gives its status, executions and
exec/s; a crash prints the harness's output and where the crashing input was written. Replay
one with ``python fuzz/harnesses/fuzz_<name>.py <input>``.

Exit codes: 0 every harness fuzzed without a crash; 1 a crash, hang or out-of-memory was found;
2 bad arguments, or a harness never reached the fuzz loop (it could not be checked).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baseline.fuzz.runner import HarnessRun

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def harnesses(only: str | None) -> list[Path]:
    """The harness files, optionally limited to some names (``config`` or ``fuzz_config``)."""
    found = sorted(HERE.glob("fuzz_*.py"))
    if not only:
        return found
    wanted = {name.strip().removeprefix("fuzz_").removesuffix(".py") for name in only.split(",") if name.strip()}
    unknown = wanted - {path.stem.removeprefix("fuzz_") for path in found}
    if unknown:
        raise SystemExit(f"run_all: no harness named {', '.join(sorted(unknown))}; have {', '.join(p.stem for p in found)}")
    return [path for path in found if path.stem.removeprefix("fuzz_") in wanted]


def run_all(
    selected: list[Path], *, budget_s: int, jobs: int, work: Path, artifacts: Path, python: str, input_timeout: int = 10, rss_limit_mb: int = 2048
) -> list[HarnessRun]:
    """Fuzz each harness for ``budget_s`` seconds through the toolkit's runner, ``jobs`` at a time."""
    from baseline.fuzz.runner import run_harness

    def one(path: Path) -> HarnessRun:
        return run_harness(
            python=python, root=ROOT, harness=path, generated=False, budget_s=budget_s,
            corpus=work / "corpus" / path.stem, artifacts=artifacts / path.stem, input_timeout=input_timeout,
            rss_limit_mb=rss_limit_mb, grace_s=60.0, allow_env=[],
        )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, selected))


def summary_line(run: HarnessRun) -> str:
    """One line per harness: status, executions, rate, coverage."""
    stats = run.stats
    detail = f" ({run.kind})" if run.kind else ""
    return (
        f"{Path(run.harness).stem:24} {run.status + detail:18} {stats.execs:>8} execs {stats.exec_per_s:>8.0f} exec/s "
        f"cov {stats.cov:>5} ft {stats.ft:>6} corpus {stats.corpus_units:>4} {run.fuzzed_s:>4.0f} s"
        + (f"  {run.note}" if run.note else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz the toolkit's own input readers for a short budget.")
    parser.add_argument("--time", type=int, default=8, help="seconds of fuzzing per harness (default: 8)")
    parser.add_argument("--jobs", type=int, default=1, help="harnesses run at the same time (default: 1)")
    parser.add_argument("--only", help="comma-separated harness names (default: all)")
    parser.add_argument("--artifacts", help="folder for crash inputs (default: a temporary folder, kept on a crash)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with the toolkit and atheris installed")
    parser.add_argument("--input-timeout", type=int, default=10, help="seconds one input may take before it counts as a hang")
    parser.add_argument("--rss-limit-mb", type=int, default=2048, help="memory limit of each fuzzing process")
    args = parser.parse_args(argv)
    if args.time < 1 or args.jobs < 1:
        parser.error("--time and --jobs must be at least 1")
    try:
        import baseline.fuzz.runner  # noqa: F401
    except ImportError as exc:
        print(f"run_all: the toolkit is not importable ({exc}); install it first (pip install -e '.[fuzz]')", file=sys.stderr)
        return 2
    selected = harnesses(args.only)
    work = Path(tempfile.mkdtemp(prefix="baseline-selffuzz-run-"))
    artifacts = Path(args.artifacts).resolve() if args.artifacts else work / "artifacts"
    started = time.monotonic()
    runs = run_all(
        selected, budget_s=args.time, jobs=args.jobs, work=work, artifacts=artifacts, python=args.python,
        input_timeout=args.input_timeout, rss_limit_mb=args.rss_limit_mb,
    )
    crashed = [run for run in runs if run.status in ("crash", "killed")]
    unstarted = [run for run in runs if run.status in ("no-start", "start-error")]
    for run in runs:
        print(summary_line(run))
    total = sum(run.stats.execs for run in runs)
    print(f"{len(runs)} harnesses, {total} executions in {time.monotonic() - started:.0f} s wall")
    for run in crashed + unstarted:
        print(f"\n===== {run.harness}: {run.status}{' ' + run.kind if run.kind else ''} =====")
        print((run.stdout.strip() + "\n" + "\n".join(run.stderr.strip().splitlines()[-25:])).strip())
        if run.artifact:
            print(f"crashing input: {run.artifact}\nreplay: {args.python} {run.harness} {run.artifact}")
    if crashed:
        return 1
    if unstarted:
        return 2
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
