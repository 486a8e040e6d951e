"""Git history of the target: recent commits with their messages and changed files.

The repository is read with :mod:`baseline.gitrepo` (a library, no git process: nothing the
repository's configuration names can run). The shared run reads the last N commits once per scan
and classifies the ones whose messages say they fix a bug or a vulnerability; a missing
repository, a damaged one or a shallow clone are reported as a status, never raised.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline import gitrepo
from baseline.model import Evidence, Provenance
from baseline.target import is_test_path
from baseline.tools.test_records import redact

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
    """``status``: ok, no-repo, empty or error."""

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


def read_history(root: Path, window: int) -> History:
    """The last ``window`` commits reachable from HEAD (first parents only, merges skipped).

    Read with :mod:`baseline.gitrepo` (no git process, no configuration); for a project inside a
    larger repository only the commits that touch the project's folder count.
    """
    started = time.monotonic()
    repository = gitrepo.find_repository(root)
    if repository is None:
        return History("no-repo", "the project is not a git work tree: its history cannot be examined", window=window)
    try:
        entries, shallow = repository.first_parent_log(window)
    except gitrepo.READ_ERRORS + (gitrepo.GitReadError,) as exc:
        detail = f"the git history could not be read (corrupt or partial repository): {type(exc).__name__}: {str(exc)[:200]}"
        return History("error", detail, window=window, evidence=(Evidence(Provenance.INSPECTED, detail, tool="git"),))
    evidence = Evidence(
        provenance=Provenance.INSPECTED,
        summary=f"read the last {window} commits of the git history (first parents, merges skipped"
        + (f", limited to {repository.prefix}" if repository.prefix else "") + "; object store read directly, no git process)",
        tool="git",
        duration_s=round(time.monotonic() - started, 3),
    )
    commits = tuple(
        Commit(entry.sha, redact(entry.message.partition("\n")[0].strip()), redact(entry.message.partition("\n")[2].strip()), entry.files)
        for entry in entries
    )
    if not commits:
        return History("empty", "the git repository has no commits", window=window, shallow=shallow, evidence=(evidence,))
    message = f"{len(commits)} commit(s) read" + (" from a shallow clone" if shallow else "")
    return History("ok", message, commits, window, shallow, (evidence,))


class HistoryRunner:
    """The shared run that reads the git history once per scan."""

    key = "git-history"

    def execute(self, context: Any) -> History:
        """Read ``regression.window`` commits."""
        return read_history(context.root, int(context.config.get("regression.window")))


HISTORY_RUN = HistoryRunner()
