"""End to end: scan the fixtures with the real tools, validate SARIF and JUnit against their
schemas, render the HTML in headless Chromium, bundle, verify, record history and diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from baseline import sandbox
from baseline.cli import main
from tests.sarif_limits import assert_github_sarif_limits

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
FORMATS = {"json": "report.json", "sarif": "report.sarif", "junit": "report.xml", "html": "report.html", "markdown": "report.md"}


def _scan(tmp: Path, name: str, *extra: str) -> tuple[Path, int]:
    project = tmp / name
    shutil.copytree(FIXTURES / name, project, ignore=shutil.ignore_patterns(".baseline", "__pycache__"))
    out = tmp / f"{name}-out"
    argv = ["scan", str(project), "--quiet", "--fuzz-time", "5"]
    for fmt, filename in FORMATS.items():
        argv += ["--format", fmt, "--output", str(out / filename)]
    code = main(argv + list(extra))
    return out, code


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    assert main(["keygen", "--out", str(tmp / "key")]) == 0
    weak, weak_code = _scan(tmp, "weak_project", "--bundle", str(tmp / "weak.zip"), "--sign", str(tmp / "key.key"))
    good, good_code = _scan(tmp, "good_project")
    return {"tmp": tmp, "weak": weak, "good": good, "codes": (weak_code, good_code)}


@pytest.mark.parametrize("which", ["weak", "good"])
def test_sarif_validates_and_uses_relative_paths(scans, which):
    """The SARIF of a full scan: the OASIS schema and GitHub code scanning's upload limits."""
    path = scans[which] / "report.sarif"
    doc = json.loads(path.read_text())
    assert_github_sarif_limits(doc, path.stat().st_size)
    run = doc["runs"][0]
    for result in run["results"]:
        assert result["partialFingerprints"]["baselineFingerprint/v1"]
        for location in result.get("locations", []):
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith("/") and "fixtures" not in uri
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"automated-testing.pytest", "structural-coverage.coverage"} <= rule_ids


@pytest.mark.parametrize("which", ["weak", "good"])
def test_junit_validates_and_counts(scans, which):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(REPO / "reports" / "schema" / "junit.xsd")))
    doc = etree.parse(str(scans[which] / "report.xml"))
    assert schema.validate(doc), schema.error_log
    suite = doc.getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    report = json.loads((scans[which] / "report.json").read_text())
    assert len(cases) == len(report["results"]) + 1  # one per check plus the gate


def test_weak_html_renders_in_chromium_without_console_errors(scans):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    html = scans["weak"] / "report.html"
    profile = scans["tmp"] / "chromium-profile"
    common = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
    ]
    limits = sandbox.Limits(timeout_s=90)
    dom = sandbox.run(common + ["--dump-dom", html.as_uri()], cwd=scans["tmp"], limits=limits)
    assert dom.ok, dom.describe() + dom.stderr_tail()
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    assert "trust-score" in dom.stdout and " shown</span>" in dom.stdout  # the filter script ran
    shot = scans["tmp"] / "report.png"
    picture = sandbox.run(common + [f"--screenshot={shot}", "--window-size=1280,2000", html.as_uri()], cwd=scans["tmp"], limits=limits)
    assert picture.ok, picture.describe()
    assert [line for line in picture.stderr.splitlines() if ":CONSOLE" in line] == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    pdf = scans["tmp"] / "report.pdf"
    printed = sandbox.run(common + ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()], cwd=scans["tmp"], limits=limits)
    assert printed.ok, printed.describe()
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def test_bundle_of_a_real_scan_verifies_against_its_source(scans, capsys):
    tmp = scans["tmp"]
    # The auditor's own checkout (the scanned folder now holds the scan's work files); the same fuzzing budget.
    fresh = tmp / "weak-checkout"
    shutil.copytree(FIXTURES / "weak_project", fresh, ignore=shutil.ignore_patterns(".baseline", "__pycache__"))
    argv = ["verify", str(tmp / "weak.zip"), "--pubkey", str(tmp / "key.pub"), "--fuzz-time", "5", "--source", str(fresh)]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    vendor = json.loads((scans["weak"] / "report.json").read_text())["breakdown"]["trust_score"]
    assert f"vendor score:   {vendor:.2f}" in out and f"verified score: {vendor:.2f}" in out
    (fresh / "weakcalc" / "core.py").write_text("# changed after the scan\n")
    assert main(argv) == 1
    assert "differs from the scanned tree" in capsys.readouterr().out


def test_history_and_diff(scans, capsys):
    tmp = scans["tmp"]
    assert main(["history", str(tmp / "weak_project"), "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == 1 and entries[0]["open_findings"] >= 1
    report = str(scans["weak"] / "report.json")
    assert main(["diff", report, str(scans["good"] / "report.json"), "--json"]) == 0
    change = json.loads(capsys.readouterr().out)
    assert change["fixed"] and change["score_change"] > 0
    assert main(["diff", report, report, "--fail-on-new"]) == 0


def test_removing_real_evidence_drops_the_verified_score(scans, capsys):
    import zipfile

    from baseline import bundle as B

    tmp = scans["tmp"]
    with zipfile.ZipFile(tmp / "weak.zip") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    junit = [name for name in members if name.startswith("artifacts/") and name.endswith(".xml")]
    assert junit, sorted(members)
    B.write_zip(tmp / "stripped.zip", {name: data for name, data in members.items() if name not in junit})
    assert main(["verify", str(tmp / "stripped.zip"), "--pubkey", str(tmp / "key.pub"), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["signature"] == "valid" and not result["verified"] and result["verified_score"] is None
    assert result["rederived_score"] < result["vendor_score"]
    demoted = [r for r in result["results"] if r["outcome"] == "not_evaluated" and "missing from the bundle" in r["message"]]
    assert any(r["check"] == "automated-testing.pytest" for r in demoted)


def test_timeline_shows_static_analysis_and_secrets_beside_the_test_run(scans):
    """The report says what ran when: T03 and T04 do not wait for the project's test run."""
    report = json.loads((scans["good"] / "report.json").read_text())
    spans = {(span["kind"], span["name"]): span for span in report["timeline"]}
    ran = {result["spec"]["id"] for result in report["results"] if result["outcome"] != "not_evaluated"}
    assert ran <= {name for kind, name in spans if kind == "check"}
    tests = spans[("shared", "test-run")]
    for name in ("static-run", "secrets.scan"):
        other = spans[("shared", name)]
        assert other["start_s"] < tests["end_s"], (name, other, tests)  # started before the test run ended
    assert all(0 <= span["start_s"] <= span["end_s"] <= report["duration_s"] + 0.01 for span in report["timeline"])
