"""Benchmark of T03 static analysis, against bandit alone and semgrep alone, in the same run.

1. Detection on the labeled corpus (tests/static_corpus): per CWE, true-positive rate on the
   vulnerable cases and false-positive rate on their safe look-alikes, for the T03 pipeline
   (bandit + our semgrep pack, merged), our pack alone, and bandit alone (its own CWE tags, and
   with our CWE mapping). semgrep's default (registry) rules cannot be measured offline: they are
   fetched from the network, and their licence forbids shipping them.
2. Wall time on a large real tree (the installed sources of pip, copied to a scratch folder):
   bandit alone, semgrep alone, the T03 run cold, a no-change rescan and a one-file change.

Run: ``python bench/bench_static.py``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from baseline import sandbox
from baseline.tools.semgrep import offline_environment, rules_dir
from baseline.tools.static_common import BANDIT_CWE, find_executable
from baseline.tools.static_run import run_static

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "static_corpus"
LABEL = re.compile(r"^# label: (vulnerable|safe) CWE-(\d+) (\w+)")


def labels() -> dict[str, tuple[str, int]]:
    """file name -> (kind, cwe)."""
    found = {}
    for path in sorted(CORPUS.glob("cwe*.py")):
        match = LABEL.match(path.read_text(encoding="utf-8").splitlines()[0])
        if match:
            found[path.name] = (match.group(1), int(match.group(2)))
    return found


def bandit_alone(target: Path, work: Path, files: list[str] | None = None) -> tuple[dict, float]:
    """bandit as a user would run it (recursive, JSON); returns (report, seconds)."""
    out = work / "bandit-alone.json"
    argv = [sys.executable, "-m", "bandit", "-f", "json", "-o", str(out), "-q"]
    argv += files if files else ["-r", str(target)]
    started = time.monotonic()
    sandbox.run(argv, cwd=target, limits=sandbox.Limits(timeout_s=600))
    return json.loads(out.read_text()), time.monotonic() - started


def semgrep_alone(target: Path, work: Path) -> tuple[dict, float]:
    """semgrep with our pack only, offline."""
    out = work / "semgrep-alone.json"
    argv = [find_executable("semgrep") or "semgrep", "scan", "--config", str(rules_dir()), "--json", "--output", str(out),
            "--metrics=off", "--disable-version-check", "--quiet", str(target)]
    started = time.monotonic()
    sandbox.run(argv, cwd=target, limits=sandbox.Limits(timeout_s=600), extra_env=offline_environment(work))
    return json.loads(out.read_text()), time.monotonic() - started


def rates(hits: dict[str, set[int]], truth: dict[str, tuple[str, int]]) -> dict[int, tuple[int, int, int, int]]:
    """cwe -> (true positives, vulnerable cases, false positives, safe cases)."""
    table: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for name, (kind, cwe) in truth.items():
        found = cwe in hits.get(name, set())
        row = table[cwe]
        if kind == "vulnerable":
            row[0] += found
            row[1] += 1
        else:
            row[2] += found
            row[3] += 1
    return {cwe: tuple(row) for cwe, row in sorted(table.items())}  # type: ignore[misc]


def detection(work: Path) -> None:
    truth = labels()
    scan = run_static(root=CORPUS, work_dir=work / "t03", cache_dir=None, exclude=[], timeout_s=600, max_file_kb=2048)
    ours: dict[str, set[int]] = defaultdict(set)
    for finding in scan.findings:
        if finding.severity.value != "info" and not finding.suppressed and finding.location:
            ours[Path(finding.location.path).name].update(finding.cwe)
    pack: dict[str, set[int]] = defaultdict(set)
    # semgrep's default ignore list skips anything under tests/: scan a copy outside it.
    corpus_copy = work / "corpus"
    shutil.copytree(CORPUS, corpus_copy, dirs_exist_ok=True)
    data, _ = semgrep_alone(corpus_copy, work)
    for item in data["results"]:
        for cwe in item["extra"]["metadata"].get("cwe", []):
            pack[Path(item["path"]).name].add(int(cwe.split(":")[0].replace("CWE-", "")))
    native: dict[str, set[int]] = defaultdict(set)
    mapped: dict[str, set[int]] = defaultdict(set)
    data, _ = bandit_alone(CORPUS, work)
    for item in data["results"]:
        if item["issue_severity"] == "LOW" and item["test_id"] in ("B404", "B403", "B405", "B410", "B413"):
            pass  # import notices count like any result for bandit alone
        native[Path(item["filename"]).name].add(int((item.get("issue_cwe") or {}).get("id", 0)))
        mapped[Path(item["filename"]).name].add(BANDIT_CWE.get(item["test_id"], 0))
    tools = {"T03 (bandit+pack)": ours, "our pack alone": pack, "bandit (own CWEs)": native, "bandit (CWE remapped)": mapped}
    tables = {name: rates(hits, truth) for name, hits in tools.items()}
    cwes = sorted(next(iter(tables.values())))
    print(f"Detection on {len(truth)} labeled cases ({sum(k == 'vulnerable' for k, _ in truth.values())} vulnerable), CWE-exact, per file")
    print("CWE    " + "".join(f"{name:>26}" for name in tools))
    for cwe in cwes:
        cells = []
        for name in tools:
            tp, vuln, fp, safe = tables[name][cwe]
            cells.append(f"TPR {tp}/{vuln} FPR {fp}/{safe}".rjust(26))
        print(f"{cwe:<7}" + "".join(cells))
    print("overall" + "".join(overall(tables[name]).rjust(26) for name in tools))
    print("semgrep default rules: n/a offline (registry rules need the network and may not be bundled)")


def overall(table: dict[int, tuple[int, int, int, int]]) -> str:
    tp = sum(row[0] for row in table.values())
    vuln = sum(row[1] for row in table.values())
    fp = sum(row[2] for row in table.values())
    safe = sum(row[3] for row in table.values())
    return f"TPR {100 * tp / vuln:.0f}% FPR {100 * fp / safe:.0f}%"


def wall_time(work: Path) -> None:
    spec = importlib.util.find_spec("pip")
    if spec is None or spec.origin is None:
        print("pip sources not found: wall-time benchmark skipped")
        return
    tree = work / "tree"
    shutil.copytree(Path(spec.origin).parent, tree / "pip", ignore=shutil.ignore_patterns("__pycache__"))
    files = list(tree.rglob("*.py"))
    lines = sum(len(path.read_bytes().splitlines()) for path in files)
    print(f"\nWall time on pip's sources: {len(files)} files, {lines} lines")
    _, bandit_s = bandit_alone(tree, work)
    _, semgrep_s = semgrep_alone(tree, work)
    cache = work / "cache"

    def t03() -> tuple[float, dict]:
        started = time.monotonic()
        scan = run_static(root=tree, work_dir=work / "t03-tree", cache_dir=cache, exclude=[], timeout_s=600, max_file_kb=2048)
        return time.monotonic() - started, dict(scan.cache)

    cold, _ = t03()
    rescan, info = t03()
    target = next(path for path in files if path.name == "__init__.py" and path.parent.name == "pip")
    target.write_text(target.read_text() + "\n# touched\n")
    one, info_one = t03()
    slower = max(bandit_s, semgrep_s)
    print(f"bandit alone          {bandit_s:7.1f} s")
    print(f"semgrep alone (pack)  {semgrep_s:7.1f} s")
    print(f"T03 cold              {cold:7.1f} s   = {cold / slower:.2f}x the slower tool alone (target <= 1.2x)")
    print(f"T03 no-change rescan  {rescan:7.1f} s   = {100 * rescan / cold:.1f}% of cold (target <= 15%), misses {info['misses']}")
    print(f"T03 one-file change   {one:7.1f} s   = {100 * one / cold:.1f}% of cold, misses {info_one['misses']}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-static-") as scratch:
        work = Path(scratch)
        detection(work)
        wall_time(work)


if __name__ == "__main__":
    main()
