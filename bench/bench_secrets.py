"""Benchmark of the secrets engine against detect-secrets (and a grep pass), in the same run.

1. Precision / recall / F1 on the labeled corpus (tests/secrets_corpus), ours vs detect-secrets.
2. Throughput in MB/s on a large tree copied from this interpreter's site-packages: ours (all
   workers), ours (one process), ``grep -rEil`` with our keyword list (the speed limit), and
   ``detect-secrets scan --all-files -n`` (on a slice of the same tree unless --full: it is slow).
3. History scan time on a generated repository with a few thousand commits.

Usage: python bench/bench_secrets.py [--tree-mb 60] [--ds-mb 6] [--commits 3000] [--full]
(or ``python -m bench --only secrets``)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import site
import string
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "secrets_corpus"))

from load import load_corpus_module  # noqa: E402

from baseline import sandbox  # noqa: E402
from baseline.tools.secrets.engine import KEYWORDS, PREFILTER  # noqa: E402
from baseline.tools.secrets.history import scan_history  # noqa: E402
from baseline.tools.secrets.validators import github_checksum  # noqa: E402
from baseline.tools.secrets.parallel import default_workers, scan_paths  # noqa: E402
from bench.common import Options, Row, alternate, median, skipped  # noqa: E402

MAX_BYTES = 2 * 1024 * 1024
DETECT_SECRETS = shutil.which("detect-secrets", path=str(Path(sys.executable).parent)) or shutil.which("detect-secrets")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def files_of(root: Path) -> list[str]:
    out = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out.append(path.relative_to(root).as_posix())
    return sorted(out)


def detect_secrets(root: Path, timeout: float = 900) -> tuple[dict, float]:
    started = time.monotonic()
    result = sandbox.run([DETECT_SECRETS, "scan", "--all-files", "-n", "."], cwd=root, limits=sandbox.Limits(timeout_s=timeout, output_cap=64 << 20))
    elapsed = time.monotonic() - started
    if not result.ok:
        raise SystemExit(f"detect-secrets failed: {result.describe()}: {result.stderr_tail()}")
    return json.loads(result.stdout).get("results", {}), elapsed


def corpus_scores(work: Path) -> tuple[int, int, dict[str, tuple[int, int, int]], dict[str, int]]:
    """(samples, secrets, tool -> (TP, FP, FN), detect-secrets false positives by kind) on the labeled corpus."""
    corpus = load_corpus_module()
    samples = corpus.build_corpus()
    folder = work / "corpus"
    for index, sample in enumerate(samples):
        path = folder / f"{index:04d}" / sample.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sample.content)
    names = [f"{index:04d}/{sample.name}" for index, sample in enumerate(samples)]
    ours = {item.label for item in scan_paths(folder, names, MAX_BYTES, 1) if item.detections}
    theirs_raw, _ = detect_secrets(folder)
    theirs = {name.lstrip("./") for name, found in theirs_raw.items() if found}
    scores = {}
    kinds: dict[str, int] = {}
    for label, found in (("baseline", ours), ("detect-secrets", theirs)):
        tp = sum(1 for n, s in zip(names, samples) if s.positive and n in found)
        fp = sum(1 for n, s in zip(names, samples) if not s.positive and n in found)
        fn = sum(1 for n, s in zip(names, samples) if s.positive and n not in found)
        scores[label] = (tp, fp, fn)
    for n, s in zip(names, samples):
        if not s.positive and n in theirs:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
    return len(samples), sum(s.positive for s in samples), scores, kinds


def corpus_bench(work: Path) -> None:
    total, positives, scores, kinds = corpus_scores(work)
    print(f"corpus: {total} samples, {positives} secrets, {total - positives} look-alikes")
    print(f"{'tool':<16}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for label, (tp, fp, fn) in scores.items():
        p, r, f = prf(tp, fp, fn)
        print(f"{label:<16}{tp:>5}{fp:>5}{fn:>5}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
    print(f"  detect-secrets false positives by kind: {kinds}")


def build_tree(work: Path, megabytes: float) -> Path:
    site_dirs = [Path(p) for p in dict.fromkeys([sysconfig.get_paths()["purelib"], *site.getsitepackages(), *sys.path]) if p.endswith("site-packages")]
    names = ("pip", "botocore", "networkx", "jedi", "pygments", "setuptools", "rich", "jinja2", "sympy",
             "mypy", "hypothesis", "pydantic", "cyclonedx", "_pytest", "werkzeug", "chardet", "lxml", "cryptography")
    candidates = [site_dir / name for name in names for site_dir in site_dirs if (site_dir / name).is_dir()]
    candidates = list({source.name: source for source in reversed(candidates)}.values())[::-1]
    tree = work / "tree"
    total = 0
    for source in candidates:
        if total >= megabytes * 1e6 or not source.is_dir():
            continue
        shutil.copytree(source, tree / source.name, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True)
        total = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    return tree


def throughput_samples(work: Path, tree_mb: float, ds_mb: float, full: bool, repeats: int) -> dict:
    """Seconds per repeat of ours (all workers, one process), grep and detect-secrets (on a slice), with sizes."""
    tree = build_tree(work, tree_mb)
    names = files_of(tree)
    size = sum((tree / n).stat().st_size for n in names) / 1e6
    ds_tree = tree
    if not full:
        ds_tree = work / "ds-slice"
        budget = 0
        for name in names:
            file_size = (tree / name).stat().st_size
            if budget + file_size > ds_mb * 1e6:
                break
            (ds_tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tree / name, ds_tree / name)
            budget += file_size
    ds_size = sum(p.stat().st_size for p in ds_tree.rglob("*") if p.is_file()) / 1e6
    pattern = "|".join(re.escape(k.decode()) for k in KEYWORDS)
    hits: dict[str, int] = {}
    cpu: list[float] = []  # CPU seconds of the one-process runs: a figure the machine's load barely moves

    def grep(_: int) -> float:
        started = time.monotonic()
        result = sandbox.run(["grep", "-rEil", pattern, "."], cwd=tree, limits=sandbox.Limits(timeout_s=600, output_cap=64 << 20))
        hits["grep"] = len(result.stdout.splitlines())
        return time.monotonic() - started

    def ours(workers: int):  # type: ignore[no-untyped-def]
        def run(_: int) -> float:
            started, own = time.monotonic(), time.process_time()
            hits["ours"] = sum(len(i.detections) for i in scan_paths(tree, names, MAX_BYTES, workers))
            if workers == 1:
                cpu.append(time.process_time() - own)
            return time.monotonic() - started
        return run

    def theirs(_: int) -> float:
        results, seconds = detect_secrets(ds_tree)
        hits["detect-secrets"] = sum(len(v) for v in results.values())
        return seconds

    # one untimed pass warms the page cache so that no side pays for the first read
    grep(0)
    samples = alternate(repeats, {"ours_all": ours(0), "ours_one": ours(1), "grep": grep, "detect_secrets": theirs})
    return {"files": len(names), "size": size, "ds_size": ds_size, "full": full, "hits": hits, "cpu_one": cpu,
            "load_average": round(os.getloadavg()[0], 1), "packages": sorted(path.name for path in tree.iterdir()), **samples}


def throughput(work: Path, tree_mb: float, ds_mb: float, full: bool) -> None:
    data = throughput_samples(work, tree_mb, ds_mb, full, 2)
    size, ds_size = data["size"], data["ds_size"]
    print(f"\nthroughput tree: {data['files']} files, {size:.1f} MB (copied from site-packages), prefilter: {PREFILTER}")
    # best of two runs each (the machine may be shared), all on a warm page cache
    ours_all, ours_one, grep_s, ds_s = (min(data[key]) for key in ("ours_all", "ours_one", "grep", "detect_secrets"))
    rows = [
        (f"baseline ({default_workers(0)} workers)", size, ours_all, data["hits"]["ours"]),
        ("baseline (1 process)", size, ours_one, data["hits"]["ours"]),
        ("grep -rEil keywords", size, grep_s, data["hits"]["grep"]),
        ("detect-secrets" + ("" if full else " (slice)"), ds_size, ds_s, data["hits"]["detect-secrets"]),
    ]
    print(f"{'tool':<32}{'MB':>8}{'seconds':>9}{'MB/s':>9}{'hits':>7}")
    for label, mb, seconds, found in rows:
        print(f"{label:<32}{mb:>8.1f}{seconds:>9.2f}{mb / seconds:>9.2f}{found:>7}")
    ours_rate, ds_rate, grep_rate = size / min(ours_all, ours_one), ds_size / ds_s, size / grep_s
    print(f"baseline in 1 process: {size / min(data['cpu_one']):.1f} MB per CPU second (load average {data['load_average']})")
    print(f"ratio baseline / detect-secrets: {ours_rate / ds_rate:.1f}x faster")
    print(f"ratio grep / baseline: {grep_rate / ours_rate:.2f}x (baseline is within {grep_rate / ours_rate:.1f}x of grep)")


def history_bench(work: Path, commits: int) -> None:
    result = history_scan(work, commits)
    if isinstance(result, str):
        print(f"history: {result}")
        return
    print(f"\nhistory: {result.commits} commits, {result.blobs_scanned} distinct blobs ({result.bytes_scanned / 1e6:.1f} MB) "
          f"in {result.duration_s:.2f} s; {len(result.hits)} distinct secrets; status {result.status}")


def history_scan(work: Path, commits: int):  # type: ignore[no-untyped-def]
    """Scan a generated repository of ``commits`` commits (one secret half-way); the result, or why it could not run."""
    repo = work / "history"
    repo.mkdir()
    sandbox.run(["git", "init", "-q", "-b", "main"], cwd=repo)
    rng = random.Random(11)
    stream = []
    mark = 0
    for index in range(commits):
        mark += 1
        body = "".join(f"def f{index}_{j}(x):\n    return x * {rng.randint(1, 99)}\n" for j in range(20))
        if index == commits // 2:
            # a provider-format token, the same whatever the number of commits
            token_rng = random.Random(5)
            token = "".join(token_rng.choice(string.ascii_letters + string.digits) for _ in range(30))
            body += f'GITHUB_TOKEN = "ghp_{token}{github_checksum(token)}"\n'
        data = body.encode()
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev@example.com> {1700000000 + index * 60} +0000\n"
                      f"data 9\ncommit {index % 10}\n" + (f"from :{mark - 1}\n" if index else "")
                      + f"M 644 inline src/module_{index % 50}.py\ndata {len(data)}\n")
        stream.append(body + "\n")
    imported = sandbox.run(["git", "fast-import", "--quiet"], cwd=repo, stdin_data="".join(stream).encode(), limits=sandbox.Limits(timeout_s=300))
    if not imported.ok:
        return f"fast-import failed: {imported.stderr_tail()}"
    return scan_history(repo, max_bytes=MAX_BYTES)


def measure(options: Options) -> list[Row]:
    """Rows: corpus F1 vs detect-secrets; throughput vs detect-secrets and vs grep; history scan time."""
    if DETECT_SECRETS is None:
        return [skipped("secrets", "detect-secrets is not installed (pip install -e '.[dev]')")]
    tree_mb, ds_mb, commits = (15.0, 2.0, 500) if options.quick else (60.0, 6.0, 3000)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-secrets-") as scratch:
        work = Path(scratch)
        total, positives, scores, kinds = corpus_scores(work)
        (p, r, f), (dp, dr, df) = prf(*scores["baseline"]), prf(*scores["detect-secrets"])
        rows.append(Row(
            "secrets: labeled corpus F1", f, df, unit="F1", better="higher", peer_name="detect-secrets",
            quality=f"ours P {p:.2f} R {r:.2f}; detect-secrets P {dp:.2f} R {dr:.2f}; its false positives: "
                    + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
            data=f"tests/secrets_corpus, generated ({total} samples, {positives} secrets)",
        ))
        data = throughput_samples(work, tree_mb, ds_mb, False, options.repeats)
        size, ds_size = data["size"], data["ds_size"]
        ours_rate = [size / value for value in data["ours_all"]]
        tree_text = f"{size:.0f} MB copied from this venv's site-packages ({', '.join(data['packages'])})"
        rows.append(Row(
            "secrets: throughput", median(ours_rate), median([ds_size / value for value in data["detect_secrets"]]), unit="MB/s",
            better="higher", peer_name="detect-secrets scan",
            quality=f"ours on {size:.0f} MB with {default_workers(0)} workers; detect-secrets on a {ds_size:.1f} MB slice (it is slow)",
            data=tree_text, ours_samples=ours_rate,
        ))
        one_rate = median([size / value for value in data["ours_one"]])
        rows.append(Row(
            "secrets: throughput vs a keyword grep (speed limit)", median(ours_rate), median([size / value for value in data["grep"]]),
            unit="MB/s", better="higher", peer_name="grep -rEil keywords",
            quality=f"ours in 1 process {one_rate:.0f} MB/s, {size / min(data['cpu_one']):.0f} MB per CPU second "
                    f"(load average {data['load_average']}); grep only finds keywords, it validates nothing",
            data=tree_text, ours_samples=ours_rate,
        ))
        history = history_scan(work, commits)
        if isinstance(history, str):
            rows.append(skipped("secrets: git history scan", history))
        else:
            rows.append(Row(
                "secrets: git history scan", history.duration_s, None, peer_name="no peer (detect-secrets scans no history)",
                quality=f"{history.blobs_scanned} distinct blobs, {history.bytes_scanned / 1e6:.1f} MB; {len(history.hits)} secret found (truth 1)",
                data=f"generated repository of {commits} commits",
            ))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree-mb", type=float, default=60.0)
    parser.add_argument("--ds-mb", type=float, default=6.0, help="size of the detect-secrets slice of the tree")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--full", action="store_true", help="run detect-secrets on the whole tree (slow)")
    args = parser.parse_args()
    if DETECT_SECRETS is None:
        raise SystemExit("detect-secrets is not installed (pip install detect-secrets)")
    with tempfile.TemporaryDirectory(prefix="bench-secrets-") as scratch:
        work = Path(scratch)
        corpus_bench(work)
        throughput(work, args.tree_mb, args.ds_mb, args.full)
        history_bench(work, args.commits)


if __name__ == "__main__":
    main()
