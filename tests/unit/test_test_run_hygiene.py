"""Runner hygiene: aborted sessions, warnings-as-errors detection, the project's coverage configuration."""

from __future__ import annotations

from pathlib import Path

from baseline.coverage_config import DEFAULT_EXCLUDE, read_project_coverage, write_rcfile
from baseline.tools.pytest_run import _aborted, warnings_escalate


def test_an_aborted_session_is_named_and_a_complete_one_is_not() -> None:
    done = {"selected": 3, "finished": 3, "collect_errors": 0}
    assert _aborted(done, 0) is None and _aborted(done, 1) is None
    assert "interrupted" in (_aborted(done, 2) or "")
    assert "missing" in (_aborted(None, 0) or "")
    assert "internal error" in (_aborted({**done, "internal_error": "boom"}, 1) or "")
    assert "only 1 of the 3" in (_aborted({**done, "finished": 1}, 0) or "")
    assert _aborted({**done, "finished": 1, "stop_reason": "stopping after 1 failures"}, 1) is None
    assert _aborted({**done, "collect_errors": 1, "interrupted": "1 error during collection"}, 2) is None


def test_warnings_escalation_is_seen_in_every_pytest_configuration(tmp_path: Path) -> None:
    assert not warnings_escalate(tmp_path, [])
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nfilterwarnings = ["error", "ignore::DeprecationWarning"]\n')
    assert warnings_escalate(tmp_path, [])
    other = tmp_path / "o"
    other.mkdir()
    (other / "setup.cfg").write_text("[tool:pytest]\naddopts = -W error::UserWarning\n")
    assert warnings_escalate(other, [])
    assert warnings_escalate(tmp_path / "none", ["-Werror"]) is True


def test_project_coverage_configuration_is_read_in_coverage_order(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.coverage.run]\nparallel = true\nomit = ["a.py"]\n[tool.coverage.report]\nfail_under = 97.5\n')
    project = read_project_coverage(tmp_path)
    assert project.file == "pyproject.toml" and project.parallel and project.omit == ["a.py"] and project.fail_under == 97.5
    assert project.exclude == [DEFAULT_EXCLUDE]
    (tmp_path / ".coveragerc").write_text("[run]\nsource = pkg\nconcurrency = thread\n[report]\nexclude_lines =\n    raise NotImplementedError\n")
    project = read_project_coverage(tmp_path)
    assert project.file == ".coveragerc" and project.source == ["pkg"] and project.exclude == ["raise NotImplementedError"]
    rc = tmp_path / "toolkit.rc"
    write_rcfile(rc, project, source=["/x/pkg"], data_file=tmp_path / ".coverage", exclude=None)
    text = rc.read_text()
    assert "concurrency = thread" in text and "/x/pkg" in text and "source = pkg" not in text and "exclude_lines =" in text
