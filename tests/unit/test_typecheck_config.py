"""Which mypy configuration names the files to check: only mypy's own section of the file mypy reads."""

from __future__ import annotations

from pathlib import Path

from baseline.tools.typecheck import _configures_files


def test_files_of_another_tools_section_do_not_count(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[bumpversion]\nfiles = pkg/__init__.py\n\n[mypy]\nstrict = true\n")
    assert not _configures_files(tmp_path)


def test_files_of_the_mypy_section_count(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[mypy]\nfiles = pkg\n")
    assert _configures_files(tmp_path)


def test_the_first_file_that_configures_mypy_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mypy]\nstrict = true\n')
    (tmp_path / "setup.cfg").write_text("[mypy]\nfiles = pkg\n")
    assert not _configures_files(tmp_path)  # mypy reads pyproject.toml first, which names no files
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert _configures_files(tmp_path)  # no [tool.mypy]: setup.cfg's section is the configuration
    (tmp_path / "mypy.ini").write_text("[mypy-tests.*]\nignore_errors = true\n")
    assert not _configures_files(tmp_path)  # mypy.ini is read whenever it exists


def test_broken_files_are_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mypy\nfiles = 1\n")
    (tmp_path / "setup.cfg").write_text("no section header\nfiles = x\n")
    assert not _configures_files(tmp_path)
