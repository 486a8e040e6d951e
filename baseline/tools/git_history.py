"""Git history of the target: recent commits with their messages, changed files and added tests.

The repository is read with :mod:`baseline.gitrepo` (a library, no git process: nothing the
repository's configuration names can run). The shared run reads the last N commits once per scan
and classifies the ones whose messages say they fix a bug or a vulnerability; for each fix commit
that changed tests it reads the test functions the commit added. A missing repository, a damaged
one or a shallow clone are reported as a status, never raised.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from baseline import gitrepo
from baseline.model import Evidence, Provenance
from baseline.target import is_test_path, product_sources
from baseline.tools.test_records import redact

FIX_MESSAGE = re.compile(
    r"(\bfix(es|ed|ing)?\b|\bbug(fix)?s?\b|\bhotfix\b|\bregression\b|\bvulnerab\w*|\bsecurity\b|\bCVE-\d{4}-\d+|\bGHSA-|\bPYSEC-|"
    r"\bcrash(es|ed)?\b|\b(resolve[sd]?|close[sd]?)\s+#\d+)",
    re.IGNORECASE,
)
_NOT_A_FIX = re.compile(r"^(merge\b|revert\b|bump\b|release\b|chore\(deps\))", re.IGNORECASE)
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
_TEST_FUNCTION = re.compile(r"^\s*(?:async\s+)?def\s+(test\w*)\s*\(", re.MULTILINE)


@dataclass(frozen=True)
class Commit:
    """One commit: id, subject, body, the files it changed and the test functions it added."""

    sha: str
    subject: str
    body: str
    files: tuple[str, ...]
    added_tests: tuple[tuple[str, str], ...] = ()  # (test file, test function) added by this commit

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

    def touches_product(self, product: tuple[str, ...]) -> bool:
        """True when the commit changed product code (files under the ``product`` paths, tests excepted)."""
        return any(_under(path, product) and not is_test_path(path) for path in self.files)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)


def added_test_functions(old: str, new: str) -> tuple[str, ...]:
    """Names of the test functions defined in ``new`` and not in ``old`` (two versions of one file)."""
    before = set(_TEST_FUNCTION.findall(old))
    return tuple(dict.fromkeys(name for name in _TEST_FUNCTION.findall(new) if name not in before))


@dataclass(frozen=True)
class History:
    """``status``: ok, no-repo, empty or error."""

    status: str
    message: str
    commits: tuple[Commit, ...] = ()
    window: int = 0
    shallow: bool = False
    evidence: tuple[Evidence, ...] = ()
    product: tuple[str, ...] = ()  # product code paths, relative to the project root

    @property
    def fixes(self) -> tuple[Commit, ...]:
        """The fix commits in the window that changed product code (all fix commits when no product is known)."""
        return tuple(commit for commit in self.commits if commit.is_fix and (not self.product or commit.touches_product(self.product)))

    @property
    def regression_pairs(self) -> tuple[Commit, ...]:
        """Fix commits that changed product code and added a test with the fix."""
        return tuple(commit for commit in self.fixes if commit.added_tests)

    @property
    def tests_added_with_fixes(self) -> dict[tuple[str, str], Commit]:
        """(test file, test function) -> the fix commit that added it."""
        return {test: commit for commit in reversed(self.regression_pairs) for test in commit.added_tests}


def read_history(root: Path, window: int, product: tuple[str, ...] = ()) -> History:
    """The last ``window`` commits reachable from HEAD (first parents only, merges skipped), with
    the test functions each fix commit that changed tests added (paths relative to ``root``).

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
    commits = [
        Commit(entry.sha, redact(entry.message.partition("\n")[0].strip()), redact(entry.message.partition("\n")[2].strip()), entry.files)
        for entry in entries
    ]
    if not commits:
        return History("empty", "the git repository has no commits", window=window, shallow=shallow, evidence=(evidence,), product=product)
    probe = History("ok", "", tuple(commits), window, shallow, product=product)
    wanted = {commit.sha for commit in probe.fixes if commit.touches_tests}
    evidences = [evidence]
    if wanted:
        started = time.monotonic()
        unreadable = 0
        for index, commit in enumerate(commits):
            if commit.sha not in wanted:
                continue
            try:
                changed = repository.changed_files(commit.sha, is_test_path)
            except gitrepo.READ_ERRORS + (gitrepo.GitReadError,):
                unreadable += 1
                continue
            added = tuple(
                (path, name)
                for path, old, new in changed
                for name in added_test_functions(old.decode("utf-8", "replace"), new.decode("utf-8", "replace"))
            )
            commits[index] = replace(commit, added_tests=added)
        evidences.append(
            Evidence(
                provenance=Provenance.INSPECTED,
                summary=f"read the test files of {len(wanted)} fix commit(s) that changed tests, for the test functions they added"
                + (f" ({unreadable} could not be read)" if unreadable else ""),
                tool="git",
                duration_s=round(time.monotonic() - started, 3),
            )
        )
    message = f"{len(commits)} commit(s) read" + (" from a shallow clone" if shallow else "")
    return History("ok", message, tuple(commits), window, shallow, tuple(evidences), product)


class HistoryRunner:
    """The shared run that reads the git history once per scan."""

    key = "git-history"

    def execute(self, context: Any) -> History:
        """Read ``regression.window`` commits."""
        root = context.root
        product = tuple(path.relative_to(root).as_posix() for path in product_sources(root) if path.is_relative_to(root))
        return read_history(root, int(context.config.get("regression.window")), product)


HISTORY_RUN = HistoryRunner()
