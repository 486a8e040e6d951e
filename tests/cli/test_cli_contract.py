"""Black-box tests of the command line: what a user types, what they get back, and the exit code.

Each test runs the installed console script in a fresh process, the way a user or a CI job does;
none imports the toolkit. Exit codes are the published contract (README): 0 complete, 1 gate
failed, 2 usage or configuration error, 3 incomplete, 4 internal error.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXECUTABLE = shutil.which("baseline", path=str(Path(sys.executable).parent)) or shutil.which("baseline")
pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the baseline console script is not installed")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXECUTABLE, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)  # type: ignore[list-item]


def _project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "1.0"\ndependencies = ["requests==2.19.0"]\n', encoding="utf-8")
    return root


def test_version_and_checks_list_every_technique(tmp_path: Path) -> None:
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip()
    listing = run("checks", cwd=tmp_path)
    assert listing.returncode == 0
    for technique in ("T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T10", "T11"):
        assert technique in listing.stdout


def test_missing_target_is_a_usage_error(tmp_path: Path) -> None:
    result = run("scan", "nothere", cwd=tmp_path)
    assert result.returncode == 2
    assert "nothere does not exist" in result.stderr and "Traceback" not in result.stderr


def test_unknown_flag_and_unknown_technique_are_usage_errors(tmp_path: Path) -> None:
    assert run("scan", ".", "--no-such-flag", cwd=tmp_path).returncode == 2
    explain = run("explain", "T99", cwd=tmp_path)
    assert explain.returncode == 2 and "neither a technique nor an installed check" in explain.stderr


def test_bad_configuration_names_the_key_and_runs_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("[tool.baseline]\nmin_score = 'high'\n")
    result = run("scan", ".", "--select", "T02", cwd=root)
    assert result.returncode == 2
    assert "min_score" in result.stderr
    assert not (root / ".baseline" / "scan").exists()


def test_gate_fails_with_exit_1_when_a_required_technique_fails(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    out = tmp_path / "report.json"
    result = run("scan", ".", "--select", "T01", "--gate", "--required", "T01", "--format", "json", "--output", str(out), cwd=root)
    assert result.returncode == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    (t01,) = [item for item in report["breakdown"]["techniques"] if item["technique"] == "T01"]
    assert t01["outcome"] == "fail" and "no threat model" in t01["reason"]
    assert report["gate"]["passed"] is False


def test_unreadable_report_and_missing_bundle_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "empty.json").write_text("{}", encoding="utf-8")
    diff = run("diff", "broken.json", "empty.json", cwd=tmp_path)
    assert diff.returncode == 2 and "not a readable JSON report" in diff.stderr
    verify = run("verify", "missing.zip", cwd=tmp_path)
    assert verify.returncode == 2 and "not found" in verify.stderr


def test_accept_requires_a_reason_and_an_owner(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("{}", encoding="utf-8")
    result = run("accept", "report.json", "--rule", "B602", "--owner", "alice", cwd=tmp_path)
    assert result.returncode == 2 and "--reason" in result.stderr
    assert not (tmp_path / ".baseline" / "accepted.toml").exists()


def test_sbom_lists_pinned_dependencies_and_monitor_rejects_a_missing_sbom(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    sbom = tmp_path / "sbom.cdx.json"
    made = run("sbom", ".", "--output", str(sbom), cwd=root)
    assert made.returncode == 0, made.stderr
    document = json.loads(sbom.read_text(encoding="utf-8"))
    assert document["bomFormat"] == "CycloneDX"
    assert {(c["name"], c.get("version")) for c in document["components"]} >= {("requests", "2.19.0")}
    monitor = run("components", "monitor", "none.json", "--osv-db", "none", cwd=tmp_path)
    assert monitor.returncode == 2 and "not a readable JSON SBOM" in monitor.stderr


def test_threat_model_draft_is_written_once(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    first = run("threat-model", "init", ".", cwd=root)
    assert first.returncode == 0 and (root / "THREAT_MODEL.md").is_file()
    second = run("threat-model", "init", ".", cwd=root)
    assert second.returncode == 2 and "exists" in second.stderr


def test_replaying_an_unknown_crash_and_installing_an_unknown_tool_fail(tmp_path: Path) -> None:
    replay = run("fuzz", "replay", "no-such-crash", cwd=tmp_path)
    assert replay.returncode == 2 and "no crash no-such-crash" in replay.stderr
    install = run("tools", "install", "no-such-tool", cwd=tmp_path)
    assert install.returncode == 2 and "invalid choice" in install.stderr
