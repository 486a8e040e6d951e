"""End-to-end: the real CLI scans fixture projects; T05, T06 and T08 judge the real shared test run."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from baseline import sandbox

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def _scan(tmp_path: Path, name: str) -> tuple[Path, dict]:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root, _scan_root(root)


def _scan_root(root: Path) -> dict:
    out = root.parent / f"{root.name}-report.json"
    process = sandbox.run(
        [sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02,T05,T06,T07,T08", "--format", "json", "--output", str(out)],
        cwd=REPO_ROOT,
        limits=sandbox.Limits(timeout_s=600),
    )
    assert "Traceback" not in process.stderr, process.stderr
    return json.loads(out.read_text())


def _result(report: dict, check_id: str) -> dict:
    return next(r for r in report["results"] if r["spec"]["id"] == check_id)


def test_warnings_asserts_and_type_errors_of_the_warn_fixture(tmp_path: Path) -> None:
    _, report = _scan(tmp_path, "warn_project")
    warnings = _result(report, "language-checks.dev-mode-warnings")
    assert warnings["outcome"] == "fail"
    located = {(f["rule_id"], f["location"]["path"], f["location"]["start_line"]) for f in warnings["findings"] if f["location"]}
    assert {
        ("language-checks.unclosed-resource", "warnapp/accounts.py", 31),
        ("language-checks.bytes-str-comparison", "warnapp/accounts.py", 36),
        ("language-checks.coroutine-never-awaited", "warnapp/accounts.py", 46),
        ("language-checks.deprecated-api", "warnapp/accounts.py", 52),
        ("language-checks.invalid-escape-sequence", "warnapp/accounts.py", 7),
    } <= located
    asserts = _result(report, "language-checks.assert-guards")
    assert asserts["outcome"] == "fail"
    assert any(f["rule_id"] == "language-checks.assert-authorisation" and f["location"]["start_line"] == 18 for f in asserts["findings"])
    typecheck = _result(report, "language-checks.type-checker")
    assert typecheck["outcome"] == "fail" and typecheck["metrics"]["errors"] == 1
    assert _result(report, "language-checks.native-hardening")["outcome"] == "not_applicable"
    # The development-mode run changed nothing for T02 and T07.
    assert _result(report, "automated-testing.pytest")["outcome"] == "pass"
    assert _result(report, "structural-coverage.coverage")["outcome"] == "pass"
    argv = _result(report, "automated-testing.pytest")["evidence"][0]["argv"]
    assert argv[1:4] == ["-X", "dev", "-b"]


def test_black_box_fixture_passes_t06_and_t08_with_history(tmp_path: Path) -> None:
    root = tmp_path / "blackbox_project"
    shutil.copytree(FIXTURES / "blackbox_project", root)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Initial import"]):
        assert sandbox.run([*GIT, *args], cwd=root, limits=sandbox.Limits(timeout_s=60)).ok
    (root / "kvstore" / "core.py").write_text((root / "kvstore" / "core.py").read_text() + "\n")
    # The fix adds a test with it: only that test earns regression credit (the earlier ones citing #17 do not).
    (root / "tests" / "unit" / "test_core.py").write_text(
        (root / "tests" / "unit" / "test_core.py").read_text()
        + '\n\ndef test_key_of_spaces_is_empty():\n    with pytest.raises(ValueError):\n        parse_pairs("  =1")\n'
    )
    for args in (["add", "-A"], ["commit", "-q", "-m", "Fix empty keys (#17)"]):
        assert sandbox.run([*GIT, *args], cwd=root, limits=sandbox.Limits(timeout_s=60)).ok
    report = _scan_root(root)
    blackbox = _result(report, "black-box-tests.identified")
    assert blackbox["outcome"] == "pass", blackbox["message"]
    assert blackbox["metrics"]["passed"] == 4 and blackbox["metrics"]["negative_passed"] == 2
    cited = _result(report, "regression-tests.cited")
    assert cited["outcome"] == "pass" and cited["metrics"]["passed"] == 1 and cited["metrics"]["added_by_fixes"] == 1
    assert len(cited["metrics"]["cited_without_fix"]) == 2
    history = _result(report, "regression-tests.fix-commits")
    assert history["outcome"] == "pass" and history["metrics"]["fix_commits"] == 1
    assert _result(report, "regression-tests.fuzz-replay")["outcome"] == "not_applicable"


def test_unit_only_fixture_fails_t06_with_remediation(tmp_path: Path) -> None:
    _, report = _scan(tmp_path, "unit_only_project")
    blackbox = _result(report, "black-box-tests.identified")
    assert blackbox["outcome"] == "fail" and blackbox["score"] == 0
    assert "pytest.mark.e2e" in blackbox["message"]
    assert _result(report, "regression-tests.cited")["outcome"] == "not_evaluated"  # no git history
    assert _result(report, "regression-tests.fix-commits")["outcome"] == "not_evaluated"
    assert _result(report, "language-checks.dev-mode-warnings")["outcome"] == "pass"


def test_uncollectable_suite_gives_errors_not_passes(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("X = 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_broken.py").write_text("import nonexistent_module_xyz\n\ndef test_x():\n    pass\n")
    report = _scan_root(root)
    for check_id in ("black-box-tests.identified", "regression-tests.cited"):
        result = _result(report, check_id)
        assert result["outcome"] == "error" and "could not be collected" in result["message"], check_id
    assert _result(report, "language-checks.dev-mode-warnings")["outcome"] == "not_evaluated"
    t02 = _result(report, "automated-testing.pytest")
    assert t02["outcome"] == "fail" and t02["metrics"]["errors"] == 1


def test_recorder_works_in_a_target_venv_without_baseline(tmp_path: Path) -> None:
    base = getattr(sys, "_base_executable", sys.executable)
    venv = tmp_path / "venv"
    created = sandbox.run([base, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], cwd=tmp_path, limits=sandbox.Limits(timeout_s=120))
    python = venv / "bin" / "python"
    if not created.ok or not python.exists():
        pytest.skip(f"cannot create a virtual environment: {created.stderr_tail(3)}")
    probe = sandbox.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('baseline') is None, u.find_spec('pytest') is not None)"], cwd=tmp_path, limits=sandbox.Limits(timeout_s=60))
    if probe.stdout.split() != ["True", "True"]:
        pytest.skip("the base interpreter either has baseline or lacks pytest")
    from baseline.tools.pytest_run import run_tests

    root = tmp_path / "warn_project"
    shutil.copytree(FIXTURES / "warn_project", root)
    work = tmp_path / "work"
    work.mkdir()
    run = run_tests(root=root, python=str(python), work_dir=work, timeout_s=300, memory_mb=None, extra_args=[], test_paths=[], source_override=[], allow_env=[], tree_digest="-")
    assert run.status == "ok" and run.recorder_ok and run.dev_mode
    assert {detail.name for detail in run.details} >= {"test_read_config", "test_notify"}
    assert {warning.category for warning in run.warnings} >= {"ResourceWarning", "BytesWarning", "RuntimeWarning"}


def test_tests_run_in_the_activated_environment(tmp_path: Path) -> None:
    """As in the project's CI: the interpreter's bin first on PATH, VIRTUAL_ENV set (tools found by name)."""
    from baseline.tools.pytest_run import run_tests

    root = tmp_path / "activated"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("X = 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_env.py").write_text(
        "import os, shutil, sys\n\n"
        "def test_bin_first_on_path():\n"
        "    assert os.environ['PATH'].split(os.pathsep)[0] == os.path.dirname(sys.executable)\n"
        "    assert shutil.which('python') == os.path.join(os.path.dirname(sys.executable), 'python')\n\n"
        "def test_virtual_env():\n"
        "    assert os.environ.get('VIRTUAL_ENV') == (os.path.dirname(os.path.dirname(sys.executable)) if sys.prefix != sys.base_prefix else None)\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    run = run_tests(root=root, python=sys.executable, work_dir=work, timeout_s=300, memory_mb=None, extra_args=[], test_paths=[], source_override=[], allow_env=[], tree_digest="-")
    assert run.status == "ok"
    assert {detail.name: detail.outcome for detail in run.details} == {"test_bin_first_on_path": "passed", "test_virtual_env": "passed"}
