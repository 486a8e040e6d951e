"""The ranking benchmark: does the trust score order projects the way a security engineer would?

The pairs and the expected total order are in ``bench/ranking_pairs.toml``, fixed before the scoring
was calibrated. Each fixture is copied to a scratch folder (made a git repository with one commit, so
that history-based checks see the same thing everywhere), scanned once with the same flags, and the
benchmark prints every project's score, each pair's order (better must score strictly higher) and
Kendall's tau between the expected order and the scores.

Libraries named ``pypi:NAME==VERSION`` in the pairs are fetched as PyPI sdists (cached) and scanned too.

    python bench/bench_ranking.py [--fuzz-time 20] [--web-time 30] [--only good_project,weak_project]
    python bench/bench_ranking.py --scores FILE   # re-judge saved scores (JSON {name: score}), scanning nothing
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # bench.bench_fidelity, when run as a script
FIXTURES = REPO / "tests" / "fixtures"
PAIRS = Path(__file__).resolve().parent / "ranking_pairs.toml"
DEFAULT_DB = REPO.parent / "shared" / "data" / "advisory-database"
GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


def load_pairs(path: Path = PAIRS) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(expected order best first, [(better, worse, why)])."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(data["order"]), [(pair["better"], pair["worse"], pair.get("why", "")) for pair in data["pair"]]


def kendall_tau(expected: list[str], scores: dict[str, float]) -> float:
    """Kendall's tau-b between the expected order (best first) and the scores (ties count in neither)."""
    names = [name for name in expected if name in scores]
    rank = {name: -index for index, name in enumerate(names)}  # higher is better
    concordant = discordant = ties_score = 0
    for a, b in itertools.combinations(names, 2):
        expected_sign = (rank[a] > rank[b]) - (rank[a] < rank[b])
        score_sign = (scores[a] > scores[b]) - (scores[a] < scores[b])
        if score_sign == 0:
            ties_score += 1
        elif score_sign == expected_sign:
            concordant += 1
        else:
            discordant += 1
    pairs = concordant + discordant + ties_score
    if pairs == 0:
        return 0.0
    denominator = (pairs * (pairs - ties_score)) ** 0.5
    return (concordant - discordant) / denominator if denominator else 0.0


def scan(name: str, scratch: Path, flags: list[str]) -> tuple[float | None, dict[str, object]]:
    """Scan a copy of the fixture; (trust score, per-technique scores and the top fix) or (None, error)."""
    if name.startswith("pypi:"):  # a pinned PyPI sdist, unpacked
        from bench.bench_fidelity import fetch, unpack

        package, _, version = name[len("pypi:"):].partition("==")
        project = unpack(fetch(package, version), scratch / re.sub(r"[^A-Za-z0-9_.-]+", "-", name))
    else:
        project = scratch / name
        shutil.copytree(FIXTURES / name, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    subprocess.run([*GIT, "init", "-q"], cwd=project, check=False, capture_output=True)
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=False, capture_output=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "initial"], cwd=project, check=False, capture_output=True)
    output = scratch / f"{project.name}.json"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "baseline", "scan", str(project), "--quiet", "--format", "json", "--output", str(output),
         "--work-dir", str(scratch / f"{project.name}.work"), *flags],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if not output.is_file():
        return None, {"error": (done.stderr or done.stdout)[-400:]}
    report = json.loads(output.read_text(encoding="utf-8"))
    techniques = {item["technique"]: (item["outcome"], item["score"]) for item in report["breakdown"]["techniques"]}
    fixes = [f"{item['technique']} {item['check']}: {item['change']}: +{item['gain']:.1f}" for item in report.get("fix_first", [])[:3]]
    return float(report["breakdown"]["trust_score"]), {"techniques": techniques, "fix_first": fixes, "seconds": round(time.monotonic() - started, 1)}


def judge(order: list[str], pairs: list[tuple[str, str, str]], scores: dict[str, float]) -> tuple[int, int, float]:
    """Print pairwise order and tau; return (pairs right, pairs judged, tau)."""
    right = judged = 0
    print("\npairs (better must score strictly higher):")
    for better, worse, why in pairs:
        if better not in scores or worse not in scores:
            print(f"  skipped  {better} > {worse}: not scanned")
            continue
        judged += 1
        ok = scores[better] > scores[worse]
        right += ok
        print(f"  {'ok   ' if ok else 'WRONG'}  {better} {scores[better]:.1f} > {worse} {scores[worse]:.1f}   ({why})")
    tau = kendall_tau(order, scores)
    print(f"\n{right}/{judged} pairs in the expected order; Kendall's tau vs the expected order: {tau:.3f}")
    return right, judged, tau


def main(argv: list[str] | None = None) -> int:
    """Scan the fixtures and judge the ranking."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated fixture names (default: every name in the order)")
    parser.add_argument("--fuzz-time", default="20", help="fuzzing budget per scan, seconds")
    parser.add_argument("--web-time", default="30", help="web scan budget per scan, seconds")
    parser.add_argument("--scores", help="judge saved scores (JSON object name -> score) instead of scanning")
    parser.add_argument("--save", help="write the scores to this JSON file")
    parser.add_argument("--osv-db", type=Path, default=DEFAULT_DB if DEFAULT_DB.is_dir() else None,
                        help="local OSV database for T11 (default: the PyPA advisory snapshot beside the repository, when present; else online)")
    args = parser.parse_args(argv)
    order, pairs = load_pairs()
    if args.scores:
        scores = {str(k): float(v) for k, v in json.loads(Path(args.scores).read_text(encoding="utf-8")).items()}
    else:
        libraries = [name for pair in pairs for name in pair[:2] if name.startswith("pypi:")]
        names = [name for name in (args.only.split(",") if args.only else list(dict.fromkeys(order + libraries))) if name]
        flags = ["--fuzz-time", args.fuzz_time, "--web-time", args.web_time]
        if args.osv_db is not None:
            flags += ["--components-osv-db", str(args.osv_db)]
        print(f"advisories: {'OSV database ' + str(args.osv_db.name) if args.osv_db else 'online (pip-audit)'}")
        scores = {}
        with tempfile.TemporaryDirectory(prefix="bench-ranking-") as tmp:
            for name in names:
                score, detail = scan(name, Path(tmp), flags)
                if score is None:
                    print(f"{name:24} scan failed: {detail.get('error')}")
                    continue
                scores[name] = score
                techniques = detail["techniques"]
                assert isinstance(techniques, dict)
                cells = " ".join(f"{tid}:{'-' if s is None else format(s, '.1f')}" for tid, (_o, s) in sorted(techniques.items()))
                print(f"{name:24} {score:5.1f}  ({detail['seconds']} s)  {cells}")
                for line in detail["fix_first"]:  # type: ignore[union-attr]
                    print(f"{'':24}   fix first: {line}")
    if args.save:
        Path(args.save).write_text(json.dumps(scores, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    right, judged, _tau = judge(order, pairs, scores)
    return 0 if judged and right == judged else 1


if __name__ == "__main__":
    raise SystemExit(main())
