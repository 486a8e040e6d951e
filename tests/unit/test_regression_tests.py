"""T08: regression tests citing bugs, fix commits in a real git repository, fuzz crash replays."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from baseline import sandbox
from baseline.checks.regression_tests import HISTORY_CHECK, REPLAY_CHECK, TESTS_CHECK
from baseline.checks.testsuite_ast import clear_cache
from baseline.config import load_config
from baseline.model import Outcome
from baseline.tools.crash_replay import replay_all
from baseline.tools.git_history import Commit, read_history
from baseline.tools.pytest_run import TestCounts, TestRun
from baseline.tools.test_records import Marker, TestDetail

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


class FakeContext:
    def __init__(self, root: Path, records: dict[str, Any]) -> None:
        self.root = root
        self.config = load_config(root)
        self.records = records
        self.python = sys.executable

    def shared(self, run: Any) -> Any:
        return self.records[run.key]


def _git(root: Path, *args: str) -> str:
    result = sandbox.run([*GIT, *args], cwd=root, limits=sandbox.Limits(timeout_s=60))
    assert result.ok, result.stderr
    return result.stdout


def _commit(root: Path, message: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Six commits: three fixes with tests, two fixes without, one feature, one docs-only 'fix'."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    _commit(root, "Initial import", {"app/__init__.py": "X = 1\n", "tests/test_app.py": "def test_x():\n    pass\n"})
    _commit(root, "Fix crash on empty input (#12)", {"app/__init__.py": "X = 2\n", "tests/test_app.py": "def test_x():\n    assert True\n\n\ndef test_empty_input():\n    pass\n"})
    _commit(root, "Fix off-by-one in parser", {"app/__init__.py": "X = 3\n"})
    _commit(root, "Add export feature", {"app/export.py": "Y = 1\n"})
    _commit(root, "Security: fix CVE-2024-1234 path traversal\n\nWith a regression test.", {"app/export.py": "Y = 2\n", "tests/test_export.py": "def test_y():\n    pass\n"})
    _commit(root, "fix typo in README", {"README.md": "hello\n"})
    _commit(root, "bugfix: handle None", {"app/__init__.py": "X = 4\n"})
    _commit(root, "Resolve #40 by validating names", {"app/names.py": "Z = 1\n", "tests/unit/test_names.py": "def test_z():\n    pass\n"})
    _commit(root, "Fix flaky test", {"tests/test_app.py": "def test_x():\n    assert 1\n\n\ndef test_empty_input():\n    pass\n\n\ndef test_more():\n    pass\n"})
    return root


def test_fix_commit_figures_from_a_real_repository(repo: Path) -> None:
    history = read_history(repo, 200, ("app",))
    assert history.status == "ok" and len(history.commits) == 9 and not history.shallow
    subjects = {commit.subject for commit in history.fixes}  # "Fix flaky test" changes no product code
    assert subjects == {"Fix crash on empty input (#12)", "Fix off-by-one in parser", "Security: fix CVE-2024-1234 path traversal", "bugfix: handle None", "Resolve #40 by validating names"}
    result = HISTORY_CHECK.run(FakeContext(repo, {"git-history": history}))
    assert result.metrics["fix_commits"] == 5 and result.metrics["with_tests"] == 3 and result.metrics["share"] == 60.0
    assert result.outcome is Outcome.PASS and result.score == 6.0
    untested = sorted(finding.message.split(": ", 1)[1] for finding in result.findings)
    assert untested == ["Fix off-by-one in parser", "bugfix: handle None"]
    assert all(finding.severity.value == "info" and finding.context == "history" for finding in result.findings)
    # Only test functions the fix added count: #12 modified test_x and added test_empty_input.
    assert set(history.tests_added_with_fixes) == {("tests/test_app.py", "test_empty_input"), ("tests/test_export.py", "test_y"), ("tests/unit/test_names.py", "test_z")}


def test_project_in_a_subfolder_of_a_repository(repo: Path) -> None:
    _commit(repo, "Fix names in sub project", {"sub/app.py": "A = 1\n", "sub/tests/test_app.py": "def test_a():\n    pass\n"})
    _commit(repo, "Fix root only", {"app/__init__.py": "X = 9\n"})
    history = read_history(repo / "sub", 200)
    assert history.status == "ok"
    assert [commit.subject for commit in history.commits] == ["Fix names in sub project"]
    assert history.commits[0].touches_tests


def test_window_and_threshold(repo: Path) -> None:
    history = read_history(repo, 2)
    assert [commit.subject for commit in history.commits] == ["Fix flaky test", "Resolve #40 by validating names"]
    (repo / "baseline.toml").write_text("[regression]\nmin_share = 75\n")
    result = HISTORY_CHECK.run(FakeContext(repo, {"git-history": read_history(repo, 200, ("app",))}))
    assert result.outcome is Outcome.FAIL


def test_shallow_clone_is_not_evaluated(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth", "2", repo.as_uri(), str(clone))
    history = read_history(clone, 200)
    assert history.shallow and len(history.commits) == 2
    result = HISTORY_CHECK.run(FakeContext(clone, {"git-history": history}))
    assert result.outcome is Outcome.NOT_EVALUATED and "shallow" in result.message
    run = TestRun(status="ok", message="", counts=TestCounts(collected=1, passed=1), details=())
    cited = TESTS_CHECK.run(FakeContext(clone, {"git-history": history, "test-run": run}))
    assert cited.outcome is Outcome.NOT_EVALUATED and "shallow" in cited.message


def test_no_repository_and_empty_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = HISTORY_CHECK.run(FakeContext(plain, {"git-history": read_history(plain, 200)}))
    assert result.outcome is Outcome.NOT_EVALUATED and result.evidence
    empty = tmp_path / "empty"
    empty.mkdir()
    _git(empty, "init", "-q")
    assert read_history(empty, 200).status == "empty"


def test_no_fix_commit_is_not_applicable(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "-q")
    _commit(root, "Add feature", {"a.py": "x = 1\n"})
    result = HISTORY_CHECK.run(FakeContext(root, {"git-history": read_history(root, 200)}))
    assert result.outcome is Outcome.NOT_APPLICABLE and result.evidence


def test_commit_classification() -> None:
    commits = [Commit("abc", "Fix bug", "", ("app/a.py", "tests/test_a.py")), Commit("def", "Merge branch fix", "", ("app/b.py",))]
    assert [(c.sha, c.is_fix, c.touches_tests) for c in commits] == [("abc", True, True), ("def", False, False)]
    assert not Commit("x", "Fix docs", "", ("docs/index.md",)).is_fix
    assert not Commit("x", "prefix handling", "", ("a.py",)).is_fix


REGRESSION_TESTS = '''
import pytest


def test_issue_123_empty_key():
    pass


def test_plain():
    pass


# CVE-2023-0001: path traversal in export
def test_export_rejects_dotdot():
    pass


def test_documented():
    """Regression: the parser used to loop forever."""


@pytest.mark.regression
def test_marked():
    pass


def test_failing_gh_99():
    pass
'''


def test_only_tests_added_by_fix_commits_earn_credit(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "-q")
    _commit(root, "Initial import", {"app/__init__.py": "X = 1\n"})
    # Tests that cite issues, added without any fix: they earn nothing.
    _commit(root, "Add tests", {"tests/test_r.py": REGRESSION_TESTS})
    # The fix changes product code and adds one test with it.
    _commit(root, "Fix empty key crash (#123)", {"app/__init__.py": "X = 2\n", "tests/test_fix.py": "def test_empty_key_fixed():\n    pass\n"})
    clear_cache()

    def detail(name: str, outcome: str = "passed", markers: tuple[str, ...] = (), file: str = "tests/test_r.py") -> TestDetail:
        return TestDetail(f"{file}::{name}", file, None, name, tuple(Marker(m) for m in markers), "", False, outcome)

    history = read_history(root, 200, ("app",))
    cited = (detail("test_issue_123_empty_key"), detail("test_plain"), detail("test_documented"), detail("test_marked", markers=("regression",)))
    run = TestRun(status="ok", message="", counts=TestCounts(collected=4, passed=4), details=cited)
    alone = TESTS_CHECK.run(FakeContext(root, {"test-run": run, "git-history": history}))
    assert alone.outcome is Outcome.FAIL and alone.score == 0.0 and len(alone.metrics["cited_without_fix"]) == 3
    assert {f.rule_id for f in alone.findings} == {"regression-tests.cited-without-fix"}
    fixed = TestRun(status="ok", message="", counts=TestCounts(collected=5, passed=5), details=cited + (detail("test_empty_key_fixed", file="tests/test_fix.py"),))
    result = TESTS_CHECK.run(FakeContext(root, {"test-run": fixed, "git-history": history}))
    assert result.outcome is Outcome.PASS and result.score == 10.0 and result.metrics["passed"] == 1
    failing = TestRun(status="ok", message="", counts=TestCounts(collected=1, failed=1), details=(detail("test_empty_key_fixed", "failed", file="tests/test_fix.py"),))
    result = TESTS_CHECK.run(FakeContext(root, {"test-run": failing, "git-history": history}))
    assert result.outcome is Outcome.FAIL and result.findings[0].severity.value == "high"
    plain = tmp_path / "plain"
    plain.mkdir()
    none = TESTS_CHECK.run(FakeContext(plain, {"test-run": run, "git-history": read_history(plain, 200)}))
    assert none.outcome is Outcome.NOT_EVALUATED


HARNESS = '''
import sys

def target(data):
    if data.startswith(b"BOOM"):
        raise ValueError("boom")
    if data.startswith(b"HANG"):
        while True:
            import time; time.sleep(0.1)

if __name__ == "__main__":
    with open(sys.argv[1], "rb") as handle:
        target(handle.read())
'''


def _crash(work: Path, crash_id: str, data: bytes, harness: str = "fuzz/harness.py") -> None:
    folder = work / "fuzz" / "crashes" / crash_id
    folder.mkdir(parents=True)
    (folder / "input").write_bytes(data)
    (folder / "meta.json").write_text(json.dumps({"harness": harness, "kind": "exception", "exception": "ValueError"}))


def test_crash_replay(tmp_path: Path) -> None:
    """The crash store lives in the work folder (outside the project); a .baseline/ in the project is not it."""
    root, work = tmp_path / "project", str(tmp_path / "work")
    (root / "fuzz").mkdir(parents=True)
    (root / "fuzz" / "harness.py").write_text(HARNESS)
    _crash(root / ".baseline", "planted", b"BOOM!")  # the project's own folder is never the toolkit's crash store
    assert replay_all(root, sys.executable, work, 5).store is None
    nothing = REPLAY_CHECK.run(FakeContext(root, {"fuzz-crash-replay": replay_all(root, sys.executable, work, 5)}))
    assert nothing.outcome is Outcome.NOT_APPLICABLE and nothing.evidence
    _crash(Path(work), "a-fixed", b"fine")
    _crash(Path(work), "b-still", b"BOOM!")
    _crash(Path(work), "c-hang", b"HANG")
    _crash(Path(work), "d-gone", b"x", harness="fuzz/missing.py")
    run = replay_all(root, sys.executable, work, 2)
    assert [(r.crash_id, r.status) for r in run.replays] == [("a-fixed", "fixed"), ("b-still", "crashes"), ("c-hang", "hangs"), ("d-gone", "unreplayable")]
    result = REPLAY_CHECK.run(FakeContext(root, {"fuzz-crash-replay": run}))
    assert result.outcome is Outcome.FAIL and result.score == 2.5
    assert {f.rule_id for f in result.findings} == {"regression-tests.crash-crashes", "regression-tests.crash-hangs", "regression-tests.crash-unreplayable"}
    assert any(e.argv and e.argv[-1].endswith("b-still/input") for e in result.evidence)
