"""Git history of the target: recent commits with their messages and changed files.

Every git command goes through :func:`baseline.sandbox.run`. The shared run reads the last N
commits once per scan and classifies the ones whose messages say they fix a bug or a
vulnerability; a missing repository, a missing git or a shallow clone are reported as a status,
never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline import sandbox
from baseline.model import Evidence, Provenance
from baseline.target import is_test_path
from baseline.tools.test_records import redact

_RECORD = "\x1e"
_FIELD = "\x1f"
FIX_MESSAGE = re.compile(
    r"(\bfix(es|ed|ing)?\b|\bbug(fix)?s?\b|\bhotfix\b|\bregression\b|\bvulnerab\w*|\bsecurity\b|\bCVE-\d{4}-\d+|\bGHSA-|\bPYSEC-|"
    r"\bcrash(es|ed)?\b|\b(resolve[sd]?|close[sd]?)\s+#\d+)",
    re.IGNORECASE,
)
_NOT_A_FIX = re.compile(r"^(merge\b|revert\b|bump\b|release\b|chore\(deps\))", re.IGNORECASE)
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")


@dataclass(frozen=True)
class Commit:
    """One commit: id, subject, body and the files it changed."""

    sha: str
    subject: str
    body: str
    files: tuple[str, ...]

    @property
    def is_fix(self) -> bool:
        """True when the message says the commit fixes a bug or vulnerability and it changes code."""
        if _NOT_A_FIX.search(self.subject) or not FIX_MESSAGE.search(f"{self.subject}\n{self.body}"):
            return False
        return any(not path.lower().endswith(_DOC_SUFFIXES) and not path.startswith(("docs/", "doc/")) for path in self.files)

    @property
    def touches_tests(self) -> bool:
        """True when the commit also changed the test suite."""
        return any(is_test_path(path) for path in self.files)


@dataclass(frozen=True)
class History:
    """``status``: ok, no-repo, no-git, empty or error."""

    status: str
    message: str
    commits: tuple[Commit, ...] = ()
    window: int = 0
    shallow: bool = False
    evidence: tuple[Evidence, ...] = ()

    @property
    def fixes(self) -> tuple[Commit, ...]:
        """The fix commits in the window."""
        return tuple(commit for commit in self.commits if commit.is_fix)


def parse_log(output: str) -> list[Commit]:
    """Parse ``git log --format=%x1e%H%x1f%s%x1f%b%x1f --name-only`` output."""
    commits: list[Commit] = []
    for chunk in output.split(_RECORD):
        if not chunk.strip():
            continue
        parts = chunk.split(_FIELD)
        if len(parts) < 4:
            continue
        sha, subject, body, names = parts[0].strip(), parts[1].strip(), parts[2].strip(), parts[3]
        files = tuple(line.strip() for line in names.splitlines() if line.strip())
        commits.append(Commit(sha, redact(subject), redact(body), files))
    return commits


def read_history(root: Path, window: int) -> History:
    """The last ``window`` commits reachable from HEAD (first parents only, merges skipped)."""
    limits = sandbox.Limits(timeout_s=120)
    git = ["git", "-c", "core.quotepath=off", "-c", "safe.directory=*"]
    pathspec: list[str] = []
    if not (root / ".git").exists():
        top = sandbox.run([*git, "rev-parse", "--show-toplevel"], cwd=root, limits=limits)
        if top.start_error:
            return History("no-git", f"git could not be started: {top.start_error}", window=window)
        if not top.ok or not top.stdout.strip():
            return History("no-repo", "the project is not a git work tree: its history cannot be examined", window=window)
        pathspec = ["--", "."]  # a project inside a larger repository: only commits that touch it
    shallow_probe = sandbox.run([*git, "rev-parse", "--is-shallow-repository"], cwd=root, limits=limits)
    if shallow_probe.start_error:
        return History("no-git", f"git could not be started: {shallow_probe.start_error}", window=window)
    argv = [*git, "log", f"-n{window}", "--no-merges", "--first-parent", f"--format={_RECORD}%H{_FIELD}%s{_FIELD}%b{_FIELD}", "--name-only", "HEAD", *pathspec]
    process = sandbox.run(argv, cwd=root, limits=limits)
    evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"read the last {window} commits of the git history",
        tool="git",
        argv=process.argv,
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        stderr_tail=process.stderr_tail(5) if not process.ok else None,
    )
    if not process.ok:
        detail = process.stderr_tail(3)
        if "does not have any commits" in detail or "unknown revision" in detail or "bad default revision" in detail:
            return History("empty", "the git repository has no commits", window=window, evidence=(evidence,))
        return History("error", f"git log failed ({process.describe()}): {detail}", window=window, evidence=(evidence,))
    commits = parse_log(process.stdout)
    shallow = shallow_probe.ok and shallow_probe.stdout.strip() == "true"
    if not commits:
        return History("empty", "the git repository has no commits", window=window, shallow=shallow, evidence=(evidence,))
    message = f"{len(commits)} commit(s) read" + (" from a shallow clone" if shallow else "")
    return History("ok", message, tuple(commits), window, shallow, (evidence,))


class HistoryRunner:
    """The shared run that reads the git history once per scan."""

    key = "git-history"

    def execute(self, context: Any) -> History:
        """Read ``regression.window`` commits."""
        return read_history(context.root, int(context.config.get("regression.window")))


HISTORY_RUN = HistoryRunner()
