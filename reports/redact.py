"""The toolkit's one redactor for text that may carry a credential.

Checks should never put a credential in a finding, but a tool's message, a snippet, an assertion
message, a command line or a stderr tail can carry one. Every formatter except the canonical JSON,
and every adapter that quotes target text into a finding or evidence (test records, static
snippets, type-checker output, git history, crash replays), passes it through :func:`redact`: it
masks well-known token shapes and the value of ``key = value`` / ``key: value`` / ``key == value``
where the key names a credential and the value looks like one (quoted, or unquoted with a digit
in it: ``password = request.form`` is code, ``password = hunter2hunter2`` is not).

What the toolkit generated itself is never masked: its own settings (``secrets.history = auto``,
``--secrets-allow``) are its words, not the target's, and a caller passes the values it made up
(the attack payloads of a web scan, seed inputs) as ``generated``. HTTP requests, curl lines and
app logs go through :func:`redact_request`, which adds what HTTP needs (credential headers,
credential-like query, form and JSON parameters, ``user:password@`` in URLs) and applies the same
rule to payloads: the parameter a scanner attacked carries the scanner's own payload
(``password=' OR '1'='1``), which the reader needs to reproduce the finding; the caller names it in
``attacked`` and its value is kept.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Collection

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
# The name around the credential word is bounded (64 characters each side; a longer name matches
# from a later start, its value is masked the same): unbounded, every start position of a long
# dotted run (``a.a.a...``) scanned to its end, quadratic in the text.
_KEY = r"""(?:-{0,2})[\w.-]{0,64}(?:passw(?:or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)s?[\w.-]{0,64}\b"""
_ASSIGNMENT = re.compile(
    rf"""(?P<key>{_KEY})(?P<sep>["']?\s*(?:==|!=|=|:)\s*)"""
    r"""(?:(?P<prefix>[rbuf]?)(?P<quote>["'])(?P<quoted>[^"'\n]{3,})|(?P<bare>(?=[^\s"',;)]*\d)[^\s"',;)]{6,}))""",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _own_settings() -> frozenset[str]:
    """The toolkit's configuration keys, in every spelling it prints them."""
    from baseline.config import KEYS

    names: set[str] = set()
    for spec in KEYS:
        names |= {spec.name, spec.name.replace("_", "-"), spec.flag, spec.flag.lstrip("-"), spec.name.rsplit(".", 1)[-1]}
    return frozenset(name.lower() for name in names)


def _is_own_setting(key: str) -> bool:
    return key.lower() in _own_settings()


def redact(text: str | None, *, mask: str = MASK, generated: Collection[str] = ()) -> str:
    """``text`` with anything that looks like a credential masked ('' for None).

    ``generated``: values the toolkit produced itself (payloads it sent); they stay visible.
    """
    if not text:
        return ""
    keep = {value for value in generated if value}

    def token(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0) in keep else mask

    for pattern in _TOKENS:
        text = pattern.sub(token, text)

    def assignment(match: re.Match[str]) -> str:
        value = match.group("quoted") if match.group("quote") else match.group("bare")
        if _is_own_setting(match.group("key")) or value in keep or mask in value:
            return match.group(0)
        head = match.group("key") + match.group("sep")
        if match.group("quote"):
            return f"{head}{match.group('prefix')}{match.group('quote')}{mask}"
        return head + mask

    return _ASSIGNMENT.sub(assignment, text)


# --- HTTP requests ---------------------------------------------------------------------------------

_SECRET_HEADERS = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|x-csrf-token|api-key)\s*:.*$",
    re.IGNORECASE | re.MULTILINE,
)
# The same headers inside a curl command line: -H 'Authorization: Bearer ...'
_CURL_SECRET_HEADERS = re.compile(
    r"(?P<flag>(?:-H|--header)\s+)(?:(?P<quote>['\"])(?P<name>(?:proxy-)?authorization|cookie|x-api-key|x-auth-token|x-csrf-token|api-key)\s*:[^'\"\n]*"
    r"|(?P<bare>(?:proxy-)?authorization|cookie|x-api-key|x-auth-token|x-csrf-token|api-key):\S*)",
    re.IGNORECASE,
)
_SECRET_PARAMS = re.compile(
    r"(?P<name>[?&;\s'\"](?:[\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|session(?:id)?|auth|credential|private[_-]?key)[\w.-]*))=(?P<value>[^&\s#\"']*)",
    re.IGNORECASE,
)
_SECRET_JSON = re.compile(
    r"(?P<key>\"[\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|session(?:id)?|auth|credential|private[_-]?key)[\w.-]*\"\s*:\s*)\"(?:[^\"\\]|\\.)*\"",
    re.IGNORECASE,
)
_URL_USERINFO = re.compile(r"(?P<scheme>https?://)[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
REDACTED = "[REDACTED]"  # the mask of HTTP text


def _curl_header(match: re.Match[str]) -> str:
    if match.group("bare"):
        return f"{match.group('flag')}{match.group('bare')}:{REDACTED}"
    return f"{match.group('flag')}{match.group('quote')}{match.group('name')}: {REDACTED}"


def redact_request(text: str, attacked: tuple[str, ...] = ()) -> str:
    """Mask credential headers, credential-like query/form parameters and JSON fields, and user:password@ in URLs.

    ``attacked``: names of the parameters the scanner put its own payload in (kept visible).
    """
    kept = {name.lower() for name in attacked if name}

    def param(match: re.Match[str]) -> str:
        if match.group("name")[1:].lower() in kept:
            return match.group(0)
        return f"{match.group('name')}={REDACTED}"

    def field(match: re.Match[str]) -> str:
        if match.group("key").split('"')[1].lower() in kept:
            return match.group(0)
        return f'{match.group("key")}"{REDACTED}"'

    for pattern in _TOKENS:  # token shapes anywhere (an app's log, a response echoed into a message)
        text = pattern.sub(REDACTED, text)
    text = _SECRET_HEADERS.sub(lambda match: match.group(0).split(":", 1)[0] + ": " + REDACTED, text)
    text = _CURL_SECRET_HEADERS.sub(_curl_header, text)
    text = _SECRET_JSON.sub(field, text)
    text = _SECRET_PARAMS.sub(param, text)
    return _URL_USERINFO.sub(lambda match: f"{match.group('scheme')}{REDACTED}@", text)
