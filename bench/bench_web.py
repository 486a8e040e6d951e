"""Benchmark the T10 pipeline against wapiti run by hand, in the same run.

For each fixture app: (a) "bare": the app started on loopback and wapiti pointed at its home page,
as a user would do by hand; (b) "baseline": the toolkit's pipeline (detection, route extraction,
launcher, supervising proxy, wapiti, parsing, stop). Prints wall times, the vulnerabilities each
found (category, method, path, parameter), and the ratios. Only loopback is targeted. Runs in a few minutes.

    python bench/bench_web.py   (or ``python -m bench --only web``)
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
from baseline.tools import wapiti  # noqa: E402
from baseline.web.app import AppSpec, RunningApp  # noqa: E402
from baseline.web.scan import run_web_scan  # noqa: E402
from bench.common import Options, Row, alternate, median, skipped  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
MODULES = list(wapiti.DEFAULT_MODULES)
# How a user would start each fixture app by hand (bare wapiti is pointed at it).
APPS = {
    "flask_xss_sqli": AppSpec("wsgi", "shopapp.web:app"),
    "flask_xss_sqli_fixed": AppSpec("wsgi", "shopapp.web:app"),
    # One path: XSS and SQL injection beside a parameter whose unusual values kill the app after the proxy's timeout.
    "flask_slow_killer": AppSpec("wsgi", "reports.web:app"),
    "stdlib_http_app": AppSpec("script", "greeter.server"),  # http.server on a fixed port
    "flask_run_at_import": AppSpec("wsgi", "hello.web:app"),  # app.run() at import, on its own port
}
PORTS = {"stdlib_http_app": (18731,), "flask_run_at_import": (18732,)}
BUDGET = 60


def bare(root: Path, work: Path, budget: int = BUDGET) -> tuple[float, set[str], str]:
    """Start the app and point wapiti at its home page, without supervision or extracted routes."""
    app = RunningApp(APPS[root.name], python=sys.executable, root=root, work_dir=work, index=0, allow_env=[], code_ports=PORTS.get(root.name, ()))
    try:
        problem = app.start(30)
        if problem:
            raise SystemExit(problem)
        out = work / "bare.json"
        argv = wapiti.build_argv(
            wapiti.find_wapiti() or "wapiti", app.url, start_urls=[], excludes=[], modules=MODULES, max_scan_time=budget,
            output=out, session_dir=work / "bare-session", endpoint=app.url + "__endpoint__/",
        )
        started = time.monotonic()
        result = sandbox.run(argv, cwd=work, limits=sandbox.Limits(timeout_s=budget + 120), extra_env={"HOME": str(work)})
        elapsed = time.monotonic() - started
        found = {f"{item.category} {item.method} {item.path} {item.parameter}".strip() for item in wapiti.parse_report(out).findings if item.kind == "vulnerability"} if out.is_file() else set()
        alive = "alive" if app.process.alive() else "DEAD at the end"
        return elapsed, found, f"exit {result.exit_code}, app {alive}"
    finally:
        app.stop()


def pipeline(root: Path, work: Path, budget: int = BUDGET) -> tuple[float, set[str], str]:
    """The toolkit's whole T10 pipeline."""
    started = time.monotonic()
    scan = run_web_scan(root, sys.executable, work, load_config(root, {"web.time": budget}), "sha256:bench")
    elapsed = time.monotonic() - started
    found = {
        f"{finding.message.split(' at ')[0]} {finding.properties.get('method')} {finding.properties.get('url_path')} {finding.properties.get('parameter')}".strip()
        for finding in scan.findings if finding.tool == "wapiti" and finding.properties.get("kind") == "vulnerability"
    }
    if scan.crashes:
        found.add("Denial of service (app crash, CWE-400)")
    return elapsed, found, f"{scan.status}, {len(scan.crashes)} crash(es), {len(scan.urls_requested)} paths"


def measure(options: Options) -> list[Row]:
    """Rows per fixture app: wall time and vulnerability kinds found, the pipeline vs bare wapiti."""
    if wapiti.find_wapiti() is None:
        return [skipped("web", "wapiti is not installed (baseline tools install wapiti; BASELINE_TOOLS_DIR if it lives elsewhere)")]
    budget = 30 if options.quick else BUDGET
    fixtures = ("flask_xss_sqli",) if options.quick else tuple(APPS)
    rows = []
    for name in fixtures:
        root = FIXTURES / name
        found: dict[str, list[set[str]]] = {"ours": [], "bare": []}
        notes: dict[str, str] = {}
        with tempfile.TemporaryDirectory() as scratch:
            def side(label: str, action):  # type: ignore[no-untyped-def]
                def run(index: int) -> float:
                    seconds, kinds, note = action(root, Path(scratch) / f"{label}-{index}", budget)
                    found[label].append(kinds)
                    notes[label] = note
                    return seconds
                return run

            samples = alternate(options.repeats, {"ours": side("ours", pipeline), "bare": side("bare", bare)})
        data = f"tests/fixtures/{name}, wapiti {wapiti.wapiti_version()}, {budget} s budget"
        ours_kinds = median([float(len(k)) for k in found["ours"]])
        bare_kinds = median([float(len(k)) for k in found["bare"]])
        rows.append(Row(
            f"web: T10 scan time ({name})", median(samples["ours"]), median(samples["bare"]), peer_name="bare wapiti on the home page",
            quality=f"ours: {notes.get('ours', '')}; bare: {notes.get('bare', '')}", data=data,
            ours_samples=samples["ours"], peer_samples=samples["bare"],
        ))
        rows.append(Row(
            f"web: cases found, category + method + path + parameter ({name})", ours_kinds, bare_kinds, unit="", better="higher",
            peer_name="bare wapiti",
            quality=f"ours {sorted(found['ours'][-1])}; bare {sorted(found['bare'][-1])}", data=data,
        ))
    return rows


def main() -> int:
    """Run both ways on both fixtures and print the comparison."""
    if wapiti.find_wapiti() is None:
        print("wapiti is not installed (pip install 'baseline-verify[web]')")
        return 1
    print(f"wapiti {wapiti.wapiti_version()}, modules {','.join(MODULES)}, budget {BUDGET} s")
    for name in APPS:
        root = FIXTURES / name
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch)
            bare_time, bare_found, bare_note = bare(root, work / "bare")
            ours_time, ours_found, ours_note = pipeline(root, work / "ours")
        print(f"\n{name}")
        print(f"  bare wapiti : {bare_time:6.1f} s  {len(bare_found)} cases {sorted(bare_found)}  ({bare_note})")
        print(f"  baseline    : {ours_time:6.1f} s  {len(ours_found)} cases {sorted(ours_found)}  ({ours_note})")
        print(f"  time ratio baseline/bare = {ours_time / bare_time:.2f}; cases found baseline/bare = {len(ours_found)}/{len(bare_found)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
