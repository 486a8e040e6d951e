"""T06: identifying black-box tests and negative cases from the shared run's details."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from baseline.checks.blackbox_tests import CHECK, identify
from baseline.checks.testsuite_ast import clear_cache, shape_of
from baseline.config import load_config
from baseline.model import Outcome
from baseline.tools.pytest_run import TestCase, TestCounts, TestRun
from baseline.tools.schemathesis import ApiFailure, ApiTestReport, GeneratedTest
from baseline.tools.test_records import Marker, TestDetail
from baseline.web.api import ApiRun
from baseline.web.detect import WebSurface
from baseline.web.scan import WEB_SCAN, WebScan

TESTS = '''
import subprocess, sys
import pytest
from hypothesis import given, strategies as st
from app import parse, _private


def test_cli_rejects_bad_input():
    proc = subprocess.run([sys.executable, "-m", "app", "--bad"], capture_output=True)
    assert proc.returncode != 0


def test_cli_ok():
    proc = subprocess.run([sys.executable, "-m", "app"], capture_output=True)
    assert proc.returncode == 0


def test_http_404(client):
    response = client.get("/missing")
    assert response.status_code == 404


@given(st.text())
def test_parse_never_crashes(text):
    parse(text)


@given(st.text())
def test_private_property(text):
    _private(text)


def test_unit_raises():
    with pytest.raises(ValueError):
        parse(None)


def test_unit_plain():
    assert parse("a") == "a"


def _invoke(*args):
    return subprocess.run([sys.executable, "-m", "app", *args])


def test_through_helper():
    assert _invoke("--help").returncode == 0


class TestGroup:
    def test_method(self):
        assert parse("b") == "b"
'''


NO_WEB = WebScan("no-web", "the project offers no web service", WebSurface((), (), 1), api=ApiRun("no-web", "the project offers no web service"))


class FakeContext:
    def __init__(self, root: Path, run: TestRun, web: WebScan = NO_WEB) -> None:
        self.root = root
        self.config = load_config(root)
        self.run_record = run
        self.web = web

    def shared(self, run: Any) -> Any:
        return self.web if run.key == WEB_SCAN.key else self.run_record


def _project(tmp_path: Path, body: str = TESTS, config: str = "") -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("def parse(x):\n    return x\n\ndef _private(x):\n    return x\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(body)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n" + config)
    clear_cache()
    return tmp_path


def _detail(name: str, outcome: str = "passed", markers: tuple[str, ...] = (), file: str = "tests/test_app.py", cls: str = "") -> TestDetail:
    nodeid = f"{file}::{cls + '::' if cls else ''}{name}"
    return TestDetail(nodeid, file, None, name, tuple(Marker(m) for m in markers), "", False, outcome)


def _run(*details: TestDetail) -> TestRun:
    passed = sum(d.outcome == "passed" for d in details)
    return TestRun(status="ok", message="run", counts=TestCounts(collected=len(details), passed=passed), details=details, recorder_ok=True, dev_mode=True)


def test_shapes_of_test_functions(tmp_path: Path) -> None:
    root = _project(tmp_path)
    packages = frozenset({"app"})
    shape = lambda name, cls="": shape_of(_detail(name, cls=cls), root, packages)  # noqa: E731
    assert shape("test_cli_rejects_bad_input").drives_process and shape("test_cli_rejects_bad_input").negative
    assert shape("test_cli_ok").drives_process and not shape("test_cli_ok").negative
    assert shape("test_http_404").negative
    assert shape("test_parse_never_crashes").property_based and shape("test_parse_never_crashes").calls_public
    assert not shape("test_private_property").calls_public
    assert shape("test_unit_raises").negative and not shape("test_unit_raises").drives_process
    assert shape("test_method", "TestGroup").found
    assert shape("test_through_helper").drives_process
    assert not shape("test_absent").found


def test_identification_order() -> None:
    blank = shape_of(_detail("x"), Path("/nonexistent"), frozenset())
    markers = {"e2e", "integration"}
    assert identify(_detail("test_x", file="tests/e2e/test_a.py"), blank, [], markers) == "naming convention"
    assert identify(_detail("test_x", markers=("integration",)), blank, [], markers) == "marker integration"
    assert identify(_detail("test_x", file="tests/spec/test_a.py"), blank, ["tests/spec/*"], markers) == "configured"
    assert identify(_detail("test_x", file="tests/test_cli.py"), blank, [], markers) == "naming convention"
    assert identify(_detail("test_x", file="tests/test_client_utils.py"), blank, [], markers) is None


def test_black_box_tests_with_negative_cases_pass(tmp_path: Path) -> None:
    root = _project(tmp_path)
    run = _run(_detail("test_cli_rejects_bad_input"), _detail("test_cli_ok"), _detail("test_parse_never_crashes"), _detail("test_unit_plain"), _detail("test_unit_raises"))
    result = CHECK.run(FakeContext(root, run))
    assert result.outcome is Outcome.PASS, result.message
    assert result.metrics["identified"] == 3 and result.metrics["negative_passed"] == 1
    assert result.score == 10.0


def test_without_negative_cases_or_with_failures_it_fails(tmp_path: Path) -> None:
    root = _project(tmp_path)
    no_negative = CHECK.run(FakeContext(root, _run(_detail("test_cli_ok"), _detail("test_parse_never_crashes"))))
    assert no_negative.outcome is Outcome.FAIL and no_negative.score == 6.0 and "negative" in no_negative.message
    failing = CHECK.run(FakeContext(root, _run(_detail("test_cli_ok"), _detail("test_cli_rejects_bad_input", outcome="failed"))))
    assert failing.outcome is Outcome.FAIL and failing.findings[0].rule_id == "black-box-tests.failed"


def test_only_unit_tests_fail_with_remediation(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = CHECK.run(FakeContext(root, _run(_detail("test_unit_plain"), _detail("test_unit_raises"))))
    assert result.outcome is Outcome.FAIL and result.score == 0
    assert "no black-box test was found" in result.message and "pytest.mark.e2e" in result.message


def test_configured_paths_and_junit_fallback(tmp_path: Path) -> None:
    root = _project(tmp_path, config="[tool.baseline.tests]\nblackbox = ['tests/test_app.py::test_unit*']\n")
    cases = (TestCase("tests.test_app", "test_unit_raises", "tests/test_app.py", None, "passed", 0.1),)
    run = TestRun(status="ok", message="run", counts=TestCounts(collected=1, passed=1), cases=cases)
    result = CHECK.run(FakeContext(root, run))
    assert result.outcome is Outcome.PASS and result.metrics["by_reason"] == {"configured": 1}
    assert result.metrics["per_test_details"] is False


def test_broken_test_run_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = CHECK.run(FakeContext(root, TestRun(status="error", message="cannot collect")))
    assert result.outcome is Outcome.ERROR


def test_fixture_copy_is_readable(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / "fixtures" / "blackbox_project"
    root = tmp_path / "bb"
    shutil.copytree(source, root)
    clear_cache()
    shape = shape_of(_detail("test_malformed_file_is_rejected", file="tests/e2e/test_cli_e2e.py"), root, frozenset({"kvstore"}))
    assert shape.drives_process  # through the module's _run helper
    assert shape.negative


def _api(*tests: GeneratedTest, status: str = "ok", failures: tuple[ApiFailure, ...] = ()) -> WebScan:
    report = ApiTestReport("4.32.5", 1, "openapi 3.1.0", 2, 2, sum(t.cases for t in tests), tests, failures, ())
    api = ApiRun(status, "schemathesis ran" if status == "ok" else "schemathesis is not installed", report=report if status == "ok" else None)
    return WebScan("not-run", "", WebSurface((), (), 1), api=api)


def test_generated_api_tests_count_with_their_negative_cases(tmp_path: Path) -> None:
    root = _project(tmp_path)
    web = _api(GeneratedTest("GET /ratio", "positive", 40, ()), GeneratedTest("GET /ratio", "negative", 30, ()), GeneratedTest("POST /notes", "positive", 20, ()))
    result = CHECK.run(FakeContext(root, _run(_detail("test_unit_plain")), web))
    assert result.outcome is Outcome.PASS, result.message
    assert result.metrics["by_reason"] == {"generated from the OpenAPI specification": 3}
    assert result.metrics["negative_passed"] == 1 and result.metrics["generated"]["cases"] == 90  # type: ignore[index]


def test_a_failing_generated_test_fails_the_check_with_its_request(tmp_path: Path) -> None:
    root = _project(tmp_path)
    failure = ApiFailure("GET /ratio", "not_a_server_error", "ST101", "Server error", "", "positive", "fuzzing", "a1", 500, "curl -X GET 'http://127.0.0.1:1/ratio?denominator=0'")
    web = _api(GeneratedTest("GET /ratio", "positive", 5, ("not_a_server_error",)), GeneratedTest("GET /ratio", "negative", 30, ()), failures=(failure,))
    result = CHECK.run(FakeContext(root, _run(_detail("test_cli_rejects_bad_input")), web))
    assert result.outcome is Outcome.FAIL and result.metrics["failed"] == 1
    (finding,) = [item for item in result.findings if item.rule_id == "black-box-tests.generated-failed"]
    assert "GET /ratio [positive]" in finding.message and "denominator=0" in finding.properties["request"]


def test_generated_tests_that_could_not_run_are_shown_not_counted(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = CHECK.run(FakeContext(root, _run(_detail("test_cli_rejects_bad_input")), _api(status="error")))
    assert result.outcome is Outcome.PASS and result.metrics["identified"] == 1
    assert any("generated API tests could not run" in item.summary for item in result.evidence)
