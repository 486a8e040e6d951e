"""End-to-end: projects run the way their own CI runs them; T02/T07 equal the project's command run by hand.

Each fixture is scanned once through the real CLI (T02 and T07 only) and its own documented test
command is run by hand on a second copy; the figures must agree.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from baseline import sandbox
from baseline.tools.pytest_run import parse_junit

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
T02 = "automated-testing.pytest"
T07 = "structural-coverage.coverage"


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One CLI scan per fixture, shared by every case."""
    reports: dict[str, dict[str, Any]] = {}
    base = tmp_path_factory.mktemp("fidelity")
    selections = {name: "T02,T07" for name in ("fid_unittest", "fid_parallel_cov", "fid_cache_plugin", "fid_stray_conftest", "fid_online", "fid_testserver", "fid_tox_only")}
    selections["fid_warnings_error"] = "T02,T05,T07"
    for name, select in selections.items():
        root = base / name
        shutil.copytree(FIXTURES / name, root)
        out = base / f"{name}.json"
        process = sandbox.run(
            [sys.executable, "-m", "baseline", "scan", str(root), "--select", select, "--format", "json", "--output", str(out)],
            cwd=REPO_ROOT,
            limits=sandbox.Limits(timeout_s=600),
        )
        assert "Traceback" not in process.stderr, process.stderr
        report = json.loads(out.read_text())
        reports[name] = {result["spec"]["id"]: result for result in report["results"]}
    return reports


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _hand_pytest(root: Path, *args: str) -> dict[str, int]:
    """The project's pytest command, by hand; the counts come from its JUnit report."""
    junit = root.parent / f"{root.name}-hand.xml"
    process = sandbox.run([sys.executable, "-m", "pytest", *args, f"--junitxml={junit}"], cwd=root, limits=sandbox.Limits(timeout_s=300, network=False))
    assert process.exit_code in (0, 1), process.stdout[-2000:] + process.stderr[-2000:]
    _, counts = parse_junit(junit, root)
    return {"collected": counts.collected, "passed": counts.passed, "failed": counts.failed, "errors": counts.errors, "skipped": counts.skipped}


def _t02_counts(result: dict[str, Any]) -> dict[str, int]:
    return {key: result["metrics"][key] for key in ("collected", "passed", "failed", "errors", "skipped")}


def test_unittest_suite_from_the_ci_workflow(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    root = _copy(tmp_path, "fid_unittest")
    hand = sandbox.run([sys.executable, "-m", "unittest", "discover", "-s", "tests", "-p", "check_*.py"], cwd=root, limits=sandbox.Limits(timeout_s=120))
    ran = int(re.search(r"Ran (\d+) test", hand.stderr).group(1))  # type: ignore[union-attr]
    skipped = int(re.search(r"skipped=(\d+)", hand.stderr).group(1))  # type: ignore[union-attr]
    t02 = scans["fid_unittest"][T02]
    assert t02["outcome"] == "pass", t02["message"]
    assert (t02["metrics"]["collected"], t02["metrics"]["skipped"], t02["metrics"]["failed"]) == (ran, skipped, 0)
    t07 = scans["fid_unittest"][T07]
    assert t07["metrics"]["sources"] == ["calc"] and t07["metrics"]["product_source"].startswith("setuptools")


def test_parallel_coverage_with_fail_under_is_combined_and_hidden_lines_count(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    root = _copy(tmp_path, "fid_parallel_cov")
    limits = sandbox.Limits(timeout_s=300)
    assert sandbox.run([sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q"], cwd=root, limits=limits).ok
    assert sandbox.run([sys.executable, "-m", "coverage", "combine"], cwd=root, limits=limits).ok
    sandbox.run([sys.executable, "-m", "coverage", "json", "-o", "hand.json"], cwd=root, limits=limits)
    hand = json.loads((root / "hand.json").read_text())["totals"]
    t02, t07 = scans["fid_parallel_cov"][T02], scans["fid_parallel_cov"][T07]
    assert _t02_counts(t02) == _hand_pytest(_copy(tmp_path / "again", "fid_parallel_cov"))
    metrics = t07["metrics"]
    # The project's own figure is what its command reports by hand; ours counts what it hides.
    assert metrics["project_percent_statements"] == round(hand["percent_statements_covered"], 2) == 100.0
    assert metrics["project_fail_under"] == 100.0
    assert metrics["hidden_files"] == ["src/pcov/legacy.py"] and metrics["hidden_statements"] > 0
    assert metrics["percent_statements"] < 100.0 and t07["outcome"] == "fail"
    assert any(finding["rule_id"] == "structural-coverage.hidden-lines" for finding in t07["findings"])


def test_plugin_needing_the_cache_provider_runs_every_test(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    t02 = scans["fid_cache_plugin"][T02]
    assert t02["outcome"] == "pass", t02["message"]
    assert _t02_counts(t02) == _hand_pytest(_copy(tmp_path, "fid_cache_plugin")) == {"collected": 3, "passed": 3, "failed": 0, "errors": 0, "skipped": 0}


def test_stray_conftest_outside_the_test_paths_is_not_loaded(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    t02 = scans["fid_stray_conftest"][T02]
    assert t02["outcome"] == "pass", t02["message"]
    assert _t02_counts(t02) == _hand_pytest(_copy(tmp_path, "fid_stray_conftest"), "tests")
    assert scans["fid_stray_conftest"][T07]["outcome"] == "pass"


def test_online_tests_are_left_out_with_the_projects_own_switch(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    t02 = scans["fid_online"][T02]
    assert t02["outcome"] == "pass", t02["message"]
    assert "1 network tests left out" in t02["message"]
    assert _t02_counts(t02) == _hand_pytest(_copy(tmp_path, "fid_online"), "--offline", "-m", "not online")


def test_test_server_scripts_and_task_files_are_not_product(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    t07 = scans["fid_testserver"][T07]
    assert t07["metrics"]["sources"] == ["svc"] and "hatch" in t07["metrics"]["product_source"]
    assert t07["metrics"]["percent_statements"] == 100.0  # testserver's unused route is not product
    assert _t02_counts(scans["fid_testserver"][T02]) == _hand_pytest(_copy(tmp_path, "fid_testserver"), "tests")


def test_development_mode_cannot_turn_warnings_into_failures(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    t02 = scans["fid_warnings_error"][T02]
    assert t02["outcome"] == "pass", t02["message"]
    assert _t02_counts(t02) == _hand_pytest(_copy(tmp_path, "fid_warnings_error")) == {"collected": 2, "passed": 2, "failed": 0, "errors": 0, "skipped": 0}
    warnings = scans["fid_warnings_error"]["language-checks.dev-mode-warnings"]
    assert warnings["outcome"] == "fail" and "BytesWarning" in json.dumps(warnings), warnings["message"]


def test_a_session_that_skips_tests_silently_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "silent"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("def f():\n    return 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_f.py").write_text("from pkg import f\n\ndef test_a():\n    assert f() == 1\n\ndef test_b():\n    assert f() == 2\n")
    (root / "tests" / "conftest.py").write_text(
        "def pytest_runtest_protocol(item, nextitem):\n    return True if item.name == 'test_b' else None\n"
    )
    out = tmp_path / "silent.json"
    sandbox.run(
        [sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02,T07", "--format", "json", "--output", str(out)],
        cwd=REPO_ROOT,
        limits=sandbox.Limits(timeout_s=600),
    )
    results = {result["spec"]["id"]: result for result in json.loads(out.read_text())["results"]}
    assert results[T02]["outcome"] == "error" and "only 1 of the 2 selected tests ran" in results[T02]["message"], results[T02]["message"]


def test_tox_only_configuration_gives_the_command(scans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    t02 = scans["fid_tox_only"][T02]
    assert t02["outcome"] == "pass", t02["message"]
    assert _t02_counts(t02) == _hand_pytest(_copy(tmp_path, "fid_tox_only"), "-m", "not slow", "tests/unit")
    assert scans["fid_tox_only"][T07]["metrics"]["sources"] == ["toxp"]


def _scan_provisioned(
    root: Path, cache: Path, select: str = "T02,T07", *extra: str, env: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    out = root.parent / f"{root.name}-{len(list(root.parent.glob('*.json')))}.json"
    process = sandbox.run(
        [sys.executable, "-m", "baseline", "scan", str(root), "--select", select, *extra, "--format", "json", "--output", str(out)],
        cwd=REPO_ROOT,
        limits=sandbox.Limits(timeout_s=900),
        extra_env={"BASELINE_PROVISION": "1", "BASELINE_CACHE_DIR": str(cache), **(env or {})},
    )
    assert "Traceback" not in process.stderr, process.stderr
    report = json.loads(out.read_text())
    return report["target"], {result["spec"]["id"]: result for result in report["results"]}


def test_dependency_groups_only_project_is_provisioned_with_uv_and_cached(tmp_path: Path) -> None:
    root = _copy(tmp_path, "fid_dep_groups")
    cache = tmp_path / "cache"
    # T05 and T09 too: the toolkit's atheris and the project's own type checker (its `typing` group)
    # are not in the test environment; they come from the toolkit's overlay, never into the environment.
    target, results = _scan_provisioned(root, cache, "T02,T05,T07,T09", "--fuzz-time", "8")
    assert target["interpreter_source"].startswith("built with uv (new)"), target["interpreter_source"]
    assert "[dependency-groups] test" in target["interpreter_source"]
    assert not (root / ".venv").exists() and not list(root.glob("*.egg-info"))  # nothing written into the target
    t02 = results[T02]
    assert t02["outcome"] == "pass", t02["message"]
    # By hand: the project's command in that environment, the project's source on the path.
    junit = tmp_path / "hand.xml"
    hand = sandbox.run(
        [target["interpreter"], "-m", "pytest", f"--junitxml={junit}"], cwd=root, limits=sandbox.Limits(timeout_s=300), extra_env={"PYTHONPATH": str(root)}
    )
    assert hand.exit_code == 0, hand.stdout[-2000:]
    assert _t02_counts(t02) == {key: value for key, value in zip(("collected", "passed", "failed", "errors", "skipped"), _counts(junit, root))}
    assert results[T07]["outcome"] == "pass"
    fuzzing = results["fuzzing.atheris"]
    assert fuzzing["outcome"] in ("pass", "partial", "fail"), fuzzing["message"]
    assert fuzzing["metrics"]["atheris_from"].startswith("the toolkit's overlay") and fuzzing["metrics"]["executions"] > 0
    typing = results["language-checks.type-checker"]
    assert typing["outcome"] == "pass", typing["message"]
    assert "[dependency-groups] typing added in the toolkit's overlay" in typing["evidence"][0]["summary"]
    env_site = Path(target["interpreter"]).parent.parent
    assert not list(env_site.glob("lib/python*/site-packages/atheris*")) and not list(env_site.glob("lib/python*/site-packages/mypy"))
    again, _ = _scan_provisioned(root, cache)
    assert again["interpreter_source"].startswith("built with uv (cached)") and again["interpreter"] == target["interpreter"]


def test_a_dependency_from_a_locally_built_wheel(tmp_path: Path) -> None:
    """The project needs a package that exists only as a wheel built here: BASELINE_FIND_LINKS provides it."""
    wheelhouse = tmp_path / "wheelhouse"
    built = sandbox.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(wheelhouse), str(REPO_ROOT / "tests" / "data" / "wheel_sources" / "wordcount")],
        cwd=tmp_path,
        limits=sandbox.Limits(timeout_s=300, network=False),
    )
    assert built.ok and list(wheelhouse.glob("baseline_fixture_wordcount-1.0.0-*.whl")), built.stderr_tail(10)
    root = _copy(tmp_path, "fid_local_wheel")
    target, results = _scan_provisioned(root, tmp_path / "cache", env={"BASELINE_FIND_LINKS": str(wheelhouse)})
    assert target["interpreter_source"].startswith("built with uv (new)"), target["interpreter_source"]
    assert f"wheelhouse {wheelhouse.resolve()}" in target["interpreter_source"]
    assert results[T02]["outcome"] == "pass" and results[T02]["metrics"]["passed"] == 2, results[T02]["message"]
    assert results[T07]["outcome"] == "pass", results[T07]["message"]
    site = Path(target["interpreter"]).parent.parent
    assert list(site.glob("lib/python*/site-packages/baseline_fixture_wordcount-1.0.0.dist-info"))
    # Without the wheelhouse the same project cannot be built, and the scan says so instead of failing.
    _, without = _scan_provisioned(_copy(tmp_path / "again", "fid_local_wheel"), tmp_path / "cache-2")
    assert without[T02]["outcome"] == "error" and "baseline-fixture-wordcount" in without[T02]["message"], without[T02]["message"]


def _counts(junit: Path, root: Path) -> tuple[int, ...]:
    _, counts = parse_junit(junit, root)
    return counts.collected, counts.passed, counts.failed, counts.errors, counts.skipped


def test_no_local_interpreter_for_requires_python_is_a_t02_error_naming_python(tmp_path: Path) -> None:
    root = tmp_path / "future"
    (root / "future").mkdir(parents=True)
    (root / "future" / "__init__.py").write_text("X = 1\n")
    (root / "pyproject.toml").write_text('[project]\nname = "future"\nversion = "1"\nrequires-python = ">=3.99"\n')
    target, results = _scan_provisioned(root, tmp_path / "cache")
    assert target["interpreter_source"].startswith("provisioning failed")
    for check_id in (T02, T07):
        assert results[check_id]["outcome"] == "error" and "--python" in results[check_id]["message"], results[check_id]["message"]
