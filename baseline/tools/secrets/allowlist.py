"""Allow-list entries from the configuration: ``<path glob or sha256:prefix> -- <reason>``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from baseline.pathmatch import matches

_FINGERPRINT = re.compile(r"^sha256:([0-9a-f]{12,64})$")


@dataclass(frozen=True)
class AllowEntry:
    """One accepted path pattern or secret fingerprint, with the reason it is accepted."""

    pattern: str
    reason: str

    @property
    def fingerprint(self) -> str | None:
        """The SHA-256 prefix when this entry names a secret, else None."""
        match = _FINGERPRINT.match(self.pattern.lower())
        return match.group(1) if match else None

    def matches(self, path: str, secret_sha256: str) -> bool:
        """True when the entry covers a secret with this value fingerprint at this path."""
        prefix = self.fingerprint
        if prefix is not None:
            return secret_sha256.startswith(prefix)
        return matches(path, (self.pattern,))


def parse_entries(raw: Iterable[str]) -> tuple[list[AllowEntry], list[str]]:
    """Valid entries, and a problem description for each entry without a reason or a pattern."""
    entries: list[AllowEntry] = []
    problems: list[str] = []
    for item in raw:
        pattern, separator, reason = item.partition(" -- ")
        pattern, reason = pattern.strip(), reason.strip()
        if not separator or not reason or not pattern:
            problems.append(f"allow-list entry {pattern or item!r} ignored: an entry needs 'pattern -- reason'")
            continue
        if pattern.lower().startswith("sha256:") and not _FINGERPRINT.match(pattern.lower()):
            problems.append(f"allow-list entry {pattern!r} ignored: a fingerprint needs at least 12 hex digits")
            continue
        entries.append(AllowEntry(pattern, reason))
    return entries, problems


def first_match(entries: Iterable[AllowEntry], path: str, secret_sha256: str) -> AllowEntry | None:
    """The first entry covering this secret, if any."""
    for entry in entries:
        if entry.matches(path, secret_sha256):
            return entry
    return None
