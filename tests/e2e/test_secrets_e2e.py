"""End to end: a real git repository with planted secrets, scanned by the real CLI.

The repository is built here with real git: a secret in the working tree, one in a file deleted
in a later commit (history only), one in a test fixture, plus binary, invalid UTF-8 and minified
files. Every output (terminal, JSON report, work folder) is searched for the planted values.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import pytest

from baseline import sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "secrets_corpus"))
from load import load_corpus_module  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]

corpus = load_corpus_module()
DISABLE = ["--disable", "automated-testing.pytest", "--disable", "structural-coverage.coverage"]


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "dev@example.com", "GIT_AUTHOR_DATE": "2024-03-01T10:00:00+00:00",
           "GIT_COMMITTER_DATE": "2024-03-01T10:00:00+00:00"}
    result = sandbox.run(["git", *args], cwd=repo, extra_env=env, limits=sandbox.Limits(timeout_s=60))
    assert result.ok, result.stderr
    return result.stdout.strip()


def run_cli(*args: str, cwd: Path) -> sandbox.ProcessResult:
    return sandbox.run([sys.executable, "-m", "baseline", *args], cwd=cwd, limits=sandbox.Limits(timeout_s=240), extra_env={"CI": ""})


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    rng = random.Random(2024)
    root = tmp_path_factory.mktemp("secrets-e2e")
    repo = root / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "tests" / "fixtures").mkdir(parents=True)
    values = {
        "tree_token": corpus.github_token(rng),
        "tree_db_password": "Pg" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(14)),
        "deleted_key": "sk_" + "live_" + "".join(rng.choice(corpus.ALNUM) for _ in range(28)),
        "fixture_password": "Fx" + "".join(rng.choice(corpus.ALNUM) for _ in range(10)) + "#9",
    }
    git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text('[project]\nname = "planted"\nversion = "0.1"\n')
    (repo / "app" / "__init__.py").write_text("")
    (repo / "app" / "settings.py").write_text(
        f'GITHUB_TOKEN = "{values["tree_token"]}"\nDATABASE_URL = "postgresql://app:{values["tree_db_password"]}@db:5432/app"\n'
    )
    (repo / "app" / "legacy.py").write_text(f'import stripe\nstripe.api_key = "{values["deleted_key"]}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    introduced = git(repo, "rev-parse", "HEAD")
    git(repo, "rm", "-q", "app/legacy.py")
    git(repo, "commit", "-qm", "remove legacy billing")
    (repo / "tests" / "fixtures" / "creds.json").write_text(json.dumps({"user": "qa", "password": values["fixture_password"]}) + "\n")
    (repo / "app" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + rng.randbytes(2000))
    (repo / "app" / "latin.txt").write_bytes(b"caf\xe9 \xff\xfe broken utf-8\n")
    (repo / "app" / "bundle.min.js").write_text("var a=1;" * 200_000)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "fixtures and assets")
    out = root / "report.json"
    result = run_cli("scan", str(repo), "--secrets-history", "on", *DISABLE, "--format", "json", "--output", str(out), cwd=root)
    terminal = run_cli("scan", str(repo), "--secrets-history", "on", *DISABLE, cwd=root)
    return {"repo": repo, "root": root, "values": values, "introduced": introduced, "result": result, "terminal": terminal, "report": out}


def _secrets_result(report_path: Path) -> dict:
    report = json.loads(report_path.read_text())
    (result,) = [r for r in report["results"] if r["spec"]["id"] == "hardcoded-secrets.scan"]
    return result


def test_scan_reports_tree_history_and_fixture_secrets(planted: dict) -> None:
    assert planted["result"].exit_code == 0, planted["result"].stderr
    result = _secrets_result(planted["report"])
    assert result["outcome"] == "fail"
    findings = {(f["rule_id"], f["location"]["path"]): f for f in result["findings"]}
    token = findings[("secrets.github-pat-classic", "app/settings.py")]
    assert token["context"] == "product" and token["severity"] == "critical" and token["properties"]["validated"]
    assert token["properties"]["introduced_commit"] == planted["introduced"]
    assert token["properties"]["present_at_head"] is True
    assert ("secrets.database-url-password", "app/settings.py") in findings
    deleted = findings[("secrets.stripe-secret-key", "app/legacy.py")]
    assert deleted["context"] == "history" and deleted["properties"]["present_at_head"] is False
    assert deleted["properties"]["introduced_commit"] == planted["introduced"]
    assert deleted["properties"]["introduced_date"].startswith("2024-03-01")
    fixture = findings[("secrets.generic-assignment", "tests/fixtures/creds.json")]
    assert fixture["context"] == "test" and fixture["severity"] == "low"
    assert len(result["findings"]) == 4
    assert result["metrics"]["history_commits"] == 3 and result["metrics"]["history_only_secrets"] == 1
    assert any("binary" in e["summary"] for e in result["evidence"])


def test_no_planted_value_in_any_output(planted: dict) -> None:
    outputs = [planted["result"].stdout, planted["result"].stderr, planted["terminal"].stdout, planted["terminal"].stderr,
               planted["report"].read_text()]
    work = planted["repo"] / ".baseline"
    if work.is_dir():
        outputs += [p.read_text(errors="replace") for p in work.rglob("*") if p.is_file()]
    assert "secrets.github-pat-classic" in planted["terminal"].stdout or "github" in planted["terminal"].stdout.lower()
    for name, value in planted["values"].items():
        for text in outputs:
            assert value not in text, f"{name} leaked"
            assert value[4:20] not in text, f"part of {name} leaked"


def test_allow_list_and_rotation_make_the_check_pass(planted: dict) -> None:
    report = json.loads(planted["report"].read_text())
    (result,) = [r for r in report["results"] if r["spec"]["id"] == "hardcoded-secrets.scan"]
    hashes = {f["location"]["path"]: f["properties"]["secret_sha256"] for f in result["findings"]}
    out = planted["root"] / "allowed.json"
    args = ["scan", str(planted["repo"]), "--secrets-history", "on", *DISABLE, "--format", "json", "--output", str(out),
            "--secrets-allow", "app/settings.py -- test credentials of a throwaway sandbox",
            "--secrets-rotated", f"sha256:{hashes['app/legacy.py'][:16]} -- revoked in the provider console"]
    run = run_cli(*args, cwd=planted["root"])
    assert run.exit_code == 0, run.stderr
    allowed = _secrets_result(out)
    assert allowed["outcome"] == "pass"
    kinds = sorted(f["suppression"]["kind"] for f in allowed["findings"] if f["suppression"])
    assert kinds == ["config", "config", "rotated"]


def test_not_a_git_repository_and_shallow_clone_degrade_with_a_note(planted: dict, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(planted["repo"] / "app", plain / "app")
    out = tmp_path / "plain.json"
    run = run_cli("scan", str(plain), "--secrets-history", "on", *DISABLE, "--format", "json", "--output", str(out), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    result = _secrets_result(out)
    assert result["outcome"] == "fail" and "not a git repository" in result["metrics"]["history"]
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{planted['repo']}", str(shallow))
    out2 = tmp_path / "shallow.json"
    run = run_cli("scan", str(shallow), "--secrets-history", "on", *DISABLE, "--format", "json", "--output", str(out2), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    result = _secrets_result(out2)
    assert "shallow" in result["metrics"]["history"]
    assert result["metrics"]["history_only_secrets"] == 0  # the deleted file is before the shallow boundary


def test_corrupt_repository_degrades_and_the_scan_completes(planted: dict, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(planted["repo"], broken, ignore=shutil.ignore_patterns(".baseline"))
    blob = git(broken, "rev-parse", "HEAD~2:app/legacy.py")
    (broken / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    out = tmp_path / "broken.json"
    run = run_cli("scan", str(broken), "--secrets-history", "on", *DISABLE, "--format", "json", "--output", str(out), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    result = _secrets_result(out)
    assert result["outcome"] == "fail"  # the tree secrets still count
    assert result["metrics"]["history"].startswith("ok") and "missing" in result["metrics"]["history"]
    assert result["metrics"]["history_only_secrets"] == 0  # the deleted file's blob is the missing object
