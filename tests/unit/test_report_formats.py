"""Golden-file tests of every formatter on a deterministic synthetic report.

Update the goldens with ``UPDATE_GOLDEN=1 python -m pytest tests/unit/test_report_formats.py``
and review the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from baseline.reports import html, json_report, junit, markdown, sarif
from baseline.reports.load import report_from_dict
from tests.sarif_limits import assert_github_sarif_limits
from tests.unit.reports_synthetic import make_report

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "reports"
FORMATTERS = {"report.json": json_report, "report.sarif": sarif, "report.xml": junit, "report.md": markdown, "report.html": html}


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_golden(name):
    text = FORMATTERS[name].format_report(make_report())
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"golden {name} missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; review and run with UPDATE_GOLDEN=1"


def test_formatters_are_pure():
    report = make_report()
    for module in FORMATTERS.values():
        assert module.format_report(report) == module.format_report(report)


def test_json_round_trips_through_the_loader():
    report = make_report()
    assert report_from_dict(json.loads(json_report.format_report(report))) == report


def test_sarif_keeps_suppressed_findings_with_justification():
    doc = json.loads(sarif.format_report(make_report()))
    results = doc["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(results) == 3 and len(suppressed) == 1
    assert suppressed[0]["suppressions"][0] == {"kind": "inSource", "status": "accepted", "justification": "test value", "properties": {"kind": "inline", "owner": "dev"}}
    rules = {rule["id"]: rule for rule in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-78" in rules["B602"]["properties"]["tags"]
    assert "Remediation" in rules["static-analysis.bandit"]["help"]["text"]
    fingerprints = {r["partialFingerprints"]["baselineFingerprint/v1"] for r in results}
    assert len(fingerprints) == 3


def test_sarif_validates_against_the_schema_and_githubs_limits():
    text = sarif.format_report(make_report())
    assert_github_sarif_limits(json.loads(text), len(text.encode()))


def test_sarif_of_every_installed_check_meets_githubs_limits():
    """Every check's rule (the static check lists 27 CWEs) and a finding with many CWEs stay within 20 tags;
    informational notes without a weakness are notifications, not alerts; the run says the tool ran."""
    from dataclasses import replace

    from baseline.catalog import load_catalog
    from baseline.discovery import discover_checks
    from baseline.model import CheckResult, Finding, Location, Outcome, Severity

    report = make_report()
    discovered = discover_checks(load_catalog(None))
    many = Finding("B999", Severity.HIGH, "many weaknesses", "bandit", Location("a.py", 3), cwe=tuple(range(1, 40)), fingerprint="e" * 32 + ":0")
    note = Finding("included-components.input-problem", Severity.INFO, "could not audit x", "baseline", fingerprint="f" * 32 + ":0")
    results = tuple(
        CheckResult(spec=loaded.spec, outcome=Outcome.FAIL if index == 0 else Outcome.ERROR, score=0.0, message="m", findings=(many, note) if index == 0 else ())
        for index, loaded in enumerate(discovered.checks)
    )
    assert any(len(loaded.spec.cwe) > 20 for loaded in discovered.checks)
    doc = json.loads(sarif.format_report(replace(report, results=results)))
    assert_github_sarif_limits(doc)
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["B999"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("could not audit x" in text for text in notes)
    assert not any(": fail:" in text for text in notes)  # a failing check is its results, not a tool problem
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["B999"]["helpUri"] == "https://cwe.mitre.org/data/definitions/1.html"
    assert len(rules["static-analysis.scan"]["properties"]["cwe"]) > 20


def test_junit_counts_and_schema():
    from lxml import etree

    root = Path(__file__).resolve().parents[2]
    schema = etree.XMLSchema(etree.parse(str(root / "reports" / "schema" / "junit.xsd")))
    doc = etree.fromstring(junit.format_report(make_report()).encode())
    assert schema.validate(doc), schema.error_log
    # 4 checks + gate; failures: static fail, fuzzing not_evaluated, gate
    assert (doc.get("tests"), doc.get("failures"), doc.get("errors"), doc.get("skipped")) == ("5", "3", "0", "0")


def test_markdown_lists_new_findings_before_suppressed():
    text = markdown.format_report(make_report())
    assert text.index("New findings (2)") < text.index("Accepted or suppressed findings (1)")
    assert "inline: test value, owner dev" in text
    assert markdown._cell("a|b<c\nd") == "a\\|b&lt;c\\nd"  # table cells stay intact, HTML is neutralised, no line break


def test_html_is_self_contained_and_escapes():
    text = html.format_report(make_report())
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    assert "default-src 'none'" in text
    assert "x&lt;y&gt;&amp;" in text
    assert "no fuzz harness found" in text  # not-evaluated reason shown


def test_sarif_gives_every_result_a_location():
    from dataclasses import replace

    from baseline.model import Finding, Severity

    report = make_report()
    lonely = Finding("automated-testing.no-ci", Severity.LOW, "no CI configuration", "baseline", fingerprint="c" * 32 + ":0")
    results = tuple(replace(r, findings=r.findings + (lonely,)) if r.spec.technique == "T02" else r for r in report.results)
    doc = json.loads(sarif.format_report(replace(report, results=results)))
    located = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "automated-testing.no-ci"]
    assert located[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pyproject.toml"
    assert all(r.get("locations") for r in doc["runs"][0]["results"])


def test_credentials_are_redacted_in_every_uploaded_or_human_format():
    from dataclasses import replace

    from baseline.model import Finding, Location, Severity
    from baseline.reports.redact import redact

    assert redact('api_key = "abcd1234efgh"') == 'api_key = "***REDACTED***"'
    assert redact("token AKIAZZZZZZZZZZZZZZZZ seen") == "token ***REDACTED*** seen"
    assert redact("ordinary text = 12") == "ordinary text = 12"
    report = make_report()
    leak = Finding("secrets.keyword", Severity.HIGH, 'hard-coded: password = "hunter2hunter2"', "detect-secrets",
                   Location("conf.py", 2, 2, 'AWS = "AKIAZZZZZZZZZZZZZZZZ"'), fingerprint="d" * 32 + ":0")
    results = tuple(replace(r, findings=r.findings + (leak,), outcome=r.outcome) if r.spec.technique == "T03" else r for r in report.results)
    report = replace(report, results=results)
    for module in (sarif, junit, markdown, html):
        text = module.format_report(report)
        assert "hunter2hunter2" not in text and "AKIAZZZZZZZZZZZZZZZZ" not in text, module.__name__


def test_one_redactor_never_masks_what_the_toolkit_generated():
    from baseline.reports.redact import redact
    from baseline.tools import static_normalise, test_records
    from baseline.reports.redact import redact_request

    # The toolkit's own settings are its words, not the target's secrets.
    assert redact("history not scanned: secrets.history = auto outside CI") == "history not scanned: secrets.history = auto outside CI"
    assert redact("use --secrets-history on, secrets.history_timeout = 300") == "use --secrets-history on, secrets.history_timeout = 300"
    # Values the caller generated (a payload it sent) stay; the same shapes from the target go.
    assert redact("token=AKIAZZZZZZZZZZZZZZZZ", generated={"AKIAZZZZZZZZZZZZZZZZ"}) == "token=AKIAZZZZZZZZZZZZZZZZ"
    assert redact('password = "s3cr3t-value"', generated={"s3cr3t-value"}) == 'password = "s3cr3t-value"'
    assert redact('password = "s3cr3t-value"') == 'password = "***REDACTED***"'
    assert redact("DB_PASSWORD=Qm7#vR2xLp9!kT4w") == "DB_PASSWORD=***REDACTED***"
    assert redact("password = request.form") == "password = request.form"  # code, not a value
    # One rule set behind every adapter's redaction (only the mask differs).
    for text in ('api_key = "abcd1234efgh"', "auth_token: abc123def456", "key AKIAABCDEFGHIJKLMNOP used"):
        assert redact(text, mask="***") == test_records.redact(text) == static_normalise.redact(text)
    # The web scanner's payload in the attacked parameter stays, another credential does not.
    request = "POST /login\n\npassword=%27+OR+%271%27%3D%271&api_key=real-key-123"
    shown = redact_request(request, attacked=("password",))
    assert "password=%27+OR+%271%27%3D%271" in shown and "real-key-123" not in shown


def test_an_unconfined_scan_says_so_in_every_format() -> None:
    """--unconfined: JSON, SARIF, JUnit, Markdown and HTML each carry it; a confined report carries none of it."""
    import dataclasses
    import io

    from rich.console import Console

    from baseline.console import render_report

    unconfined = dataclasses.replace(make_report(), unconfined=True)
    assert json.loads(json_report.format_report(unconfined))["unconfined"] is True
    assert report_from_dict(json.loads(json_report.format_report(unconfined))).unconfined is True
    assert json.loads(sarif.format_report(unconfined))["runs"][0]["properties"]["unconfined"] is True
    assert '<property name="unconfined" value="true"' in junit.format_report(unconfined)
    assert "UNCONFINED SCAN" in markdown.format_report(unconfined)
    assert 'id="unconfined"' in html.format_report(unconfined)
    terminal = io.StringIO()
    render_report(unconfined, Console(file=terminal, width=200))
    assert "UNCONFINED SCAN" in terminal.getvalue()
    confined = make_report()
    assert all("UNCONFINED" not in module.format_report(confined) for module in (markdown, html))
    assert "unconfined" not in junit.format_report(confined) and "unconfined" not in json.loads(sarif.format_report(confined))["runs"][0]["properties"]
