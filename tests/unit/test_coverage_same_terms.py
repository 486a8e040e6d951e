"""When the project's own coverage terms equal the toolkit's, one report is enough."""

from __future__ import annotations

from pathlib import Path

from baseline.coverage_config import ProjectCoverage
from baseline.tools.pytest_run import _same_terms


def test_no_configuration_and_no_pragma_is_one_report(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    return 1\n")
    assert _same_terms(ProjectCoverage(), tmp_path, ("pkg",))


def test_a_pragma_or_a_configuration_file_needs_the_projects_report(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("def f():  # pragma: no cover\n    return 1\n")
    assert not _same_terms(ProjectCoverage(), tmp_path, ("pkg",))
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    return 1\n")
    assert not _same_terms(ProjectCoverage(file=".coveragerc"), tmp_path, ("pkg",))
    assert not _same_terms(ProjectCoverage(), tmp_path, ("pkg",), limit=0)  # too many files to read: both reports
