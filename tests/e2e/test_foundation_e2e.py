"""End-to-end: the real CLI runs the real pytest and coverage on fixture projects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURES, REPO_ROOT, baseline_argv

pytestmark = pytest.mark.e2e

SCHEMA = json.loads((REPO_ROOT / "reports" / "schema" / "report.schema.json").read_text())
ONLY_FOUNDATION = ["--select", "T02,T07"]


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def _scan(target: Path, *extra: str, env: dict[str, str] | None = None, timeout: float = 300) -> tuple[subprocess.CompletedProcess[str], dict]:  # type: ignore[type-arg]
    out = target.parent / f"{target.name}-report.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run(
        baseline_argv("scan", str(target), *ONLY_FOUNDATION, "--format", "json", "--output", str(out), *extra),
        capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO_ROOT,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(out.read_text()) if out.exists() else {}
    if report:
        jsonschema.validate(report, SCHEMA)
    return proc, report


def _technique(report: dict, technique: str) -> dict:  # type: ignore[type-arg]
    return next(t for t in report["breakdown"]["techniques"] if t["technique"] == technique)


def _result(report: dict, check_id: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in report["results"] if r["spec"]["id"] == check_id)


def _project(tmp_path: Path, test_body: str, name: str = "proj") -> Path:
    root = tmp_path / name
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pkg" / "__init__.py").write_text("def answer():\n    return 42\n")
    (root / "tests" / "test_it.py").write_text(test_body)
    return root


def test_weak_fixture_fails_t02_and_t07_and_the_gate(tmp_path: Path) -> None:
    proc, report = _scan(_copy("weak_project", tmp_path), "--gate")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _technique(report, "T02")["outcome"] == "fail"
    assert _technique(report, "T07")["outcome"] == "fail"
    others = [t for t in report["breakdown"]["techniques"] if t["technique"] not in ("T02", "T07")]
    assert len(others) == 9 and all(t["outcome"] == "not_evaluated" and t["score"] == 0 for t in others)
    tests = _result(report, "automated-testing.pytest")
    assert tests["metrics"]["failed"] == 1 and tests["metrics"]["passed"] == 1
    assert any("test_average_keeps_fraction" in f["message"] for f in tests["findings"])
    coverage = _result(report, "structural-coverage.coverage")
    assert 10 < coverage["metrics"]["percent_statements"] < 50
    assert any(f["location"]["path"] == "weakcalc/report.py" for f in coverage["findings"])
    assert "T02" in proc.stdout and "Trust score" in proc.stdout
    assert not report["gate"]["passed"] and report["gate"]["enabled"]


def test_good_fixture_passes_t02_and_t07(tmp_path: Path) -> None:
    proc, report = _scan(_copy("good_project", tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert _technique(report, "T02")["outcome"] == "pass"
    assert _technique(report, "T07")["outcome"] == "pass"
    assert _result(report, "structural-coverage.coverage")["metrics"]["percent_statements"] > 90
    tests = _result(report, "automated-testing.pytest")
    assert tests["metrics"]["ci"] == [".github/workflows/ci.yml"]
    assert any(e["provenance"] == "executed" and e["tool"] == "pytest" and e["exit_code"] == 0 for e in tests["evidence"])


def test_target_code_does_not_see_the_callers_token(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "import os, pathlib\n"
        "def test_env():\n"
        "    pathlib.Path(os.environ['BASELINE_GUARD_DIR'], 'seen.txt').write_text(os.environ.get('GITHUB_TOKEN', 'absent'))\n",
    )
    env = {**os.environ, "GITHUB_TOKEN": "ghp_should_not_reach_the_target"}
    work = tmp_path / "work"
    proc, report = _scan(root, "--work-dir", str(work), env=env)
    assert proc.returncode == 0
    # The project's folder is a scratch copy inside the sandbox: the test writes to the run's own folder.
    seen = work / "scan" / "tests" / "records" / "seen.txt"
    assert seen.read_text() == "absent"
    proc, _ = _scan(root, "--allow-env", "GITHUB_TOKEN", "--work-dir", str(work), env=env)
    assert seen.read_text() == "ghp_should_not_reach_the_target"


def test_hanging_suite_is_killed_within_the_timeout(tmp_path: Path) -> None:
    root = _project(tmp_path, "import time\ndef test_hangs():\n    time.sleep(600)\n")
    started = time.monotonic()
    proc, report = _scan(root, "--tests-timeout", "3", "--gate", "--required", "T02")
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 15
    assert proc.returncode == 3  # a required technique errored: incomplete
    t02 = _result(report, "automated-testing.pytest")
    assert t02["outcome"] == "error" and "did not finish within 3 s" in t02["message"]
    assert _result(report, "structural-coverage.coverage")["outcome"] == "error"


def test_interpreter_crash_is_an_error_not_a_pass(tmp_path: Path) -> None:
    root = _project(tmp_path, "import os\ndef test_crash():\n    os.abort()\n")
    proc, report = _scan(root)
    t02 = _result(report, "automated-testing.pytest")
    assert t02["outcome"] == "error" and "SIGABRT" in t02["message"]


def test_no_tests_fails_t02(tmp_path: Path) -> None:
    root = _project(tmp_path, "# no tests here\n")
    proc, report = _scan(root)
    assert _result(report, "automated-testing.pytest")["outcome"] == "fail"
    assert _result(report, "structural-coverage.coverage")["outcome"] == "fail"


def test_syntax_error_in_target_is_a_collection_error(tmp_path: Path) -> None:
    root = _project(tmp_path, "from pkg import answer\ndef test_answer():\n    assert answer() == 42\n")
    (root / "pkg" / "broken.py").write_text("def oops(:\n")
    (root / "tests" / "test_broken.py").write_text("import pkg.broken\n")
    proc, report = _scan(root)
    t02 = _result(report, "automated-testing.pytest")
    assert t02["outcome"] == "fail" and t02["metrics"]["errors"] >= 1


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["scan", "/nonexistent/project"], "does not exist"),
        ("pyproject", ["scan"], "not valid TOML"),
        ("config-key", ["scan"], "unknown key 'min_scor'"),
        ("catalog", ["scan", "--catalog"], "techniques[T01].title"),
        (None, ["scan", "--min-score", "abc"], "must be a number"),
        (None, ["explain", "T42"], "neither a technique nor an installed check"),
    ],
)
def test_bad_input_gives_exit_2_and_a_clear_message(tmp_path: Path, setup: str | None, args: list[str], message: str) -> None:
    root = _project(tmp_path, "def test_ok():\n    pass\n")
    argv = list(args)
    if setup == "pyproject":
        (root / "pyproject.toml").write_text("[project\nname = 'x'\n")
    elif setup == "config-key":
        (root / "pyproject.toml").write_text("[tool.baseline]\nmin_scor = 5\n")
    elif setup == "catalog":
        catalog = tmp_path / "cat.toml"
        text = (REPO_ROOT / "seeds" / "nist-ir-8397.toml").read_text().replace('title = "Threat modeling"\n', "")
        catalog.write_text(text)
        argv.append(str(catalog))
    if argv[0] == "scan" and len(argv) == 1 or argv[:2] == ["scan", "--min-score"] or argv[:2] == ["scan", "--catalog"]:
        argv.insert(1, str(root))
    proc = subprocess.run(baseline_argv(*argv), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_explain_prints_technique_checks_and_scoring() -> None:
    proc = subprocess.run(baseline_argv("explain", "structural-coverage"), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "T07" in proc.stdout and "structural-coverage.coverage" in proc.stdout and "80" in proc.stdout


def test_target_tests_run_without_network_by_default(tmp_path: Path) -> None:
    from baseline.sandbox import network_isolation_prefix

    if network_isolation_prefix() is None:
        pytest.skip("this platform offers no network namespace")
    root = _project(
        tmp_path,
        "import os, pathlib, socket\n"
        "def test_interfaces():\n"
        "    names = sorted(name for _, name in socket.if_nameindex())\n"
        "    pathlib.Path(os.environ['BASELINE_GUARD_DIR'], 'ifaces.txt').write_text(','.join(names))\n",
    )
    work = tmp_path / "work"
    proc, report = _scan(root, "--work-dir", str(work))
    ifaces = work / "scan" / "tests" / "records" / "ifaces.txt"
    assert ifaces.read_text() == "lo"
    assert report["sandbox"]["network_isolated"] is True
    assert "loopback only" in _result(report, "automated-testing.pytest")["evidence"][0]["summary"]
    _scan(root, "--network", "--work-dir", str(work))
    assert ifaces.read_text() != "lo"
