"""Redact credentials from HTTP requests before they go into a report."""

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


def redact_request(text: str) -> str:
    """Mask credential headers, credential-like query/form parameters and JSON fields, and user:password@ in URLs."""
    text = _SECRET_HEADERS.sub(lambda match: match.group(0).split(":", 1)[0] + ": " + REDACTED, text)
    text = _CURL_SECRET_HEADERS.sub(_curl_header, text)
    text = _SECRET_JSON.sub(lambda match: f'{match.group("key")}"{REDACTED}"', text)
    text = _SECRET_PARAMS.sub(lambda match: f"{match.group('name')}={REDACTED}", text)
    return _URL_USERINFO.sub(lambda match: f"{match.group('scheme')}{REDACTED}@", text)
