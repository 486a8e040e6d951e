"""Benchmark the T10 pipeline against wapiti run by hand, in the same run.

For each fixture app: (a) "bare": the app started on loopback and wapiti pointed at its home page,
as a user would do by hand; (b) "baseline": the toolkit's pipeline (detection, route extraction,
launcher, supervising proxy, wapiti, parsing, stop). Prints wall times, the vulnerabilities each
found (category, method, path, parameter), and the ratios. Only loopback is targeted. Runs in a few minutes.

    python bench/bench_web.py   (or ``python -m bench --only web``)
    python bench/bench_web.py --only flask_xss_sqli_fixed --repeats 3 --same-starts
    python bench/bench_web.py --crash-runs 3 --load 2     (crash attribution on a loaded machine)

``--same-starts`` adds a third side, bare wapiti given the start URLs the toolkit extracted from the
code (no proxy, no supervision): the toolkit's time over it is its own overhead, while the time over
bare wapiti on the home page also counts the pages only the extracted routes reach.

``--crash-runs N --load K`` runs the pipeline N times on flask_slow_killer (a slow request that kills
the app after the proxy's timeout, on the path of two other vulnerable parameters) with K busy-loop
processes loading the CPUs, and prints for each run the request blamed, whether the bench's own
replay of it alone against a freshly started app kills that app too, what was kept out, and the
cases found on the killer's path.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baseline import sandbox  # noqa: E402
from baseline.config import load_config  # noqa: E402
from baseline.tools import wapiti  # noqa: E402
from baseline.web.app import AppSpec, RunningApp, probe  # noqa: E402
from baseline.web.routes import extract_routes  # noqa: E402
from baseline.web.scan import run_web_scan  # noqa: E402
from baseline.web.supervise import Pending, send  # noqa: E402
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
Side = Callable[[Path, Path, int], tuple[float, set[str], str]]


def extracted_starts(root: Path) -> list[str]:
    """The start paths the toolkit gives wapiti from the routes in the code (the home page aside)."""
    paths = (route.sample_url_path() for route in extract_routes(root, []))
    return [path for path in dict.fromkeys(p for p in paths if p) if path != "/"]


def bare_same_starts(root: Path, work: Path, budget: int = BUDGET) -> tuple[float, set[str], str]:
    """Bare wapiti (no proxy, no supervision) given the start URLs the toolkit extracted from the code."""
    return bare(root, work, budget, starts=extracted_starts(root))


def bare(root: Path, work: Path, budget: int = BUDGET, starts: list[str] | None = None) -> tuple[float, set[str], str]:
    """Start the app and point wapiti at its home page (and ``starts``), without supervision."""
    app = RunningApp(APPS[root.name], python=sys.executable, root=root, work_dir=work, index=0, allow_env=[], code_ports=PORTS.get(root.name, ()))
    try:
        problem = app.start(30)
        if problem:
            raise SystemExit(problem)
        out = work / "bare.json"
        argv = wapiti.build_argv(
            wapiti.find_wapiti() or "wapiti", app.url, start_urls=[app.url.rstrip("/") + path for path in starts or []], excludes=[], modules=MODULES, max_scan_time=budget,
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
            def side(label: str, action: Side) -> Callable[[int], float]:
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


def replay_kills(root: Path, work: Path, method: str, path: str, wait_s: float = 90.0) -> str:
    """The bench's own check of a blamed request: sent alone to a freshly started app, does the app die?"""
    if method not in ("GET", "HEAD"):
        return "not replayed (the crash record keeps no body)"
    app = RunningApp(APPS[root.name], python=sys.executable, root=root, work_dir=work, index=0, allow_env=[], code_ports=PORTS.get(root.name, ()))
    try:
        problem = app.start(30)
        if problem:
            return f"not replayed: {problem}"
        try:
            send(app.port, Pending(time.monotonic(), method, path, (), None), timeout_s=wait_s)
        except OSError:
            pass
        except Exception as exc:  # noqa: BLE001 - the app's answer is hostile input; any failure to parse it is a failure
            return f"no answer ({type(exc).__name__}); app {'alive' if probe(app.url) is not None else 'DEAD'}"
        return "it kills the app" if probe(app.url) is None else "the app survives it"
    finally:
        app.stop()


def crash_runs(runs: int, load: int, budget: int, name: str = "flask_slow_killer") -> int:
    """Crash attribution ``runs`` times with ``load`` CPU hogs running; prints one block per run."""
    root = FIXTURES / name
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)]  # noqa: S603 - fixed argv
    blamed_ok = 0
    try:
        print(f"crash attribution on {name}: {runs} run(s), {load} busy-loop process(es) loading the CPUs, budget {budget} s")
        for index in range(runs):
            with tempfile.TemporaryDirectory() as scratch:
                started = time.monotonic()
                scan = run_web_scan(root, sys.executable, Path(scratch) / "scan", load_config(root, {"web.time": budget}), "sha256:bench")
                elapsed = time.monotonic() - started
                print(f"\nrun {index + 1}: {elapsed:.1f} s, {scan.status}, {len(scan.crashes)} crash(es)")
                verdicts: list[bool] = []
                for crash in scan.crashes:
                    verdict = replay_kills(root, Path(scratch) / f"replay-{len(verdicts)}", crash.method, crash.path)
                    verdicts.append(verdict == "it kills the app")
                    print(f"  blamed    : {crash.method} {crash.path}")
                    print(f"              confirmed by the toolkit's replay: {crash.confirmed}; {len(crash.in_flight)} in flight at the death; bench replay alone: {verdict}")
                    for line in crash.in_flight:
                        print(f"              in flight: {line[:160]}")
                for item in scan.extra.get("excluded", []):
                    wholesale = not item["params"] and not item["any_value"]
                    print(f"  kept out  : {item['method']} {item['path']} carrying {item['params'] or 'any parameters'}"
                          + (f", any unusual value of {item['any_value']}" if item["any_value"] else "") + ("  (WHOLE PATH)" if wholesale else ""))
                killer_paths = {urlsplit(crash.path).path for crash in scan.crashes}
                found = sorted(
                    f"{finding.message.split(' at ')[0]} {finding.properties.get('method')} {finding.properties.get('url_path')} {finding.properties.get('parameter')}"
                    for finding in scan.findings
                    if finding.tool == "wapiti" and finding.properties.get("kind") == "vulnerability" and finding.properties.get("parameter")
                    and finding.properties.get("url_path") in killer_paths
                )
                print(f"  found on the killer's path: {found}")
                blamed_ok += bool(verdicts) and all(verdicts)
        print(f"\nruns whose every blamed request kills a fresh app when replayed alone: {blamed_ok}/{runs}")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run both ways on the fixtures (alternating which goes first) and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--only", action="append", choices=sorted(APPS), help="fixture app to run (repeatable; default: all)")
    parser.add_argument("--repeats", type=int, default=1, help="samples per side; the sides alternate which goes first (default 1)")
    parser.add_argument("--budget", type=int, default=BUDGET, help=f"wapiti's time budget in seconds, both sides (default {BUDGET})")
    parser.add_argument("--same-starts", action="store_true", help="also run bare wapiti given the start URLs the toolkit extracted")
    parser.add_argument("--crash-runs", type=int, default=0, help="instead: crash attribution runs on flask_slow_killer")
    parser.add_argument("--load", type=int, default=2, help="busy-loop processes during --crash-runs (default 2)")
    args = parser.parse_args(argv)
    if wapiti.find_wapiti() is None:
        print("wapiti is not installed (baseline tools install wapiti)")
        return 1
    if args.crash_runs:
        return crash_runs(args.crash_runs, args.load, args.budget)
    print(f"wapiti {wapiti.wapiti_version()}, modules {','.join(MODULES)}, budget {args.budget} s, {args.repeats} sample(s) per side")
    for name in args.only or list(APPS):
        root = FIXTURES / name
        sides = {"baseline": pipeline, "bare": bare}
        if args.same_starts:
            sides["bare+starts"] = bare_same_starts
        found: dict[str, set[str]] = {}
        notes: dict[str, str] = {}
        with tempfile.TemporaryDirectory() as scratch:
            def side(label: str, action: Side) -> Callable[[int], float]:
                def run(index: int) -> float:
                    seconds, cases, note = action(root, Path(scratch) / f"{label}-{index}", args.budget)
                    found[label], notes[label] = cases, note
                    return seconds
                return run

            samples = alternate(args.repeats, {label: side(label, action) for label, action in sides.items()})
        print(f"\n{name}")
        for label in sides:
            times = ", ".join(f"{value:.1f}" for value in samples[label])
            print(f"  {label:<12}: median {median(samples[label]) or 0:6.1f} s [{times}]  {len(found[label])} cases {sorted(found[label])}  ({notes[label]})")
        ours = median(samples["baseline"]) or 0.0
        for label in sides:
            if label != "baseline":
                print(f"  time ratio baseline/{label} = {ours / (median(samples[label]) or 1):.2f}; cases found baseline/{label} = {len(found['baseline'])}/{len(found[label])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
