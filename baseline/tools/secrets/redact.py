"""Redaction: a secret value never leaves the engine; only a short prefix, its length and a hash."""

from __future__ import annotations

import hashlib


def fingerprint(value: bytes) -> str:
    """SHA-256 of the value: lets suppressions and baselines match a secret without storing it."""
    return hashlib.sha256(value).hexdigest()


def redact(value: bytes) -> str:
    """``ghp_...(40 chars)``: at most 4 leading characters, never more than a quarter of the value."""
    text = value.decode("utf-8", "replace")
    shown = min(4, len(text) // 4) if len(text) >= 8 else 0
    prefix = text[:shown].replace("\n", " ")
    return f"{prefix}...({len(text)} chars)"


def redact_line(line: bytes, values: list[bytes], limit: int = 160) -> str:
    """A source line with every given value replaced by its redaction, clipped to ``limit`` chars."""
    for value in sorted(values, key=len, reverse=True):
        if value:
            line = line.replace(value, redact(value).encode())
    text = line.decode("utf-8", "replace").strip()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
