"""End-to-end: T11 reads the target's installed environment and reports what ships, transitively.

The fixture declares one runtime dependency; its environment is a real virtual environment (made
without pip) whose site-packages holds the fixture's ``*.dist-info`` folders: no install, no network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, baseline_argv

pytestmark = pytest.mark.e2e
OSV_SMALL = FIXTURES / "osv_small"


def _scan(root: Path, *extra: str) -> dict[str, Any]:
    out = root.parent / "report.json"
    proc = subprocess.run(
        baseline_argv("scan", str(root), "--select", "T11", "--quiet", "--format", "json", "--output", str(out), "--components-osv-db", str(OSV_SMALL), *extra),
        capture_output=True, text=True, timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert out.is_file(), proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    return next(r for r in report["results"] if r["spec"]["id"] == "included-components.osv")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("env") / "installed_env"
    shutil.copytree(FIXTURES / "installed_env", root)
    venv.create(root / ".venv", with_pip=False, symlinks=True)
    site = root / ".venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    for dist_info in sorted((root / "environment").iterdir()):
        shutil.copytree(dist_info, site / dist_info.name)
    return _scan(root)


def test_every_vulnerable_transitive_dependency_that_ships_is_reported(scanned: dict[str, Any]) -> None:
    found: dict[str, set[str]] = {}
    for finding in scanned["findings"]:
        if finding["tool"] == "osv":
            assert finding["properties"]["scope"] == "required" and finding["properties"]["installed"], finding
            found.setdefault(finding["properties"]["package"], set()).update({finding["rule_id"], *finding["properties"]["aliases"]})
    assert found == {
        "demo-pkg": {"GHSA-aaaa-bbbb-cccc", "PYSEC-0000-1", "CVE-0000-0001", "PYSEC-0000-2"},
        "other": {"PYSEC-0000-3"},
        "accel": {"PYSEC-0000-6"},  # reached only through the extra demo-pkg[speed] that mid-lib asks for
    }  # not lint-helper (a development tool), fast-extra (an extra nobody asks for), old-compat (marker false)
    assert scanned["outcome"] == "fail"
    accel = next(f for f in scanned["findings"] if f["rule_id"] == "PYSEC-0000-6")
    assert accel["properties"]["dependency_path"] == ["app-core", "mid-lib", "demo-pkg", "accel"]
    assert "required through app-core -> mid-lib -> demo-pkg -> accel" in accel["message"]
    assert accel["location"]["path"] == "pyproject.toml"  # where the dependency that pulls it in is declared


def test_metrics_evidence_and_sbom_say_what_the_environment_gave(scanned: dict[str, Any]) -> None:
    metrics = scanned["metrics"]
    assert metrics["environment_read"] is True and metrics["environment_distributions"] == 8
    assert metrics["closure_components"] == 5 and metrics["transitive_added"] == 4 and metrics["installed_not_shipped"] == 3
    assert metrics["components"] == 5 and metrics["audited"] == 5  # the declared range is auditable: installed 1.2
    assert metrics["ranges_resolved"] == ["app-core 1.2 (declared >=1.0 in pyproject.toml)"]
    assert metrics["not_installed"] == ["app-core -> mid-lib -> demo-pkg -> ghost-lib"]
    assert "installed environment read (8 distributions): 5 ship" in scanned["message"]
    summaries = " ".join(e["summary"] for e in scanned["evidence"])
    assert "read the installed environment of" in summaries and "(confined, no network): 8 distributions" in summaries
    sbom_path = next(a["path"] for e in scanned["evidence"] for a in e["artifacts"] if a["path"].endswith("sbom.cdx.json"))
    sbom = json.loads(Path(sbom_path).read_text())
    assert {(c["name"], c.get("version"), c["scope"]) for c in sbom["components"]} == {
        ("app-core", "1.2", "required"), ("mid-lib", "2.0", "required"), ("demo-pkg", "1.1", "required"),
        ("accel", "0.5", "required"), ("other", "0.9", "required"),
    }
    graph = {entry["ref"]: entry.get("dependsOn", []) for entry in sbom["dependencies"]}
    assert graph["project:envapp"] == ["app-core@1.2"]
    assert graph["app-core@1.2"] == ["mid-lib@2.0", "other@0.9"] and graph["demo-pkg@1.1"] == ["accel@0.5"]


def test_an_environment_that_cannot_be_read_is_said_not_examined(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "requirements.txt").write_text("demo-pkg==1.5.0\n")
    (root / "bin").mkdir()
    liar = root / "bin" / "python"  # inside the project, as a project's own interpreter would be
    liar.write_text("#!/bin/sh\necho 'BASELINE-ENVIRONMENT {\"markers\": 1}'\necho garbage\n")
    liar.chmod(0o755)
    result = _scan(root, "--python", str(liar))
    assert result["outcome"] == "pass"  # the pin is audited; what the environment would add is said not examined
    assert "transitive dependencies were not examined: the interpreter's probe gave no usable answer" in result["message"]
    assert result["metrics"]["environment_read"] is False
    assert any(e["summary"].startswith("installed environment not read") for e in result["evidence"])
