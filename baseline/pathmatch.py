"""Path patterns with gitignore semantics, shared by every setting that names files.

``exclude``, ``static.exclude``, ``tests.blackbox``, ``secrets.allow`` and the web ``exclude``
patterns are read as lines of a ``.gitignore`` (pathspec's implementation of git's rules): a
pattern without a slash matches at any depth (``*.pyc``), a leading slash anchors it at the
project root (``/build``), ``*`` stays inside one folder and ``**`` crosses folders
(``tests/**/data``), a pattern naming a folder covers everything under it (``tests/fixtures``),
and ``!pattern`` re-includes. Paths are relative to the project root, with forward slashes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import pathspec


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(pattern.strip() for pattern in patterns if pattern.strip())


def matches(relative: str, patterns: Iterable[str]) -> bool:
    """True when the project-relative path ``relative`` is matched by the gitignore-style ``patterns``."""
    key = tuple(patterns)
    if not key:
        return False
    return _spec(key).match_file(relative.lstrip("/"))
