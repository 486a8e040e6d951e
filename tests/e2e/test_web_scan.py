"""End to end: real wapiti against the fixture apps started on loopback, and the real T01 review."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from baseline.catalog import load_catalog
from baseline.cli import main
from baseline.config import load_config
from baseline.discovery import Discovered, discover_checks
from baseline.model import Outcome, Report
from baseline.runner import execute_scan
from baseline.target import describe_target, resolve_interpreter
from baseline.tools import wapiti
from baseline.tools.wapiti import find_wapiti

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.e2e
needs_wapiti = pytest.mark.skipif(find_wapiti() is None, reason="wapiti is not installed (baseline tools install wapiti)")


def _scan(root: Path, check_ids: set[str], **values: object) -> Report:
    """Run only the named checks (the other subsystems' checks are not the subject here)."""
    config = load_config(root, {"python": sys.executable, **values})
    catalog = load_catalog(None)
    target = describe_target(root, resolve_interpreter(root, sys.executable))
    found = discover_checks(catalog)
    mine = Discovered(tuple(check for check in found.checks if check.spec.id in check_ids), ())
    assert {check.spec.id for check in mine.checks} == check_ids
    return execute_scan(target=target, root=root, config=config, catalog=catalog, discovered=mine, work_dir=root / ".baseline")


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


@needs_wapiti
def test_vulnerable_app_xss_sqli_on_unlinked_page_and_crash_are_found(tmp_path: Path) -> None:
    root = _copy("flask_xss_sqli", tmp_path)
    report = _scan(root, {"web-app-scanning.wapiti"}, **{"web.time": 60})
    (result,) = report.results
    assert result.outcome is Outcome.FAIL, result.message
    by_rule = {finding.rule_id: finding for finding in result.findings}
    assert by_rule["wapiti.sql-injection"].cwe == (89,)
    assert by_rule["wapiti.sql-injection"].properties["url_path"] == "/item"  # linked from no page
    assert by_rule["wapiti.reflected-cross-site-scripting"].cwe == (79,)
    assert by_rule["wapiti.reflected-cross-site-scripting"].location.path == "shopapp/web.py"  # type: ignore[union-attr]
    crash = by_rule["web.app-crash"]
    assert crash.cwe == (400,) and "/maintenance/restart" in crash.properties["request"]
    # The scan went on after the crash: the restarted app was scanned and the crash path excluded.
    assert result.metrics["crashes"] == 1
    assert "/item" in result.metrics["paths_requested"] and "/search" in result.metrics["paths_requested"]
    executed = [item for item in result.evidence if item.tool == "wapiti"]
    assert executed and executed[0].exit_code == 0 and "modules xss, permanentxss, sql, timesql" in executed[0].summary
    assert len(list(root.glob(".baseline/web/app-*.log"))) >= 2  # first start, restart (and one more after a confirming replay)
    # What a killed wapiti leaves behind, its session store, holds the same results as its report.
    web = root / ".baseline" / "web"
    stored, reported = wapiti.parse_session(web / "wapiti-session"), wapiti.parse_report(web / "wapiti.json")
    assert stored is not None
    keys = lambda report: sorted((f.category, f.kind, f.method, f.path, f.parameter, f.level) for f in report.findings if f.kind != "additional")  # noqa: E731
    assert keys(stored) == keys(reported) and stored.crawled_pages == reported.crawled_pages


@needs_wapiti
def test_fixed_twin_passes(tmp_path: Path) -> None:
    root = _copy("flask_xss_sqli_fixed", tmp_path)
    report = _scan(root, {"web-app-scanning.wapiti"}, **{"web.time": 60})
    (result,) = report.results
    assert result.outcome is Outcome.PASS, [finding.message for finding in result.findings]
    assert result.score == 10.0 and result.metrics["crashes"] == 0
    assert "/item" in result.metrics["paths_requested"]


def test_library_is_not_applicable_and_cli_model_gap_is_reported(tmp_path: Path) -> None:
    report = _scan(_copy("good_project", tmp_path), {"web-app-scanning.wapiti"})
    (result,) = report.results
    assert result.outcome is Outcome.NOT_APPLICABLE and result.evidence
    report = _scan(_copy("cli_threat_model", tmp_path), {"threat-modeling.model"})
    (result,) = report.results
    assert result.outcome is Outcome.FAIL
    gaps = [finding for finding in result.findings if finding.rule_id == "threat-model.entry-point-not-covered"]
    assert [finding.message.split("'")[1] for finding in gaps] == ["notes-admin"]
    # The mitigations name tests; they were run and passed.
    assert any("2/2 pass" in item.summary for item in result.evidence)


def test_threat_model_init_cli_writes_a_draft_naming_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy("cli_threat_model", tmp_path)
    (root / "THREAT_MODEL.md").unlink()
    assert main(["threat-model", "init", str(root), "--output", "docs/threat-model.md"]) == 0
    text = (root / "docs" / "threat-model.md").read_text(encoding="utf-8")
    for name in ("`notes`", "`notes-admin`", "`add`", "`export`", "`import`"):
        assert name in text
    assert main(["scan", str(root), "--python", sys.executable, "--select", "T01", "--format", "json", "--output", str(tmp_path / "r.json"), "--quiet"]) in (0, 1, 3)
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (t01,) = [item for item in data["results"] if item["spec"]["id"] == "threat-modeling.model"]
    assert t01["outcome"] == "fail" and "untouched draft" in t01["message"]


@needs_wapiti
@pytest.mark.parametrize(
    ("fixture", "path", "said"),
    [("stdlib_http_app", "/greet", "Serving HTTP on 127.0.0.1 port 18731"), ("flask_run_at_import", "/hello", "Running on http://127.0.0.1:18732")],
)
def test_apps_on_their_own_port_are_found_and_scanned(tmp_path: Path, fixture: str, path: str, said: str) -> None:
    """A stdlib http.server app on a fixed port and a Flask app that runs at import: found where they
    really listen, scanned, no false crash; the evidence quotes the app's own "serving" line."""
    root = _copy(fixture, tmp_path)
    report = _scan(root, {"web-app-scanning.wapiti"}, **{"web.time": 40, "web.modules": ["xss"]})
    (result,) = report.results
    assert result.outcome is Outcome.FAIL, result.message
    assert result.metrics["crashes"] == 0
    xss = [finding for finding in result.findings if finding.rule_id == "wapiti.reflected-cross-site-scripting"]
    assert xss and xss[0].properties["url_path"] == path, [finding.message for finding in result.findings]
    started = [item.summary for item in result.evidence if "asked for" in item.summary]
    assert started and said in started[0], [item.summary for item in result.evidence]


@needs_wapiti
def test_ssrf_and_xxe_are_proven_by_the_apps_callbacks_to_the_proxys_endpoint(tmp_path: Path) -> None:
    root = _copy("flask_callbacks", tmp_path)
    report = _scan(root, {"web-app-scanning.wapiti"}, **{"web.time": 60, "web.modules": ["ssrf", "xxe"]})
    (result,) = report.results
    found = {(cwe, finding.properties["url_path"], finding.properties["parameter"]) for finding in result.findings for cwe in finding.cwe}
    assert (918, "/preview", "url") in found, result.message  # the app fetched the proxy's endpoint
    assert (611, "/convert", "xml") in found, result.message  # in-band (kept from wapiti's session: its JSON report drops XXE)
    assert (611, "/import", "doc") in found, result.message  # blind: only the callback proves it
    assert result.outcome is Outcome.FAIL and result.metrics["callbacks"]["ssrf"] >= 1 and result.metrics["callbacks"]["xxe"] >= 1
