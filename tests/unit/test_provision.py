"""What provisioning would install, read from the project's declarations (nothing is executed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline.provision import plan


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_groups_extras_requirement_files_and_tox_deps(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname="p"\nversion="1"\nrequires-python=">=3.11"\ndependencies=["a"]\n'
            '[project.optional-dependencies]\ntest=["b"]\ndocs=["sphinx"]\n'
            '[dependency-groups]\ndev=["c", {include-group="more"}]\nmore=["d"]\nlint=["ruff"]\n',
            "requirements-test.txt": "e\n",
            "tox.ini": "[testenv]\ndeps =\n    f\n    -r requirements/extra.txt\n    {env:X}\n",
            "requirements/extra.txt": "g\n",
            "p/__init__.py": "",
        },
    )
    found = plan(root)
    assert found.requires_python == ">=3.11" and not found.install_project
    assert found.requirements == ("a", "b", "c", "d", "f")
    assert found.requirement_files == ("requirements-test.txt", "requirements/extra.txt")
    assert "sphinx" not in found.requirements and "ruff" not in found.requirements
    assert found.import_roots == (".",)


def test_dynamic_dependencies_or_native_code_install_a_copy(tmp_path: Path) -> None:
    dynamic = _write(tmp_path / "d", {"pyproject.toml": '[project]\nname="d"\ndynamic=["dependencies"]\n[project.optional-dependencies]\ntests=["x"]\n'})
    found = plan(dynamic)
    assert found.install_project and found.extras == ("tests",) and found.requirements == ()
    legacy = _write(tmp_path / "l", {"setup.py": "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('a', ['a.c'])])\n"})
    assert plan(legacy).install_project


def test_a_tree_without_packaging_metadata_is_imported_where_it_lies(tmp_path: Path) -> None:
    """Scripts and their tests, no pyproject/setup.py: nothing to install (uv would refuse it); its requirement
    files are still read, and the tree is put on the import path."""
    scripts = _write(tmp_path / "s", {"tool/__init__.py": "", "tests/test_tool.py": "def test_x():\n    pass\n", "requirements.txt": "attrs\n"})
    found = plan(scripts)
    assert not found.install_project and found.requirement_files == ("requirements.txt",) and found.import_roots
    poetry = _write(tmp_path / "p", {"pyproject.toml": '[tool.poetry]\nname = "p"\nversion = "1"\n'})
    assert plan(poetry).install_project


def test_the_digest_follows_the_declarations(tmp_path: Path) -> None:
    root = _write(tmp_path, {"pyproject.toml": '[project]\nname="p"\ndependencies=["a"]\n', "requirements-dev.txt": "x\n"})
    first = plan(root).digest(root)
    assert plan(root).digest(root) == first
    (root / "requirements-dev.txt").write_text("y\n")
    assert plan(root).digest(root) != first
    (root / "src").mkdir()
    (root / "src" / "extra.py").write_text("")  # source changes do not invalidate the environment
    assert plan(root).digest(root) == plan(root).digest(root)


def test_requirements_files_never_build_the_tree_and_follow_nested_files(tmp_path: Path) -> None:
    from baseline.provision import read_requirements

    root = _write(
        tmp_path,
        {
            "requirements-dev.txt": "-e .[test]\n./local\n--index-url https://example.invalid/simple\n-r requirements/base.txt\npytest>=8  # the runner\nx @ file:///etc\n",
            "requirements/base.txt": "attrs\n-r ../../outside.txt\n",
        },
    )
    (tmp_path.parent / "outside.txt").write_text("evil\n")
    assert read_requirements(root, "requirements-dev.txt") == ["attrs", "pytest>=8"]


def test_self_references_expand_to_the_projects_extras(tmp_path: Path) -> None:
    root = _write(tmp_path, {"pyproject.toml": '[project]\nname="My.Pkg"\ndependencies=[]\n[project.optional-dependencies]\ndev=["my-pkg[test,docs]", "ruff"]\ntest=["pytest"]\ndocs=["sphinx"]\n'})
    assert plan(root).requirements == ("pytest", "ruff", "sphinx")


def test_nox_test_sessions_installs_are_read_not_run(tmp_path: Path) -> None:
    """The constant installs of nox sessions that test (by name or by running pytest); other sessions,
    computed arguments and options are left out; ``.[x]`` names the project's extras."""
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname="p"\nversion="1"\n[project.optional-dependencies]\nhttp=["h"]\nsocks=["s"]\n',
            "p/__init__.py": "",
            "requirements/nox.txt": "r\n",
            "noxfile.py": (
                "import nox\n\n"
                "@nox.session(python=['3.11', '3.12'])\n"
                "def tests(session):\n"
                "    session.install('-e', '.[http]')\n"
                "    session.install('pytest', 'trustme>=1', '-r', 'requirements/nox.txt', '--pre', session.posargs[0])\n"
                "    session.run('pytest', *session.posargs)\n\n"
                "@nox.session(name='check')\n"
                "def runner(session):\n"
                "    session.install('coverage')\n"
                "    session.run('coverage', 'run', '-m', 'pytest')\n\n"
                "@nox.session\n"
                "def lint(session):\n"
                "    session.install('ruff', '.[socks]')\n"
                "    session.run('ruff', 'check')\n"
            ),
        },
    )
    found = plan(root)
    assert found.requirements == ("pytest", "trustme>=1", "coverage", "h")
    assert found.requirement_files == ("requirements/nox.txt",)
    assert "ruff" not in found.requirements and "s" not in found.requirements
    assert "noxfile.py test sessions' installs" in found.sources


def test_a_noxfile_that_does_not_parse_adds_nothing(tmp_path: Path) -> None:
    root = _write(tmp_path, {"pyproject.toml": '[project]\nname="p"\nversion="1"\n', "p/__init__.py": "", "noxfile.py": "def broken(:\n"})
    found = plan(root)
    assert found.requirements == () and not any("nox" in source for source in found.sources)


def test_package_sources_come_from_the_operator_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from baseline.provision import ProvisionError, package_sources

    for name in ("BASELINE_FIND_LINKS", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "UV_FIND_LINKS", "UV_OFFLINE", "UV_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    assert package_sources().args == () and package_sources().allow_env == ()
    plain = package_sources().key()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    monkeypatch.setenv("BASELINE_FIND_LINKS", f"{wheels},https://mirror.example/simple/wheels/")
    monkeypatch.setenv("UV_INDEX_URL", "https://mirror.example/simple")
    sources = package_sources()
    assert sources.args == ("--find-links", str(wheels.resolve()), "--find-links", "https://mirror.example/simple/wheels/")
    assert sources.readable == (wheels.resolve(),) and sources.allow_env == ("UV_INDEX_URL",)
    assert sources.key() != plain  # another source: another cached environment
    monkeypatch.setenv("BASELINE_FIND_LINKS", str(tmp_path / "missing"))
    with pytest.raises(ProvisionError, match="not a folder or a URL"):
        package_sources()
