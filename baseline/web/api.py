"""Generated API tests: schemathesis against the app's OpenAPI specification, inside the web scan.

The app is the one the web scan started; schemathesis talks to it through the same supervising
proxy as wapiti, so a request that takes the app down is recorded and the app restarted. The
record feeds T06 (each operation's positive and negative cases as generated black-box tests) and
T10 (failures as findings with a CWE and the reproducing request).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from baseline import sandbox
from baseline.model import Artifact, Evidence, Finding, Location, Provenance
from baseline.target import file_sha256
from baseline.tools import schemathesis
from baseline.tools.schemathesis import ApiTestReport
from baseline.web.openapi import SpecSource, find_spec
from baseline.reports.redact import redact_request
from baseline.web.routes import Route

INSTALL_HINT = "pip install 'baseline-verify[web]' (or baseline tools install schemathesis)"


@dataclass(frozen=True)
class ApiRun:
    """The generated API tests. ``status``: ok | no-spec | no-web | no-app | disabled | not-run | error."""

    status: str
    message: str
    spec: SpecSource | None = None
    report: ApiTestReport | None = None
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    duration_s: float = 0.0


def route_locator(routes: tuple[Route, ...]) -> Any:
    """A function (method, path) -> Location of the handler of that route, or None."""

    def locate(method: str, path: str) -> Location | None:
        for route in routes:
            if route.file and route.path == path and (method in route.methods or "*" in route.methods):
                return Location(path=route.file, start_line=route.line)
        for route in routes:
            if route.file and route.path == path:
                return Location(path=route.file, start_line=route.line)
        return None

    return locate


def _seed(tree_digest: str) -> int:
    """The same tree gets the same generated inputs (a reproducible run)."""
    try:
        return int(tree_digest.rpartition(":")[2][:8], 16)
    except ValueError:
        return 0


def run_api_tests(
    root: Path, work_dir: Path, config: Any, app_url: str, proxy_url: str, routes: tuple[Route, ...], tree_digest: str,
) -> ApiRun:
    """Find the specification and run schemathesis through the proxy; never raises for tool failures."""
    started = time.monotonic()
    search = find_spec(root, app_url, config.get("web.openapi"))
    looked = Evidence(Provenance.INSPECTED, "OpenAPI specification searched: " + "; ".join(search.looked_at))
    if search.problem:
        return ApiRun("error", search.problem, evidence=(looked,))
    if search.source is None:
        return ApiRun(
            "no-spec", "the app serves no OpenAPI specification at the usual paths and the project holds none (set web.openapi)",
            evidence=(Evidence(Provenance.INSPECTED, "no OpenAPI specification: probed " + "; ".join(search.looked_at)),),
            duration_s=round(time.monotonic() - started, 3),
        )
    source = search.source
    executable = schemathesis.find_schemathesis()
    if executable is None:
        return ApiRun("error", f"the app has an OpenAPI specification ({source.label}) but schemathesis is not installed: {INSTALL_HINT}", source, evidence=(looked,))
    out = work_dir / "schemathesis"
    shutil.rmtree(out, ignore_errors=True)
    (out / "home").mkdir(parents=True)
    proxy = urlsplit(proxy_url)
    origin = f"{proxy.scheme}://{proxy.netloc}"
    location = origin + source.location if source.kind == "served" else source.location
    budget = float(config.get("web.api_time"))
    argv = schemathesis.build_argv(
        executable, location, origin, checks=[item for item in config.get("web.api_checks") if item] or ["all"],
        max_examples=int(config.get("web.api_max_examples")), max_time=None, seed=_seed(tree_digest), report_dir=out / "report",
    )
    # The seeded examples are the budget (the same tree gets the same cases); web.api_time only caps the run.
    process = sandbox.run(
        argv, cwd=out, limits=sandbox.Limits(timeout_s=budget), extra_env={"HOME": str(out / "home")},
        confine=sandbox.Confine(writable=(out,), network=True),  # parses the app's schema; reaches it on loopback
    )
    events, summary = out / "report" / "events.ndjson", out / "report" / "run.json"
    artifacts = tuple(Artifact(str(path), file_sha256(path), "application/x-ndjson" if path.suffix == ".ndjson" else "application/json") for path in (events, summary) if path.is_file())
    tail = redact_request(process.stderr_tail(10) or process.stdout[-2000:])
    failure = None
    report: ApiTestReport | None = None
    if not events.is_file():
        failure = f"schemathesis did not complete ({process.describe()}): {tail}"
    else:
        try:
            report = schemathesis.parse_events(events, summary if not process.timed_out else None)
        except (OSError, ValueError) as exc:
            failure = f"schemathesis's report could not be read: {exc}" if not process.timed_out else f"schemathesis did not complete ({process.describe()}): {tail}"
    version = report.version if report is not None and report.version else schemathesis.schemathesis_version(executable)
    if report is not None and report.operations_tested == 0:
        failure = "schemathesis tested no API operation" + (f": {'; '.join(report.errors[:3])}" if report.errors else f" ({tail})")
    summary_text = f"schemathesis {version} ran against the app's OpenAPI specification ({source.label}) on loopback through the supervising proxy"
    if report is not None:
        summary_text += (
            f": {report.operations_tested}/{report.operations_total} operations tested, {report.cases} test cases generated "
            f"({report.negative_cases} with invalid data) in {report.running_time_s:.1f} s, {len(report.failures)} failing check(s), seed {report.seed}"
        )
    run_evidence = Evidence(
        Provenance.EXECUTED, summary_text, tool="schemathesis", tool_version=version, argv=process.argv, exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3), input_digests={"tree": tree_digest}, artifacts=artifacts,
        stderr_tail=tail if failure else None,
    )
    evidence = (looked, run_evidence)
    duration = round(time.monotonic() - started, 3)
    if failure is not None or report is None:
        return ApiRun("error", failure or "schemathesis produced no report", source, report, evidence=evidence, duration_s=duration)
    findings = tuple(schemathesis.to_findings(report, route_locator(routes)))
    failed = [test for test in report.tests if not test.passed]
    message = (
        f"schemathesis tested {report.operations_tested} operations with {report.cases} generated cases "
        f"({report.negative_cases} negative); {len(report.tests) - len(failed)}/{len(report.tests)} generated tests passed"
        + (f"; {len(report.errors)} error(s)" if report.errors else "")
    )
    if process.timed_out:
        # What ran up to the cap is kept (the event stream is written as it goes); the run is said to be partial.
        message += f"; cut short by the time cap of {budget:g} s (web.api_time) before every example ran: the results up to then are kept; raise it for a complete run"
    return ApiRun("ok", message, source, report, findings, evidence, duration)
