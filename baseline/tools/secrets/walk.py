"""The files the secrets scan reads: every file of the tree, and an account of everything it leaves out.

Nothing is skipped by folder name alone: ``env``, ``build``, ``dist``, ``venv``, ``node_modules`` and
``site-packages`` folders are project files like any other (a committed ``build/settings.py`` leaks
as well as any). Left out, and counted with the reason, are only version-control metadata (the
history is scanned separately), real virtual environments (a ``pyvenv.cfg`` beside a
``site-packages`` tree), caches of tools that hold compiled copies of the sources, symbolic links
(never followed) and special files.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

VCS_DIRS = frozenset({".git", ".hg", ".svn"})
CACHE_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


@dataclass
class Walk:
    """Relative paths to scan, and every folder and file left out with its reason."""

    files: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # bytes of each of ``files``, from the walk's own lstat
    skipped_dirs: list[tuple[str, str]] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)


def real_virtualenv(folder: Path) -> bool:
    """A virtual environment: ``pyvenv.cfg`` and an installed ``site-packages`` tree (POSIX or Windows layout)."""
    try:
        if not (folder / "pyvenv.cfg").is_file():
            return False
        if (folder / "Lib" / "site-packages").is_dir():
            return True
        lib = folder / "lib"
        return lib.is_dir() and any((child / "site-packages").is_dir() for child in lib.iterdir() if child.name.startswith(("python", "pypy")))
    except OSError:
        return False


def _dir_reason(path: Path, name: str) -> str | None:
    if name in VCS_DIRS:
        return "version control metadata (the history scan covers it)"
    if name in CACHE_DIRS:
        return "tool cache (compiled copies of the sources)"
    if real_virtualenv(path):
        return "virtual environment (pyvenv.cfg and site-packages)"
    return None


def walk(root: Path) -> Walk:
    """Every regular file under ``root`` (sorted, relative, POSIX separators), never following links."""
    out = Walk()
    base = str(root)

    def relative(path: str) -> str:
        return os.path.relpath(path, base).replace(os.sep, "/")

    def on_error(error: OSError) -> None:
        out.skipped_dirs.append((relative(error.filename or base), f"unreadable: {error.strerror or error}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=on_error):
        keep = []
        for name in sorted(dirnames):
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                out.skipped_files.append((relative(path), "symbolic link (not followed)"))
                continue
            reason = _dir_reason(Path(path), name)
            if reason is None:
                keep.append(name)
            else:
                out.skipped_dirs.append((relative(path) + "/", reason))
        dirnames[:] = keep
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                info = os.lstat(path)
            except OSError as exc:
                out.skipped_files.append((relative(path), f"unreadable: {exc.strerror or exc}"))
                continue
            mode = info.st_mode
            if stat.S_ISLNK(mode):
                out.skipped_files.append((relative(path), "symbolic link (not followed)"))
            elif not stat.S_ISREG(mode):
                out.skipped_files.append((relative(path), "not a regular file"))
            else:
                out.files.append(relative(path))
                out.sizes.append(info.st_size)
    return out
