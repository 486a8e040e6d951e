"""Test command discovery from CI, tox, nox, make and pytest configuration (nothing is executed)."""

from __future__ import annotations

from pathlib import Path

from baseline.testcommand import discover_test_command


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "tests").mkdir(exist_ok=True)
    return root


def test_github_actions_run_step_with_filtered_arguments(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: pip install pytest\n      - run: |\n"
            "          coverage run -m pytest -x -n auto --junitxml=out.xml -m 'not slow' --strict-markers tests --cov=pkg ../outside\n",
        },
    )
    command = discover_test_command(tmp_path)
    assert command.source == ".github/workflows/ci.yml (job t)"
    assert command.paths == ("tests",)
    assert command.args == ("-m", "not slow", "--strict-markers")
    assert any("-x" in note for note in command.notes) and any("../outside" in note for note in command.notes)


def test_unparseable_workflow_is_noted_and_discovery_falls_back(tmp_path: Path) -> None:
    _tree(tmp_path, {".github/workflows/bad.yml": "jobs: [\n", "tox.ini": "[testenv]\ncommands = pytest {posargs} tests\n"})
    command = discover_test_command(tmp_path)
    assert command.source == "tox.ini [testenv]" and command.paths == ("tests",)
    assert any("bad.yml does not parse" in note for note in command.notes)


def test_gitlab_nox_and_make(tmp_path: Path) -> None:
    gitlab = _tree(tmp_path / "g", {".gitlab-ci.yml": "test:\n  script:\n    - python -m pytest -k fast tests\n"})
    assert discover_test_command(gitlab).args == ("-k", "fast")
    nox = _tree(tmp_path / "n", {"noxfile.py": "import nox\n@nox.session\ndef t(session):\n    session.run('pytest', '-p', 'myplugin', 'tests')\n"})
    assert discover_test_command(nox).args == ("-p", "myplugin") and discover_test_command(nox).source == "noxfile.py"
    make = _tree(tmp_path / "m", {"Makefile": "build:\n\techo x\ntest:\n\t@python -m pytest tests -W error\n"})
    found = discover_test_command(make)
    assert found.source == "Makefile target test" and found.args == ("-W", "error")


def test_unittest_discover_becomes_a_pytest_selection(tmp_path: Path) -> None:
    _tree(tmp_path, {"tox.ini": "[testenv]\ncommands = python -m unittest discover -s tests -p 'check_*.py' -v\n"})
    command = discover_test_command(tmp_path)
    assert command.runner == "unittest" and command.paths == ("tests",)
    assert command.args == ("-o", "python_files=check_*.py")


def test_operator_args_win_and_testpaths_is_the_last_source(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests", "missing"]\n'})
    assert discover_test_command(tmp_path).paths == ("tests",)
    assert discover_test_command(tmp_path, ["-k", "x"], []).source.startswith("tests.args")


def test_project_offline_option_and_own_options_are_kept(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "conftest.py": "def pytest_addoption(parser):\n    parser.addoption('--offline', action='store_true')\n    parser.addoption('--run-slow', action='store_true')\n",
            ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: pytest --run-slow --bogus tests\n",
        },
    )
    command = discover_test_command(tmp_path)
    assert command.offline_args == ("--offline",)
    assert command.args == ("--run-slow",) and any("--bogus" in note for note in command.notes)
    assert "network" in command.network_markers and "online" in command.network_markers


def test_tox_interpreter_substitution_is_a_prefix(tmp_path: Path) -> None:
    _tree(tmp_path, {"tox.ini": "[testenv]\ncommands = {envpython} -m unittest -v {posargs}\n", "Makefile": "test:\n\tpytest -k other\n"})
    command = discover_test_command(tmp_path)
    assert command.source == "tox.ini [testenv]" and command.runner == "unittest"


def test_tox_factor_conditions_are_stripped(tmp_path: Path) -> None:
    _tree(tmp_path, {"tox.ini": "[testenv]\ncommands =\n    tests: pytest {posargs:-n auto} tests\n    mypy: mypy src\n"})
    command = discover_test_command(tmp_path)
    assert command.source == "tox.ini [testenv]" and command.paths == ("tests",)


def test_arguments_that_would_blind_the_toolkit_are_dropped(tmp_path: Path) -> None:
    _tree(tmp_path, {"tox.ini": "[testenv]\ncommands = pytest -p no:baseline_recorder -p no:randomly -o cache_dir=/x -o xfail_strict=true tests\n"})
    command = discover_test_command(tmp_path)
    assert command.args == ("-p", "no:randomly", "-o", "xfail_strict=true")
