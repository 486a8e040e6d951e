"""Adapter for schemathesis, which generates API tests from an OpenAPI specification.

It builds the ``schemathesis run`` command line and parses its NDJSON event stream (every test
case with its generation mode, phase, checks and the request sent) and its JSON run summary into
typed records: operations tested, test cases generated, failures by check with the reproducing
request as a curl line, credentials redacted.

The checks map to CWE as follows (schemathesis's own severities are not used: a server error is a
flaw in the product, a spec mismatch is drift between the code and its documentation):

| check | CWE | severity |
|---|---|---|
| not_a_server_error (5xx) | 755 improper handling of exceptional conditions | high |
| ignored_auth | 287 improper authentication | critical |
| object_level_authorization | 639 authorization bypass through a user-controlled key | high |
| negative_data_rejection, missing_required_header | 20 improper input validation | medium |
| use_after_free | 672 operation on a resource after release | medium |
| max_response_time | 400 uncontrolled resource consumption | low |
| the conformance checks (status code, content type, headers, response schema, allowed methods, valid data accepted, resource availability) | 1068 implementation inconsistent with documented design | low |
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from baseline import sandbox, toolenv
from baseline.model import Confidence, Finding, Location, Severity
from baseline.reports.redact import redact_request

DEFAULT_CHECKS = ("all",)
# check name -> (CWE, severity, short description)
CHECK_RULES: dict[str, tuple[tuple[int, ...], Severity, str]] = {
    "not_a_server_error": ((755,), Severity.HIGH, "the API answered with a server error (5xx)"),
    "ignored_auth": ((287,), Severity.CRITICAL, "the API ignored its declared authentication"),
    "object_level_authorization": ((639,), Severity.HIGH, "another user's object was reachable"),
    "negative_data_rejection": ((20,), Severity.MEDIUM, "the API accepted data its specification forbids"),
    "missing_required_header": ((20,), Severity.MEDIUM, "the API accepted a request without a required header"),
    "use_after_free": ((672,), Severity.MEDIUM, "a deleted resource was still reachable"),
    "max_response_time": ((400,), Severity.LOW, "a response took longer than allowed"),
    "status_code_conformance": ((1068,), Severity.LOW, "a status code the specification does not document"),
    "content_type_conformance": ((1068,), Severity.LOW, "a content type the specification does not document"),
    "response_headers_conformance": ((1068,), Severity.LOW, "response headers differ from the specification"),
    "response_schema_conformance": ((1068,), Severity.LOW, "a response body that does not match its schema"),
    "positive_data_acceptance": ((1068,), Severity.LOW, "the API rejected data its specification allows"),
    "unsupported_method": ((1068,), Severity.LOW, "an undocumented HTTP method was not refused with 405"),
    "allow_header_conformance": ((1068,), Severity.LOW, "a 405 response without a correct Allow header"),
    "ensure_resource_availability": ((1068,), Severity.LOW, "a created resource was not available afterwards"),
}
_UNKNOWN_RULE: tuple[tuple[int, ...], Severity, str] = ((1068,), Severity.LOW, "a schemathesis check failed")
# Checks that only restate another failure of the same test case (a 500 is also "undocumented").
_RESTATES_SERVER_ERROR = frozenset({"status_code_conformance", "content_type_conformance", "response_schema_conformance", "response_headers_conformance"})
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class ApiFailure:
    """One failing check on one test case."""

    operation: str  # "GET /ratio"
    check: str  # "not_a_server_error"
    code: str  # schemathesis's failure code, e.g. "ST101"
    title: str
    detail: str
    mode: str  # positive | negative
    phase: str
    case_id: str
    status: int | None  # response status, when there was a response
    curl: str  # reproducing request, redacted

    @property
    def rule(self) -> tuple[tuple[int, ...], Severity, str]:
        """(CWE, severity, description) of this failure's check."""
        return CHECK_RULES.get(self.check, _UNKNOWN_RULE)


@dataclass(frozen=True)
class GeneratedTest:
    """The cases of one operation in one generation mode, seen as one black-box test.

    ``negative`` tests send data the specification forbids and expect it to be rejected.
    """

    operation: str
    mode: str
    cases: int
    failed_checks: tuple[str, ...]

    @property
    def name(self) -> str:
        """A stable name, e.g. ``GET /ratio [negative]``."""
        return f"{self.operation} [{self.mode}]"

    @property
    def passed(self) -> bool:
        """True when no case of this test failed a check."""
        return not self.failed_checks

    @property
    def negative(self) -> bool:
        """True for invalid-data (negative) tests."""
        return self.mode == "negative"


@dataclass(frozen=True)
class ApiTestReport:
    """What one schemathesis run did."""

    version: str
    seed: int | None
    specification: str  # e.g. "openapi 3.1.0"
    operations_total: int
    operations_tested: int
    cases: int
    tests: tuple[GeneratedTest, ...]
    failures: tuple[ApiFailure, ...]
    errors: tuple[str, ...]
    phases: dict[str, str] = field(default_factory=dict)  # phase -> status
    stop_reason: str = ""
    running_time_s: float = 0.0

    @property
    def negative_cases(self) -> int:
        """How many generated cases sent invalid data."""
        return sum(test.cases for test in self.tests if test.negative)


def find_schemathesis(configured: str | None = None) -> str | None:
    """The schemathesis executable: configured, a private environment, beside this interpreter, PATH."""
    return toolenv.find_tool("schemathesis", configured)


def schemathesis_version(executable: str) -> str | None:
    """The version the executable reports."""
    probe = sandbox.run([executable, "--version"], cwd=Path(executable).parent, limits=sandbox.Limits(timeout_s=60))
    match = _VERSION.search(probe.stdout + probe.stderr)
    return match.group(1) if match else None


def build_argv(
    executable: str,
    location: str,
    origin: str,
    *,
    checks: list[str],
    max_examples: int,
    max_time: float | None,
    seed: int,
    report_dir: Path,
    workers: int = 2,
) -> list[str]:
    """The command line of one run.

    ``location`` is the specification (a loopback URL or a file); ``origin`` (scheme, host and
    port, loopback) replaces whatever server the specification names, so no request leaves the
    machine, and redirects are not followed (one could point anywhere). Without ``max_time`` the run
    is bounded by its seeded examples (every phase runs once), so the same tree gets the same cases
    whatever the machine's load; with it, schemathesis repeats its fuzzing and stateful phases until
    the time is spent. No ``--request-timeout``: it cut the cases generated in a budget by half or
    more; a request that hangs gets the proxy's 502 after its upstream timeout.
    """
    argv = [executable, "run", location, "--origin", origin]
    argv += ["--checks", ",".join(checks) or "all", "--max-examples", str(max_examples)]
    if max_time is not None:
        argv += ["--max-time", str(max(1, int(max_time)))]
    argv += ["--seed", str(seed), "--workers", str(workers), "--max-redirects", "0"]
    argv += ["--generation-database", "none", "--no-color", "--report", "ndjson,json", "--report-dir", str(report_dir)]
    argv += ["--report-ndjson-path", str(report_dir / "events.ndjson"), "--report-json-path", str(report_dir / "run.json")]
    return argv


def _body_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(str(body["$base64"]))
        return raw.decode("utf-8", errors="replace")
    if isinstance(body, dict) and "string" in body:
        return str(body["string"])
    return body if isinstance(body, str) else json.dumps(body)


def curl_line(request: dict[str, Any]) -> str:
    """A curl command that repeats ``request`` (an NDJSON interaction request), credentials redacted."""
    parts = ["curl", "-X", str(request.get("method", "GET"))]
    headers = request.get("headers") or {}
    for name, values in sorted(headers.items()) if isinstance(headers, dict) else []:
        for value in values if isinstance(values, list) else [values]:
            parts += ["-H", redact_request(f"{name}: {value}")]
    body = _body_text(request.get("body"))
    if body is not None:
        parts += ["-d", body[:2000]]
    parts.append(str(request.get("uri", "")))
    return redact_request(shlex.join(parts))


def _events(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a run killed mid-line leaves a partial last event
            if isinstance(event, dict) and len(event) == 1:
                name, payload = next(iter(event.items()))
                if isinstance(payload, dict):
                    yield name, payload


def _failures_of(label: str, phase: str, case_id: str, mode: str, checks: list[Any], interaction: dict[str, Any]) -> list[ApiFailure]:
    failed = [item for item in checks if isinstance(item, dict) and item.get("status") == "failure"]
    names = {str(item.get("name")) for item in failed}
    request = interaction.get("request") if isinstance(interaction.get("request"), dict) else None
    response = interaction.get("response") if isinstance(interaction.get("response"), dict) else None
    status = response.get("status_code") if response else None
    curl = curl_line(request) if request else ""
    found: list[ApiFailure] = []
    for item in failed:
        name = str(item.get("name", ""))
        if name in _RESTATES_SERVER_ERROR and "not_a_server_error" in names:
            continue
        failure = ((item.get("failure_info") or {}).get("failure") or {}) if isinstance(item.get("failure_info"), dict) else {}
        found.append(
            ApiFailure(
                operation=label or str(failure.get("operation", "")),
                check=name,
                code=str(failure.get("code", "")),
                title=str(failure.get("title", name)),
                detail=redact_request(str(failure.get("message", "") or ""))[:500],
                mode=mode,
                phase=phase,
                case_id=case_id,
                status=int(status) if isinstance(status, int) else None,
                curl=curl,
            )
        )
    return found


def parse_events(path: Path, summary_path: Path | None = None) -> ApiTestReport:
    """Parse the NDJSON event stream (and the JSON run summary when present).

    Raises ValueError when the file holds no schemathesis events, OSError when it cannot be read.
    """
    version, seed, specification = "", None, ""
    operations_total = 0
    cases: Counter[tuple[str, str]] = Counter()  # (operation, mode) -> cases
    failed_checks: dict[tuple[str, str], set[str]] = {}
    failures: list[ApiFailure] = []
    errors: list[str] = []
    phases: dict[str, str] = {}
    stop_reason, running_time, seen = "", 0.0, 0
    for name, payload in _events(path):
        seen += 1
        if name == "Initialize":
            version = str(payload.get("schemathesis_version", ""))
            seed = payload.get("seed") if isinstance(payload.get("seed"), int) else None
        elif name == "LoadingFinished":
            spec = payload.get("specification") or {}
            specification = f"{spec.get('kind', '')} {spec.get('version', '')}".strip()
            operations_total = int(((payload.get("statistic") or {}).get("operations") or {}).get("selected", 0) or 0)
        elif name == "PhaseFinished":
            phases[str((payload.get("phase") or {}).get("name", ""))] = str(payload.get("status", ""))
        elif name == "ScenarioFinished":
            phase = str(payload.get("phase", ""))
            if phase == "auth_bootstrap":
                continue
            recorder = payload.get("recorder") or {}
            # Unit scenarios are labelled with their operation ("GET /ratio"); stateful ones chain
            # several operations under one label, so their cases are filed by their own method and path.
            label = str(recorder.get("label", "")) if phase != "stateful" else ""
            checks = recorder.get("checks") or {}
            interactions = recorder.get("interactions") or {}
            for case_id, case in (recorder.get("cases") or {}).items():
                value = (case or {}).get("value") or {}
                meta = value.get("meta") or {}
                mode = str((meta.get("generation") or {}).get("mode", "positive"))
                # The operation under test, even when a case sends it with another method (unsupported_method).
                operation = label or f"{value.get('method', '')} {value.get('path', '')}".strip()
                cases[(operation, mode)] += 1
                found = _failures_of(operation, phase, str(case_id), mode, checks.get(case_id) or [], interactions.get(case_id) or {})
                failures.extend(found)
                if found:
                    failed_checks.setdefault((operation, mode), set()).update(item.check for item in found)
        elif name in ("NonFatalError", "FatalError"):
            detail = payload.get("value") or payload.get("exception") or payload.get("info") or {}
            text = detail.get("message") if isinstance(detail, dict) and detail.get("message") else json.dumps(detail)[:300]
            errors.append(redact_request(f"{payload.get('label', name)}: {text}"))
        elif name == "EngineFinished":
            stop_reason = str(payload.get("stop_reason", ""))
            running_time = float(payload.get("running_time", 0.0) or 0.0)
    if seen == 0:
        raise ValueError(f"{path.name} holds no schemathesis events")
    tested = len({operation for operation, _ in cases})
    if summary_path is not None and summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        if isinstance(summary, dict):
            operations = summary.get("operations") or {}
            operations_total = int(operations.get("selected", operations_total) or operations_total)
            tested = int(operations.get("tested", tested) or tested)
    tests = tuple(
        GeneratedTest(operation, mode, count, tuple(sorted(failed_checks.get((operation, mode), ()))))
        for (operation, mode), count in sorted(cases.items())
    )
    return ApiTestReport(
        version=version, seed=seed, specification=specification, operations_total=operations_total,
        operations_tested=tested, cases=sum(cases.values()), tests=tests, failures=tuple(failures),
        errors=tuple(errors), phases=phases, stop_reason=stop_reason, running_time_s=running_time,
    )


def to_findings(report: ApiTestReport, locate: Any = None) -> list[Finding]:
    """One finding per (operation, check): the first failing case reproduces it, the count says how many.

    ``locate(method, path)`` may return the Location of the route's handler.
    """
    grouped: dict[tuple[str, str], list[ApiFailure]] = {}
    for failure in report.failures:
        grouped.setdefault((failure.operation, failure.check), []).append(failure)
    findings: list[Finding] = []
    for (operation, check), items in grouped.items():
        first = items[0]
        cwe, severity, description = first.rule
        method, _, path = operation.partition(" ")
        location: Location | None = locate(method, path) if locate else None
        # The message feeds the fingerprint: nothing that changes between runs (ports, generated
        # values, counts) goes into it; the reproducing request is in the properties.
        findings.append(
            Finding(
                rule_id=f"schemathesis.{check}",
                severity=severity,
                message=f"{operation}: {description} ({first.code} {first.title})",
                tool="schemathesis",
                location=location,
                confidence=Confidence.HIGH,
                cwe=cwe,
                properties={
                    "operation": operation,
                    "check": check,
                    "code": first.code,
                    "mode": first.mode,
                    "phase": first.phase,
                    "status": first.status,
                    "detail": first.detail,
                    "request": first.curl,
                    "curl": first.curl,
                    "cases": len(items),
                },
            )
        )
    return findings
