"""The pre-commit hook's secret review (the bandit half runs in the end-to-end test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline import precommit


def test_secrets_are_reported_redacted_and_allowed_lines_pass(tmp_path: Path) -> None:
    leaked = tmp_path / "settings.py"
    leaked.write_text('AWS_ACCESS_KEY_ID = "AKIA' + "Q3EGRTXVJ6PLM2WN" + '"\n', encoding="utf-8")
    allowed = tmp_path / "example.env"
    allowed.write_text("DB_PASSWORD=Qm7#vR2xLp9!kT4w  # baseline: allow-secret -- documented sample value\n", encoding="utf-8")
    found, problems = precommit.run_secrets([str(leaked), str(allowed)])
    assert problems == []
    assert len(found) == 1 and found[0].startswith(f"{leaked}:1: possible secret (")
    assert "Q3EGRTXVJ6PLM2WN" not in found[0]


def test_unreadable_and_huge_files_are_problems_not_crashes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(precommit, "MAX_SECRET_SCAN_BYTES", 10)
    big = tmp_path / "big.txt"
    big.write_text("x" * 100, encoding="utf-8")
    found, problems = precommit.run_secrets([str(big), str(tmp_path / "gone.py")])
    assert found == []
    assert any("not reviewed" in problem for problem in problems)
    assert any("unreadable" in problem for problem in problems)


def test_main_passes_clean_non_python_files_without_running_bandit(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("# hello\n", encoding="utf-8")
    assert precommit.main(["README.md", "missing.txt"]) == 0
    assert capsys.readouterr().out == ""


def test_the_project_config_allows_excludes_and_says_how_to_allow(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    secret = 'AWS_ACCESS_KEY_ID = "AKIA' + "Q3EGRTXVJ6PLM2WN" + '"\n'
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "demo.txt").write_text(secret, encoding="utf-8")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "copy.txt").write_text(secret, encoding="utf-8")
    (tmp_path / "leak.txt").write_text(secret, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.baseline]\nexclude = ["vendor"]\n[tool.baseline.secrets]\nallow = ["samples/*.txt -- documented sample keys"]\n', encoding="utf-8"
    )
    assert precommit.main(["samples/demo.txt", "vendor/copy.txt"]) == 0
    assert capsys.readouterr().out == ""
    assert precommit.main(["leak.txt"]) == 1
    out = capsys.readouterr().out
    assert "leak.txt:1: possible secret" in out and "fingerprint sha256:" in out
    assert "How to accept a false positive" in out and "allow-secret -- <reason>" in out
    fingerprint = out.split("fingerprint sha256:")[1][:12]
    (tmp_path / "pyproject.toml").write_text(f'[tool.baseline.secrets]\nallow = ["sha256:{fingerprint} -- rotated test key"]\n', encoding="utf-8")
    assert precommit.main(["leak.txt"]) == 0


def test_a_broken_project_config_blocks_with_its_message(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.baseline]\nmin_score = 'x'\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("hello\n", encoding="utf-8")
    assert precommit.main(["a.txt"]) == 1
    assert "min_score" in capsys.readouterr().out


def test_the_project_config_sets_the_static_bar_and_excludes(tmp_path: Path, monkeypatch, capsys) -> None:
    pytest.importorskip("bandit")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "shell.py").write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n", encoding="utf-8")
    (tmp_path / "app.py").write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n", encoding="utf-8")
    assert precommit.main(["app.py"]) == 1  # shell=True is high: blocks at the default bar
    assert "app.py" in capsys.readouterr().out
    (tmp_path / "pyproject.toml").write_text('[tool.baseline.static]\nexclude = ["gen"]\nfail_on = "critical"\n', encoding="utf-8")
    assert precommit.main(["gen/shell.py"]) == 0  # excluded
    assert precommit.main(["app.py"]) == 0  # below the project's bar
