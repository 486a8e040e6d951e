"""baseline.gitrepo: the target's repository read with dulwich, compared with what git itself says."""

from __future__ import annotations

import os
import random
import shutil
import string
from pathlib import Path

import pytest

from baseline import gitrepo, sandbox
from baseline.tools.git_history import read_history
from baseline.tools.secrets.history import scan_history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git builds the test repositories")

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(root: Path, *args: str) -> str:
    result = sandbox.run([*GIT, *args], cwd=root, limits=sandbox.Limits(timeout_s=60))
    assert result.ok, result.stderr
    return result.stdout.strip()


def commit(root: Path, message: str, files: dict[str, str | None]) -> str:
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, "Initial import", {"README.md": "hi\n", "sub/pkg/__init__.py": "X = 1\n", "other/a.py": "A = 1\n"})
    commit(root, "Fix crash in sub (#3)\n\nThe body.", {"sub/pkg/__init__.py": "X = 2\n", "sub/tests/test_x.py": "def test_x():\n    pass\n"})
    commit(root, "Touch other only", {"other/a.py": "A = 2\n"})
    git(root, "checkout", "-q", "-b", "side")
    rng = random.Random(8397)
    token = "sk_" + "live_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(28))  # made up at run time
    commit(root, "Side work", {"sub/side.py": f"TOKEN = '{token}'\n"})
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
    return root


def test_head_log_and_subfolder_match_git(repo: Path) -> None:
    top = gitrepo.find_repository(repo)
    assert top is not None and top.head() == git(repo, "rev-parse", "HEAD") and top.prefix == ""
    entries, shallow = top.first_parent_log(10)
    expected = git(repo, "log", "--first-parent", "--no-merges", "--format=%H").split()
    assert [entry.sha for entry in entries] == expected and not shallow
    assert entries[1].message.startswith("Fix crash in sub (#3)") and set(entries[1].files) == {"sub/pkg/__init__.py", "sub/tests/test_x.py"}
    sub = gitrepo.find_repository(repo / "sub" / "pkg")
    assert sub is not None and sub.worktree == repo.resolve() and sub.prefix == "sub/pkg/"
    assert [entry.files for entry in sub.first_parent_log(10)[0]] == [("__init__.py",), ("__init__.py",)]
    history = read_history(repo / "sub", 10)
    assert history.status == "ok" and [c.subject for c in history.commits] == ["Fix crash in sub (#3)", "Initial import"]
    assert history.commits[0].body == "The body." and history.commits[0].is_fix and history.commits[0].touches_tests
    assert gitrepo.state(repo / "sub") == ("git", top.head(), False)


def test_last_commit_time_follows_merges(repo: Path) -> None:
    top = gitrepo.find_repository(repo)
    assert top is not None
    assert top.last_commit_time(["sub/side.py"]) == int(git(repo, "log", "-1", "--format=%ct", "--", "sub/side.py"))
    assert top.last_commit_time(["other"]) == int(git(repo, "log", "-1", "--format=%ct", "--", "other"))
    assert top.last_commit_time(["nowhere.py"]) is None


def test_dirty_like_git_status_without_untracked(repo: Path) -> None:
    top = gitrepo.find_repository(repo)
    assert top is not None and top.dirty() is False
    (repo / "untracked.txt").write_text("new\n")
    assert top.dirty() is False
    (repo / "other" / "a.py").write_text("A = 3\n")
    assert top.dirty() is True and top.dirty(["sub"]) is False and top.dirty(["other/a.py"]) is True
    git(repo, "checkout", "-q", "--", "other/a.py")
    assert top.dirty() is False
    (repo / "README.md").unlink()
    assert top.dirty() is True
    git(repo, "checkout", "-q", "--", "README.md")
    (repo / "staged.py").write_text("S = 1\n")
    git(repo, "add", "staged.py")
    assert top.dirty() is True


def test_a_fifo_in_place_of_a_tracked_file_does_not_hang(repo: Path) -> None:
    (repo / "README.md").unlink()
    os.mkfifo(repo / "README.md")
    top = gitrepo.find_repository(repo)
    assert top is not None and top.dirty() is True


def test_history_blobs_introductions_and_head(repo: Path) -> None:
    top = gitrepo.find_repository(repo)
    assert top is not None
    commits, blobs, problems = top.reachable()
    assert commits == int(git(repo, "rev-list", "--all", "--count")) and not problems
    listed = {line.split()[0] for line in git(repo, "rev-list", "--all", "--objects").splitlines()}
    kinds = git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)", "--batch-all-objects")
    expected = {line.split()[0] for line in kinds.splitlines() if line.split()[1] == "blob"} & listed
    assert set(blobs) == expected
    contents = dict(top.read_blobs(list(blobs), 1 << 20))
    assert all(contents[sha] == git(repo, "cat-file", "blob", sha).encode() + b"\n" for sha in blobs if b"\n" in contents[sha])  # type: ignore[operator]
    scan = scan_history(repo, max_bytes=1 << 20)
    assert scan.status == "ok" and scan.commits == commits and len(scan.hits) == 1
    hit = scan.hits[0]
    assert hit.path == "sub/side.py" and hit.present_at_head and hit.commit == git(repo, "log", "--format=%H", "-1", "side")


def test_shallow_clone_and_linked_worktree(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-local", f"file://{repo}", str(shallow))
    opened = gitrepo.find_repository(shallow)
    assert opened is not None and opened.is_shallow()
    entries, is_shallow = opened.first_parent_log(10)
    assert len(entries) == 1 and is_shallow
    assert scan_history(shallow, max_bytes=1 << 20).notes[0].startswith("shallow clone")
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked), "side")
    opened = gitrepo.find_repository(linked)
    assert opened is not None and opened.head() == git(repo, "rev-parse", "side") and opened.dirty() is False


def test_not_a_repository_and_damaged_ones(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert gitrepo.find_repository(plain) is None and gitrepo.state(plain) == (None, None, None)
    assert read_history(plain, 5).status == "no-repo"
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / ".git").write_text("gitdir: /nonexistent/place\n")
    assert gitrepo.find_repository(fake) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert gitrepo.state(empty) == ("git", None, None) and read_history(empty, 5).status == "empty"


def test_a_fifo_or_device_in_the_git_folder_is_refused_not_read(repo: Path, tmp_path: Path) -> None:
    objects = repo / ".git" / "objects"
    head = git(repo, "rev-parse", "HEAD")
    loose = objects / head[:2] / head[2:]
    if not loose.exists():
        loose.parent.mkdir(exist_ok=True)
    else:
        loose.unlink()
    os.mkfifo(loose)  # a read of HEAD's commit would block forever
    assert gitrepo.find_repository(repo) is None and gitrepo.state(repo) == (None, None, None)
    assert scan_history(repo, max_bytes=1 << 20).status == "skipped"
    loose.unlink()
    (repo / ".git" / "refs" / "heads" / "evil").symlink_to("/dev/zero")
    assert gitrepo.find_repository(repo) is None


def test_no_module_of_the_toolkit_starts_git() -> None:
    """Every read of the target's repository goes through baseline.gitrepo: no argv starts with "git"."""
    import ast

    package_root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("baseline", "checks", "reports", "fuzz"):
        for path in sorted((package_root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
                    first = node.elts[0]
                    second = node.elts[1] if len(node.elts) > 1 else None
                    argument = isinstance(second, ast.Starred) or (isinstance(second, ast.Constant) and isinstance(second.value, str))
                    if isinstance(first, ast.Constant) and first.value == "git" and argument:
                        offenders.append(f"{path.relative_to(package_root)}:{node.lineno}")
    assert offenders == []
