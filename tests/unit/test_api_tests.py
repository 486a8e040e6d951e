"""Generated API tests: the schemathesis adapter, the OpenAPI search, the T10 API check, the proxy's methods.

The event stream below has the shape schemathesis 4.x writes (``--report ndjson``); the e2e tests
run the real tool.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from baseline.checks.web_scanning import API_CHECK
from baseline.config import load_config
from baseline.model import Evidence, Outcome, Provenance, Severity
from baseline.runner import ScanContext
from baseline.tools import schemathesis
from baseline.web.api import ApiRun, route_locator
from baseline.web.detect import WebSurface
from baseline.web.openapi import declared_openapi_urls, find_spec, looks_like_spec, spec_files
from baseline.web.routes import Route
from baseline.web.scan import WEB_SCAN, WebScan
from baseline.web.supervise import Supervisor, SupervisingProxy

SPEC = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/ratio": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def _case(case_id: str, method: str, path: str, mode: str, checks: list[dict[str, Any]], request: dict[str, Any], status: int) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    value = {"value": {"method": method, "path": path, "id": case_id, "meta": {"generation": {"mode": mode}, "phase": {"name": "fuzzing"}}}}
    return value, checks, {"request": request, "response": {"status_code": status}}


def _scenario(label: str, phase: str, *cases: tuple[str, tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]]) -> dict[str, Any]:
    return {"ScenarioFinished": {"phase": phase, "status": "success", "recorder": {
        "label": label,
        "cases": {case_id: parts[0] for case_id, parts in cases},
        "checks": {case_id: parts[1] for case_id, parts in cases},
        "interactions": {case_id: parts[2] for case_id, parts in cases},
    }}}


def _failure(name: str, code: str, title: str, message: str = "") -> dict[str, Any]:
    return {"name": name, "status": "failure", "failure_info": {"failure": {"code": code, "title": title, "message": message, "operation": "GET /ratio"}}}


OK = [{"name": "not_a_server_error", "status": "success"}]
SERVER_ERROR = [_failure("not_a_server_error", "ST101", "Server error"), _failure("status_code_conformance", "ST103", "Undocumented status code", "Received: 500")]


def write_events(path: Path, extra: list[dict[str, Any]] = ()) -> Path:  # type: ignore[assignment]
    secret_request = {
        "method": "GET", "uri": "http://127.0.0.1:5000/ratio?denominator=0&api_key=s3cr3tvalue",
        "headers": {"Authorization": ["Bearer abc.def.ghi"], "Accept": ["*/*"]},
    }
    events = [
        {"Initialize": {"schemathesis_version": "4.32.5", "seed": 7}},
        {"LoadingFinished": {"specification": {"kind": "openapi", "version": "3.1.0"}, "statistic": {"operations": {"total": 2, "selected": 2}}}},
        {"PhaseFinished": {"phase": {"name": "coverage"}, "status": "success"}},
        _scenario(
            "GET /ratio", "coverage",
            ("n1", _case("n1", "GET", "/ratio", "negative", OK, {"method": "GET", "uri": "http://127.0.0.1:5000/ratio?denominator=x"}, 422)),
            ("n2", _case("n2", "TRACE", "/ratio", "negative", OK, {"method": "TRACE", "uri": "http://127.0.0.1:5000/ratio"}, 405)),
        ),
        _scenario(
            "GET /ratio", "fuzzing",
            ("p1", _case("p1", "GET", "/ratio", "positive", OK, {"method": "GET", "uri": "http://127.0.0.1:5000/ratio"}, 200)),
            ("p2", _case("p2", "GET", "/ratio", "positive", SERVER_ERROR, secret_request, 500)),
        ),
        _scenario(
            "POST /notes", "fuzzing",
            ("b1", _case("b1", "POST", "/notes", "positive", [_failure("response_schema_conformance", "ST102", "Response violates schema", "count is not an integer")], {
                "method": "POST", "uri": "http://127.0.0.1:5000/notes", "headers": {"Content-Type": ["application/json"]},
                "body": {"$base64": base64.b64encode(b'{"text": "hi", "password": "hunter2"}').decode()},
            }, 201)),
        ),
        {"NonFatalError": {"label": "GET /broken", "value": {"message": "Failed to generate data"}}},
        {"EngineFinished": {"running_time": 3.5, "stop_reason": "max_time"}},
        *extra,
    ]
    path.write_text("\n".join(json.dumps(event) for event in events) + '\n{"ScenarioFinished": {"phase"', encoding="utf-8")
    return path


def test_events_parse_into_tests_failures_and_counts(tmp_path: Path) -> None:
    report = schemathesis.parse_events(write_events(tmp_path / "events.ndjson"))  # the cut last line is ignored
    assert (report.version, report.seed, report.specification) == ("4.32.5", 7, "openapi 3.1.0")
    assert report.operations_total == 2 and report.operations_tested == 2 and report.cases == 5
    assert report.negative_cases == 2 and report.stop_reason == "max_time" and report.phases == {"coverage": "success"}
    by_name = {test.name: test for test in report.tests}
    # The TRACE case belongs to the operation under test, not to a "TRACE /ratio" operation.
    assert set(by_name) == {"GET /ratio [negative]", "GET /ratio [positive]", "POST /notes [positive]"}
    assert by_name["GET /ratio [negative]"].passed and by_name["GET /ratio [negative]"].cases == 2
    assert by_name["GET /ratio [positive]"].failed_checks == ("not_a_server_error",)  # the undocumented 500 is not counted twice
    assert report.errors == ("GET /broken: Failed to generate data",)


def test_findings_carry_cwe_and_a_redacted_reproducing_request(tmp_path: Path) -> None:
    report = schemathesis.parse_events(write_events(tmp_path / "events.ndjson"))
    routes = (Route("/ratio", ("GET",), "ratio", "app/api.py", 12),)
    findings = {finding.rule_id: finding for finding in schemathesis.to_findings(report, route_locator(routes))}
    server = findings["schemathesis.not_a_server_error"]
    assert server.cwe == (755,) and server.severity is Severity.HIGH
    assert server.location is not None and (server.location.path, server.location.start_line) == ("app/api.py", 12)
    curl = str(server.properties["request"])
    assert curl.startswith("curl -X GET") and "denominator=0" in curl
    assert "s3cr3tvalue" not in curl and "abc.def.ghi" not in curl and "[REDACTED]" in curl
    # Nothing that changes between runs goes into the message (it feeds the fingerprint).
    assert server.message == "GET /ratio: the API answered with a server error (5xx) (ST101 Server error)"
    schema = findings["schemathesis.response_schema_conformance"]
    assert schema.cwe == (1068,) and schema.severity is Severity.LOW and schema.location is None
    assert "hunter2" not in str(schema.properties["curl"]) and "-d" in str(schema.properties["curl"])


def test_a_file_without_events_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.ndjson").write_text("not json\n", encoding="utf-8")
    with pytest.raises(ValueError):
        schemathesis.parse_events(tmp_path / "empty.ndjson")


def test_argv_pins_the_origin_to_loopback_and_never_follows_redirects(tmp_path: Path) -> None:
    argv = schemathesis.build_argv("st", "http://127.0.0.1:9/openapi.json", "http://127.0.0.1:9", checks=["all"], max_examples=10, max_time=5.5, seed=3, report_dir=tmp_path)
    joined = " ".join(argv)
    assert "--origin http://127.0.0.1:9" in joined and "--max-redirects 0" in joined and "--max-time 5" in joined
    assert "--report ndjson,json" in joined and "--generation-database none" in joined


def test_specification_sniffing_and_files(tmp_path: Path) -> None:
    assert looks_like_spec(json.dumps(SPEC)) and looks_like_spec("openapi: 3.0.3\ninfo: {}\npaths:\n  /a: {}\n")
    assert looks_like_spec("swagger: '2.0'\npaths: {}\n")
    assert not looks_like_spec('{"openapi": "3.1.0"}') and not looks_like_spec("name: x\npaths: []\n") and not looks_like_spec("{broken")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "openapi.yaml").write_text("openapi: 3.0.3\npaths: {}\n", encoding="utf-8")
    (tmp_path / "openapi-notes.yaml").write_text("just: notes\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("openapi: 3.0.3\npaths: {}\n", encoding="utf-8")
    assert [path.relative_to(tmp_path).as_posix() for path in spec_files(tmp_path)] == ["docs/openapi.yaml"]


class _SpecServer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps(SPEC).encode() if self.path == "/api/v2/spec.json" else b"not here"
        self.send_response(200 if self.path == "/api/v2/spec.json" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def spec_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SpecServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_served_specification_is_found_at_the_declared_url(tmp_path: Path, spec_server: str) -> None:
    (tmp_path / "app.py").write_text("from fastapi import FastAPI\napp = FastAPI(openapi_url='/api/v2/spec.json')\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n", encoding="utf-8")
    assert declared_openapi_urls(tmp_path) == ["/api/v2/spec.json"]
    search = find_spec(tmp_path, spec_server, None)
    assert search.source is not None and (search.source.kind, search.source.location) == ("served", "/api/v2/spec.json")
    # Served wins over a file; a file is used when nothing is served.
    (tmp_path / "openapi.json").write_text(json.dumps(SPEC), encoding="utf-8")
    (tmp_path / "app.py").write_text("app = None\n", encoding="utf-8")
    search = find_spec(tmp_path, spec_server, None)
    assert search.source is not None and search.source.kind == "file" and "/openapi.json (404)" in search.looked_at


def test_configured_specification_problems_are_named(tmp_path: Path, spec_server: str) -> None:
    assert "not a loopback" in str(find_spec(tmp_path, spec_server, "http://192.0.2.1/openapi.json").problem)
    assert "no such file" in str(find_spec(tmp_path, spec_server, "missing.yaml").problem)
    assert "without an OpenAPI document" in str(find_spec(tmp_path, spec_server, "/nothing.json").problem)
    found = find_spec(tmp_path, spec_server, "/api/v2/spec.json")
    assert found.source is not None and "web.openapi" in found.source.label


class _Fake:
    def __init__(self, api: ApiRun) -> None:
        self.config = load_config(Path("."))
        self.scan = WebScan("not-run", "", WebSurface((), (), 1), api=api)

    def shared(self, run: Any) -> Any:
        assert run.key == WEB_SCAN.key
        return self.scan


def test_api_check_outcomes(tmp_path: Path) -> None:
    inspected = (Evidence(Provenance.INSPECTED, "no OpenAPI specification: probed /openapi.json (404)"),)
    result = API_CHECK.run(_Fake(ApiRun("no-spec", "no specification", evidence=inspected)))  # type: ignore[arg-type]
    assert result.outcome is Outcome.NOT_APPLICABLE and result.evidence == inspected
    result = API_CHECK.run(_Fake(ApiRun("error", "schemathesis is not installed")))  # type: ignore[arg-type]
    assert result.outcome is Outcome.ERROR and result.score == 0.0 and result.evidence
    report = schemathesis.parse_events(write_events(tmp_path / "events.ndjson"))
    findings = tuple(schemathesis.to_findings(report))
    ran = (Evidence(Provenance.EXECUTED, "schemathesis ran", tool="schemathesis"),)
    result = API_CHECK.run(_Fake(ApiRun("ok", "tested", report=report, findings=findings, evidence=ran)))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL and result.score == 10 - 3 - 0.25
    assert "CWE-755" in result.message and result.metrics["negative_cases"] == 2


def test_scan_context_plans_by_check_or_technique(tmp_path: Path) -> None:
    context = ScanContext(target=None, root=tmp_path, config=load_config(tmp_path), catalog=None, work_dir=tmp_path)  # type: ignore[arg-type]
    assert context.plans("web-app-scanning.wapiti")  # unknown: everything
    context.planned = frozenset({"T06", "black-box-tests.identified"})
    assert context.plans("T06", "web-app-scanning.api") and not context.plans("web-app-scanning.wapiti")


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            self.close_connection = True
            return
        body = self.command.encode()
        self.send_response(405 if self.command != "GET" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def test_proxy_forwards_any_method_to_the_app() -> None:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        supervisor = Supervisor(int(upstream.server_address[1]), lambda: (None, ""), 0)
        with SupervisingProxy(supervisor) as proxy:
            for method in ("TRACE", "QUERY", "GET"):
                connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
                connection.request(method, "/ratio")
                response = connection.getresponse()
                assert (response.status, response.read()) == (200 if method == "GET" else 405, method.encode())
                connection.close()
        assert [method for method, _, _ in supervisor.requests] == ["TRACE", "QUERY", "GET"]
    finally:
        upstream.shutdown()
        upstream.server_close()


def test_redaction_covers_curl_headers_json_and_form_bodies() -> None:
    from baseline.reports.redact import redact_request

    line = "curl -X POST -H 'Cookie: sid=abc' -H \"Authorization: Bearer zz\" --header X-Api-Key:k -d '{\"password\": \"p\\\"w\", \"n\": 1}' 'http://127.0.0.1:1/?token=t&q=1'"
    redacted = redact_request(line)
    for secret in ("sid=abc", "Bearer zz", "Key:k", 'p\\"w', "token=t"):
        assert secret not in redacted
    assert '"n": 1' in redacted and "q=1" in redacted and redacted.count("[REDACTED]") == 5
    assert redact_request("curl -d 'password=abc&x=1' http://127.0.0.1/") == "curl -d 'password=[REDACTED]&x=1' http://127.0.0.1/"


def test_nothing_is_started_when_neither_tool_is_wanted(tmp_path: Path) -> None:
    from baseline.web.scan import run_web_scan

    root = Path(__file__).resolve().parents[1] / "fixtures" / "flask_xss_sqli"
    scan = run_web_scan(root, "python-not-needed", tmp_path, load_config(root, {"web.api_tests": False}), "sha256:x", wapiti_wanted=False)
    assert (scan.status, scan.api.status) == ("not-run", "disabled")
    assert not list(tmp_path.glob("app-*.log"))
    result = API_CHECK.run(_Fake(scan.api))  # type: ignore[arg-type]
    assert result.outcome is Outcome.NOT_EVALUATED and "web.api_tests = false" in result.message


def test_http_text_goes_through_the_one_redactor_token_shapes_included() -> None:
    """An access key in an app's log or an echoed response is masked in HTTP text too; the scanner's own
    payload on the attacked parameter stays visible."""
    from baseline.reports.redact import redact_request

    log = "GET /debug?q=1 HTTP/1.1\nX-Note: key AKIAABCDEFGHIJKLMNOP in use\n"
    assert "AKIAABCDEFGHIJKLMNOP" not in redact_request(log)
    attacked = "GET /login?password=%27%20OR%20%271%27%3D%271&token=abcdef123456 HTTP/1.1"
    shown = redact_request(attacked, attacked=("password",))
    assert "password=%27%20OR%20%271%27%3D%271" in shown and "abcdef123456" not in shown
