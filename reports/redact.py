"""Last-line redaction for human-facing and uploaded formats.

Checks should never put a credential in a finding, but a tool's message, a snippet, a command
line or a stderr tail can carry one. Every formatter except the canonical JSON passes such text
through :func:`redact`, which masks well-known token shapes and the value of ``key = value``
assignments whose key names a credential.
"""

from __future__ import annotations

import re

MASK = "***REDACTED***"

_TOKENS = (
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),  # Slack tokens
    re.compile(r"\bsk-[A-Za-z0-9_-]{20,}\b"),  # API secret keys of the sk- family
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),  # JWTs
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL),
)
_ASSIGNMENT = re.compile(
    r"""(?P<key>\b[\w.-]*(?:passw(?:or)?d|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)s?[\w.-]*\b["']?\s*[:=]\s*)"""
    r"""(?P<quote>["']?)(?P<value>[^"'\s,;)]{4,})""",
    re.IGNORECASE,
)


def redact(text: str | None) -> str:
    """``text`` with anything that looks like a credential masked ('' for None)."""
    if not text:
        return ""
    for pattern in _TOKENS:
        text = pattern.sub(MASK, text)
    return _ASSIGNMENT.sub(lambda m: f"{m.group('key')}{m.group('quote')}{MASK}", text)
