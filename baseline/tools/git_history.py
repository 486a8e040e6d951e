"""Git history of the target: recent commits with their messages and changed files.

Every git command goes through :func:`baseline.sandbox.run`. The shared run reads the last N
commits once per scan and classifies the ones whose messages say they fix a bug or a
vulnerability; a missing repository, a missing git or a shallow clone are reported as a status,
never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from baseline import sandbox
from baseline.model import Evidence, Provenance
from baseline.target import is_test_path, product_sources
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


_ADDED_TEST = re.compile(r"^\+\s*(?:async\s+)?def\s+(test\w*)\s*\(", re.MULTILINE)
_DIFF_FILE = re.compile(r"^\+\+\+ b/(.+)$", re.MULTILINE)


def parse_added_tests(output: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Test functions added per commit, from ``git show -U0 --format=%x1e%H`` output."""
    added: dict[str, tuple[tuple[str, str], ...]] = {}
    for chunk in output.split(_RECORD):
        if not chunk.strip():
            continue
        sha, _, diff = chunk.partition("\n")
        found: list[tuple[str, str]] = []
        for part in re.split(r"^diff --git ", diff, flags=re.MULTILINE):
            header = _DIFF_FILE.search(part)
            if header is None or not is_test_path(header.group(1).strip()):
                continue
            found += [(header.group(1).strip(), name) for name in _ADDED_TEST.findall(part)]
        added[sha.strip()] = tuple(dict.fromkeys(found))
    return added


@dataclass(frozen=True)
class History:
    """``status``: ok, no-repo, no-git, empty or error."""

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


def read_history(root: Path, window: int, product: tuple[str, ...] = ()) -> History:
    """The last ``window`` commits reachable from HEAD (first parents only, merges skipped), with
    the test functions each fix commit that changed tests added (paths relative to ``root``)."""
    limits = sandbox.Limits(timeout_s=120)
    git = ["git", "-c", "core.quotepath=off", "-c", "safe.directory=*"]
    pathspec: list[str] = []
    if not (root / ".git").exists():
        top = sandbox.run([*git, "rev-parse", "--show-toplevel"], cwd=root, limits=limits)
        if top.start_error:
            return History("no-git", f"git could not be started: {top.start_error}", window=window)
        if not top.ok or not top.stdout.strip():
            return History("no-repo", "the project is not a git work tree: its history cannot be examined", window=window)
        pathspec = ["--relative", "--", "."]  # a project inside a larger repository: only commits that touch it, paths relative to it
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
        return History("empty", "the git repository has no commits", window=window, shallow=shallow, evidence=(evidence,), product=product)
    probe = History("ok", "", tuple(commits), window, shallow, product=product)
    wanted = [commit.sha for commit in probe.fixes if commit.touches_tests]
    evidences = [evidence]
    if wanted:
        relative = ["--relative"] if pathspec else []
        shown = sandbox.run(
            [*git, "show", "--no-ext-diff", "--no-textconv", "--no-color", "-U0", f"--format={_RECORD}%H", *relative, *wanted[:window], "--"],
            cwd=root,
            limits=limits,
        )
        evidences.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"read the diffs of {len(wanted)} fix commit(s) that changed tests, for the test functions they added",
                tool="git",
                argv=shown.argv,
                exit_code=shown.exit_code,
                duration_s=round(shown.duration_s, 3),
                stderr_tail=shown.stderr_tail(5) if not shown.ok else None,
            )
        )
        if shown.ok:
            added = parse_added_tests(shown.stdout)
            commits = [replace(commit, added_tests=added.get(commit.sha, ())) for commit in commits]
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
