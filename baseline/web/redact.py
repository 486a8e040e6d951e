"""Redact credentials from HTTP requests before they go into a report.

The rule of the toolkit's one redactor (:mod:`baseline.reports.redact`) holds here too: what the
toolkit generated itself stays visible. The parameter a scanner attacked carries the scanner's own
payload (``password=' OR '1'='1``), which the reader needs to reproduce the finding: the caller
names it in ``attacked`` and its value is kept; every other credential-like value is masked.
"""

from __future__ import annotations

import re

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
REDACTED = "[REDACTED]"


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

    text = _SECRET_HEADERS.sub(lambda match: match.group(0).split(":", 1)[0] + ": " + REDACTED, text)
    text = _CURL_SECRET_HEADERS.sub(_curl_header, text)
    text = _SECRET_JSON.sub(field, text)
    text = _SECRET_PARAMS.sub(param, text)
    return _URL_USERINFO.sub(lambda match: f"{match.group('scheme')}{REDACTED}@", text)
