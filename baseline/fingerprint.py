"""Finding fingerprints: stable across line moves, distinct across look-alike occurrences.

The fingerprint hashes the rule, the path, and the normalised snippet (or the message when there
is no snippet), but not line numbers, so it survives code moving. Findings that would share a
fingerprint get an occurrence index (in line order), so accepting one of two identical findings
never hides the second.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Iterable

from baseline.model import Finding

_SPACE = re.compile(r"\s+")


def base_fingerprint(finding: Finding) -> str:
    """Hash of rule, path and normalised content, without line numbers or occurrence."""
    location = finding.location
    path = location.path if location else ""
    content = location.snippet if location and location.snippet else finding.message
    normalised = _SPACE.sub(" ", content or "").strip()
    text = "\x1f".join((finding.tool, finding.rule_id, path, normalised))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def assign_fingerprints(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Give every finding without one a fingerprint ``<hash>:<occurrence>``."""
    items = list(findings)
    def position(index: int) -> tuple[str, int, int]:
        location = items[index].location
        if location is None:
            return ("", 0, index)
        return (location.path, location.start_line or 0, index)

    order = sorted(range(len(items)), key=position)
    counts: dict[str, int] = {}
    out: list[Finding] = list(items)
    for index in order:
        finding = items[index]
        if finding.fingerprint:
            continue
        base = base_fingerprint(finding)
        occurrence = counts.get(base, 0)
        counts[base] = occurrence + 1
        out[index] = replace(finding, fingerprint=f"{base}:{occurrence}")
    return tuple(out)
