"""The cost of confinement: the same scans with and without bubblewrap, in one run.

Two projects: the ``good_project`` fixture and, when it is installed, a copy of jsonschema with its
own test suite (a real library's tests; the project the ``testing`` benchmark uses). Each scan runs
T02, T03 and T07 (the test run under coverage, bandit and semgrep: every confined kind of process)
once confined (bubblewrap: scratch copy, mounts, namespaces) and once with ``--unconfined`` and
bubblewrap made unavailable, alternating which goes first. The ratio is confined / unconfined
wall time; the target is under 1.05. Run: ``python bench/bench_confinement.py`` or
``python -m bench --only confinement``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baseline import sandbox  # noqa: E402
from bench.bench_testing import _project  # noqa: E402
from bench.common import Options, Row, alternate, median, skipped  # noqa: E402

SELECT = "T02,T03,T07"


def _scan(root: Path, out: Path, confined: bool) -> float | None:
    argv = [sys.executable, "-m", "baseline", "scan", str(root), "--select", SELECT, "--quiet", "--no-history", "--format", "json", "--output", str(out)]
    extra = {} if confined else {"BASELINE_BWRAP": "/nonexistent/bwrap"}
    if not confined:
        argv.append("--unconfined")
    shutil.rmtree(root / ".baseline", ignore_errors=True)
    started = time.monotonic()
    result = sandbox.run(argv, cwd=REPO, limits=sandbox.Limits(timeout_s=1800), extra_env=extra)
    seconds = time.monotonic() - started
    return seconds if out.is_file() and result.exit_code in (0, 1, 3) else None


def _rows(workspace: Path, repeats: int, quick: bool) -> list[Row]:
    rows: list[Row] = []
    fixture = workspace / "good_project"
    shutil.copytree(REPO / "tests" / "fixtures" / "good_project", fixture)
    projects = [(fixture, "the good_project fixture")]
    if not quick:
        library, _, description = _project(workspace / "library")
        if "jsonschema" in description:
            projects.append((library, description))
    for root, description in projects:
        def confined(index: int, root: Path = root) -> float | None:
            return _scan(root, workspace / f"{root.name}-c{index}.json", True)

        def unconfined(index: int, root: Path = root) -> float | None:
            return _scan(root, workspace / f"{root.name}-u{index}.json", False)

        samples = alternate(repeats, {"confined": confined, "unconfined": unconfined})
        rows.append(Row(
            f"confinement: {SELECT} scan with bubblewrap vs --unconfined", median(samples["confined"]), median(samples["unconfined"]),
            peer_name="the same scan unconfined", quality="target ratio < 1.05", data=description,
            ours_samples=samples["confined"], peer_samples=samples["unconfined"],
        ))
    return rows


def _per_process(workspace: Path, repeats: int) -> Row:
    """The fixed cost of one confined process (bubblewrap's mounts and namespaces, the init) vs a plain one."""
    root = workspace / "good_project"
    sandbox.scratch_copy(root)  # made once per scan: not part of the per-process cost

    def once(confine: sandbox.Confine | None) -> float:
        started = time.monotonic()
        for _ in range(10):
            sandbox.run([sys.executable, "-c", "pass"], cwd=root, confine=confine)
        return (time.monotonic() - started) / 10

    samples = alternate(max(repeats, 3), {
        "confined": lambda _: once(sandbox.Confine(project=root, writable=(workspace / "work",))),
        "plain": lambda _: once(None),
    })
    return Row("confinement: one `python -c pass` confined vs plain", median(samples["confined"]), median(samples["plain"]),
               peer_name="the same process unconfined", data="mean of 10 runs per sample", ours_samples=samples["confined"], peer_samples=samples["plain"])


def measure(options: Options) -> list[Row]:
    """Rows: confined / unconfined wall time of the same scans."""
    if sandbox.bubblewrap() is None:
        return [skipped("confinement", f"bubblewrap cannot run here: {sandbox.unavailable_reason()}")]
    with tempfile.TemporaryDirectory(prefix="bench-confinement-") as tmp:
        rows = _rows(Path(tmp), options.repeats, options.quick)
        return [_per_process(Path(tmp), options.repeats), *rows]


def main() -> int:
    """Print the figures."""
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    for row in measure(Options(repeats=repeats)):
        if row.skipped:
            print(row.benchmark, "skipped:", row.skipped)
            continue
        print(f"{row.data}: confined {row.ours:.1f} s, unconfined {row.peer:.1f} s, ratio {row.ratio:.3f} "
              f"(samples {[round(x, 1) for x in row.ours_samples]} vs {[round(x, 1) for x in row.peer_samples]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
