"""Fuzzing benchmark: time to find planted bugs, runner overhead, and an old real library.

    python bench/bench_fuzz.py [--runs 5] [--library DIR]    (or ``python -m bench --only fuzz``)

1. Time to find each planted bug of tests/fixtures/fuzz_parsers through its generated harness
   (median of --runs seeds; wall time of the harness process, import included).
2. exec/s of the same harness run by the toolkit's runner (corpus, limits, artifact folder,
   scrubbed environment) vs run directly with atheris, interleaved in the same run.
3. With --library DIR (a folder holding an old release, e.g. ``pip install --no-deps --target DIR
   python-dateutil==2.7.0``): generated harnesses for its parsers; first crash found, and when.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baseline import sandbox  # noqa: E402
from baseline.fuzz.generate import write_harnesses  # noqa: E402
from baseline.fuzz.runner import harness_env, parse_stats, run_harness  # noqa: E402
from baseline.fuzz.surface import find_surface  # noqa: E402
from baseline.fuzz.triage import describe_crash  # noqa: E402
from bench.common import Options, Row, alternate, median  # noqa: E402

PYTHON = sys.executable


def _generated(root: Path) -> dict[str, Path]:
    entries = list(find_surface(root).entry_points)
    return {item.entry.id: item.path for item in write_harnesses(root, root / ".baseline" / "fuzz" / "generated", entries)}


def _fuzz(root: Path, harness: Path, budget: int, seed: int, tag: str) -> tuple[float, str | None]:
    work = root / ".baseline" / "bench" / f"{tag}-{seed}"
    shutil.rmtree(work, ignore_errors=True)
    run = run_harness(
        python=PYTHON, root=root, harness=harness, generated=True, budget_s=budget, corpus=work / "corpus",
        artifacts=work / "artifacts", input_timeout=5, rss_limit_mb=2048, grace_s=20, allow_env=[], seed=seed,
    )
    if run.status != "crash":
        return run.duration_s, None
    info = describe_crash(run.kind or "exception", run.stdout, run.stderr, root, harness)
    return run.duration_s, info.exception


def planted(runs: int) -> None:
    """Median time to find each planted bug."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fuzz_parsers"
        shutil.copytree(ROOT / "tests" / "fixtures" / "fuzz_parsers", root)
        harnesses = _generated(root)
        for label, entry in (("magic value 4 bytes deep", "fuzzparsers.magic:decode_header"), ("off-by-one length field", "fuzzparsers.records:parse_record")):
            times, found = [], 0
            for seed in range(1, runs + 1):
                seconds, exception = _fuzz(root, harnesses[entry], 30, seed, entry.replace(":", "_"))
                if exception:
                    found += 1
                    times.append(seconds)
            median = f"{statistics.median(times):.2f} s" if times else "not found"
            spread = f" (min {min(times):.2f}, max {max(times):.2f})" if times else ""
            print(f"planted bug, {label}: found {found}/{runs}, median time to crash {median}{spread}, 30 s budget")


def overhead(seconds: int, pairs: int) -> None:
    """exec/s of the toolkit's runner vs a direct atheris run of the same harness."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fuzz_parsers"
        shutil.copytree(ROOT / "tests" / "fixtures" / "fuzz_parsers", root)
        harness = _generated(root)["fuzzparsers.text:parse_pairs"]
        ours, direct = [], []

        def toolkit(pair: int) -> None:
            work = root / ".baseline" / "bench" / f"ours-{pair}"
            run = run_harness(
                python=PYTHON, root=root, harness=harness, generated=True, budget_s=seconds, corpus=work / "corpus",
                artifacts=work / "artifacts", input_timeout=5, rss_limit_mb=2048, grace_s=20, allow_env=[], seed=pair + 1,
            )
            ours.append(run.stats.exec_per_s)

        def plain(pair: int) -> None:
            process = sandbox.run(
                [PYTHON, str(harness), f"-max_total_time={seconds}", "-print_final_stats=1", f"-seed={pair + 1}"],
                cwd=root, limits=sandbox.Limits(timeout_s=seconds + 30), scrub=False, extra_env=harness_env(root),
            )
            direct.append(parse_stats(process.stderr, process.duration_s).exec_per_s)

        for pair in range(pairs):
            # Alternate which goes first: the machine's load drifts.
            first, second = (toolkit, plain) if pair % 2 == 0 else (plain, toolkit)
            first(pair)
            second(pair)
        print("  per pair (toolkit/direct): " + ", ".join(f"{a:.0f}/{b:.0f}" for a, b in zip(ours, direct)))
        ratio = statistics.median(ours) / statistics.median(direct)
        print(
            f"exec/s over {pairs} interleaved pairs of {seconds} s: toolkit median {statistics.median(ours):.0f}, direct atheris "
            f"median {statistics.median(direct):.0f}; ratio {ratio:.3f} (overhead {100 * (1 - ratio):+.1f}%)"
        )


PLANTED = (("magic value 4 bytes deep", "fuzzparsers.magic:decode_header"), ("off-by-one length field", "fuzzparsers.records:parse_record"))


def _direct(root: Path, harness: Path, budget: int, seed: int, tag: str) -> tuple[float, bool]:
    """The same harness run by hand with atheris: (wall seconds, crashed?)."""
    artifacts = root / ".baseline" / "bench" / f"direct-{tag}-{seed}"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    process = sandbox.run(
        [PYTHON, str(harness), f"-max_total_time={budget}", f"-seed={seed}", f"-artifact_prefix={artifacts}/"],
        cwd=root, limits=sandbox.Limits(timeout_s=budget + 30), scrub=False, extra_env=harness_env(root),
    )
    return process.duration_s, any(artifacts.iterdir())


def measure(options: Options) -> list[Row]:
    """Rows: time to crash per planted bug and exec/s, ours vs atheris run directly, alternated."""
    budget = 20 if options.quick else 30
    seconds = 4 if options.quick else 6
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fuzz_parsers"
        shutil.copytree(ROOT / "tests" / "fixtures" / "fuzz_parsers", root)
        harnesses = _generated(root)
        data = "tests/fixtures/fuzz_parsers, generated harnesses"
        for label, entry in PLANTED:
            tag = entry.replace(":", "_")
            found = {"ours": 0, "direct": 0}

            def ours(index: int) -> float | None:
                elapsed, exception = _fuzz(root, harnesses[entry], budget, index + 1, tag)
                found["ours"] += bool(exception)
                return elapsed if exception else None

            def direct(index: int) -> float | None:
                elapsed, crashed = _direct(root, harnesses[entry], budget, index + 1, tag)
                found["direct"] += crashed
                return elapsed if crashed else None

            samples = alternate(options.repeats, {"ours": ours, "direct": direct})
            rows.append(Row(
                f"fuzz: time to crash, {label}", median(samples["ours"]), median(samples["direct"]), peer_name="atheris directly",
                quality=f"found ours {found['ours']}/{options.repeats}, direct {found['direct']}/{options.repeats} "
                        f"(seeds 1..{options.repeats}, {budget} s budget; wall time of the fuzzing process)",
                data=data, ours_samples=samples["ours"], peer_samples=samples["direct"],
            ))
        harness = harnesses["fuzzparsers.text:parse_pairs"]

        def toolkit(pair: int) -> float:
            work = root / ".baseline" / "bench" / f"ours-{pair}"
            run = run_harness(
                python=PYTHON, root=root, harness=harness, generated=True, budget_s=seconds, corpus=work / "corpus",
                artifacts=work / "artifacts", input_timeout=5, rss_limit_mb=2048, grace_s=20, allow_env=[], seed=pair + 1,
            )
            return run.stats.exec_per_s

        def plain(pair: int) -> float:
            process = sandbox.run(
                [PYTHON, str(harness), f"-max_total_time={seconds}", "-print_final_stats=1", f"-seed={pair + 1}"],
                cwd=root, limits=sandbox.Limits(timeout_s=seconds + 30), scrub=False, extra_env=harness_env(root),
            )
            return parse_stats(process.stderr, process.duration_s).exec_per_s

        rates = alternate(options.repeats, {"ours": toolkit, "direct": plain})
        rows.append(Row(
            "fuzz: executions per second", median(rates["ours"]), median(rates["direct"]), unit="exec/s", better="higher",
            peer_name="atheris directly", quality=f"{options.repeats} alternated run(s) of {seconds} s on parse_pairs",
            data=data, ours_samples=rates["ours"], peer_samples=rates["direct"],
        ))
    return rows


def library(folder: Path, budget: int) -> None:
    """Fuzz an old release through generated harnesses; report the first distinct crash per harness."""
    entries = [entry for entry in find_surface(folder).entry_points if entry.priority == 0][:3]
    written = write_harnesses(folder, folder / ".baseline" / "fuzz" / "generated", entries, overwrite=True)
    for item in written:
        started = time.monotonic()
        seconds, exception = _fuzz(folder, item.path, budget, 1, item.path.stem)
        verdict = f"crash after {seconds:.1f} s: {exception}" if exception else f"no crash in {seconds:.1f} s"
        print(f"library {folder.name}, {item.entry.id}: {verdict} (wall {time.monotonic() - started:.1f} s)")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6, help="seconds per exec/s measurement")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--library", type=Path, help="folder holding an old release of a library to fuzz")
    parser.add_argument("--library-budget", type=int, default=20)
    args = parser.parse_args()
    planted(args.runs)
    overhead(args.seconds, args.pairs)
    if args.library:
        library(args.library.resolve(), args.library_budget)


if __name__ == "__main__":
    main()
