"""Secrets recall on credentials as people write them: ours vs detect-secrets vs CredSweeper (and Kingfisher).

1. Precision / recall / F1 and false-fire rate on the hand-labelled real-world corpus
   (tests/secrets_corpus/realworld.py), per kind of source, on the tuning part and on the held-out
   third separately, for every tool in the same run. A positive case counts as found when a finding
   lies on one of its secrets' lines; a negative case is a false fire when anything fires in it.
2. Throughput in MB/s on a tree of real files copied from this interpreter's site-packages: ours
   (all workers and one process) vs a ``grep -rEil`` pass over our keywords, in the same run.

The peers are not project dependencies: install them into their own virtual environment and pass
its folder (``--peers-venv``, with detect-secrets and credsweeper; ``--kingfisher-venv`` with
kingfisher-secret-scanner). A tool that is missing is reported as not run.

The corpus was written by the same hands as the rules it measures, even if the held-out third was
left untouched while tuning: read its figures as an upper bound, not as a field measurement.

Usage: python bench/bench_secrets_realworld.py --peers-venv DIR [--kingfisher-venv DIR] [--tree-mb 50] [--json FILE]
       [--per-kind] [--tuning-only --misses] (the last two: the tuning part only, and our misses on it)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "secrets_corpus"))

import realworld  # noqa: E402

from baseline import sandbox  # noqa: E402
from baseline.tools.secrets.engine import KEYWORDS, PREFILTER  # noqa: E402
from baseline.tools.secrets.parallel import default_workers, scan_paths  # noqa: E402
from baseline.tools.secrets.walk import walk  # noqa: E402

MAX_BYTES = 2 * 1024 * 1024
KINDS = ("config", "code", "infra", "docs")

# Findings per tool: relative path -> set of 1-based lines
Findings = dict[str, set[int]]

_KINGFISHER_SCRIPT = """
import json, os, sys
from kingfisher_sdk import Scanner
root = sys.argv[1]
scanner = Scanner()
out = {}
for dirpath, _, names in os.walk(root):
    for name in names:
        path = os.path.join(dirpath, name)
        lines = sorted({finding.location["line"] for finding in scanner.scan_file(path)})
        if lines:
            out[os.path.relpath(path, root)] = lines
print(json.dumps(out))
"""


def ours(folder: Path, names: list[str]) -> Findings:
    """Every file the tree walk keeps (a folder it leaves out is a miss, as in a real scan)."""
    found: Findings = {}
    for item in scan_paths(folder, walk(folder).files, MAX_BYTES, 1):
        for detection in item.detections:
            found.setdefault(item.label, set()).update(range(detection.start_line, detection.end_line + 1))
    return found


def detect_secrets(folder: Path, venv: Path) -> Findings:
    result = sandbox.run([str(venv / "bin" / "detect-secrets"), "scan", "--all-files", "-n", "."], cwd=folder,
                         limits=sandbox.Limits(timeout_s=900, output_cap=64 << 20))
    if not result.ok:
        raise RuntimeError(f"detect-secrets failed: {result.describe()}: {result.stderr_tail()}")
    found: Findings = {}
    for path, entries in json.loads(result.stdout).get("results", {}).items():
        found.setdefault(path.lstrip("./"), set()).update(int(entry["line_number"]) for entry in entries)
    return found


def credsweeper(folder: Path, venv: Path, work: Path) -> Findings:
    report = work / "credsweeper.json"
    result = sandbox.run([str(venv / "bin" / "credsweeper"), "--path", str(folder), "--save-json", str(report), "--log", "error"],
                         cwd=work, limits=sandbox.Limits(timeout_s=1800, output_cap=64 << 20))
    if not result.ok or not report.exists():
        raise RuntimeError(f"credsweeper failed: {result.describe()}: {result.stderr_tail()}")
    found: Findings = {}
    for candidate in json.loads(report.read_text()):
        for line in candidate.get("line_data_list", []):
            path = os.path.relpath(line["path"], folder)
            found.setdefault(path, set()).add(int(line["line_num"]))
    return found


def kingfisher(folder: Path, venv: Path) -> Findings:
    result = sandbox.run([str(venv / "bin" / "python"), "-c", _KINGFISHER_SCRIPT, str(folder)], cwd=folder,
                         limits=sandbox.Limits(timeout_s=900, output_cap=64 << 20))
    if not result.ok:
        raise RuntimeError(f"kingfisher failed: {result.describe()}: {result.stderr_tail()}")
    return {path: set(lines) for path, lines in json.loads(result.stdout).items()}


def score(cases: list[realworld.Case], names: list[str], found: Findings) -> dict[str, dict[str, float]]:
    """Per kind and overall: tp, fn, fires (negatives with a finding), negatives, precision, recall, F1, false-fire rate."""
    table: dict[str, dict[str, float]] = {}
    for case, name in zip(cases, names):
        lines = found.get(name, set())
        for key in (case.kind, "all"):
            row = table.setdefault(key, {"tp": 0, "fn": 0, "fires": 0, "negatives": 0})
            if case.positive:
                spans = [range(start, start + secret.count("\n") + 1) for start, secret in zip(case.secret_lines, case.secrets)]
                row["tp" if any(line in span for span in spans for line in lines) else "fn"] += 1
            else:
                row["negatives"] += 1
                row["fires"] += 1 if lines else 0
    for row in table.values():
        tp, fn, fp = row["tp"], row["fn"], row["fires"]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        row.update(precision=precision, recall=recall, f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
                   false_fire_rate=fp / row["negatives"] if row["negatives"] else 0.0)
    return table


def PARTS(cases: list[realworld.Case]) -> list[tuple[str, list[bool]]]:
    """The tuning part, each round's held-out third (round 1's was measured and looked at once; each
    later round's is untouched until its closing measurement) and the whole corpus."""
    rounds = sorted({case.round for case in cases})
    return ([("tuning", [not c.held_out for c in cases])]
            + [(f"held-out r{number}", [c.held_out and c.round == number for c in cases]) for number in rounds]
            + [("all", [True] * len(cases))])


def misses(cases: list[realworld.Case], names: list[str], found: Findings) -> list[str]:
    """The tuning part's misses and false fires (never the held-out thirds)."""
    out = []
    for case, name in zip(cases, names):
        if case.held_out:
            continue
        lines = found.get(name, set())
        if case.positive:
            spans = [range(start, start + secret.count("\n") + 1) for start, secret in zip(case.secret_lines, case.secrets)]
            if not any(line in span for span in spans for line in lines):
                out.append(f"miss  c{case.cause} {case.kind:6} {name}: {case.content[:160]!r}")
        elif lines:
            out.append(f"fire  c{case.cause} {case.kind:6} {name} lines {sorted(lines)}: {case.content[:160]!r}")
    return out


def corpus(work: Path, peers: Path | None, kingfisher_venv: Path | None) -> dict:
    cases = realworld.build_cases()
    folder = work / "corpus"
    names = realworld.write_cases(cases, folder)
    tools: dict[str, Callable[[], Findings]] = {"baseline": lambda: ours(folder, names)}
    if peers is not None:
        tools["detect-secrets"] = lambda: detect_secrets(folder, peers)
        tools["CredSweeper"] = lambda: credsweeper(folder, peers, work)
    if kingfisher_venv is not None:
        tools["kingfisher"] = lambda: kingfisher(folder, kingfisher_venv)
    results: dict[str, dict] = {}
    raw: dict[str, Findings] = {}
    for tool, run in tools.items():
        started = time.monotonic()
        try:
            raw[tool] = run()
        except (RuntimeError, OSError, ValueError) as exc:
            results[tool] = {"error": str(exc)[:300]}
            continue
        results[tool] = {"seconds": round(time.monotonic() - started, 2)}
    if "baseline" in raw and "kingfisher" in raw:  # kingfisher as a provider layer under our rules
        raw["baseline + kingfisher"] = {path: raw["baseline"].get(path, set()) | raw["kingfisher"].get(path, set())
                                        for path in set(raw["baseline"]) | set(raw["kingfisher"])}
        results["baseline + kingfisher"] = {}
    for tool, found in raw.items():
        for part, selected in PARTS(cases):
            chosen = [(case, name) for case, name, keep in zip(cases, names, selected) if keep]
            results[tool][part] = score([c for c, _ in chosen], [n for _, n in chosen], found)
        results[tool]["by_cause"] = {
            str(cause): score([c for c in cases if c.cause == cause], [n for c, n in zip(cases, names) if c.cause == cause], found)["all"]
            for cause in sorted({c.cause for c in cases})
        }
    return {"cases": len(cases), "positives": sum(c.positive for c in cases), "held_out": sum(c.held_out for c in cases), "tools": results,
            "parts": [part for part, _ in PARTS(cases)],
            "misses": misses(cases, names, raw["baseline"]) if "baseline" in raw else []}


def throughput(work: Path, tree_mb: float, repeats: int) -> dict:
    from bench.bench_secrets import build_tree, files_of

    tree = build_tree(work, tree_mb)
    names = files_of(tree)
    size = sum((tree / name).stat().st_size for name in names) / 1e6
    pattern = "|".join(re.escape(keyword.decode()) for keyword in KEYWORDS)

    cpu: dict[str, list[float]] = {"baseline_one": [], "grep": []}

    def grep() -> float:
        started, children = time.monotonic(), _children_cpu()
        sandbox.run(["grep", "-rEil", pattern, "."], cwd=tree, limits=sandbox.Limits(timeout_s=600, output_cap=64 << 20))
        cpu["grep"].append(_children_cpu() - children)
        return time.monotonic() - started

    def run(workers: int) -> Callable[[], float]:
        def timed() -> float:
            started, own = time.monotonic(), time.process_time()
            scan_paths(tree, names, MAX_BYTES, workers)
            if workers == 1:
                cpu["baseline_one"].append(time.process_time() - own)
            return time.monotonic() - started
        return timed

    grep()  # warm the page cache
    samples: dict[str, list[float]] = {"baseline_all": [], "baseline_one": [], "grep": []}
    runners = {"baseline_all": run(0), "baseline_one": run(1), "grep": grep}
    for _ in range(repeats):
        for key, runner in runners.items():  # interleaved: load changes hit every side alike
            samples[key].append(runner())
    best = {key: min(values) for key, values in samples.items()}
    cpu_best = {key: min(values) for key, values in cpu.items() if values}
    return {"files": len(names), "mb": round(size, 1), "workers": default_workers(0), "prefilter": PREFILTER,
            "mb_per_s": {key: round(size / seconds, 1) for key, seconds in best.items()},
            "mb_per_cpu_s": {key: round(size / seconds, 1) for key, seconds in cpu_best.items() if seconds > 0},
            "load_average": [round(value, 1) for value in os.getloadavg()],
            "ratio_grep_over_baseline_all": round(best["baseline_all"] / best["grep"], 2),
            "packages": sorted(path.name for path in tree.iterdir())}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(data: dict, held_out: bool = True, per_kind: bool = False) -> str:
    lines = [f"corpus: {data['corpus']['cases']} cases, {data['corpus']['positives']} positives, {data['corpus']['held_out']} held out"]
    for part in data["corpus"]["parts"] if held_out else ("tuning",):
        lines.append(f"\n{part}: tool | " + " | ".join(f"{kind} F1" for kind in KINDS) + " | P | R | F1 | false fires")
        for tool, result in data["corpus"]["tools"].items():
            if "error" in result:
                lines.append(f"  {tool}: not run ({result['error']})")
                continue
            table = result[part]
            kinds = " | ".join(f"{table[kind]['f1']:.3f}" if kind in table else "-" for kind in KINDS)
            total = table["all"]
            lines.append(f"  {tool} | {kinds} | {total['precision']:.3f} | {total['recall']:.3f} | {total['f1']:.3f} | "
                         f"{total['false_fire_rate']:.1%} ({int(total['fires'])}/{int(total['negatives'])})")
            if per_kind:
                for kind in KINDS:
                    if kind in table:
                        row = table[kind]
                        lines.append(f"      {kind}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f} "
                                     f"({int(row['tp'])} of {int(row['tp'] + row['fn'])} found; false fires {int(row['fires'])}/{int(row['negatives'])})")
    if held_out:  # by cause over all cases, held-out thirds included
        lines.append("\nrecall by cause (issue 20), all cases: tool | " + " | ".join(data["corpus"]["tools"]["baseline"]["by_cause"]))
        for tool, result in data["corpus"]["tools"].items():
            if "by_cause" in result:
                lines.append(f"  {tool} | " + " | ".join(
                    f"R {row['recall']:.2f}" if row["tp"] + row["fn"] else f"ff {row['false_fire_rate']:.2f}" for row in result["by_cause"].values()))
    if "throughput" in data:
        t = data["throughput"]
        lines.append(f"\nthroughput: {t['files']} files, {t['mb']} MB ({', '.join(t['packages'])}); prefilter {t['prefilter']}")
        for key, rate in t["mb_per_s"].items():
            lines.append(f"  {key}: {rate} MB/s wall")
        for key, rate in t["mb_per_cpu_s"].items():
            lines.append(f"  {key}: {rate} MB per CPU second")
        lines.append(f"  load average during the run: {t['load_average']}")
        lines.append(f"  grep is {t['ratio_grep_over_baseline_all']}x faster than baseline with {t['workers']} workers")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers-venv", type=Path, help="virtual environment with detect-secrets and credsweeper")
    parser.add_argument("--kingfisher-venv", type=Path, help="virtual environment with kingfisher-secret-scanner")
    parser.add_argument("--tree-mb", type=float, default=50.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--misses", action="store_true", help="list baseline's misses and false fires on the tuning part")
    parser.add_argument("--tuning-only", action="store_true", help="print the tuning part only (keep the held-out thirds unseen)")
    parser.add_argument("--per-kind", action="store_true", help="also print precision, recall and F1 of each kind of source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-secrets-rw-") as scratch:
        work = Path(scratch)
        data: dict = {"corpus": corpus(work, args.peers_venv, args.kingfisher_venv)}
        if not args.no_throughput:
            data["throughput"] = throughput(work, args.tree_mb, args.repeats)
    print(render(data, held_out=not args.tuning_only, per_kind=args.per_kind))
    if args.misses:
        print("\n".join(["", "tuning part, baseline's misses and false fires:"] + data["corpus"]["misses"]))
    if args.json and not args.tuning_only:
        args.json.write_text(json.dumps(data, indent=2, sort_keys=True, default=list))


if __name__ == "__main__":
    main()
