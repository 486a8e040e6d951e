"""Benchmark of T03 static analysis, against bandit alone and semgrep alone, in the same run.

1. Detection on the labeled corpus (tests/static_corpus): per CWE, true-positive rate on the
   vulnerable cases and false-positive rate on their safe look-alikes, for the T03 pipeline
   (bandit + our semgrep pack, merged), our pack alone, and bandit alone (its own CWE tags, and
   with our CWE mapping). semgrep's default (registry) rules cannot be measured offline: they are
   fetched from the network, and their licence forbids shipping them.
2. Wall time on a large real tree (the installed sources of pip, copied to a scratch folder):
   bandit alone, semgrep alone, the T03 run cold, a no-change rescan and a one-file change.

Run: ``python bench/bench_static.py`` (or ``python -m bench --only static``).
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baseline import sandbox  # noqa: E402
from baseline.tools.semgrep import offline_environment, rules_dir  # noqa: E402
from baseline.tools.static_common import BANDIT_CWE, find_executable  # noqa: E402
from baseline.tools.static_run import run_static  # noqa: E402
from bench.common import Options, Row, alternate, median, skipped  # noqa: E402

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


def detection_tables(work: Path) -> tuple[dict[str, tuple[str, int]], dict[str, dict[int, tuple[int, int, int, int]]]]:
    """(truth, tool -> cwe -> (TP, vulnerable, FP, safe)) for T03, our pack alone and bandit alone."""
    truth = labels()
    scan = run_static(root=CORPUS, work_dir=work / "t03", cache_dir=None, exclude=[], timeout_s=600, max_file_kb=2048)
    ours: dict[str, set[int]] = defaultdict(set)
    for finding in scan.findings:
        # downgraded findings (a pattern hit the taint rules found no flow for) do not gate: not a detection
        if finding.severity.value != "info" and not finding.suppressed and finding.location and not finding.properties.get("downgraded"):
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
    return truth, {name: rates(hits, truth) for name, hits in tools.items()}


def detection(work: Path) -> None:
    truth, tables = detection_tables(work)
    tools = list(tables)
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


def overall_rates(table: dict[int, tuple[int, int, int, int]]) -> tuple[float, float]:
    """(TPR %, FPR %) over every CWE."""
    tp = sum(row[0] for row in table.values())
    vuln = sum(row[1] for row in table.values())
    fp = sum(row[2] for row in table.values())
    safe = sum(row[3] for row in table.values())
    return 100 * tp / vuln, 100 * fp / safe


def overall(table: dict[int, tuple[int, int, int, int]]) -> str:
    tpr, fpr = overall_rates(table)
    return f"TPR {tpr:.0f}% FPR {fpr:.0f}%"


def pip_tree(work: Path, quick: bool) -> tuple[Path, list[Path], str] | None:
    """A copy of the installed pip sources (only pip/_internal when quick): (tree, files, description)."""
    spec = importlib.util.find_spec("pip")
    if spec is None or spec.origin is None:
        return None
    source = Path(spec.origin).parent
    tree = work / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    if quick:
        shutil.copytree(source / "_internal", tree / "pip" / "_internal", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(source / "__init__.py", tree / "pip" / "__init__.py")
    else:
        shutil.copytree(source, tree / "pip", ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(tree.rglob("*.py"))
    lines = sum(len(path.read_bytes().splitlines()) for path in files)
    version = getattr(importlib.import_module("pip"), "__version__", "?")
    part = "pip/_internal" if quick else "pip"
    return tree, files, f"{part} {version} sources of this venv ({len(files)} files, {lines} lines)"


def wall_time_samples(work: Path, repeats: int, quick: bool) -> tuple[str, dict[str, list[float]]] | str:
    """(tree description, seconds per repeat for bandit alone, semgrep alone, T03 cold, no-change rescan, one-file change).

    Returns the reason as a string when pip's sources are not installed.
    """
    made = pip_tree(work, quick)
    if made is None:
        return "pip sources not found"
    tree, files, description = made
    target = next(path for path in files if path.name == "__init__.py" and path.parent.name == "pip")
    pristine = target.read_text()
    samples: dict[str, list[float]] = defaultdict(list)

    def peer(_: int) -> None:
        _, bandit_s = bandit_alone(tree, work)
        _, semgrep_s = semgrep_alone(tree, work)
        samples["bandit"].append(bandit_s)
        samples["semgrep"].append(semgrep_s)

    def ours(index: int) -> None:
        cache = work / f"cache-{index}"
        target.write_text(pristine)

        def t03() -> tuple[float, dict]:
            started = time.monotonic()
            scan = run_static(root=tree, work_dir=work / "t03-tree", cache_dir=cache, exclude=[], timeout_s=600, max_file_kb=2048)
            return time.monotonic() - started, dict(scan.cache)

        cold, _ = t03()
        rescan, info = t03()
        target.write_text(pristine + f"\n# touched {index}\n")
        one, info_one = t03()
        target.write_text(pristine)
        samples["cold"].append(cold)
        samples["rescan"].append(rescan)
        samples["one"].append(one)
        samples["rescan_misses"].append(info["misses"])
        samples["one_misses"].append(info_one["misses"])

    alternate(repeats, {"peer": peer, "ours": ours})
    return description, samples


def wall_time(work: Path) -> None:
    measured = wall_time_samples(work, 1, quick=False)
    if isinstance(measured, str):
        print(f"{measured}: wall-time benchmark skipped")
        return
    description, measured = measured
    print(f"\nWall time on {description}")
    bandit_s, semgrep_s = measured["bandit"][0], measured["semgrep"][0]
    cold, rescan, one = measured["cold"][0], measured["rescan"][0], measured["one"][0]
    slower = max(bandit_s, semgrep_s)
    print(f"bandit alone          {bandit_s:7.1f} s")
    print(f"semgrep alone (pack)  {semgrep_s:7.1f} s")
    print(f"T03 cold              {cold:7.1f} s   = {cold / slower:.2f}x the slower tool alone (target <= 1.2x)")
    print(f"T03 no-change rescan  {rescan:7.1f} s   = {100 * rescan / cold:.1f}% of cold (target <= 15%), misses {measured['rescan_misses'][0]}")
    print(f"T03 one-file change   {one:7.1f} s   = {100 * one / cold:.1f}% of cold, misses {measured['one_misses'][0]}")


def _misses(samples: list) -> str:
    """Cache misses per tool over the repeats (the most seen): 'bandit 1, semgrep 1'."""
    tools = sorted({tool for sample in samples for tool in sample})
    return ", ".join(f"{tool} {max(sample.get(tool, 0) for sample in samples)}" for tool in tools)


def measure(options: Options) -> list[Row]:
    """Rows: corpus detection vs bandit alone; cold scan, no-change and one-file rescans vs bandit + semgrep."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-static-") as scratch:
        work = Path(scratch)
        truth, tables = detection_tables(work)
        ours_tpr, ours_fpr = overall_rates(tables["T03 (bandit+pack)"])
        bandit_tpr, bandit_fpr = overall_rates(tables["bandit (own CWEs)"])
        pack_tpr, pack_fpr = overall_rates(tables["our pack alone"])
        mapped_tpr, mapped_fpr = overall_rates(tables["bandit (CWE remapped)"])
        rows.append(Row(
            "static: labeled corpus, true-positive rate (CWE-exact)", ours_tpr, bandit_tpr, unit="%", better="higher",
            peer_name="bandit alone",
            quality=f"FPR ours {ours_fpr:.0f}%, bandit {bandit_fpr:.0f}%; pack alone TPR {pack_tpr:.0f}% FPR {pack_fpr:.0f}%; "
                    f"bandit CWE-remapped TPR {mapped_tpr:.0f}% FPR {mapped_fpr:.0f}%; semgrep registry rules: n/a offline",
            data=f"tests/static_corpus ({len(truth)} labeled files)",
        ))
        measured = wall_time_samples(work, options.repeats, options.quick)
        if isinstance(measured, str):
            for name in ("cold scan", "no-change rescan", "one-file-changed rescan"):
                rows.append(skipped(f"static: {name}", measured))
            return rows
        data, measured = measured
        peer = [b + s for b, s in zip(measured["bandit"], measured["semgrep"])]
        bandit_s, semgrep_s, cold = median(measured["bandit"]), median(measured["semgrep"]), median(measured["cold"])
        assert bandit_s is not None and semgrep_s is not None and cold is not None
        rows.append(Row(
            "static: T03 cold scan", cold, median(peer), peer_name="bandit then semgrep (our pack)",
            quality=f"bandit alone {bandit_s:.1f} s, semgrep alone {semgrep_s:.1f} s; ours = {cold / max(bandit_s, semgrep_s):.2f}x the slower one",
            data=data, ours_samples=measured["cold"], peer_samples=peer,
        ))
        for key, label in (("rescan", "no-change rescan"), ("one", "one-file-changed rescan")):
            value = median(measured[key])
            assert value is not None
            rows.append(Row(
                f"static: T03 {label}", value, median(peer), peer_name="bandit then semgrep (no cache)",
                quality=f"{100 * value / cold:.0f}% of our cold scan; files re-analysed: {_misses(measured[key + '_misses'])}",
                data=data, ours_samples=measured[key], peer_samples=peer,
            ))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-static-") as scratch:
        work = Path(scratch)
        detection(work)
        wall_time(work)


if __name__ == "__main__":
    main()
