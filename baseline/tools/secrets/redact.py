"""Redaction: a secret value never leaves the engine; only a short prefix, its length and a hash."""

from __future__ import annotations

import hashlib
import re

from baseline.tools.secrets.generic import char_classes, looks_like_non_secret, passes_strength, random_looking

_TOKEN = re.compile(rb"[^\s\"'`,;(){}\[\]<>|=:\\]{8,}")
_SPLIT = re.compile(rb"\\[nr]|\r|\n")
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=]{4,}")


def fingerprint(value: bytes) -> str:
    """SHA-256 of the value: lets suppressions and baselines match a secret without storing it."""
    return hashlib.sha256(value).hexdigest()


def redact(value: bytes) -> str:
    """``ghp_...(40 chars)``: at most 4 leading characters, never more than a quarter of the value."""
    text = value.decode("utf-8", "replace")
    shown = min(4, len(text) // 4) if len(text) >= 8 else 0
    prefix = text[:shown].replace("\n", " ")
    return f"{prefix}...({len(text)} chars)"


def canonical_pem(value: bytes) -> bytes:
    """A PEM body without its layout: the same key indented, quoted, concatenated or with CRLF is one key."""
    runs = []
    for piece in _SPLIT.split(value):
        found = _BASE64_RUN.findall(piece)
        if found:
            runs.append(max(found, key=len))
    return b"".join(runs)


def secret_shaped(token: bytes) -> bool:
    """A token that could be a credential: long enough, random-looking or mixing character classes."""
    if b"..." in token or token.startswith((b"http", b"/", b"./", b"$")):
        return False
    strong, _ = passes_strength(token)
    if not strong or looks_like_non_secret(token, b"token"):
        return False
    return random_looking(token) or char_classes(token) >= 3


def scrub(line: bytes) -> bytes:
    """Redact every secret-shaped token of a line (undetected credentials beside a detected one)."""
    return _TOKEN.sub(lambda match: redact(match.group(0)).encode() if secret_shaped(match.group(0)) else match.group(0), line)


def redact_line(line: bytes, values: list[bytes], limit: int = 160) -> str:
    """A source line with every given value, and every other secret-shaped token, redacted; clipped to ``limit`` chars."""
    for value in sorted(values, key=len, reverse=True):
        if value:
            line = line.replace(value, redact(value).encode())
    line = scrub(line)
    text = line.decode("utf-8", "replace").strip()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
