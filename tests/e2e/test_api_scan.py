"""End to end: real schemathesis against a FastAPI app, real wapiti against FastAPI and Django apps,
each started on loopback in the sandbox by the web scan (one start serves both tools).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from baseline.model import Outcome, Report
from baseline.tools.schemathesis import find_schemathesis
from baseline.tools.wapiti import find_wapiti
from tests.e2e.test_web_scan import _scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.e2e
API_BUDGET = {"web.api_time": 240.0, "web.api_max_examples": 25}  # a cap: the seeded examples bound the run
needs_schemathesis = pytest.mark.skipif(find_schemathesis() is None, reason="schemathesis is not installed (pip install 'baseline-verify[web]')")
needs_fastapi = pytest.mark.skipif(
    importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None,
    reason="fastapi and uvicorn are not installed (the dev extra has them)",
)
needs_django = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="django is not installed (the dev extra has it)")
needs_wapiti = pytest.mark.skipif(find_wapiti() is None, reason="wapiti is not installed (baseline tools install wapiti)")


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _results(report: Report) -> dict[str, object]:
    return {result.spec.id: result for result in report.results}


@needs_schemathesis
@needs_fastapi
@needs_wapiti
def test_schemathesis_finds_the_500_with_a_cwe_and_the_request(tmp_path: Path) -> None:
    root = _copy("fastapi_ratio", tmp_path)
    report = _scan(root, {"web-app-scanning.api", "web-app-scanning.wapiti", "black-box-tests.identified"}, **API_BUDGET, **{"web.time": 20})
    results = _results(report)
    api = results["web-app-scanning.api"]
    assert api.outcome is Outcome.FAIL, api.message  # type: ignore[attr-defined]
    by_rule = {finding.rule_id: finding for finding in api.findings}  # type: ignore[attr-defined]
    server_error = by_rule["schemathesis.not_a_server_error"]
    assert server_error.cwe == (755,) and server_error.properties["operation"] == "GET /ratio"
    assert server_error.properties["status"] == 500 and "denominator=0" in server_error.properties["request"]
    assert server_error.properties["request"].startswith("curl -X GET 'http://127.0.0.1:")
    assert server_error.location is not None and server_error.location.path == "ratioapi/api.py"
    ran = [item for item in api.evidence if item.tool == "schemathesis"]  # type: ignore[attr-defined]
    assert ran and ran[0].exit_code == 1 and ran[0].tool_version and ran[0].artifacts  # it ran, found failures, kept its events
    assert api.metrics["operations_tested"] == 3 and api.metrics["cases"] > 10  # type: ignore[attr-defined]
    # T06: the generated tests count as black-box tests; the failing one fails the check.
    blackbox = results["black-box-tests.identified"]
    generated = blackbox.metrics["generated"]  # type: ignore[attr-defined]
    assert generated["status"] == "ok" and generated["tests"] > generated["passed"]
    assert blackbox.outcome is Outcome.FAIL  # type: ignore[attr-defined]
    assert any(finding.rule_id == "black-box-tests.generated-failed" and "GET /ratio" in finding.message for finding in blackbox.findings)  # type: ignore[attr-defined]
    # The same app start served wapiti, which crawled the FastAPI app (and, not sending a zero
    # denominator, did not see the 500).
    wapiti = results["web-app-scanning.wapiti"]
    assert wapiti.outcome in (Outcome.PASS, Outcome.FAIL), wapiti.message  # type: ignore[attr-defined]
    assert wapiti.metrics["frameworks"] == ["FastAPI"] and "/ratio" in wapiti.metrics["paths_requested"]  # type: ignore[attr-defined]
    # wapiti attacked the JSON operations too, from the specification the app serves (POST /notes has no form to crawl).
    assert str(wapiti.metrics["openapi"]).endswith("/openapi.json") and wapiti.metrics["requests_by_method"].get("POST", 0) > 0  # type: ignore[attr-defined]
    assert [path.name for path in root.glob(".baseline/web/app-*.log")] == ["app-0.log"]


@needs_schemathesis
@needs_fastapi
def test_fixed_twin_passes_with_negative_generated_tests(tmp_path: Path) -> None:
    root = _copy("fastapi_ratio_fixed", tmp_path)
    report = _scan(root, {"web-app-scanning.api", "black-box-tests.identified"}, **API_BUDGET)
    results = _results(report)
    api = results["web-app-scanning.api"]
    assert api.outcome is Outcome.PASS and api.score == 10.0, [finding.message for finding in api.findings]  # type: ignore[attr-defined]
    assert api.metrics["negative_cases"] > 0  # type: ignore[attr-defined]
    blackbox = results["black-box-tests.identified"]
    assert blackbox.outcome is Outcome.PASS, blackbox.message  # type: ignore[attr-defined]
    generated = blackbox.metrics["generated"]  # type: ignore[attr-defined]
    assert generated["tests"] == generated["passed"] >= 3 and generated["negative_passed"] >= 1
    assert not (root / ".baseline" / "web" / "wapiti.json").exists()  # no wapiti check in this scan: wapiti did not run


@needs_django
@needs_wapiti
def test_django_project_is_started_and_its_xss_found(tmp_path: Path) -> None:
    root = _copy("django_greeter", tmp_path)
    report = _scan(root, {"web-app-scanning.wapiti", "web-app-scanning.api"}, **{"web.time": 20})
    results = _results(report)
    wapiti = results["web-app-scanning.wapiti"]
    assert wapiti.outcome is Outcome.FAIL, wapiti.message  # type: ignore[attr-defined]
    assert wapiti.metrics["app"].startswith("Django app greetsite.settings")  # type: ignore[attr-defined]
    xss = [finding for finding in wapiti.findings if finding.rule_id == "wapiti.reflected-cross-site-scripting"]  # type: ignore[attr-defined]
    assert xss and xss[0].properties["url_path"] == "/greet" and xss[0].cwe == (79,)
    # No specification: the API check is not applicable, and says what it probed.
    api = results["web-app-scanning.api"]
    assert api.outcome is Outcome.NOT_APPLICABLE  # type: ignore[attr-defined]
    assert any("/openapi.json (404)" in item.summary for item in api.evidence)  # type: ignore[attr-defined]
