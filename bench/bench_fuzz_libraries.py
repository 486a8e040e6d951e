"""Fuzzing benchmark on real libraries: a plain scan of an old release with a known bug, and of the fix.

    python bench/bench_fuzz_libraries.py [--fuzz-time 120] [--runs 1] [--only NAME] [--rate-seconds 10]

The libraries, their old and fixed releases and the known bug of each are in
``bench/fuzz_libraries.toml`` (chosen before any tuning). For each release the sdist is fetched
with ``pip download`` (PyPI), unpacked into a fresh folder and scanned with a plain
``baseline scan --select T09 --fuzz-time N`` (no ``baseline fuzz init``, a fresh work folder each
run, so nothing is carried over). Reported per run: whether the known bug was found, the fuzzing
seconds until it (libFuzzer's ``fuzzed_s`` and the amplification probing seconds of the runs up to
the one that found it, start-ups excluded; a slow input found by amplification in a run's process
counts that run's probing only up to the ladder that found it), the
wall time of the scan, and every other crash or slow input the scan reported (on a fixed release
each of them is a false crash unless it is a different, real bug: the row says which exceptions).
Then exec/s of the known bug's generated harness run by the toolkit's runner (probe, limits,
scrubbed environment) vs the same harness run by atheris directly, one pair of ``--rate-seconds``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baseline import sandbox  # noqa: E402
from baseline.fuzz.campaign import product_paths  # noqa: E402
from baseline.fuzz.generate import write_harnesses  # noqa: E402
from baseline.fuzz.runner import harness_env, parse_stats, run_harness  # noqa: E402
from baseline.fuzz.surface import find_surface  # noqa: E402

PYTHON = sys.executable
LIBRARIES = Path(__file__).with_name("fuzz_libraries.toml")


def libraries() -> list[dict[str, Any]]:
    """The committed choice of libraries."""
    return list(tomllib.loads(LIBRARIES.read_text(encoding="utf-8"))["library"])


def fetch(name: str, version: str, cache: Path, into: Path) -> Path:
    """The unpacked sdist of ``name==version`` (downloaded once into ``cache``), copied under ``into``."""
    cache.mkdir(parents=True, exist_ok=True)
    archives = [p for p in cache.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(f"{name.lower()}-{version}.tar")]
    if not archives:
        subprocess.run(
            [PYTHON, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(cache), f"{name}=={version}"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        archives = [p for p in cache.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(f"{name.lower()}-{version}.tar")]
    with tarfile.open(archives[0]) as archive:
        top = archive.getnames()[0].split("/")[0]
        archive.extractall(into, filter="data")
    return into / top


def scan(project: Path, work: Path, fuzz_time: int) -> tuple[dict[str, Any], float]:
    """A plain T09 scan; (the T09 result of the JSON report, wall seconds)."""
    out = work / "report.json"
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "baseline", "scan", str(project), "--quiet", "--select", "T09", "--fuzz-time", str(fuzz_time),
         "--work-dir", str(work / "state"), "--format", "json", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    wall = time.monotonic() - started
    report = json.loads(out.read_text(encoding="utf-8"))
    return next(item for item in report["results"] if item["spec"]["id"] == "fuzzing.atheris"), wall


def _spent(run: dict[str, Any]) -> float:
    """Seconds of a run that count: libFuzzer's fuzzing, amplification in the process and after it (start-ups excluded)."""
    amplify = run.get("amplify") or {}
    return float(run.get("fuzzed_s") or 0) + float(amplify.get("seconds") or 0) + float(run.get("amplify_after_s") or 0)


def judge(result: dict[str, Any], library: dict[str, Any]) -> dict[str, Any]:
    """Was the known bug reported, after how many fuzzing seconds, and what else was reported.

    A crash counts when its exception type is the known one, its harness drove the entry point and
    its message does not name the library's ``exclude`` (a different bug of the same type). A slow
    finding counts when its harness drove the entry point and, when the library names a ``chunk``,
    when that chunk is among what amplification repeated (the known input's shape, not another
    super-linear path of the same function).
    """
    exception = library["exception"].rsplit(".", 1)[-1]
    known: dict[str, Any] | None = None
    others: list[str] = []
    runs = result["metrics"].get("runs", [])
    for finding in result["findings"]:
        properties = finding.get("properties", {})
        harness = properties.get("harness", "")
        drives = any(library["entry"] in run.get("entry_points_called", []) for run in runs if run["harness"] == harness)
        if library["kind"] == "crash":
            hit = finding["rule_id"] == "fuzzing.uncaught-exception" and finding["message"].split(":", 1)[0] == exception and drives
            # A named condition of the same exception type that is a different bug (see the library's notes).
            hit = hit and not (library.get("exclude") and library["exclude"] in finding["message"].split(" in ", 1)[0])
        else:
            chunks = [properties.get("chunk", ""), *properties.get("also_chunks", [])]
            shaped = not library.get("chunk") or any(library["chunk"] in str(chunk) for chunk in chunks)
            hit = finding["rule_id"].startswith("fuzzing.slow") and drives and shaped
        if hit and known is None:
            known = finding
        elif finding["rule_id"].startswith("fuzzing."):
            shape = f" repeating {properties['chunk']!r}" + (f" (also {', '.join(map(repr, properties.get('also_chunks', [])))})" if properties.get("also_chunks") else "") if properties.get("chunk") else ""
            others.append(f"{finding['rule_id']} {finding['message'].split(' in ', 1)[0][:90]}{shape} @ {finding['location']['path']} (harness {Path(harness).name})")
    seconds = None
    if known is not None:
        properties = known.get("properties", {})
        harness = properties.get("harness", "")
        total = 0.0
        # The probing phase ran before any libFuzzer run: all of it counts, or up to the harness whose
        # probing reported the crash (or the ladder that repeated the known chunk).
        wanted = library.get("chunk")
        # The phase: every crash pass (probed_first), then the timing ladders (probed_timing).
        for probed in [*result["metrics"].get("probed_first", []), *result["metrics"].get("probed_timing", [])]:
            # A slow input found by the phase's timing counts up to its ladder.
            at = [
                float(growth.get("at_s") or 0) for growth in (probed.get("amplify") or {}).get("growths", [])
                if not wanted or wanted in str(growth.get("chunk", ""))
            ]
            if probed["harness"] == harness and library["kind"] == "slow" and at:
                seconds = total + min(at)
                break
            total += float(probed.get("seconds") or 0)
            if probed["harness"] == harness and library["kind"] == "crash" and probed.get("crashes") and properties.get("found_by", "probing phase") == "probing phase":
                seconds = total
                break
        located = wanted and any(
            wanted in str(growth.get("chunk", "")) for run in runs if run["harness"] == harness for growth in (run.get("amplify") or {}).get("growths", [])
        )
        for run in runs if seconds is None else []:
            at = [float(growth.get("at_s") or 0) for growth in (run.get("amplify") or {}).get("growths", []) if wanted and wanted in str(growth.get("chunk", ""))]
            if run["harness"] == harness and library["kind"] == "slow" and located:
                if at:  # the run whose amplification repeated the known chunk: its probing up to that ladder
                    seconds = total + min(at)
                    break
            elif run["harness"] == harness and library["kind"] == "slow" and wanted and wanted not in str(properties.get("chunk", "")):
                pass  # named among the finding's other chunks, in a run not located: counted to the harness's last run below
            elif run["harness"] == harness and library["kind"] == "slow" and "found_after_s" in properties and (run.get("amplify") or {}).get("inputs"):
                seconds = total + float(properties["found_after_s"])  # amplification in the run's process, before its fuzzing
                break
            total += _spent(run)
            if run["harness"] == harness and library["kind"] == "slow" and wanted and not located and wanted not in str(properties.get("chunk", "")):
                seconds = total  # an upper bound: up to the end of this harness's latest run so far
                continue
            if run["harness"] == harness and (library["kind"] == "slow" and not located or run.get("status") == "crash" or run.get("amplified_crashes")):
                seconds = total
                break
    message = known["message"].split(" in ", 1)[0][:120] if known is not None else ""
    if known is not None and known.get("properties", {}).get("chunk"):
        message += f" (repeating {known['properties']['chunk']!r})"
    return {"found": known is not None, "seconds": seconds, "others": others, "score": result.get("score"), "outcome": result["outcome"], "message": message}


def rates(project: Path, entry_id: str, seconds: int) -> tuple[float, float]:
    """exec/s of the entry's generated harness: (through the toolkit's runner, atheris directly)."""
    surface = find_surface(project)
    entry = next(item for item in surface.entry_points if item.id == entry_id)
    harness = write_harnesses(project, project / ".bench-fuzz" / "generated", [entry], overwrite=True)[0].path
    probe = ([(item.id, item.path, item.qualname) for item in surface.entry_points], product_paths(project))
    work = project / ".bench-fuzz"
    ours = run_harness(
        python=PYTHON, root=project, harness=harness, generated=True, budget_s=seconds, corpus=work / "corpus-ours",
        artifacts=work / "artifacts-ours", input_timeout=5, rss_limit_mb=2048, grace_s=30, allow_env=[], seed=1,
        runs=10**9, probe=probe,
    )
    (work / "corpus-direct").mkdir(parents=True, exist_ok=True)
    direct = sandbox.run(
        [PYTHON, str(harness), str(work / "corpus-direct"), f"-max_total_time={seconds}", "-print_final_stats=1", "-seed=1",
         f"-artifact_prefix={work}/", "-timeout=5"],
        cwd=project, limits=sandbox.Limits(timeout_s=seconds + 60), scrub=False, extra_env=harness_env(project),
    )
    return ours.stats.exec_per_s, parse_stats(direct.stderr, direct.duration_s).exec_per_s


def main() -> None:
    """Run the benchmark and print one line per run and a summary per library."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fuzz-time", type=int, default=120)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--rate-seconds", type=int, default=10, help="seconds of each exec/s measurement (0: skip)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "baseline-bench-sdists")
    args = parser.parse_args()
    for library in libraries():
        if args.only and library["name"] not in args.only:
            continue
        for release in ("old", "fixed"):
            version = library[release]
            found, times = 0, []
            for index in range(args.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    project = fetch(library["name"], version, args.cache, Path(tmp) / "src")
                    result, wall = scan(project, Path(tmp), args.fuzz_time)
                    verdict = judge(result, library)
                    found += verdict["found"]
                    if verdict["seconds"] is not None:
                        times.append(verdict["seconds"])
                    when = f"after {verdict['seconds']:.1f} fuzzing s ({verdict['message']})" if verdict["seconds"] is not None else f"({verdict['message']})"
                    print(
                        f"{library['name']} {version} ({release}) run {index + 1}: known bug {'FOUND ' + when if verdict['found'] else 'not found'}; "
                        f"T09 {verdict['outcome']} score {verdict['score']}; scan wall {wall:.0f} s; other findings {len(verdict['others'])}",
                        flush=True,
                    )
                    for other in verdict["others"]:
                        print(f"    other: {other}", flush=True)
                    if release == "old" and index == 0 and args.rate_seconds > 0:
                        ours, direct = rates(project, library["entry"], args.rate_seconds)
                        print(f"    exec/s of {library['entry']}: toolkit {ours:.0f}, atheris directly {direct:.0f} (one pair of {args.rate_seconds} s)", flush=True)
            median = f"median {statistics.median(times):.1f} s" if times else "no time"
            print(f"{library['name']} {version} ({release}): known bug found in {found}/{args.runs} run(s), {median}", flush=True)


if __name__ == "__main__":
    main()
