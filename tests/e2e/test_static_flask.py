"""End to end: the T03 check with the real bandit and semgrep on the planted-bug Flask app and its twin."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from baseline.cli import main
from baseline.tools.static_common import find_executable

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_executable("semgrep") is None, reason="semgrep is not installed"),
]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OTHER_CHECKS = ["--select", "T03"]


def static_result(root: Path, *extra: str) -> dict:
    """Scan ``root`` with the CLI and return the T03 result of the JSON report."""
    out = root.parent / f"{root.name}-report.json"
    code = main(["scan", str(root), "--quiet", "--format", "json", "--output", str(out), *OTHER_CHECKS, *extra])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    (result,) = [item for item in report["results"] if item["spec"]["id"] == "static-analysis.scan"]
    return result


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def serious(result: dict) -> list[dict]:
    return [f for f in result["findings"] if not f["suppressed"] and f["severity"] in ("high", "critical") and f["context"] == "product"]


def test_planted_bugs_are_caught_with_exact_cwes(tmp_path):
    result = static_result(copy_fixture("flask_vuln_app", tmp_path))
    assert result["outcome"] == "fail"
    by_snippet = {f["location"]["snippet"]: f for f in serious(result)}
    expected = {
        "cur.execute(\"SELECT title FROM notes WHERE owner = '\" + owner + \"'\")": 89,
        'output = subprocess.check_output("ping -c 1 " + host, shell=True)': 78,
        'return f"<h1>Hello {name}</h1>"': 79,
        "return send_file(os.path.join(NOTES_DIR, name))": 22,
        "digest = hashlib.md5(password.encode()).hexdigest()": 328,
    }
    for snippet, cwe in expected.items():
        assert snippet in by_snippet, f"missed: {snippet}"
        assert by_snippet[snippet]["cwe"][0] == cwe
    assert {f["cwe"][0] for f in serious(result)} == {89, 78, 79, 22, 328}
    assert len(serious(result)) == 5, "no duplicates: both tools' reports of one weakness are merged"
    merged = by_snippet["cur.execute(\"SELECT title FROM notes WHERE owner = '\" + owner + \"'\")"]
    assert merged["properties"]["tools"] == ["bandit", "semgrep"]
    bare = [f for f in result["findings"] if f["rule_id"] == "baseline-bare-suppression"]
    assert bare and bare[0]["severity"] == "low"
    assert not any(f["suppressed"] for f in result["findings"]), "a bare '# nosec' suppresses nothing"
    tools = {e["tool"]: e for e in result["evidence"] if e["provenance"] == "executed"}
    assert tools["bandit"]["tool_version"] and tools["semgrep"]["tool_version"]
    assert tools["semgrep"]["input_digests"]["rule_pack"].startswith("sha256:")
    assert result["metrics"]["analysed_percent"] == 100.0


def test_sanitised_twin_has_no_serious_findings(tmp_path):
    result = static_result(copy_fixture("flask_safe_app", tmp_path))
    assert serious(result) == []
    assert result["outcome"] == "pass"
    assert any(f["suppressed"] and f["suppression"]["reason"] for f in result["findings"])
    assert result["score"] > 8.0


def test_unchanged_rescan_runs_no_tool_and_one_change_rescans_one_file(tmp_path):
    root = copy_fixture("flask_vuln_app", tmp_path)
    first = static_result(root)
    second = static_result(root)
    assert second["metrics"]["cache"]["misses"] == {"bandit": 0, "semgrep": 0}
    assert not [e for e in second["evidence"] if e["provenance"] == "executed"]
    assert [f["fingerprint"] for f in second["findings"]] == [f["fingerprint"] for f in first["findings"]]
    app = root / "notes_app" / "app.py"
    app.write_text(app.read_text(encoding="utf-8").replace("hashlib.md5", "hashlib.sha256"), encoding="utf-8")
    third = static_result(root)
    assert third["metrics"]["cache"]["misses"] == {"bandit": 1, "semgrep": 1}
    assert 328 not in {f["cwe"][0] for f in serious(third)}


def test_no_python_files_is_not_applicable_with_evidence(tmp_path):
    root = tmp_path / "docs_only"
    root.mkdir()
    (root / "README.md").write_text("# nothing to see\n")
    result = static_result(root)
    assert result["outcome"] == "not_applicable"
    assert result["evidence"] and "none ends in .py" in result["evidence"][0]["summary"]
