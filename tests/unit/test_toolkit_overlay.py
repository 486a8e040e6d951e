"""What the toolkit needs in the target's environment (atheris, the project's type checker) comes from an overlay."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline import sandbox
from baseline.fuzz import runner
from baseline.tools import typecheck


def _process(ok: bool, stdout: str = "", argv: tuple[str, ...] = ("python", "-c", "probe")) -> sandbox.ProcessResult:
    return sandbox.ProcessResult(
        argv=argv, cwd="/", exit_code=0 if ok else 1, stdout=stdout, stderr="" if ok else "ModuleNotFoundError: No module named 'atheris'",
        duration_s=0.01, timed_out=False, signal_name=None, stdout_truncated=False, stderr_truncated=False,
    )


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_OVERLAYS", {})
    monkeypatch.setattr(runner, "_ATHERIS", {})


def test_an_environment_without_atheris_gets_it_from_the_overlay_appended_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "overlay" / "py-x"
    folder.mkdir(parents=True)
    calls: list[list[str]] = []

    def probe(python: str, root: Path) -> tuple[str | None, sandbox.ProcessResult]:
        return ("3.0.0", _process(True, "3.0.0\n")) if python in runner._OVERLAYS else (None, _process(False))

    def build(python: str, version: str | None, missing: list[str], **_: object) -> tuple[Path | None, str]:
        calls.append(missing)
        return folder, ""

    monkeypatch.setattr(runner, "probe_atheris", probe)
    monkeypatch.setattr("baseline.provision.build_overlay", build)
    version, _, why = runner.ensure_atheris("/env/bin/python", tmp_path)
    assert (version, why) == ("3.0.0", "")
    assert len(calls) == 1 and calls[0][0].startswith("atheris")
    env = runner.harness_env(tmp_path, "/env/bin/python")
    parts = env["PYTHONPATH"].split(":")
    assert parts[0] == str(tmp_path) and parts[-1].endswith("-boot")  # the project first, the overlay's boot last
    assert (Path(parts[-1]) / "sitecustomize.py").read_text().count("sys.path.append") == 1  # after site-packages, never before
    assert runner.harness_readable("/env/bin/python")[1] == folder
    # another interpreter is not affected, and the result is remembered for this one
    assert runner.harness_env(tmp_path, "/other/python")["PYTHONPATH"] == str(tmp_path)
    runner.ensure_atheris("/env/bin/python", tmp_path)
    assert len(calls) == 1


def test_an_overlay_that_cannot_be_built_is_reported_with_the_installers_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "probe_atheris", lambda python, root: (None, _process(False)))
    monkeypatch.setattr("baseline.provision.build_overlay", lambda *a, **k: (None, "uv could not install atheris==3.0.0: no wheel for this Python"))
    version, probe, why = runner.ensure_atheris("/env/bin/python", tmp_path)
    assert version is None and not probe.ok and "no wheel" in why
    assert runner.harness_readable("/env/bin/python") == ()


def test_the_type_checker_group_is_read_with_its_stubs_and_without_the_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "My_Pkg"\nversion = "1"\n[project.optional-dependencies]\ndev = ["mypy>=1"]\n'
        '[dependency-groups]\ntest = ["pytest"]\ntyping = ["mypy==1.13.0", "types-requests", "my-pkg[extra]"]\n'
    )
    assert typecheck.declared_requirements(tmp_path, "mypy") == (["mypy==1.13.0", "types-requests"], "[dependency-groups] typing")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\n[project.optional-dependencies]\nlint = ["ruff"]\n')
    assert typecheck.declared_requirements(tmp_path, "mypy") is None
    (tmp_path / "pyproject.toml").write_text("not toml [")
    assert typecheck.declared_requirements(tmp_path, "mypy") is None


def test_mypy_missing_from_the_environment_runs_from_the_projects_group_in_the_overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("X = 1\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pkg"\n[dependency-groups]\ntyping = ["mypy==1.13.0"]\n[tool.mypy]\nstrict = true\n')
    folder = tmp_path / "cache" / "py-x"
    folder.mkdir(parents=True)
    seen: dict[str, object] = {}
    monkeypatch.setattr(typecheck, "_has_module", lambda python, root, module: False)
    def fake_overlay(python: str, version: str | None, missing: list[str], **_: object) -> Path:
        seen["missing"] = missing
        return folder

    monkeypatch.setattr(typecheck, "overlay", fake_overlay)

    def fake_run(argv: list[str], **kwargs: object) -> sandbox.ProcessResult:
        seen["argv"], seen["env"], seen["confine"] = argv, kwargs.get("extra_env"), kwargs.get("confine")
        return _process(True, "", tuple(argv))

    monkeypatch.setattr(typecheck.sandbox, "run", fake_run)
    run = typecheck.run_typecheck(root=tmp_path, python="/env/bin/python", work_dir=tmp_path / "w", command=[], timeout_s=30)
    assert run.status == "ok", run.message
    assert seen["missing"] == ["mypy==1.13.0"]
    assert seen["argv"][:3] == ["/env/bin/python", "-m", "mypy"]  # type: ignore[index]
    assert str(seen["env"]["PYTHONPATH"]).endswith("-boot")  # type: ignore[index]
    assert folder in seen["confine"].readable  # type: ignore[attr-defined]
    assert "[dependency-groups] typing added in the toolkit's overlay" in run.evidence[0].summary


def test_the_toolkits_mypy_is_shown_the_targets_interpreter_it_inspects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("X = 1\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pkg"\n[tool.mypy]\nstrict = true\n')  # no group declares mypy
    seen: dict[str, object] = {}
    monkeypatch.setattr(typecheck, "_has_module", lambda python, root, module: python == sys.executable)

    def fake_run(argv: list[str], **kwargs: object) -> sandbox.ProcessResult:
        seen["argv"], seen["confine"] = argv, kwargs.get("confine")
        return _process(True, "", tuple(argv))

    monkeypatch.setattr(typecheck.sandbox, "run", fake_run)
    run = typecheck.run_typecheck(root=tmp_path, python="/cache/envs/pkg/bin/python", work_dir=tmp_path / "w", command=[], timeout_s=30)
    assert run.status == "ok", run.message
    assert seen["argv"][:3] == [sys.executable, "-m", "mypy"] and "--python-executable=/cache/envs/pkg/bin/python" in seen["argv"]  # type: ignore[index,operator]
    assert Path("/cache/envs/pkg/bin/python") in seen["confine"].readable  # type: ignore[attr-defined]  # else: "Invalid python executable"
