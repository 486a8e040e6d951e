"""The signed part of an evidence bundle: an in-toto Statement v1 in a DSSE envelope, Ed25519.

Written from the specifications, on ``cryptography`` alone (DSSE is a few lines; a second library
would add a dependency and its own leniencies to an input path that must be strict):

- DSSE v1 (github.com/secure-systems-lab/dsse, ``envelope.md`` and ``protocol.md``): the envelope
  is ``{"payload": b64(body), "payloadType": type, "signatures": [{"keyid": id, "sig": b64(sig)}]}``
  and what is signed is ``PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``,
  LEN being the byte length in ASCII decimal without leading zeros.
- in-toto Statement v1 (github.com/in-toto/attestation, ``spec/v1/statement.md``):
  ``{"_type": "https://in-toto.io/Statement/v1", "subject": [ResourceDescriptor...],
  "predicateType": URI, "predicate": {...}}``; each subject has a ``name`` and a ``digest`` map.

A key id is the hex SHA-256 of the public key's DER SubjectPublicKeyInfo (the PEM ``baseline
keygen`` writes), so ``sha256sum`` of the decoded PEM body gives the same id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://baseline-verify.dev/attestation/scan-report/v1"
SOURCE_SUBJECT = "source-tree"
_ED25519_SIGNATURE_BYTES = 64


class AttestationError(ValueError):
    """The envelope or the Statement is malformed (the message says which field and how)."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding of ``payload`` with ``payload_type``."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def key_id(key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the key's DER SubjectPublicKeyInfo."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def statement(subjects: Sequence[Mapping[str, Any]], predicate: Mapping[str, Any]) -> dict[str, Any]:
    """An in-toto Statement v1 with our predicate type."""
    return {"_type": STATEMENT_TYPE, "subject": [dict(item) for item in subjects], "predicateType": PREDICATE_TYPE, "predicate": dict(predicate)}


def envelope(payload: bytes, keys: Sequence[Ed25519PrivateKey] = ()) -> dict[str, Any]:
    """A DSSE envelope of ``payload`` (an in-toto Statement) signed by every key in ``keys``."""
    signed = pae(PAYLOAD_TYPE, payload)
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": key_id(key.public_key()), "sig": base64.b64encode(key.sign(signed)).decode("ascii")} for key in keys],
    }


@dataclass(frozen=True)
class Signature:
    """One signature of an envelope, decoded."""

    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A parsed DSSE envelope (not yet verified)."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]

    def signed_by(self, keys: Sequence[Ed25519PublicKey]) -> tuple[str, ...]:
        """Key ids of the pinned ``keys`` that made a valid signature over PAE(type, payload)."""
        message = pae(self.payload_type, self.payload)
        valid: list[str] = []
        for key in keys:
            wanted = key_id(key)
            for signature in self.signatures:
                # The key id is only a hint (DSSE): try every pinned key against every signature.
                try:
                    key.verify(signature.sig, message)
                except InvalidSignature:
                    continue
                if wanted not in valid:
                    valid.append(wanted)
                break
        return tuple(valid)


def _b64(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise AttestationError(f"{where} is not a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise AttestationError(f"{where} is not valid base64: {exc}") from None


def parse_envelope(data: bytes) -> Envelope:
    """Parse a DSSE envelope strictly: JSON object, our payload type, base64 fields, 64-byte signatures."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise AttestationError(f"the envelope is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise AttestationError("the envelope is not a JSON object")
    unknown = sorted(set(raw) - {"payload", "payloadType", "signatures"})
    if unknown:
        raise AttestationError(f"the envelope has unknown fields: {', '.join(repr(name[:40]) for name in unknown[:5])}")
    payload_type = raw.get("payloadType")
    if payload_type != PAYLOAD_TYPE:
        raise AttestationError(f"payloadType is {str(payload_type)[:80]!r}, expected {PAYLOAD_TYPE!r}")
    payload = _b64(raw.get("payload"), "payload")
    entries = raw.get("signatures")
    if not isinstance(entries, list):
        raise AttestationError("signatures is not a list")
    signatures: list[Signature] = []
    for index, entry in enumerate(entries):
        where = f"signatures[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("keyid", ""), str):
            raise AttestationError(f"{where} is not an object with a string keyid")
        sig = _b64(entry.get("sig"), f"{where}.sig")
        if len(sig) != _ED25519_SIGNATURE_BYTES:
            raise AttestationError(f"{where}.sig is {len(sig)} bytes; an Ed25519 signature is {_ED25519_SIGNATURE_BYTES} (truncated or not Ed25519)")
        signatures.append(Signature(keyid=str(entry.get("keyid", "")), sig=sig))
    return Envelope(payload_type=payload_type, payload=payload, signatures=tuple(signatures))


@dataclass(frozen=True)
class Statement:
    """A parsed in-toto Statement v1 of our predicate type."""

    subjects: Mapping[str, str]  # name -> sha256 hex
    predicate: Mapping[str, Any]


def parse_statement(payload: bytes) -> Statement:
    """Parse the envelope's payload as a Statement v1 with our predicate type; subjects need sha256."""
    try:
        raw = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise AttestationError(f"the payload is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise AttestationError("the payload is not a JSON object")
    if raw.get("_type") != STATEMENT_TYPE:
        raise AttestationError(f"_type is {str(raw.get('_type'))[:80]!r}, expected {STATEMENT_TYPE!r}")
    if raw.get("predicateType") != PREDICATE_TYPE:
        raise AttestationError(f"predicateType is {str(raw.get('predicateType'))[:80]!r}, expected {PREDICATE_TYPE!r}")
    predicate = raw.get("predicate")
    if not isinstance(predicate, dict):
        raise AttestationError("predicate is not a JSON object")
    items = raw.get("subject")
    if not isinstance(items, list) or not items:
        raise AttestationError("subject is not a non-empty list")
    subjects: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"subject[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("digest"), dict):
            raise AttestationError(f"{where} needs a string name and a digest object")
        digest = item["digest"].get("sha256")
        if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise AttestationError(f"{where} ({item['name'][:80]!r}) has no lower-case hex sha256 digest")
        if item["name"] in subjects:
            raise AttestationError(f"{where}: subject {item['name'][:80]!r} appears twice")
        subjects[item["name"]] = digest
    return Statement(subjects=subjects, predicate=predicate)
