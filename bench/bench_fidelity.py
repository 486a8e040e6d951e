"""Real libraries scanned the way their own CI runs them: T02/T07 vs the documented command by hand.

The three libraries, chosen before the work on running projects as their CI does, cover three
shapes; each is fetched as its PyPI sdist (``pip download --no-binary :all: --no-deps``):

- more-itertools 10.5.0: a unittest suite (``python -m unittest -v``, tox.ini; Makefile
  ``coverage run --include="more_itertools/*.py" -m unittest``);
- attrs 24.2.0: parallel coverage (``[tool.coverage.run] parallel = true``), hatch, dependency
  extras ``tests``;
- pytest-mock 3.14.0: a pytest plugin whose tests need other plugins (pytest-asyncio, pytester),
  tox.ini ``coverage run --append ... -m pytest tests``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline import sandbox  # noqa: E402
from baseline.target import activated_environment  # noqa: E402
from baseline.tools.pytest_run import parse_junit  # noqa: E402
from bench.common import REPO, Options, Row, skipped  # noqa: E402

LIBRARIES = (
    ("more-itertools", "10.5.0", "unittest suite"),
    ("attrs", "24.2.0", "parallel coverage"),
    ("pytest-mock", "3.14.0", "pytest plugins"),
)

# The documented commands, by hand: (test command, coverage commands) run in the provisioned
# environment. {python} is its interpreter.
BY_HAND: dict[str, dict[str, Any]] = {
    "more-itertools": {
        "tests": ["{python}", "-m", "unittest", "-v"],
        "coverage": [["{python}", "-m", "coverage", "run", "--include=more_itertools/*.py", "-m", "unittest"]],
        "report": [["{python}", "-m", "coverage", "report", "--show-missing", "--fail-under=99"]],  # Makefile `coverage`
        "runner": "unittest",
    },
    "attrs": {
        "tests": ["{python}", "-m", "pytest"],
        "coverage": [["{python}", "-m", "coverage", "run", "-m", "pytest"], ["{python}", "-m", "coverage", "combine"]],
        "report": [["{python}", "-m", "coverage", "report"]],  # tox.ini [testenv:coverage-report], after combine
        "runner": "pytest",
    },
    "pytest-mock": {
        "tests": ["{python}", "-m", "pytest", "tests"],
        "coverage": [["{python}", "-m", "coverage", "run", "--source=src/pytest_mock", "-m", "pytest", "tests"]],
        "report": [],  # tox.ini runs no report step
        "runner": "pytest",
    },
}
SDISTS = Path(os.environ.get("BASELINE_BENCH_DATA") or Path.home() / ".cache" / "baseline" / "bench-sdists")


def _matching(name: str, version: str) -> list[Path]:
    wanted = re.sub(r"[-_.]+", "-", f"{name}-{version}-tar-gz".lower())
    return [path for path in SDISTS.glob("*.tar.gz") if re.sub(r"[-_.]+", "-", path.name.lower()) == wanted]


def fetch(name: str, version: str) -> Path:
    """The library's sdist from PyPI (cached), via pip's ordinary client."""
    SDISTS.mkdir(parents=True, exist_ok=True)
    found = _matching(name, version)
    if not found:
        result = sandbox.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", f"{name}=={version}", "-d", str(SDISTS)],
            cwd=SDISTS,
            limits=sandbox.Limits(timeout_s=900),
        )
        if not result.ok:
            raise RuntimeError(f"pip download {name}=={version} failed: {result.stderr_tail(5)}")
        found = _matching(name, version)
    return found[0]


def unpack(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as archive:
        archive.extractall(into, filter="data")
    return next(path for path in into.iterdir() if path.is_dir())


def _hand_counts(runner: str, process: sandbox.ProcessResult, junit: Path, root: Path) -> dict[str, int]:
    if runner == "pytest":
        if not junit.is_file():  # the command by hand did not run: say so, do not crash the benchmark
            raise RuntimeError(f"the documented command wrote no JUnit report ({process.describe()}): {process.stderr_tail(3)}")
        _, counts = parse_junit(junit, root)
        return {"collected": counts.collected, "passed": counts.passed, "failed": counts.failed, "errors": counts.errors, "skipped": counts.skipped}
    text = process.stderr
    found = re.search(r"Ran (\d+) test", text)
    ran = int(found.group(1)) if found else -1
    numbers = {key: int(value) for key, value in re.findall(r"(failures|errors|skipped|expected failures)=(\d+)", text)}
    failed, errors, skips = numbers.get("failures", 0), numbers.get("errors", 0), numbers.get("skipped", 0) + numbers.get("expected failures", 0)
    return {"collected": ran, "passed": ran - failed - errors - skips, "failed": failed, "errors": errors, "skipped": skips}


def one_library(name: str, version: str, scratch: Path, repeats: int = 1) -> dict[str, Any]:
    """Provision cold and cached, scan with no flags (T02, T07), run the documented command by hand.

    With ``repeats`` > 1 the scan and the documented coverage command each run that often, taking
    turns at going first (so that drifting load hits both alike); the times are medians.
    """
    from baseline.provision import provision, provisioned_plan

    sdist = fetch(name, version)
    root = unpack(sdist, scratch / f"{name}-scan")
    hand_root = unpack(sdist, scratch / f"{name}-hand")
    cache = scratch / "cache"
    env = {"BASELINE_CACHE_DIR": str(cache), "BASELINE_PROVISION": "1"}
    os.environ.update(env)
    started = time.perf_counter()
    built = provision(root)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = provision(root)
    cached = time.perf_counter() - started
    assert again.cached
    out = scratch / f"{name}.json"

    def scan_once() -> sandbox.ProcessResult:
        return sandbox.run(
            [sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02,T07", "--format", "json", "--output", str(out)],
            cwd=REPO, limits=sandbox.Limits(timeout_s=3600), extra_env=env,
        )

    started = time.perf_counter()
    scan = scan_once()
    scan_times = [time.perf_counter() - started]
    results = {item["spec"]["id"]: item for item in json.loads(out.read_text())["results"]} if out.is_file() else {}
    t02, t07 = results.get("automated-testing.pytest", {}), results.get("structural-coverage.coverage", {})
    # By hand, in an environment provisioned the same way for the hand copy.
    hand_env = provision(hand_root)
    plan = provisioned_plan(hand_env.python) or {}
    roots = [str(hand_root / item) for item in plan.get("plan", {}).get("import_roots", [])]
    # What the scan adds to this interpreter (pytest, coverage when the environment lacks them), the
    # same overlay the scan used: the documented commands need them too.
    from baseline.provision import overlay, overlay_boot
    from baseline.tools.pytest_run import _probe_versions

    has_pytest, has_coverage, _ = _probe_versions(hand_env.python, hand_root)
    missing = [name for name, version in (("pytest", has_pytest), ("coverage", has_coverage)) if version is None]
    added = overlay(hand_env.python, None, missing) if missing else None
    pythonpath = os.pathsep.join(roots + ([str(overlay_boot(added))] if added is not None else []))
    spec = BY_HAND[name]
    out_dir = scratch / f"{name}-hand-out"
    junit = out_dir / "junit.xml"
    argv = [part.replace("{python}", hand_env.python) for part in spec["tests"]] + ([f"--junitxml={junit}"] if spec["runner"] == "pytest" else [])
    # By hand is still the project's code: confined like the scan, the hand copy and the report folder
    # writable (the unprivileged user owns them there), the environment and the overlay readable.
    confine = sandbox.Confine(writable=(hand_root, out_dir), readable=(Path(hand_env.python), cache, *roots), network=False)
    if added is None and missing:
        raise RuntimeError(f"the documented commands need {', '.join(missing)}, which could not be added to {hand_env.python}")

    def by_hand(command: list[str]) -> sandbox.ProcessResult:
        return sandbox.run([part.replace("{python}", hand_env.python) for part in command], cwd=hand_root,
                           limits=sandbox.Limits(timeout_s=3600), confine=confine,
                           extra_env={**activated_environment(hand_env.python), "PYTHONPATH": pythonpath})

    started = time.perf_counter()
    tests = by_hand(argv)
    tests_s = time.perf_counter() - started
    counts = _hand_counts(spec["runner"], tests, junit, hand_root)
    report_times: list[float] = []

    def coverage_once() -> float:
        """The documented coverage run (its report step timed apart, see ``report_times``)."""
        for stale in hand_root.glob(".coverage*"):
            if stale.name != ".coveragerc":  # data files only, never the project's configuration
                stale.unlink()
        began = time.perf_counter()
        for command in spec["coverage"]:
            by_hand(command)
        ran = time.perf_counter() - began
        for command in spec["report"]:
            by_hand(command)
        report_times.append(time.perf_counter() - began - ran)
        return ran

    def scan_again() -> float:
        began = time.perf_counter()
        scan_once()
        return time.perf_counter() - began

    coverage_times = [coverage_once()]
    for index in range(1, repeats):  # the first pair ran above; then they take turns at going first
        for side in ((scan_again, coverage_once) if index % 2 == 0 else (coverage_once, scan_again)):
            (scan_times if side is scan_again else coverage_times).append(side())
    scan_s, coverage_s = statistics.median(scan_times), statistics.median(coverage_times)
    documented_s = statistics.median(run + report for run, report in zip(coverage_times, report_times))
    report = out_dir / "hand-coverage.json"
    by_hand(["{python}", "-m", "coverage", "json", "-o", str(report), "--fail-under=0"])
    hand_cov = json.loads(report.read_text())["totals"]["percent_statements_covered"] if report.is_file() else None
    ours = {key: t02.get("metrics", {}).get(key) for key in ("collected", "passed", "failed", "errors", "skipped")}
    return {
        "library": f"{name} {version}",
        "provision_cold_s": round(cold, 2), "provision_cached_s": round(cached, 3), "how": built.how,
        "scan_s": round(scan_s, 2), "scan_samples_s": [round(item, 2) for item in scan_times],
        "hand_coverage_samples_s": [round(item, 2) for item in coverage_times],
        "hand_documented_s": round(documented_s, 2), "scan_vs_run": round(scan_s / coverage_s, 2), "scan_vs_documented": round(scan_s / documented_s, 2),
        "scan_exit": scan.exit_code, "t02": t02.get("outcome"), "t02_message": t02.get("message"),
        "t02_counts": ours, "hand_counts": counts, "hand_tests_s": round(tests_s, 2), "hand_coverage_s": round(coverage_s, 2),
        "t07": t07.get("outcome"), "t07_percent": t07.get("metrics", {}).get("percent_statements"),
        "t07_project_percent": t07.get("metrics", {}).get("project_percent_statements"), "hand_coverage_percent": None if hand_cov is None else round(hand_cov, 2),
        "t07_message": t07.get("message"), "t02_equal": ours == counts,
        "t07_equal": hand_cov is not None and t07.get("metrics", {}).get("project_percent_statements") == round(hand_cov, 2),
    }


def measure(options: Options) -> list[Row]:
    """Rows: per library, scan (T02+T07, cached environment) vs the documented coverage command by hand."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-fidelity-") as tmp:
        for name, version, shape in LIBRARIES[:1] if options.quick else LIBRARIES:
            try:
                result = one_library(name, version, Path(tmp), options.repeats)
            except Exception as exc:  # a benchmark that breaks is a skipped row, not a crash
                rows.append(skipped(f"fidelity: {name}", f"error: {type(exc).__name__}: {exc}", data=f"PyPI sdist {name} {version}"))
                continue
            rows.append(Row(
                f"fidelity: {name} ({shape})", result["scan_s"], result["hand_coverage_s"], peer_name="documented coverage run by hand",
                quality=f"T02 equal: {result['t02_equal']}, T07 project figure equal: {result['t07_equal']}; with the documented report step "
                f"{result['hand_documented_s']} s ({result['scan_vs_documented']}x); provisioning cold "
                f"{result['provision_cold_s']} s, cached {result['provision_cached_s']} s",
                data=f"PyPI sdist {name} {version}",
            ))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", help="one library")
    parser.add_argument("--repeats", type=int, default=1, help="scans and coverage runs by hand per library, alternated (medians)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fidelity-") as tmp:
        for name, version, _ in LIBRARIES:
            if args.only and args.only != name:
                continue
            print(json.dumps(one_library(name, version, Path(tmp), args.repeats), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
