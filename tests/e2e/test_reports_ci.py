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
    (tmp_path / "bad.py").write_text('import subprocess\nAPI_KEY = "AKIAZZZZZZZZZZZZZZZZ"\nsubprocess.call("ls " + x, shell=True)\n')
    (tmp_path / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    assert precommit(["ok.py"]) == 0
    assert precommit(["bad.py", "ok.py"]) == 1
    out = capsys.readouterr().out
    assert "B602" in out and "AWS Access Key" in out
    assert "AKIAZZZZZZZZZZZZZZZZ" not in out  # never print the secret


def test_ci_files_are_well_formed():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = [step.get("name", step.get("uses")) for step in action["runs"]["steps"]]
    assert "Upload SARIF" in steps and steps[-1] == "Apply the gate"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "baseline-staged" and hooks[0]["entry"] == "baseline-precommit"
    gitlab = yaml.safe_load((REPO / "ci" / "gitlab-ci.yml").read_text())
    assert gitlab["baseline"]["artifacts"]["reports"]["junit"] == "baseline-out/report.xml"
