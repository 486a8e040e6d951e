"""Line-level detection on tests/static_corpus/cases: T03 vs bandit alone vs our semgrep pack alone.

Each labelled line (``# label: vulnerable CWE-89``) is one case. A vulnerable line is found when a
finding with that CWE or its parent class covers it (T03: a gating finding, neither info nor
downgraded); a safe line is a false positive when such a finding covers it. Reported per CWE and
separately for the development part and for the part set aside before the rules were changed
(``HOLDOUT``, and ``HOLDOUT3``: cases written before the third round's rule changes and measured
only after them). The cases were written by the same hands as the rules: these are upper bounds.

The "T03+T04 (SARIF)" column is what a code-scanning user sees in the SARIF: T03's findings plus
T04's failing product findings (hard-coded credentials, CWE-798; bandit's B105-B107 are not run, so
each credential appears once, and the score counts it in T04 only).

Run: ``python bench/bench_static_cases.py``.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baseline.tools.static_common import BANDIT_CWE, CWE_CLASS  # noqa: E402
from baseline.tools.static_run import run_static  # noqa: E402
from bench.bench_static import bandit_alone, semgrep_alone  # noqa: E402

CASES = REPO / "tests" / "static_corpus" / "cases"
MARK = re.compile(r"label: (vulnerable|safe) CWE-(\d+)")
Label = tuple[str, int, str, int]  # (file, line, kind, cwe)


def holdout(name: str = "HOLDOUT") -> set[str]:
    return {line.strip() for line in (CASES.parent / name).read_text().splitlines() if line.strip()}


def case_labels() -> list[Label]:
    found = []
    for path in sorted(p for p in CASES.rglob("*") if p.is_file() and p.suffix != ".md"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = MARK.search(line)
            if match:
                found.append((path.relative_to(CASES).as_posix(), number, match.group(1), int(match.group(2))))
    return found


Hits = dict[str, list[tuple[int, int, set[int]]]]  # file -> [(start, end, cwes)]


def matches(label_cwe: int, cwes: set[int]) -> bool:
    return label_cwe in cwes or CWE_CLASS.get(label_cwe, -1) in cwes


def table(labels: list[Label], hits: Hits, files: set[str] | None) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for name, line, kind, cwe in labels:
        if files is not None and name not in files:
            continue
        found = any(start <= line <= end and matches(cwe, cwes) for start, end, cwes in hits.get(name, []))
        row = rows[cwe]
        if kind == "vulnerable":
            row[0] += found
            row[1] += 1
        else:
            row[2] += found
            row[3] += 1
    return dict(sorted(rows.items()))


def t03_hits(work: Path) -> Hits:
    scan = run_static(root=CASES, work_dir=work / "t03", cache_dir=None, exclude=[], timeout_s=600, max_file_kb=2048)
    hits: Hits = defaultdict(list)
    for finding in scan.findings:
        if finding.suppressed or finding.location is None or finding.severity.value == "info":
            continue
        if finding.properties.get("downgraded"):
            continue
        loc = finding.location
        hits[loc.path].append((loc.start_line or 1, loc.end_line or loc.start_line or 1, set(finding.cwe)))
    return hits


def sarif_hits(t03: Hits) -> Hits:
    """T03's hits plus T04's failing product findings (CWE-798), as both appear in the SARIF."""
    from checks.hardcoded_secrets import failing, judge
    from baseline.tools.secrets.scan import scan_target

    scan = scan_target(CASES, history=False, history_reason="benchmark", max_bytes=2 * 1024 * 1024)
    hits: Hits = defaultdict(list, {name: list(items) for name, items in t03.items()})
    for finding in judge(scan, [], []).findings:
        if failing(finding) and finding.location is not None:
            loc = finding.location
            hits[loc.path].append((loc.start_line or 1, loc.end_line or loc.start_line or 1, set(finding.cwe)))
    return hits


def pack_hits(work: Path) -> Hits:
    copy = work / "cases"
    shutil.copytree(CASES, copy, dirs_exist_ok=True)
    data, _ = semgrep_alone(copy, work)
    hits: Hits = defaultdict(list)
    for item in data["results"]:
        cwes = {int(c.split(":")[0].replace("CWE-", "")) for c in item["extra"]["metadata"].get("cwe", [])}
        hits[Path(item["path"]).relative_to(copy).as_posix()].append((item["start"]["line"], item["end"]["line"], cwes))
    return hits


def bandit_hits(work: Path) -> tuple[Hits, Hits]:
    data, _ = bandit_alone(CASES, work)
    native: Hits = defaultdict(list)
    mapped: Hits = defaultdict(list)
    for item in data["results"]:
        name = Path(item["filename"]).resolve().relative_to(CASES.resolve()).as_posix()
        span = (item["line_number"], max(item.get("line_range") or [item["line_number"]]))
        native[name].append((*span, {int((item.get("issue_cwe") or {}).get("id", 0))}))
        mapped[name].append((*span, {BANDIT_CWE.get(item["test_id"], 0)}))
    return native, mapped


def fmt(row: list[int]) -> str:
    tp, vuln, fp, safe = row
    tpr = f"{100 * tp / vuln:.0f}%" if vuln else "-"
    fpr = f"{100 * fp / safe:.0f}%" if safe else "-"
    return f"{tp}/{vuln} {tpr:>4} | {fp}/{safe} {fpr:>4}"


def totals(rows: dict[int, list[int]]) -> list[int]:
    return [sum(row[i] for row in rows.values()) for i in range(4)]


def main() -> None:
    labels = case_labels()
    held = holdout()
    held3 = holdout("HOLDOUT3")
    files = {name for name, *_ in labels}
    with tempfile.TemporaryDirectory(prefix="bench-static-cases-") as scratch:
        work = Path(scratch)
        native, mapped = bandit_hits(work)
        ours = t03_hits(work)
        tools = {
            "T03": ours, "T03+T04 (SARIF)": sarif_hits(ours), "pack alone": pack_hits(work),
            "bandit (own CWE)": native, "bandit (remapped)": mapped,
        }
    print(json.dumps({"labels": len(labels), "files": len(files), "holdout_files": len(held & files),
                      "holdout3_files": len(held3 & files)}))
    parts = (("development part", files - held - held3), ("held-out part (first round)", held & files),
             ("held-out part (third round, HOLDOUT3)", held3 & files))
    for part, subset in parts:
        tables = {name: table(labels, hits, subset) for name, hits in tools.items()}
        print(f"\n{part}: TP/vulnerable TPR | FP/safe FPR")
        print("CWE   " + "".join(f"{name:>28}" for name in tables))
        for cwe in sorted({c for t in tables.values() for c in t}):
            print(f"{cwe:<6}" + "".join(f"{fmt(t.get(cwe, [0, 0, 0, 0])):>28}" for t in tables.values()))
        print("all   " + "".join(f"{fmt(totals(t)):>28}" for t in tables.values()))




def misses(part: str = "dev") -> None:
    """Print the development part's missed and falsely flagged lines for T03 (``--misses``)."""
    labels = case_labels()
    held = holdout() | holdout("HOLDOUT3")
    with tempfile.TemporaryDirectory(prefix="bench-static-cases-") as scratch:
        hits = t03_hits(Path(scratch))
    for name, line, kind, cwe in labels:
        if (name in held) != (part == "holdout"):
            continue
        found = any(start <= line <= end and matches(cwe, cwes) for start, end, cwes in hits.get(name, []))
        if found != (kind == "vulnerable"):
            print(f"{'MISS' if kind == 'vulnerable' else 'FP  '} CWE-{cwe} {name}:{line}")


if __name__ == "__main__":
    misses() if "--misses" in sys.argv else main()
