"""Read-only access to the target's git repository, with a library instead of the git binary.

Every read of the target's git metadata goes through this module. It parses the object store, the
refs, the shallow file and the index with dulwich and never starts a process, never reads the
repository's or the user's git configuration and never runs anything named there: fsmonitor,
hooks, clean/smudge filters, textconv, external diff, ssh command, pager and ``include.path`` stay
inert however the project's ``.git/config`` (or ``~/.gitconfig``) sets them. The price is that the
working tree is compared byte for byte (no clean filter, no autocrlf): a repository that relies on
a filter looks modified.

:func:`find_repository` walks up from the scanned folder to the enclosing work tree, so that a
subfolder scan still knows its commit. Nothing is ever written into the repository.
"""

from __future__ import annotations

import contextlib

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, cast

from dulwich.diff_tree import tree_changes
from dulwich.errors import NotCommitError, NotTreeError, ObjectFormatException
from dulwich.index import Index, IndexEntry
from dulwich.object_store import DiskObjectStore
from dulwich.objects import Blob, Commit, ShaFile, Tag, Tree
from dulwich.refs import DiskRefsContainer

# What a damaged or hostile repository can make the library raise; the callers degrade with a note.
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, ValueError, KeyError, TypeError, IndexError, AssertionError, EOFError, ObjectFormatException,
    NotCommitError, NotTreeError, LookupError, RecursionError, MemoryError, OverflowError,
)
try:  # zlib errors of damaged objects
    import zlib

    READ_ERRORS = READ_ERRORS + (zlib.error,)
except ImportError:  # pragma: no cover - zlib is part of every CPython build
    pass

_MAX_GITFILE = 4096
_MAX_TAG_DEPTH = 32


class GitReadError(Exception):
    """The repository could not be read (corrupt, partial or not a repository)."""


@dataclass(frozen=True)
class LogEntry:
    """One commit of a first-parent log: id, message and the changed paths (relative to the project)."""

    sha: str
    message: str
    files: tuple[str, ...]
    commit_time: int


def _read_small(path: Path) -> bytes | None:
    """The bytes of a small regular file (never a FIFO or a device), or None."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_GITFILE:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _git_dir(worktree: Path) -> Path | None:
    """The git directory of ``worktree``: ``.git`` itself, or the folder a ``gitdir:`` file names."""
    dot_git = worktree / ".git"
    try:
        if dot_git.is_dir() and not dot_git.is_symlink():
            return dot_git if (dot_git / "HEAD").is_file() else None
    except OSError:
        return None
    data = _read_small(dot_git)
    if data is None or not data.startswith(b"gitdir:"):
        return None
    target = Path(os.fsdecode(data[len(b"gitdir:"):].strip()))
    gitdir = target if target.is_absolute() else worktree / target
    try:
        return gitdir if (gitdir / "HEAD").is_file() else None
    except OSError:
        return None


_READ_FILES = ("HEAD", "index", "shallow", "packed-refs", "commondir")
_READ_FOLDERS = ("objects", "refs")


def _check_entry(path: str, folder_ok: bool) -> None:
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                raise GitReadError(f"{path}: a linked folder where git keeps its data")
    except OSError:
        return  # missing or a dangling link: read as a missing file
    if not (stat.S_ISREG(info.st_mode) or (folder_ok and stat.S_ISDIR(info.st_mode))):
        raise GitReadError(f"{path}: not a regular file (a FIFO, device or socket) where git keeps its data")


def _only_plain_files(folder: Path, *, whole: bool = False) -> None:
    """Refuse a git folder whose objects, refs, index or HEAD hold anything a read could block on.

    A FIFO, a device or a socket (or a link to one, or a linked folder) there would hang or
    mislead the reader; git itself never creates them. ``whole``: check every entry of ``folder``.
    """
    if not whole:
        for name in _READ_FILES:
            _check_entry(str(folder / name), folder_ok=False)
    roots = [folder] if whole else [folder / name for name in _READ_FOLDERS if (folder / name).is_dir()]
    for root in roots:
        for current, dirnames, filenames in os.walk(root, followlinks=False):
            for name in dirnames + filenames:
                _check_entry(os.path.join(current, name), folder_ok=True)


class Repository:
    """A git work tree opened read-only: object store, refs, shallow marker and index."""

    def __init__(self, worktree: Path, gitdir: Path, project: Path) -> None:
        self.worktree = worktree
        self.gitdir = gitdir
        commondir = gitdir
        named = _read_small(gitdir / "commondir")
        if named:
            candidate = Path(os.fsdecode(named.strip()))
            commondir = candidate if candidate.is_absolute() else gitdir / candidate
        self.commondir = commondir
        for folder in dict.fromkeys((gitdir, commondir)):
            _only_plain_files(folder)
        for objects in self._alternates(commondir / "objects"):
            _only_plain_files(objects, whole=True)
        # dulwich types object ids as NewTypes of bytes; ids here are plain bytes read from its own objects
        self.store: Any = DiskObjectStore(str(commondir / "objects"))
        self.refs: Any = DiskRefsContainer(str(commondir), str(gitdir))
        relative = project.relative_to(worktree).as_posix() if project != worktree else ""
        self.prefix = "" if relative in ("", ".") else relative.rstrip("/") + "/"
        self.shallow = self._shallow_commits()

    def close(self) -> None:
        """Close the object store's open pack files (called when the repository is dropped, too)."""
        store = self.__dict__.pop("store", None)
        if store is not None:
            store.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # nothing to report while an object is collected
            self.close()

    @staticmethod
    def _alternates(objects: Path) -> list[Path]:
        """Object folders named in ``objects/info/alternates`` (read by the object store too)."""
        data = _read_small(objects / "info" / "alternates")
        if not data:
            return []
        folders = []
        for line in data.splitlines():
            text = os.fsdecode(line.strip())
            if text and not text.startswith("#"):
                folders.append(Path(text) if os.path.isabs(text) else objects / text)
        return folders

    # -- refs -------------------------------------------------------------------------------

    def head(self) -> str | None:
        """The commit id HEAD points at, or None (an unborn branch, a damaged ref)."""
        try:
            sha = self.refs[b"HEAD"]
            return self._peel(sha).decode("ascii") if sha else None
        except READ_ERRORS:
            return None

    def _peel(self, sha: bytes) -> bytes:
        """Follow annotated tags to the object they point at."""
        for _ in range(_MAX_TAG_DEPTH):
            obj = self.store[sha]
            if not isinstance(obj, Tag):
                return sha
            sha = obj.object[1]
        raise GitReadError("tag chain too deep")

    def ref_tips(self) -> list[bytes]:
        """Every commit a ref (branches, tags, remotes, stash, HEAD) points at, de-duplicated."""
        tips: dict[bytes, None] = {}
        for name in sorted(self.refs.allkeys()):
            try:
                sha = self.refs[name]
                if not sha:
                    continue
                peeled = self._peel(sha)
                if isinstance(self.store[peeled], Commit):
                    tips[peeled] = None
            except READ_ERRORS:
                continue
        return list(tips)

    def is_shallow(self) -> bool:
        """True when the clone is shallow (``.git/shallow`` lists boundary commits)."""
        return bool(self.shallow)

    def _shallow_commits(self) -> frozenset[bytes]:
        path = self.commondir / "shallow"
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return frozenset()
            with path.open("rb") as handle:
                return frozenset(line.strip() for line in handle.read(64 * 1024 * 1024).splitlines() if len(line.strip()) in (40, 64))
        except OSError:
            return frozenset()

    def parents(self, sha: bytes, commit: Commit) -> list[bytes]:
        """The commit's parents, none at a shallow boundary (they are not in the clone)."""
        return [] if sha in self.shallow else list(commit.parents)

    def _commit(self, sha: bytes) -> Commit:
        obj = self.store[sha]
        if not isinstance(obj, Commit):
            raise GitReadError(f"{sha.decode('ascii', 'replace')} is not a commit")
        return obj

    def _first_parent_tree(self, parents: list[bytes]) -> bytes | None:
        """The tree of the first parent, None for a root commit or a parent missing from the clone."""
        if not parents:
            return None
        try:
            return self._commit(parents[0]).tree
        except KeyError:
            return None

    # -- history ----------------------------------------------------------------------------

    def _changed(self, parent_tree: bytes | None, tree: bytes) -> list[str]:
        """Paths changed between two trees (no rename detection), as git's ``--name-only`` lists them."""
        paths: list[str] = []
        for change in tree_changes(self.store, cast(Any, parent_tree), cast(Any, tree)):
            for side in (change.new, change.old):
                if side is not None and side.path is not None:
                    paths.append(os.fsdecode(side.path))
                    break
        return paths

    def _project_paths(self, paths: Iterable[str]) -> tuple[str, ...]:
        if not self.prefix:
            return tuple(paths)
        return tuple(path[len(self.prefix):] for path in paths if path.startswith(self.prefix))

    def first_parent_log(self, window: int) -> tuple[list[LogEntry], bool]:
        """Up to ``window`` non-merge commits on HEAD's first-parent line that touch the project.

        Returns (entries, reached_shallow_boundary). Like ``git log --first-parent --no-merges
        --name-only`` (limited to the project's folder when it is a subfolder of the work tree).
        """
        head = self.head()
        if head is None:
            return [], False
        entries: list[LogEntry] = []
        sha: bytes | None = head.encode("ascii")
        seen: set[bytes] = set()
        while sha is not None and len(entries) < window and sha not in seen:
            seen.add(sha)
            commit = self._commit(sha)
            parents = self.parents(sha, commit)
            parent_tree = None
            next_sha = parents[0] if parents else None
            if next_sha is not None:
                try:
                    parent_tree = self._commit(next_sha).tree
                except KeyError:  # a shallow boundary or a missing parent: this commit is the last one
                    parent_tree, next_sha = None, None
            if len(parents) <= 1:
                files = self._project_paths(self._changed(parent_tree, commit.tree))
                if files or not self.prefix:
                    message = commit.message.decode(commit.encoding.decode("ascii", "replace") if commit.encoding else "utf-8", "replace")
                    entries.append(LogEntry(sha.decode("ascii"), message, files, int(commit.commit_time)))
            sha = next_sha
        return entries, self.is_shallow()

    def last_commit_time(self, paths: list[str]) -> int | None:
        """Commit time of the newest commit reachable from HEAD that changed one of ``paths``.

        ``paths`` are relative to the project; a folder covers everything under it.
        """
        head = self.head()
        if head is None:
            return None
        wanted = tuple(self.prefix + path.strip("/") for path in paths)

        def touches(changed: list[str]) -> bool:
            return any(path == want or path.startswith(want + "/") for path in changed for want in wanted)

        pending: list[tuple[int, bytes]] = [(0, head.encode("ascii"))]
        seen: set[bytes] = set()
        best: int | None = None
        while pending:
            pending.sort()
            _, sha = pending.pop()  # newest first
            if sha in seen:
                continue
            seen.add(sha)
            try:
                commit = self._commit(sha)
            except KeyError:
                continue
            if best is not None and commit.commit_time <= best:
                continue
            parent_trees = []
            for parent in self.parents(sha, commit):
                try:
                    parent_commit = self._commit(parent)
                except KeyError:
                    continue
                parent_trees.append(parent_commit.tree)
                pending.append((int(parent_commit.commit_time), parent))
            # git's default simplification: a merge touches a path when it differs from every parent
            trees = parent_trees or [None]
            if all(touches(self._changed(tree, commit.tree)) for tree in trees):
                best = int(commit.commit_time)
        return best

    # -- the working tree -------------------------------------------------------------------

    def dirty(self, paths: list[str] | None = None) -> bool:
        """True when a tracked file differs from HEAD: staged, modified or deleted (untracked files ignored).

        ``paths`` (relative to the project) limit the comparison. Like ``git status --porcelain
        --untracked-files=no`` without filters: file contents are hashed as they are on disk.
        """
        head = self.head()
        committed: dict[str, tuple[int, bytes]] = {}
        if head is not None:
            committed = {path: (mode, sha) for path, mode, sha in self.tree_entries(self._commit(head.encode("ascii")).tree)}
        index_entries: dict[str, tuple[int, bytes, int, float]] = {}
        index_path = self.gitdir / "index"
        if index_path.is_file():
            index = Index(str(index_path), read=True)
            for name, entry in index.items():
                if not isinstance(entry, IndexEntry):  # a conflicted entry: the work tree is mid-merge
                    return True
                mtime = entry.mtime[0] + entry.mtime[1] / 1e9 if isinstance(entry.mtime, tuple) else float(entry.mtime)
                index_entries[os.fsdecode(name)] = (entry.mode, entry.sha, entry.size, mtime)
        scope = tuple(self.prefix + path.strip("/") for path in paths) if paths is not None else None

        def in_scope(path: str) -> bool:
            if scope is None:
                return path.startswith(self.prefix)
            return any(path == item or path.startswith(item + "/") for item in scope)

        for path in set(committed) | set(index_entries):
            if not in_scope(path):
                continue
            staged = index_entries.get(path)
            if staged is None or path not in committed or committed[path][1] != staged[1]:
                return True  # staged addition, deletion or change
            if self._worktree_differs(path, staged):
                return True
        return False

    def _worktree_differs(self, path: str, staged: tuple[int, bytes, int, float]) -> bool:
        mode, sha, size, mtime = staged
        if any(part in ("", ".", "..", ".git") for part in path.split("/")):
            return True  # not a path git would check out
        if stat.S_ISDIR(mode) or (mode & 0o170000) == 0o160000:
            return False  # a submodule: its own repository
        full = self.worktree / path
        try:
            info = os.lstat(full)
        except OSError:
            return True  # deleted
        if stat.S_ISLNK(info.st_mode):
            if (mode & 0o170000) != 0o120000:
                return True
            data = os.fsencode(os.readlink(full))
        elif stat.S_ISREG(info.st_mode):
            if (mode & 0o170000) == 0o120000:
                return True
            if info.st_size == size and abs(info.st_mtime - mtime) < 1e-6:
                return False  # the index's stat data still describes the file: git trusts it too
            data = full.read_bytes()
        else:
            return True  # a FIFO, a device or a folder where a file was tracked
        return Blob.from_string(data).id != sha

    # -- objects ----------------------------------------------------------------------------

    def changed_files(self, sha: str, wanted: Callable[[str], bool], max_bytes: int = 4 * 1024 * 1024) -> list[tuple[str, bytes, bytes]]:
        """(project path, old content, new content) of each file the commit changed that ``wanted``
        accepts, against its first parent (empty old content for an added file; files over
        ``max_bytes`` are left out). Like ``git show --first-parent`` for that commit."""
        commit = self._commit(sha.encode("ascii"))
        parent_tree = self._first_parent_tree(self.parents(sha.encode("ascii"), commit))
        out: list[tuple[str, bytes, bytes]] = []
        for change in tree_changes(self.store, cast(Any, parent_tree), commit.tree):
            new = change.new
            if new is None or new.path is None or new.sha is None:
                continue
            paths = self._project_paths([os.fsdecode(new.path)])
            if not paths or not wanted(paths[0]):
                continue
            contents: list[bytes] = []
            for side in (change.old, new):
                if side is None or side.sha is None:
                    contents.append(b"")
                    continue
                try:
                    content = _content(self.store[side.sha], max_bytes)
                except READ_ERRORS:
                    content = "missing"
                contents.append(content if isinstance(content, bytes) else b"")
            out.append((paths[0], contents[0], contents[1]))
        return out

    def tree_entries(self, tree: bytes, base: str = "") -> Iterator[tuple[str, int, bytes]]:
        """(path, mode, sha) of every blob and link under ``tree`` (submodules skipped)."""
        pending: list[tuple[str, bytes]] = [(base, tree)]
        while pending:
            prefix, current = pending.pop()
            obj = self.store[current]
            if not isinstance(obj, Tree):
                raise GitReadError(f"{current.decode('ascii', 'replace')} is not a tree")
            for entry in obj.iteritems():
                name = prefix + os.fsdecode(entry.path)
                if stat.S_ISDIR(entry.mode):
                    pending.append((name + "/", entry.sha))
                elif (entry.mode & 0o170000) != 0o160000:
                    yield name, entry.mode, entry.sha

    def head_blobs(self) -> set[str]:
        """Blob ids of every file at HEAD."""
        head = self.head()
        if head is None:
            return set()
        return {sha.decode("ascii") for _, _, sha in self.tree_entries(self._commit(head.encode("ascii")).tree)}

    def reachable(self) -> tuple[int, dict[str, str], list[str]]:
        """(commits, blob id -> first path seen, problems) over every object reachable from any ref.

        What ``git rev-list --all --objects`` lists; missing objects (a partial or damaged clone)
        are skipped and counted in the problems.
        """
        commits = 0
        blobs: dict[str, str] = {}
        seen_commits: set[bytes] = set()
        seen_trees: set[bytes] = set()
        missing = 0
        pending = list(self.ref_tips())
        while pending:
            sha = pending.pop()
            if sha in seen_commits:
                continue
            seen_commits.add(sha)
            try:
                commit = self._commit(sha)
            except KeyError:
                missing += 1
                continue
            commits += 1
            pending.extend(parent for parent in self.parents(sha, commit) if parent not in seen_commits)
            trees: list[tuple[str, bytes]] = [("", commit.tree)]
            while trees:
                prefix, tree_sha = trees.pop()
                if tree_sha in seen_trees:
                    continue
                seen_trees.add(tree_sha)
                try:
                    tree = self.store[tree_sha]
                except KeyError:
                    missing += 1
                    continue
                if not isinstance(tree, Tree):
                    continue
                for entry in tree.iteritems():
                    name = prefix + os.fsdecode(entry.path)
                    if stat.S_ISDIR(entry.mode):
                        if entry.sha not in seen_trees:
                            trees.append((name + "/", entry.sha))
                    elif (entry.mode & 0o170000) != 0o160000:
                        blobs.setdefault(entry.sha.decode("ascii"), name)
        problems = [f"{missing} objects missing from the object store (corrupt or partial clone)"] if missing else []
        return commits, blobs, problems

    def read_blobs(self, shas: Iterable[str], max_bytes: int) -> Iterator[tuple[str, bytes | str]]:
        """(id, content) of each blob; instead of the content, "oversized" when it is over
        ``max_bytes``, "missing" when the object store does not have it or cannot read it.

        Packed objects are read pack by pack in pack order (each delta chain resolved once), loose
        objects one by one.
        """
        todo = {sha.encode("ascii") for sha in shas}
        packs: list[Any] = list(self.store.packs)
        for pack in packs:
            try:
                present = [sha for sha in todo if sha in pack]  # a binary search of the pack's index
            except READ_ERRORS:
                continue
            if not present:
                continue
            try:
                for obj in pack.iterobjects_subset(present, allow_missing=True):
                    if obj.id in todo:
                        todo.discard(obj.id)
                        yield obj.id.decode("ascii"), _content(obj, max_bytes)
            except READ_ERRORS:
                continue  # the rest of this pack is read one object at a time below
        for sha in sorted(todo):
            try:
                content = _content(self.store[sha], max_bytes)  # loose objects are parsed lazily: read inside the guard
            except READ_ERRORS:
                content = "missing"
            yield sha.decode("ascii"), content

    def introductions(self, blobs: set[str]) -> dict[str, tuple[str, int, str]]:
        """blob -> (commit, author time, path) of the oldest commit (by author time) whose diff adds it.

        Like ``git log --all --reverse --raw`` (merges show no diff, renames are not followed).
        """
        wanted = {sha.encode("ascii") for sha in blobs}
        found: dict[bytes, tuple[str, int, str]] = {}
        seen: set[bytes] = set()
        pending = list(self.ref_tips())
        while pending:
            sha = pending.pop()
            if sha in seen:
                continue
            seen.add(sha)
            try:
                commit = self._commit(sha)
            except KeyError:
                continue
            parents = self.parents(sha, commit)
            pending.extend(parents)
            if len(parents) > 1:
                continue
            parent_tree = self._first_parent_tree(parents)
            for change in tree_changes(self.store, cast(Any, parent_tree), commit.tree):
                new = change.new
                if new is None or new.sha not in wanted or new.path is None:
                    continue
                when = int(commit.author_time)
                current = found.get(new.sha)
                if current is None or when < current[1]:
                    found[new.sha] = (sha.decode("ascii"), when, os.fsdecode(new.path))
        return {key.decode("ascii"): value for key, value in found.items()}


def _content(obj: ShaFile, max_bytes: int) -> bytes | str:
    if not isinstance(obj, Blob):
        return "missing"
    data = obj.as_raw_string()
    return data if len(data) <= max_bytes else "oversized"


def find_repository(root: Path) -> Repository | None:
    """The git work tree that contains ``root`` (``root`` itself or a parent folder), opened read-only.

    Walks up from ``root`` to the first folder with a ``.git`` (a folder, or a ``gitdir:`` file of
    a linked work tree or submodule). None when there is none or it cannot be opened.
    """
    try:
        current = root.resolve()
    except OSError:
        return None
    for folder in (current, *current.parents):
        if not os.path.lexists(folder / ".git"):
            continue
        gitdir = _git_dir(folder)
        if gitdir is None:
            return None
        try:
            return Repository(folder, gitdir, current)
        except READ_ERRORS + (GitReadError,):
            return None
    return None


def state(root: Path) -> tuple[str | None, str | None, bool | None]:
    """(vcs, commit, dirty) of the repository enclosing ``root``, or Nones outside any repository."""
    repository = find_repository(root)
    if repository is None:
        return None, None, None
    commit = repository.head()
    if commit is None:
        return "git", None, None
    try:
        dirty: bool | None = repository.dirty()
    except READ_ERRORS:
        dirty = None
    return "git", commit, dirty
