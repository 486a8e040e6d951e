"""Benchmark the generated API tests (schemathesis in the web scan) against schemathesis run by hand.

For each FastAPI fixture: (a) "bare": the app started on loopback and ``schemathesis run`` pointed at
its ``/openapi.json`` with the same budget, checks and seed, as a user would do by hand; (b)
"baseline": the toolkit's pipeline (detection, launcher, readiness wait, specification search,
supervising proxy, schemathesis, parsing, stop; no wapiti). Prints wall times, test cases
generated, the failing checks each found, and the ratios. Only loopback is targeted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baseline import sandbox  # noqa: E402
from baseline.config import load_config  # noqa: E402
from baseline.tools import schemathesis  # noqa: E402
from baseline.web.app import AppSpec, RunningApp  # noqa: E402
from baseline.web.scan import run_web_scan  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
BUDGET = 15
SEED = 1234


def bare(root: Path, work: Path, executable: str) -> tuple[float, int, set[str], str]:
    """Start the app and run schemathesis straight at it, without the proxy."""
    app = RunningApp(AppSpec("asgi", "ratioapi.api:app"), python=sys.executable, root=root, work_dir=work, index=0, allow_env=[])
    try:
        problem = app.start(30)
        if problem:
            raise SystemExit(problem)
        origin = app.url.rstrip("/")
        argv = schemathesis.build_argv(
            executable, origin + "/openapi.json", origin, checks=["all"], max_examples=50, max_time=None, seed=SEED, report_dir=work / "report",
        )
        started = time.monotonic()
        result = sandbox.run(argv, cwd=work, limits=sandbox.Limits(timeout_s=BUDGET + 120), extra_env={"HOME": str(work)})
        elapsed = time.monotonic() - started
        report = schemathesis.parse_events(work / "report" / "events.ndjson")
        return elapsed, report.cases, {failure.check for failure in report.failures}, f"exit {result.exit_code}"
    finally:
        app.stop()


def pipeline(root: Path, work: Path) -> tuple[float, int, set[str], str]:
    """The toolkit's pipeline, schemathesis part only."""
    config = load_config(root, {"web.api_time": BUDGET + 120, "web.api_max_examples": 50})
    started = time.monotonic()
    scan = run_web_scan(root, sys.executable, work, config, f"sha256:{SEED:08x}", wapiti_wanted=False)
    elapsed = time.monotonic() - started
    report = scan.api.report
    cases = report.cases if report else 0
    checks = {failure.check for failure in report.failures} if report else set()
    return elapsed, cases, checks, f"{scan.api.status}, {len(scan.api.findings)} finding(s)"


def main() -> int:
    """Run both ways on both fixtures and print the comparison."""
    executable = schemathesis.find_schemathesis()
    if executable is None:
        print("schemathesis is not installed (pip install 'baseline-verify[web]')")
        return 1
    print(f"schemathesis {schemathesis.schemathesis_version(executable)}, checks all, budget {BUDGET} s, seed {SEED}")
    for name in ("fastapi_ratio", "fastapi_ratio_fixed"):
        root = FIXTURES / name
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch)
            bare_time, bare_cases, bare_found, bare_note = bare(root, work / "bare", executable)
            ours_time, ours_cases, ours_found, ours_note = pipeline(root, work / "ours")
        print(f"\n{name}")
        print(f"  bare schemathesis : {bare_time:6.1f} s  {bare_cases:5d} cases  failing checks {sorted(bare_found)}  ({bare_note})")
        print(f"  baseline          : {ours_time:6.1f} s  {ours_cases:5d} cases  failing checks {sorted(ours_found)}  ({ours_note})")
        print(f"  time ratio baseline/bare = {ours_time / bare_time:.2f}; cases baseline/bare = {ours_cases / max(1, bare_cases):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
