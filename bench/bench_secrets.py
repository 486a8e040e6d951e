"""Benchmark of the secrets engine against detect-secrets (and a grep pass), in the same run.

1. Precision / recall / F1 on the labeled corpus (tests/secrets_corpus), ours vs detect-secrets.
2. Throughput in MB/s on a large tree copied from this interpreter's site-packages: ours (all
   workers), ours (one process), ``grep -rEil`` with our keyword list (the speed limit), and
   ``detect-secrets scan --all-files -n`` (on a slice of the same tree unless --full: it is slow).
3. History scan time on a generated repository with a few thousand commits.

Usage: python bench/bench_secrets.py [--tree-mb 60] [--ds-mb 6] [--commits 3000] [--full]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import site
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
from baseline.tools.secrets.parallel import default_workers, scan_paths  # noqa: E402

MAX_BYTES = 2 * 1024 * 1024
DETECT_SECRETS = shutil.which("detect-secrets")


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


def corpus_bench(work: Path) -> None:
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
    print(f"corpus: {len(samples)} samples, {sum(s.positive for s in samples)} secrets, {len(samples) - sum(s.positive for s in samples)} look-alikes")
    print(f"{'tool':<16}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for label, found in (("baseline", ours), ("detect-secrets", theirs)):
        tp = sum(1 for n, s in zip(names, samples) if s.positive and n in found)
        fp = sum(1 for n, s in zip(names, samples) if not s.positive and n in found)
        fn = sum(1 for n, s in zip(names, samples) if s.positive and n not in found)
        p, r, f = prf(tp, fp, fn)
        print(f"{label:<16}{tp:>5}{fp:>5}{fn:>5}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
        if label == "detect-secrets":
            kinds: dict[str, int] = {}
            for n, s in zip(names, samples):
                if not s.positive and n in found:
                    kinds[s.kind] = kinds.get(s.kind, 0) + 1
            print(f"  detect-secrets false positives by kind: {kinds}")


def build_tree(work: Path, megabytes: float) -> Path:
    site_dirs = [Path(p) for p in dict.fromkeys([sysconfig.get_paths()["purelib"], *site.getsitepackages(), *sys.path]) if p.endswith("site-packages")]
    names = ("pip", "botocore", "networkx", "jedi", "pygments", "setuptools", "rich", "jinja2", "sympy")
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


def throughput(work: Path, tree_mb: float, ds_mb: float, full: bool) -> None:
    tree = build_tree(work, tree_mb)
    names = files_of(tree)
    size = sum((tree / n).stat().st_size for n in names) / 1e6
    print(f"\nthroughput tree: {len(names)} files, {size:.1f} MB (copied from site-packages), prefilter: {PREFILTER}")
    rows = []
    # best of two runs each (the machine may be shared), all on a warm page cache
    pattern = "|".join(re.escape(k.decode()) for k in KEYWORDS)
    grep_s = ours_one = ours_all = float("inf")
    for _ in range(2):
        started = time.monotonic()
        grep = sandbox.run(["grep", "-rEil", pattern, "."], cwd=tree, limits=sandbox.Limits(timeout_s=600, output_cap=64 << 20))
        grep_s = min(grep_s, time.monotonic() - started)
        started = time.monotonic()
        found = sum(len(i.detections) for i in scan_paths(tree, names, MAX_BYTES, 1))
        ours_one = min(ours_one, time.monotonic() - started)
        started = time.monotonic()
        scan_paths(tree, names, MAX_BYTES, 0)
        ours_all = min(ours_all, time.monotonic() - started)
    rows.append((f"baseline ({default_workers(0)} workers)", size, ours_all, found))
    rows.append(("baseline (1 process)", size, ours_one, found))
    rows.append(("grep -rEil keywords", size, grep_s, len(grep.stdout.splitlines())))
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
    ds_results, ds_s = detect_secrets(ds_tree)
    rows.append(("detect-secrets" + ("" if full else " (slice)"), ds_size, ds_s, sum(len(v) for v in ds_results.values())))
    print(f"{'tool':<32}{'MB':>8}{'seconds':>9}{'MB/s':>9}{'hits':>7}")
    for label, mb, seconds, hits in rows:
        print(f"{label:<32}{mb:>8.1f}{seconds:>9.2f}{mb / seconds:>9.2f}{hits:>7}")
    ours_rate, ds_rate, grep_rate = size / min(ours_all, ours_one), ds_size / ds_s, size / grep_s
    print(f"ratio baseline / detect-secrets: {ours_rate / ds_rate:.1f}x faster")
    print(f"ratio grep / baseline: {grep_rate / ours_rate:.2f}x (baseline is within {grep_rate / ours_rate:.1f}x of grep)")


def history_bench(work: Path, commits: int) -> None:
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
            body += 'API_TOKEN = "' + "".join(rng.choice("abcdefghijkLMNOP0123456789") for _ in range(24)) + '"\n'
        data = body.encode()
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev@example.com> {1700000000 + index * 60} +0000\n"
                      f"data 9\ncommit {index % 10}\n" + (f"from :{mark - 1}\n" if index else "")
                      + f"M 644 inline src/module_{index % 50}.py\ndata {len(data)}\n")
        stream.append(body + "\n")
    imported = sandbox.run(["git", "fast-import", "--quiet"], cwd=repo, stdin_data="".join(stream).encode(), limits=sandbox.Limits(timeout_s=300))
    if not imported.ok:
        print(f"history: fast-import failed: {imported.stderr_tail()}")
        return
    result = scan_history(repo, max_bytes=MAX_BYTES)
    print(f"\nhistory: {result.commits} commits, {result.blobs_scanned} distinct blobs ({result.bytes_scanned / 1e6:.1f} MB) "
          f"in {result.duration_s:.2f} s; {len(result.hits)} distinct secrets; status {result.status}")


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
