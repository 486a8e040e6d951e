"""The shared web scan: detect the surface, start the app, test it through the supervising proxy
(schemathesis against its OpenAPI specification, then wapiti), always stop the app, and return one
typed record for the T10 checks and T06's generated black-box tests.

One app start serves both tools. A scan that does not run the wapiti check (e.g. only T06) skips
wapiti; one that runs neither T06 nor the API check skips schemathesis.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from baseline import sandbox
from baseline.errors import SandboxError
from baseline.model import Artifact, Evidence, Finding, Location, Provenance, Severity
from baseline.target import file_sha256
from baseline.tools import wapiti
from baseline.web.api import ApiRun, run_api_tests
from baseline.web.openapi import SpecSource, find_spec
from baseline.web.app import AppSpec, RunningApp, is_loopback_url
from baseline.web.detect import FRAMEWORKS, WebSurface, detect
from baseline.reports.redact import redact_request
from baseline.web.routes import Route, extract_routes, merge_url_map, seed_page
from baseline.web.supervise import ENDPOINT_PREFIX, SEED_PATH, Crash, SupervisingProxy, Supervisor

_PREFERRED = ("Flask", "FastAPI", "Starlette", "Quart", "Bottle", "Django", "WSGI", "ASGI", "http.server")


@dataclass(frozen=True)
class WebScan:
    """Everything the web scan produced. ``status`` (of the wapiti scan): ok | no-web | no-app | error | disabled | not-run.

    ``api`` is the schemathesis run on the same app.
    """

    status: str
    message: str
    surface: WebSurface
    app: AppSpec | None = None
    routes: tuple[Route, ...] = ()
    urls_requested: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    crashes: tuple[Crash, ...] = ()
    crawled_pages: int = 0
    evidence: tuple[Evidence, ...] = ()
    duration_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    api: ApiRun = ApiRun("not-run", "generated API tests were not part of this scan")


def choose_app(surface: WebSurface, config: Any) -> AppSpec | None:
    """The app to serve: from configuration, else the best discovered candidate."""
    command, url, target = config.get("web.command"), config.get("web.url"), config.get("web.app")
    if command:
        return AppSpec("command", command, url or "http://127.0.0.1:{port}/", f"command {command!r}")
    if target:
        kind = next((app.kind for app in surface.apps if app.target == target), None)
        if kind is None:
            kind = "asgi" if set(surface.names()) & {"FastAPI", "Starlette", "Quart"} else "wsgi"
        return AppSpec(kind, target, label=f"web.app = {target}")
    ranked = sorted(surface.apps, key=lambda app: _PREFERRED.index(app.framework) if app.framework in _PREFERRED else 99)
    if not ranked:
        return None
    best = ranked[0]
    return AppSpec(best.kind, best.target, label=f"{best.framework} app {best.target} ({best.path}:{best.line})")


def _route_location(routes: tuple[Route, ...], path: str) -> Location | None:
    for route in routes:
        if route.file and route.sample_url_path() is not None and route.sample_url_path().split("?")[0] == path:  # type: ignore[union-attr]
            return Location(path=route.file, start_line=route.line)
    return None


def _on_proxy_page(supervisor: Supervisor, item: wapiti.WebFinding) -> bool:
    """Whether wapiti computed ``item`` on a page the proxy answered itself (404 of an excluded request, 502, 504)."""
    return supervisor.proxy_only(item.method, item.target or item.path)


def crash_finding(crash: Crash, routes: tuple[Route, ...]) -> Finding:
    """A denial-of-service finding (CWE-400) for a request that took the app down."""
    action = "restarted; only that exact request was kept out of the rest of the scan" if crash.restarted else "not restarted (limit reached or restart failed)"
    return Finding(
        rule_id="web.app-crash",
        severity=Severity.HIGH,
        message=f"the app died or stopped answering after {crash.method} {redact_request(crash.path)} ({crash.reason}); {action}",
        tool="baseline",
        location=_route_location(routes, crash.path.split("?")[0]),
        cwe=(400,),
        properties={
            "request": redact_request(crash.request), "app_log_tail": redact_request(crash.log_tail),
            "confirmed_by_replay": crash.confirmed, "in_flight_at_death": [redact_request(line) for line in crash.in_flight[:20]],
        },
    )


class WebScanRun:
    """Shared run: the dynamic web scan (at most once per scan)."""

    key = "web-scan"

    def execute(self, context: Any) -> WebScan:
        """Detect, start, scan, stop. Never raises for tool or app failures."""
        plans = getattr(context, "plans", None)
        wapiti_wanted = plans("web-app-scanning.wapiti") if plans else True
        api_wanted = plans("T06", "web-app-scanning.api") if plans else True
        return run_web_scan(
            context.root, context.python, context.artifact_dir("web"), context.config, context.target.tree_digest,
            wapiti_wanted=wapiti_wanted, api_wanted=api_wanted,
        )


WEB_SCAN = WebScanRun()


def _detection_evidence(surface: WebSurface) -> Evidence:
    if surface.present:
        seen = "; ".join(hit.where for hit in surface.frameworks[:8])
        summary = f"web surface detected ({', '.join(surface.names())}): {seen}"
    else:
        summary = (
            f"no web surface: {surface.files_scanned} product Python files and the declared dependencies contain no web "
            f"framework ({', '.join(sorted(set(FRAMEWORKS.values())))}), "
            "no WSGI/ASGI callable and no Django manage.py"
        )
    return Evidence(provenance=Provenance.INSPECTED, summary=summary)


def run_web_scan(
    root: Path, python: str, work_dir: Path, config: Any, tree_digest: str, *, wapiti_wanted: bool = True, api_wanted: bool = True,
) -> WebScan:
    """The whole pipeline in one loopback-only network namespace shared by the app, the proxy and the scanners.

    Where such a namespace cannot be had (not root), the pipeline runs on the host's loopback and its
    evidence says so.
    """
    surface = detect(root, config.get("exclude"))
    if not (surface.present or config.get("web.app") or config.get("web.command")) or not config.get("web.enabled"):
        return _run_web_scan(root, python, work_dir, config, tree_digest, surface, wapiti_wanted=wapiti_wanted, api_wanted=api_wanted)
    network, how = sandbox.open_shared_network()
    if network is None:
        scan = _run_web_scan(root, python, work_dir, config, tree_digest, surface, wapiti_wanted=wapiti_wanted, api_wanted=api_wanted)
        where = f"the app and the scanners ran on the host's loopback ({how})"
    else:
        try:
            scan = network.call(_run_web_scan, root, python, work_dir, config, tree_digest, surface, wapiti_wanted=wapiti_wanted, api_wanted=api_wanted)
        finally:
            network.close()
        where = "the app, the supervising proxy, wapiti and schemathesis shared one network namespace with loopback only"
    if scan.app is None:
        return scan
    note = Evidence(Provenance.EXECUTED, f"network: {where}")
    api = replace(scan.api, evidence=scan.api.evidence + (note,))
    return replace(scan, evidence=scan.evidence + (note,), api=api, extra={**scan.extra, "network": "shared-namespace" if network else "host-loopback"})


def _run_web_scan(
    root: Path, python: str, work_dir: Path, config: Any, tree_digest: str, surface: WebSurface, *, wapiti_wanted: bool = True, api_wanted: bool = True,
) -> WebScan:
    started = time.monotonic()
    work_dir.mkdir(parents=True, exist_ok=True)
    evidence = [_detection_evidence(surface)]
    configured = bool(config.get("web.app") or config.get("web.command"))

    def both(status: str, message: str, app: AppSpec | None = None, routes: tuple[Route, ...] = ()) -> WebScan:
        return WebScan(status, message, surface, app, routes, evidence=tuple(evidence), api=ApiRun(status, message, evidence=tuple(evidence)))

    if not surface.present and not configured:
        return both("no-web", "the project offers no web service")
    if not config.get("web.enabled"):
        return both("disabled", "web scanning is disabled (web.enabled = false)")
    spec = choose_app(surface, config)
    if spec is None:
        return both("no-app", f"a web framework is used ({', '.join(surface.names())}) but no app object was found; set web.app or web.command")
    api_wanted = api_wanted and bool(config.get("web.api_tests"))
    executable = wapiti.find_wapiti() if wapiti_wanted else None
    wapiti_problem = None
    if not wapiti_wanted:
        wapiti_problem = ("not-run", "wapiti was not part of this scan (web-app-scanning.wapiti not selected)")
    elif executable is None:
        wapiti_problem = ("error", "wapiti is not installed: run `baseline tools install wapiti` (it needs its own environment)")
    if config.get("web.api_tests"):
        api_skipped = ApiRun("not-run", "generated API tests were not part of this scan")
    else:
        api_skipped = ApiRun("disabled", "generated API tests are disabled (web.api_tests = false)")
    if spec.kind == "command" and not is_loopback_url(spec.url_template.replace("{port}", "1")):
        return both("error", f"web.url {spec.url_template} is not a loopback address; only loopback may be scanned", spec)
    if wapiti_problem is not None and not api_wanted:
        return WebScan(wapiti_problem[0], wapiti_problem[1], surface, spec, evidence=tuple(evidence), api=api_skipped)
    routes = extract_routes(root, config.get("exclude"))
    allow_env = list(config.get("allow_env"))
    startup = float(config.get("web.startup_timeout"))
    instances: list[RunningApp] = []

    def start_instance() -> tuple[RunningApp, str | None]:
        instance = RunningApp(spec, python=python, root=root, work_dir=work_dir, index=len(instances), allow_env=allow_env, code_ports=surface.ports,
            memory_mb=int(config.get("tests.memory_mb")) or None,  # the same address-space limit as the test run
        )
        instances.append(instance)
        try:
            problem = instance.start(startup)
        except SandboxError as exc:
            problem = str(exc)
        return instance, problem

    try:
        first, problem = start_instance()
        if problem is not None:
            tail = redact_request(first.log_tail())
            evidence.append(Evidence(Provenance.EXECUTED, f"started the app ({spec.label}): {problem}", argv=tuple(first.argv), exit_code=first.stop(), stderr_tail=tail))
            return both("error", f"the app could not be started: {problem}", spec, tuple(routes))
        routes = merge_url_map(routes, first.live_rules())
        if first.note:
            evidence.append(Evidence(Provenance.EXECUTED, f"started the app ({spec.label}): {redact_request(first.note)}", argv=tuple(first.argv)))

        def restart() -> tuple[int | None, str]:
            current = instances[-1]
            tail = current.log_tail()
            current.stop()
            fresh, trouble = start_instance()
            return (None if trouble else fresh.port), tail

        supervisor = Supervisor(first.port, restart, int(config.get("web.max_restarts")))
        with SupervisingProxy(supervisor) as proxy:
            api = api_skipped
            if api_wanted:
                before = len(supervisor.crashes)
                api = run_api_tests(root, work_dir, config, f"http://127.0.0.1:{supervisor.upstream_port}/", proxy.url, tuple(routes), tree_digest)
                crashed = tuple(crash_finding(crash, tuple(routes)) for crash in supervisor.crashes[before:])
                api = replace(api, evidence=(evidence[0],) + api.evidence)  # what was detected and started
                if crashed:
                    api = replace(api, findings=api.findings + crashed, message=api.message + f"; {len(crashed)} crash(es)")
            if wapiti_problem is not None or executable is None:
                status, message = wapiti_problem or ("error", "wapiti is not installed")
                result = WebScan(status, message, surface, spec, tuple(routes), evidence=tuple(evidence))
            else:
                api_spec = api.spec if api.spec is not None else find_spec(root, f"http://127.0.0.1:{supervisor.upstream_port}/", config.get("web.openapi")).source
                result = _scan(root, work_dir, config, spec, surface, tuple(routes), supervisor, proxy, executable, evidence, instances, tree_digest, started, api_spec)
        return replace(result, api=api)
    finally:
        for instance in instances:
            instance.stop()


def _scan(
    root: Path, work_dir: Path, config: Any, spec: AppSpec, surface: WebSurface, routes: tuple[Route, ...],
    supervisor: Supervisor, proxy: SupervisingProxy, executable: str, evidence: list[Evidence], instances: list[RunningApp], tree_digest: str,
    started: float, api_spec: SpecSource | None = None,
) -> WebScan:
    modules = [module for module in config.get("web.modules") if module]
    budget = float(config.get("web.time"))
    output = work_dir / "wapiti.json"
    output.unlink(missing_ok=True)
    crashes_before, requests_before = len(supervisor.crashes), len(supervisor.requests)
    base = proxy.url.rstrip("/")
    starts = [base + path for path in dict.fromkeys(
        [p for p in (route.sample_url_path() for route in routes) if p] + list(config.get("web.paths"))
    ) if path != "/"]
    seed, actions = seed_page(routes)
    if actions:  # posted routes no page links to: a page of forms the proxy serves
        supervisor.seed_html, supervisor.seed_actions = seed, actions
        starts.append(base + SEED_PATH)
    # The API's JSON operations are attacked too: wapiti reads them from the OpenAPI specification.
    swagger = None
    if api_spec is not None:
        if api_spec.kind == "served":
            swagger = base + api_spec.location
        elif Path(api_spec.location).is_file():
            copy = work_dir / ("openapi" + (Path(api_spec.location).suffix or ".json"))
            shutil.copyfile(api_spec.location, copy)
            swagger = str(copy)
    argv = wapiti.build_argv(
        executable, proxy.url, start_urls=starts, excludes=[base + path for path in config.get("web.exclude")],
        modules=modules, max_scan_time=budget, output=output, session_dir=work_dir / "wapiti-session",
        endpoint=base + ENDPOINT_PREFIX, swagger=swagger,
    )
    home = work_dir / "home"
    home.mkdir(exist_ok=True)
    process = sandbox.run(
        argv, cwd=work_dir, limits=sandbox.Limits(timeout_s=budget + 120), extra_env={"HOME": str(home)},
        confine=sandbox.Confine(writable=(work_dir,), network=True),  # parses the app's answers; reaches it on loopback
    )
    wapiti_requests = supervisor.requests[requests_before:]
    requested = tuple(dict.fromkeys(path.split("?")[0] for _, path, _ in wapiti_requests))
    artifacts = [Artifact(str(output), file_sha256(output), "application/json")] if output.is_file() else []
    artifacts += [Artifact(str(item.log_path), file_sha256(item.log_path), "text/plain") for item in instances if item.log_path.is_file()]
    report: wapiti.WapitiReport | None = None
    unreadable = ""
    if process.ok and output.is_file():
        try:
            report = wapiti.parse_report(output)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            unreadable = f"wapiti's report could not be read: {exc}"
    version = wapiti.wapiti_version(executable, report)  # its report names it; asking the executable takes seconds
    summary = (
        f"started {spec.label} on loopback ({len(instances)} start(s)) and scanned it with wapiti {version}: "
        f"modules {', '.join(modules)}; {len(wapiti_requests)} requests to {len(requested)} distinct paths "
        f"({', '.join(requested[:15])}{'...' if len(requested) > 15 else ''}); {len(routes)} routes extracted from the code"
    )
    run_evidence = Evidence(
        Provenance.EXECUTED, summary, tool="wapiti", tool_version=version, argv=process.argv, exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3), input_digests={"tree": tree_digest}, artifacts=tuple(artifacts),
        stderr_tail=redact_request(process.stderr_tail()) if not process.ok else None,
    )
    evidence.append(run_evidence)
    crashes = tuple(supervisor.crashes[crashes_before:])
    common: dict[str, Any] = {
        "routes": routes, "urls_requested": requested, "modules": tuple(modules), "crashes": crashes,
        "duration_s": round(time.monotonic() - started, 3), "evidence": tuple(evidence),
    }
    findings = [crash_finding(crash, routes) for crash in crashes]
    cut_short = ""
    recovered = 0
    if report is not None:
        # wapiti's JSON report leaves out the categories its report generator does not list (its XML
        # External Entity findings among them); its session store has every finding it made.
        stored = wapiti.parse_session(work_dir / "wapiti-session")
        if stored is not None:
            known = {wapiti.identity(item) for item in report.findings}
            missing = tuple(item for item in stored.findings if wapiti.identity(item) not in known)
            recovered = len(missing)
            report = replace(report, findings=report.findings + missing)
    if report is None:
        # Killed (or its report lost): what it had stored in its session up to then is kept.
        report = wapiti.parse_session(work_dir / "wapiti-session")
        if report is None:
            why = unreadable or f"wapiti did not complete ({process.describe()}): {process.stderr_tail(5)}"
            return WebScan("error", why, surface, spec, findings=tuple(findings), **common)
        cut_short = unreadable or f"wapiti did not finish ({process.describe()})"
    # The seed page's forms carry no anti-CSRF token: wapiti's CSRF verdict on them is about the proxy's form.
    seeded = set(supervisor.seed_actions)
    on_proxy = [item for item in report.findings if _on_proxy_page(supervisor, item) or (item.module == "csrf" and (item.method.upper(), item.path) in seeded)]
    kept = [item for item in report.findings if item not in on_proxy]
    collapsed = wapiti.collapse(kept)
    findings += [wapiti.to_finding(item, _route_location(routes, item.path), payloads) for item, payloads in collapsed]
    common["extra"] = {"dropped_on_proxy_pages": len(on_proxy), "cut_short": bool(cut_short), "callbacks": supervisor.oob.summary(), "recovered_from_session": recovered,
        "requests_by_method": dict(sorted(Counter(method for method, _path, _status in wapiti_requests).items())), "openapi": swagger,
        # What was kept out after a crash: method, path and the culprit's parameter values, never a whole parameterised path.
        "excluded": [{"method": item.method, "path": item.path, "params": sorted(name for name, _ in item.params), "any_value": sorted(item.any_value)} for item in supervisor.excluded]}
    weaknesses = [(item, payloads) for item, payloads in collapsed if item.kind == "vulnerability"]
    message = (
        f"wapiti crawled {report.crawled_pages} pages and requested {len(requested)} distinct paths in {process.duration_s:.1f} s; "
        f"{len(weaknesses)} vulnerabilities (one per method, path, parameter and CWE; {sum(p for _, p in weaknesses)} payloads hit), {len(crashes)} crash(es)"
        + (f"; {len(on_proxy)} result(s) computed on the proxy's own pages dropped" if on_proxy else "")
    )
    if cut_short:
        message = (
            f"cut short: {cut_short}; the results wapiti had stored in its session up to then are kept: "
            + message.replace(f" in {process.duration_s:.1f} s", f" in {process.duration_s:.1f} s before it was stopped", 1)
        )
    return WebScan("ok", message, surface, spec, findings=tuple(findings), crawled_pages=report.crawled_pages, **common)
