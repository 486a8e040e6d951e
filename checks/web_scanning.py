"""T10 web application scanning: start the app on loopback, scan it with wapiti and, when it has an
OpenAPI specification, with schemathesis; judge the findings."""

from __future__ import annotations

from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Outcome, Provenance, Severity
from baseline.runner import ScanContext
from baseline.web.scan import WEB_SCAN, WebScan

SPEC = CheckSpec(
    id="web-app-scanning.wapiti",
    technique="T10",
    title="The web app survives a dynamic scan without high-severity findings",
    verifies="Detects web frameworks and app objects, starts the app on 127.0.0.1 in the sandbox, crawls it from "
    "the home page plus every route extracted from the code, and attacks it with wapiti (XSS, SQL injection, "
    "command execution, file disclosure, open redirect, XXE, CRLF, SSRF, security headers, cookie flags) while "
    "a supervising proxy restarts the app when a request takes it down.",
    why="NIST IR 8397 asks for a dynamic scan when the software offers a web service: injection and cross-site "
    "scripting are found by sending the app hostile requests, not by reading it.",
    remediation="Fix each reported request: escape output, parameterise queries, validate redirects, set security "
    "headers and cookie flags, and make sure no request can take the server down.",
    evidence="wapiti's JSON report, the app's captured logs and the list of paths requested through the proxy; "
    "for not_applicable, the files and dependencies inspected that show there is no web surface.",
    scoring="fail on any unsuppressed high or critical finding (an app crash counts as high, CWE-400); "
    "score = 10 - 4 x critical - 3 x high - 1 x medium - 0.25 x low, at least 0.",
    references=("NIST IR 8397 section 2.10", "NIST SP 800-218 PW.8", "OWASP WSTG"),
    cwe=(79, 89, 78, 22, 601, 611, 93, 918, 400),
)

_PENALTY = {Severity.CRITICAL: 4.0, Severity.HIGH: 3.0, Severity.MEDIUM: 1.0, Severity.LOW: 0.25, Severity.INFO: 0.0}


def score_findings(scan: WebScan) -> float:
    """The documented score of a completed scan."""
    penalty = sum(_PENALTY[finding.severity] for finding in scan.findings if not finding.suppressed)
    return round(max(0.0, 10.0 - penalty), 2)


class WebScanningCheck:
    """Judge the shared web scan."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Map the scan record to an outcome."""
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
        }
        evidence = scan.evidence
        if scan.status == "no-web":
            return CheckResult(SPEC, Outcome.NOT_APPLICABLE, None, "no web surface: " + scan.message, (), evidence, metrics)
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
        if api.status in ("no-web", "no-spec"):
            return CheckResult(API_SPEC, Outcome.NOT_APPLICABLE, None, ("no web surface: " if api.status == "no-web" else "") + api.message, (), evidence, metrics)
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
