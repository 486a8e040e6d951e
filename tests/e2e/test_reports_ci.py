"""CI integrations: the pre-commit hook on real files with the real tools, and the CI files' shape."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from baseline.precommit import main as precommit

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_precommit_hook_blocks_secrets_and_shell_injection(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text('import subprocess\nAPI_KEY = "AKIAQ3EGRTXVJ6PLM2WN"\nsubprocess.call("ls " + x, shell=True)\n')
    (tmp_path / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "deploy.env").write_text("DB_PASSWORD=Qm7#vR2xLp9!kT4w\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" * 100)
    assert precommit(["ok.py", "blob.bin"]) == 0
    assert precommit(["bad.py", "ok.py"]) == 1
    out = capsys.readouterr().out
    assert "B602" in out and "bad.py:2: possible secret (secrets.aws-access-key-id)" in out
    assert "AKIAQ3EGRTXVJ6PLM2WN" not in out  # never print the secret
    assert precommit(["deploy.env"]) == 1  # not only Python files
    out = capsys.readouterr().out
    assert "deploy.env:1" in out and "Qm7#vR2xLp9!kT4w" not in out


def test_ci_files_are_well_formed():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = [step.get("name", step.get("uses")) for step in action["runs"]["steps"]]
    assert "Upload SARIF" in steps and steps[-1] == "Apply the gate"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "baseline-staged" and hooks[0]["entry"] == "baseline-precommit"
    gitlab = yaml.safe_load((REPO / "ci" / "gitlab-ci.yml").read_text())
    assert gitlab["baseline"]["artifacts"]["reports"]["junit"] == "baseline-out/report.xml"
