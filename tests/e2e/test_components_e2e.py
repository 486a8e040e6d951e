"""End-to-end: T11 on a fixture pinned to old vulnerable releases, offline against the PyPA snapshot."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SHARED, baseline_argv

pytestmark = pytest.mark.e2e
ADVISORIES = SHARED / "data" / "advisory-database"

# What the 2024-10-10 snapshot records for these pins (checked by hand against the records).
EXPECTED = {
    "requests": {"PYSEC-2018-28", "PYSEC-2023-74"},
    "PyYAML": {"PYSEC-2020-96", "PYSEC-2021-142"},
    "jinja2": {"PYSEC-2019-217", "PYSEC-2021-66"},
    "urllib3": {"PYSEC-2019-132", "PYSEC-2019-133", "PYSEC-2020-148", "PYSEC-2021-108", "PYSEC-2023-192", "PYSEC-2023-207", "PYSEC-2023-212"},
}


def _scan(root: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    out = root.parent / "report.json"
    proc = subprocess.run(
        baseline_argv("scan", str(root), "--select", "T11", "--quiet", "--format", "json", "--output", str(out), *extra),
        capture_output=True, text=True, timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(out.read_text())
    return next(r for r in report["results"] if r["spec"]["id"] == "included-components.osv")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "vulnerable_deps"
    shutil.copytree(FIXTURES / "vulnerable_deps", root)
    return root


def test_offline_matching_gives_the_exact_advisories_and_vex_triage(project: Path) -> None:
    if not ADVISORIES.is_dir():
        pytest.skip("the shared advisory-database snapshot is not available")
    result = _scan(project, "--components-osv-db", str(ADVISORIES))
    found: dict[str, set[str]] = {}
    for finding in result["findings"]:
        if finding["tool"] == "osv":
            found.setdefault(finding["properties"]["package"], set()).add(finding["rule_id"])
    assert found == EXPECTED
    assert result["outcome"] == "fail"
    vexed = next(f for f in result["findings"] if f["rule_id"] == "PYSEC-2018-28")
    assert vexed["suppressed"] and vexed["suppression"]["kind"] == "vex"
    assert "code_not_reachable" in vexed["suppression"]["reason"] and "redirects" in vexed["suppression"]["reason"]
    assert result["metrics"]["vulnerabilities_vex"] == 1
    unverifiable = {f["message"].split(":")[0] for f in result["findings"] if f["rule_id"] == "included-components.not-verifiable"}
    assert unverifiable == {"flask", "./vendored/helper"}
    summaries = " ".join(e["summary"] for e in result["evidence"])
    assert "2661 records" in summaries and "newest modified 2024-10-10" in summaries
    sbom = next(a for e in result["evidence"] for a in e["artifacts"] if a["path"].endswith("sbom.cdx.json"))
    assert json.loads(Path(sbom["path"]).read_text())["specVersion"] == "1.6"


def test_offline_with_small_database_and_clean_pins(tmp_path: Path) -> None:
    root = tmp_path / "clean"
    root.mkdir()
    (root / "requirements.txt").write_text("demo-pkg==1.5.0\nother==1.0\n")
    result = _scan(root, "--components-osv-db", str(FIXTURES / "osv_small"))
    assert result["outcome"] == "pass" and result["score"] == 10.0
    # The scan runs on the toolkit's own interpreter: the project's environment is not read, and T11 says so.
    assert "transitive dependencies were not examined: the scan runs on the toolkit's own interpreter" in result["message"]
    assert result["metrics"]["environment_read"] is False


def test_no_dependencies_is_not_applicable_with_evidence(tmp_path: Path) -> None:
    root = tmp_path / "nodeps"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "nodeps"\n')
    result = _scan(root)
    assert result["outcome"] == "not_applicable" and result["evidence"]


def test_bad_database_is_an_error_not_a_pass(project: Path, tmp_path: Path) -> None:
    (tmp_path / "empty-db").mkdir()
    result = _scan(project, "--components-osv-db", str(tmp_path / "empty-db"))
    assert result["outcome"] == "error" and "no readable OSV records" in result["message"]


def test_online_lookup_that_cannot_audit_is_an_error(project: Path) -> None:
    # No advisory service is reachable here: pip-audit skips or fails, and that must never pass.
    result = _scan(project, "--components-timeout", "120")
    assert result["outcome"] in ("error", "fail")
    if result["outcome"] == "error":
        assert "online advisory lookup failed" in result["message"]


def test_sbom_command_writes_a_valid_document(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "sbom.json"
    proc = subprocess.run(baseline_argv("sbom", str(project), "--output", str(out)), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(out.read_text())
    assert {c["name"] for c in document["components"]} >= {"requests", "PyYAML", "jinja2", "urllib3", "six", "flask"}
    assert "not pinned" in proc.stderr


def test_components_monitor_reports_a_newly_added_advisory(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "requirements.txt").write_text("demo-pkg==1.1\n")
    sbom = tmp_path / "sbom.json"
    subprocess.run(baseline_argv("sbom", str(root), "--output", str(sbom)), check=True, capture_output=True, timeout=120)
    db = tmp_path / "osv"
    shutil.copytree(FIXTURES / "osv_small", db)
    history = tmp_path / "history.db"
    argv = baseline_argv("components", "monitor", str(sbom), "--osv-db", str(db), "--db", str(history), "--fail-on-new")
    first = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and "first check" in first.stdout
    (db / "PYSEC-0000-9.json").write_text(json.dumps({
        "id": "PYSEC-0000-9", "modified": "2024-06-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-pkg"}, "versions": ["1.1"]}],
    }))
    second = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "NEW PYSEC-0000-9 affects pkg:pypi/demo-pkg@1.1" in second.stdout
    assert "1 new" in second.stdout


def test_signed_bundle_reruns_t11_with_the_same_data_source(project: Path, tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(baseline_argv("keygen", "--out", str(key)), check=True, capture_output=True, timeout=60)
    bundle = tmp_path / "evidence.zip"
    scan = subprocess.run(
        baseline_argv("scan", str(project), "--select", "T11", "--quiet", "--components-osv-db", str(FIXTURES / "osv_small"),
                      "--no-history", "--work-dir", str(tmp_path / "work"), "--bundle", str(bundle), "--sign", str(key) + ".key"),
        capture_output=True, text=True, timeout=300,
    )
    assert scan.returncode == 0, scan.stderr
    # The vendor's data source and selection are not reused: the verifier names the same ones.
    same = ["--select", "T11", "--components-osv-db", str(FIXTURES / "osv_small")]
    verify = subprocess.run(baseline_argv("verify", str(bundle), "--pubkey", str(key) + ".pub", "--source", str(project), *same), capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "discrepancies:  none" in verify.stdout
