"""Offline validation of candidate secrets: checksums and structures built into some formats.

A validator receives the candidate value, the whole buffer and the match offset, and returns True
when the value has the structure its format promises. A rule with a validator drops candidates the
validator rejects; accepted candidates are reported with ``validated = True`` (higher confidence).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Callable

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int = 6) -> str:
    """``number`` in base 62 (digits, upper case, lower case), left-padded with zeros."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(width, "0")


def github_checksum(random_part: str) -> str:
    """The 6-character CRC32 checksum GitHub and npm append to the 30 random characters of a token."""
    return base62(zlib.crc32(random_part.encode("ascii")) & 0xFFFFFFFF)


def github_crc32(value: bytes, data: bytes, start: int) -> bool:
    """``ghp_`` / ``gho_`` / ``npm_``... tokens: the last 6 characters are the CRC32 of the 30 before."""
    text = value.decode("ascii", "replace")
    body = text.split("_", 1)[1]
    return len(body) == 36 and github_checksum(body[:30]) == body[30:]


def aws_key_id(value: bytes, data: bytes, start: int) -> bool:
    """AWS key ids are base32 after the 4-character type prefix; reject degenerate bodies."""
    return len(set(value[4:])) >= 6


def gcp_service_account(value: bytes, data: bytes, start: int) -> bool:
    """A ``private_key_id`` inside a JSON document that is a service account key with a private key."""
    around = data[max(0, start - 4096) : start + 4096]
    return b'"service_account"' in around and b'"private_key"' in around


def _b64(text: bytes, urlsafe: bool = False) -> bytes | None:
    cleaned = re.sub(rb"[^A-Za-z0-9+/=_-]", b"", text)
    cleaned = cleaned.rstrip(b"=")
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(cleaned)
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return None


def base64_64(value: bytes, data: bytes, start: int) -> bool:
    """An Azure storage key is 64 random bytes in base64."""
    decoded = _b64(value)
    return decoded is not None and len(decoded) == 64 and len(set(value)) > 20


def base64_32(value: bytes, data: bytes, start: int) -> bool:
    """An Azure shared access key is 32 random bytes in base64."""
    decoded = _b64(value)
    return decoded is not None and len(decoded) == 32 and len(set(value)) > 16


def _pem_body(value: bytes) -> bytes | None:
    text = value.replace(b"\\n", b"\n").replace(b"\\r", b"\n")
    lines = []
    for line in text.split(b"\n"):
        quoted = re.findall(rb"[\"']([^\"']*)[\"']", line)
        if quoted:  # "MIIE..." + (a key concatenated in code): the string literal is the line
            line = max(quoted, key=len)
        elif b'"' in line or b"'" in line:
            line = re.sub(rb"^[^\"']*[\"']|[\"'][^\"']*$", b"", line)  # the half of a literal on this line
        line = line.strip(b" \t\r\"',")
        lines.append(b"" if not line.strip(b"+.;()&|") else line)  # a bare concatenation operator
    if any(b" " in line and b":" not in line for line in lines):
        return None  # prose ("your key goes here"), not base64
    # Legacy encrypted PEM headers (Proc-Type, DEK-Info), PGP armor headers and checksum lines.
    body = b"".join(line for line in lines if line and b":" not in line and not line.startswith(b"="))
    if len(body) < 64 or len(set(body)) < 16:
        return None  # "...", "xxxx" and other placeholders
    return _b64(body)


def pem_der(value: bytes, data: bytes, start: int) -> bool:
    """A PEM private key body is base64 of a DER SEQUENCE."""
    decoded = _pem_body(value)
    return decoded is not None and len(decoded) >= 48 and decoded[0] == 0x30


def openssh(value: bytes, data: bytes, start: int) -> bool:
    """An OpenSSH private key body starts with the ``openssh-key-v1`` magic."""
    decoded = _pem_body(value)
    return decoded is not None and decoded.startswith(b"openssh-key-v1\x00")


def pgp(value: bytes, data: bytes, start: int) -> bool:
    """A PGP armored block decodes to OpenPGP packets (the first byte has its high bit set)."""
    decoded = _pem_body(value)
    # old-format secret key packet (tag 5) or new-format tag 5
    return decoded is not None and len(decoded) >= 48 and (0x94 <= decoded[0] <= 0x97 or decoded[0] == 0xC5)


def pypi_macaroon(value: bytes, data: bytes, start: int) -> bool:
    """A PyPI token is ``pypi-`` and a base64url macaroon whose location is (test.)pypi.org."""
    decoded = _b64(value[5:], urlsafe=True)
    return decoded is not None and b"pypi.org" in decoded[:40] and len(decoded) > 60


def jwt(value: bytes, data: bytes, start: int) -> bool:
    """A JWT: its header and payload are base64url JSON objects and the header names an algorithm."""
    parts = value.split(b".")
    if len(parts) != 3:
        return False
    try:
        header = json.loads(_b64(parts[0], urlsafe=True) or b"")
        payload = json.loads(_b64(parts[1], urlsafe=True) or b"")
    except (ValueError, UnicodeDecodeError):
        return False
    if isinstance(payload, dict) and payload.get("name") == "John Doe" and payload.get("iat") == 1516239022:
        return False  # the jwt.io documentation example
    return isinstance(header, dict) and "alg" in header and isinstance(payload, dict)


def twitter_bearer(value: bytes, data: bytes, start: int) -> bool:
    """Twitter bearer tokens are URL-encoded after the run of ``A``: they contain ``%``."""
    return b"%" in value and len(set(value)) > 16


def basic_auth_b64(value: bytes, data: bytes, start: int) -> bool:
    """A docker ``auth`` value is base64 of ``user:password``."""
    decoded = _b64(value)
    if decoded is None or b":" not in decoded:
        return False
    user, _, password = decoded.partition(b":")
    return bool(user) and len(password) >= 6 and all(32 <= byte < 127 for byte in decoded)


_URL_PLACEHOLDER = re.compile(
    rb"(?i)^(?:pass(?:word|wd)?|pwd|secret|changeme|change_me|xxx+|\*+|\.+|_+|[a-z]*\{[^}]*\}|\$\w+|%\(?\w+\)?s?|<[^>]*>|\[[^\]]*\]|"
    rb"user|username|token|example|dummy|placeholder|your[\w-]*|mypass(?:word)?|yourpassword|p@?ssw(?:or)?d|test|none|null)$"
)


def url_password(value: bytes, data: bytes, start: int) -> bool:
    """A URL password that is not a placeholder (``password``, ``${DB_PASS}``, ``<pass>``, ``***``...) nor
    the user's name again (``guest:guest``, ``admin:admin``: a product's documented default)."""
    if _URL_PLACEHOLDER.match(value) or b"${" in value or b"{{" in value or b"%(" in value:
        return False
    scheme = data.rfind(b"://", max(0, start - 80), start)
    user = data[scheme + 3 : start - 1] if scheme >= 0 else b""
    return user.lower() != value.lower()


VALIDATORS: dict[str, Callable[[bytes, bytes, int], bool]] = {
    "github_crc32": github_crc32,
    "aws_key_id": aws_key_id,
    "gcp_service_account": gcp_service_account,
    "base64_64": base64_64,
    "base64_32": base64_32,
    "pem_der": pem_der,
    "openssh": openssh,
    "pgp": pgp,
    "pypi_macaroon": pypi_macaroon,
    "jwt": jwt,
    "twitter_bearer": twitter_bearer,
    "basic_auth_b64": basic_auth_b64,
    "url_password": url_password,
}
