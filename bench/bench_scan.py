"""Whole-scan wall time of the fixture projects, against running the same tools by hand.

1. T02 + T07: ``baseline scan --select T02,T07`` against what a developer would run without the
   toolkit: ``coverage run --branch -m pytest`` followed by ``coverage json`` (the toolkit's
   overhead for the foundation checks).
2. The whole scan (every check, a short fuzzing budget) of the good_project fixture, cold and as a
   no-change rescan, against the same tools run one after the other by hand: coverage + pytest,
   bandit, semgrep with our rule pack, detect-secrets, and atheris on the same generated harness
   for the same budget (by hand there is no cache: a rescan costs what the first run cost).

Each figure is the median of several runs, interleaved so that machine noise hits both sides alike.

    python bench/bench_scan.py [--runs 5] [--select T02,T07]   (or ``python -m bench --only scan``)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baseline.fuzz.generate import write_harnesses  # noqa: E402
from baseline.fuzz.runner import harness_env  # noqa: E402
from baseline.fuzz.surface import find_surface  # noqa: E402
from baseline.tools.semgrep import offline_environment, rules_dir  # noqa: E402
from baseline.tools.static_common import find_executable  # noqa: E402
from bench.common import Options, Row, alternate, median  # noqa: E402

FIXTURES = ("weak_project", "good_project")
WHOLE = "good_project"
GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


def _time(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False, env=env)
    return time.perf_counter() - started


def _scan(project: Path, *extra: str) -> float:
    return _time([sys.executable, "-m", "baseline", "scan", str(project), "--quiet", *extra], REPO)


def _by_hand_tests(project: Path) -> float:
    return (
        _time([sys.executable, "-m", "coverage", "run", "--branch", "--data-file=.bench-cov", "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
        + _time([sys.executable, "-m", "coverage", "json", "--data-file=.bench-cov", "-o", ".bench-cov.json"], project)
    )


def _copy(name: str, scratch: Path, suffix: str = "") -> Path:
    project = scratch / f"{name}{suffix}"
    shutil.copytree(REPO / "tests" / "fixtures" / name, project)
    for git_args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Import"]):
        subprocess.run([*GIT, *git_args], cwd=project, capture_output=True, check=False)
    return project


def foundation(scratch: Path, repeats: int, select: str = "T02,T07") -> dict[str, dict[str, list[float]]]:
    """fixture -> {"scan": seconds, "hand": seconds} per repeat."""
    out = {}
    for name in FIXTURES:
        project = _copy(name, scratch / "foundation")
        out[name] = alternate(repeats, {
            "scan": lambda _: _scan(project, "--select", select),
            "hand": lambda _: _by_hand_tests(project),
        })
    return out


def by_hand_everything(project: Path, harnesses: list[Path], fuzz_s: float, scratch: Path) -> dict[str, float]:
    """The peer of the whole scan: each tool run by hand, one after the other; seconds per tool."""
    executable = Path(sys.executable).parent
    semgrep = find_executable("semgrep") or "semgrep"
    detect = shutil.which("detect-secrets", path=str(executable)) or shutil.which("detect-secrets") or "detect-secrets"
    semgrep_env = {**os.environ, **offline_environment(scratch / "semgrep-home")}
    fuzz_env = {**os.environ, **harness_env(project)}
    times = {
        "tests+coverage": _by_hand_tests(project),
        "bandit": _time([sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-o", str(scratch / "bandit.json"), "-q"], project),
        "semgrep": _time([semgrep, "scan", "--config", str(rules_dir()), "--json", "--output", str(scratch / "semgrep.json"),
                          "--metrics=off", "--disable-version-check", "--quiet", "."], project, semgrep_env),
        "detect-secrets": _time([detect, "scan", "--all-files", "."], project),
    }
    per_harness = max(1, int(fuzz_s / max(1, len(harnesses))))
    times["atheris"] = sum(
        _time([sys.executable, str(harness), f"-max_total_time={per_harness}", f"-artifact_prefix={scratch}/"], project, fuzz_env)
        for harness in harnesses
    )
    return times


def whole_scan(scratch: Path, repeats: int, fuzz_s: float) -> dict:
    """Seconds per repeat: our cold scan, our no-change rescan, and every tool by hand."""
    ours_project = _copy(WHOLE, scratch / "whole")
    peer_project = _copy(WHOLE, scratch / "whole", "-by-hand")
    entries = list(find_surface(peer_project).entry_points)
    harnesses = [item.path for item in write_harnesses(peer_project, peer_project / ".bench-harnesses", entries)]
    flags = ("--fuzz-time", str(fuzz_s))
    peer_parts: list[dict[str, float]] = []

    def ours(_: int) -> None:
        shutil.rmtree(ours_project / ".baseline", ignore_errors=True)
        cold.append(_scan(ours_project, *flags))
        rescan.append(_scan(ours_project, *flags))

    def peer(_: int) -> None:
        peer_parts.append(by_hand_everything(peer_project, harnesses, fuzz_s, scratch))

    cold: list[float] = []
    rescan: list[float] = []
    alternate(repeats, {"ours": ours, "peer": peer})
    return {"cold": cold, "rescan": rescan, "peer": [sum(parts.values()) for parts in peer_parts], "parts": peer_parts,
            "harnesses": len(harnesses)}


def measure(options: Options) -> list[Row]:
    """Rows: T02+T07 scan vs pytest+coverage by hand per fixture; whole scan and no-change rescan vs every tool by hand."""
    rows = []
    fuzz_s = 5.0 if options.quick else 10.0
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        scratch = Path(tmp)
        for name, samples in foundation(scratch, options.repeats).items():
            rows.append(Row(
                f"scan: T02+T07 ({name})", median(samples["scan"]), median(samples["hand"]), peer_name="coverage run + pytest + coverage json",
                quality="the toolkit's overhead for the test and coverage checks", data=f"tests/fixtures/{name}",
                ours_samples=samples["scan"], peer_samples=samples["hand"],
            ))
        whole = whole_scan(scratch, options.repeats, fuzz_s)
        parts = {key: median([p[key] for p in whole["parts"]]) or 0.0 for key in whole["parts"][0]}
        split = ", ".join(f"{key} {value:.1f} s" for key, value in parts.items())
        data = f"tests/fixtures/{WHOLE} (fuzz budget {fuzz_s:.0f} s, {whole['harnesses']} generated harness)"
        rows.append(Row(
            "scan: whole scan, all checks, cold", median(whole["cold"]), median(whole["peer"]), peer_name="each tool by hand, in turn",
            quality=f"by hand: {split}", data=data, ours_samples=whole["cold"], peer_samples=whole["peer"],
        ))
        rows.append(Row(
            "scan: whole scan, no-change rescan", median(whole["rescan"]), median(whole["peer"]), peer_name="each tool by hand (no cache)",
            quality=f"fuzzing spends its budget again on every scan ({fuzz_s:.0f} s)", data=data,
            ours_samples=whole["rescan"], peer_samples=whole["peer"],
        ))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--select", default="T02,T07", help="checks to run (default: the foundation's)")
    args = parser.parse_args()
    print(f"{'fixture':<16}{'baseline scan (s)':>18}{'by hand (s)':>13}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for name, samples in foundation(Path(scratch), args.runs, args.select).items():
            scan, hand = statistics.median(samples["scan"]), statistics.median(samples["hand"])
            print(f"{name:<16}{scan:>18.2f}{hand:>13.2f}{scan / hand:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
