"""T10 web application scanning: start the app on loopback, scan it with wapiti and, when it has an
OpenAPI specification, with schemathesis; judge the findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Outcome, Provenance, Severity
from baseline.scoring import absence

if TYPE_CHECKING:  # the web scan's modules are imported when a check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.attack_surface import SurfaceItem
    from baseline.web.scan import WebScan

SPEC = CheckSpec(
    id="web-app-scanning.wapiti",
    technique="T10",
    title="The web app survives a dynamic scan without high-severity findings",
    verifies="Detects web frameworks, app objects and standard-library HTTP servers, starts the app on 127.0.0.1 in "
    "the sandbox (found on the port it really listens on when it picks its own), crawls it from the home page plus "
    "every route extracted from the code, and attacks it with wapiti (reflected and stored XSS, error-, boolean- "
    "and time-based SQL injection, command execution, file disclosure, open redirect, XXE, CRLF, SSRF, CSRF, HTTP "
    "methods, security headers, cookie flags) through a supervising proxy: a request that takes the app down is "
    "confirmed by replaying it alone against a fresh app, reported, and only that request is kept out of the rest "
    "of the scan; results computed on the proxy's own pages are dropped.",
    why="NIST IR 8397 asks for a dynamic scan when the software offers a web service: injection and cross-site "
    "scripting are found by sending the app hostile requests, not by reading it.",
    remediation="Fix each reported request: escape output, parameterise queries, validate redirects, set security "
    "headers and cookie flags, and make sure no request can take the server down.",
    evidence="wapiti's JSON report, the app's captured logs and the list of paths requested through the proxy; "
    "for not_applicable, the files and dependencies inspected that show there is no web surface and no network "
    "listener of any kind (stdlib servers included).",
    scoring="fail on any unsuppressed high or critical finding (an app crash counts as high, CWE-400); "
    "score = 10 - 4 x critical - 3 x high - 1 x medium - 0.25 x low, at least 0. A scan wapiti did not finish keeps "
    "the findings of its session: with one high or worse it fails, without it is an error (never a pass).",
    references=("NIST IR 8397 section 2.10", "NIST SP 800-218 PW.8", "OWASP WSTG"),
    cwe=(79, 89, 78, 22, 601, 611, 93, 918, 400),
)

_PENALTY = {Severity.CRITICAL: 4.0, Severity.HIGH: 3.0, Severity.MEDIUM: 1.0, Severity.LOW: 0.25, Severity.INFO: 0.0}


@dataclass(frozen=True)
class Listeners:
    """Every place the product's code serves connections, and how much of it could be read."""

    items: tuple[SurfaceItem, ...]
    files: int
    unparsable: tuple[str, ...]


_SOCKET_ONLY = frozenset({"bind", "listen"})  # also names of non-network APIs (Signature.bind, event.listen)


def _imports_socket(tree: ast.Module) -> bool:
    """Whether a module imports ``socket`` (so that its ``bind``/``listen`` calls are listeners)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "socket" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "socket":
            return True
    return False


def find_listeners(root: Path, exclude: Iterable[str] = ()) -> Listeners:
    """Network listeners of any kind in the product's code (stdlib servers included), read with ast.

    Reuses the attack-surface extractor: ``http.server``/``socketserver`` server classes, ``bind``/
    ``listen``/``serve_forever``, asyncio ``start_server``/``create_server``, ``make_server``,
    ``run_simple`` and ``uvicorn.run``.
    """
    from baseline.tools.attack_surface import scan_tree
    from baseline.web.detect import parse_file, python_files

    items: list[SurfaceItem] = []
    files = 0
    unparsable: list[str] = []
    for path in python_files(root, exclude):
        files += 1
        relative = path.relative_to(root).as_posix()
        tree = parse_file(path)
        if tree is None:
            unparsable.append(relative)
            continue
        sockets = _imports_socket(tree)
        items.extend(
            item for item in scan_tree(tree, relative)
            if item.kind == "network-listener" and (sockets or item.name.rsplit(".", 1)[-1] not in _SOCKET_ONLY)
        )
    return Listeners(tuple(dict.fromkeys(items)), files, tuple(unparsable))


def no_web_verdict(spec: CheckSpec, scan: WebScan, context: ScanContext, evidence: tuple[Evidence, ...], metrics: dict[str, Any], prefix: str = "no web surface: ") -> CheckResult:
    """The T10 rule for a project where no web framework was recognised.

    ``not_applicable`` only when no listener of any kind exists in the product and every product file
    was read; a listener the toolkit cannot start (e.g. a stdlib ``http.server``) is a web service that
    was not scanned: ``not_evaluated``, scoring 0 (``http.server`` apps are recognised and started).
    """
    found = find_listeners(context.root, context.config.get("exclude"))
    metrics["listeners"] = [f"{item.name} ({item.file}:{item.line})" for item in found.items[:20]]
    if found.items:
        where = "; ".join(f"{item.name} at {item.file}:{item.line}" for item in found.items[:5])
        looked = Evidence(Provenance.INSPECTED, f"{len(found.items)} network listener(s) in {found.files} product files: {where}", tool="ast")
        message = (
            f"the product serves connections ({where}) but no web app the toolkit can start was recognised: "
            "not scanned (set web.command to start it)"
        )
        return CheckResult(spec, Outcome.NOT_EVALUATED, 0.0, message, (), evidence + (looked,), metrics)
    if found.unparsable:
        listed = ", ".join(found.unparsable[:5])
        looked = Evidence(Provenance.INSPECTED, f"{len(found.unparsable)} product file(s) could not be parsed: {listed}", tool="ast")
        message = f"{len(found.unparsable)} product file(s) could not be read ({listed}), so the absence of a web service is not shown"
        return CheckResult(spec, Outcome.NOT_EVALUATED, 0.0, message, (), evidence + (looked,), metrics)
    looked = absence(
        "a network listener (web framework, WSGI/ASGI app, http.server/socketserver/asyncio server, bind/listen)",
        f"{found.files} product Python files",
        tool="ast",
    )
    return CheckResult(spec, Outcome.NOT_APPLICABLE, None, prefix + scan.message, (), evidence + (looked,), metrics)


def score_findings(scan: WebScan) -> float:
    """The documented score of a completed scan."""
    penalty = sum(_PENALTY[finding.severity] for finding in scan.findings if not finding.suppressed)
    return round(max(0.0, 10.0 - penalty), 2)


class WebScanningCheck:
    """Judge the shared web scan."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Map the scan record to an outcome."""
        from baseline.web.scan import WEB_SCAN

        scan = context.shared(WEB_SCAN)
        metrics = {
            "frameworks": list(scan.surface.names()),
            "app": scan.app.label if scan.app else None,
            "routes": [route.path for route in scan.routes],
            "paths_requested": list(scan.urls_requested[:200]),
            "modules": list(scan.modules),
            "crawled_pages": scan.crawled_pages,
            "crashes": len(scan.crashes),
            "duration_s": scan.duration_s,
            "dropped_on_proxy_pages": int(scan.extra.get("dropped_on_proxy_pages", 0)),
            "network": scan.extra.get("network"),
            "callbacks": scan.extra.get("callbacks"),  # the app's requests to the SSRF/XXE endpoint the proxy plays
            "requests_by_method": scan.extra.get("requests_by_method"),
            "openapi": scan.extra.get("openapi"),  # the specification whose operations wapiti attacked too
            "excluded": scan.extra.get("excluded", []),  # kept out after a crash: method, path, the culprit's parameters
        }
        evidence = scan.evidence
        if scan.status == "no-web":
            return no_web_verdict(SPEC, scan, context, evidence, metrics)
        if scan.status == "disabled":
            return CheckResult(SPEC, Outcome.NOT_EVALUATED, 0.0, scan.message, (), evidence, metrics)
        if scan.status in ("no-app", "not-run"):
            return CheckResult(SPEC, Outcome.NOT_EVALUATED, 0.0, scan.message, (), evidence, metrics)
        if scan.status == "error":
            if not evidence or all(item.provenance is not Provenance.EXECUTED for item in evidence):
                evidence = evidence + (Evidence(Provenance.EXECUTED, f"the web scan could not run: {scan.message}"),)
            return CheckResult(SPEC, Outcome.ERROR, 0.0, scan.message, scan.findings, evidence, metrics)
        counted = [finding for finding in scan.findings if not finding.suppressed]
        blocking = [finding for finding in counted if finding.severity.at_least(Severity.HIGH)]
        metrics["high_or_worse"] = len(blocking)
        metrics["cut_short"] = bool(scan.extra.get("cut_short"))
        if metrics["cut_short"] and not blocking:
            # An attack phase that did not finish proves nothing about what it did not reach: no pass.
            message = scan.message + "; no high or worse finding up to then, which is not a pass for an unfinished scan (raise web.time)"
            return CheckResult(SPEC, Outcome.ERROR, 0.0, message, scan.findings, evidence, metrics)
        score = score_findings(scan)
        outcome = Outcome.FAIL if blocking else Outcome.PASS
        detail = "; ".join(sorted({f"{finding.rule_id} (CWE-{','.join(map(str, finding.cwe))})" for finding in blocking}))
        message = scan.message + (f"; high or worse: {detail}" if blocking else "")
        return CheckResult(SPEC, outcome, score, message, scan.findings, evidence, metrics)


CHECK = WebScanningCheck()


API_SPEC = CheckSpec(
    id="web-app-scanning.api",
    technique="T10",
    title="The API survives generated requests from its OpenAPI specification",
    verifies="Finds the app's OpenAPI specification (served at /openapi.json and the other usual paths, or a file "
    "of the project), then runs schemathesis against the app started on 127.0.0.1, through the same supervising "
    "proxy as wapiti: valid and invalid requests generated from the specification, every response checked for "
    "server errors, ignored authentication, accepted invalid data and conformance to the specification.",
    why="An API is a web service too: its weaknesses (unhandled exceptions, missing input validation, "
    "authentication that is declared but not enforced) show under generated hostile requests, which a crawler "
    "that follows links does not send.",
    remediation="Reproduce each finding with its curl line; handle the error (validate the input and answer 4xx), "
    "enforce the declared authentication, and document every status the API returns.",
    evidence="schemathesis's NDJSON event stream and JSON run summary, the specification's source and what was "
    "probed to find it; for not_applicable, the paths probed and files searched that show there is no specification.",
    scoring="fail on any unsuppressed high or critical finding (a 5xx is high, CWE-755; ignored authentication "
    "critical, CWE-287); score = 10 - 4 x critical - 3 x high - 1 x medium - 0.25 x low, at least 0.",
    references=("NIST IR 8397 section 2.10", "NIST SP 800-218 PW.8", "OWASP API Security Top 10"),
    cwe=(755, 287, 639, 20, 672, 400, 1068),
)


def _penalised(findings: tuple[Finding, ...]) -> float:
    return round(max(0.0, 10.0 - sum(_PENALTY[finding.severity] for finding in findings if not finding.suppressed)), 2)


class ApiScanningCheck:
    """Judge the schemathesis run of the shared web scan."""

    spec = API_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Map the API run to an outcome."""
        from baseline.web.scan import WEB_SCAN

        api = context.shared(WEB_SCAN).api
        report = api.report
        metrics: dict[str, object] = {
            "specification": api.spec.label if api.spec else None,
            "duration_s": api.duration_s,
        }
        if report is not None:
            metrics.update(
                operations=report.operations_total, operations_tested=report.operations_tested, cases=report.cases,
                negative_cases=report.negative_cases, failing_checks=len(report.failures), errors=list(report.errors[:20]),
                phases=dict(report.phases), schemathesis=report.version, seed=report.seed,
            )
        evidence = api.evidence
        if api.status == "no-web":
            return no_web_verdict(API_SPEC, context.shared(WEB_SCAN), context, evidence, metrics)
        if api.status == "no-spec":
            return CheckResult(API_SPEC, Outcome.NOT_APPLICABLE, None, api.message, (), evidence, metrics)
        if api.status in ("disabled", "no-app", "not-run"):
            return CheckResult(API_SPEC, Outcome.NOT_EVALUATED, 0.0, api.message, (), evidence, metrics)
        if api.status != "ok":
            if all(item.provenance is not Provenance.EXECUTED for item in evidence):
                evidence = evidence + (Evidence(Provenance.EXECUTED, f"the generated API tests could not run: {api.message}"),)
            return CheckResult(API_SPEC, Outcome.ERROR, 0.0, api.message, api.findings, evidence, metrics)
        blocking = [finding for finding in api.findings if not finding.suppressed and finding.severity.at_least(Severity.HIGH)]
        metrics["high_or_worse"] = len(blocking)
        detail = "; ".join(sorted({f"{finding.rule_id} (CWE-{','.join(map(str, finding.cwe))})" for finding in blocking}))
        message = api.message + (f"; high or worse: {detail}" if blocking else "")
        return CheckResult(API_SPEC, Outcome.FAIL if blocking else Outcome.PASS, _penalised(api.findings), message, api.findings, evidence, metrics)


API_CHECK = ApiScanningCheck()
