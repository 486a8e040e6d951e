"""Fuzz ``baseline verify``: the evidence bundle reader (zip, manifest, signature, report, catalog).

Entry point: ``baseline.verify.verify_bundle(path, pubkey=...)``, documented to never raise for a
bad bundle (every problem is a discrepancy in the result). The first input byte picks what the
rest of the input is: 0 the whole zip; 1 the report (the Statement's predicate), 2 the DSSE
envelope, 3 the Statement, 4 the catalog of an otherwise genuine bundle. For 1, 3 and 4 the harness
re-signs around the fuzzed part, so verification gets past the signature and reaches the readers
behind it.
"""

import io
import json
import sys
import zipfile

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline import bundle as B
    from baseline.commands.verify import as_dict
    from baseline.verify import verify_bundle

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

EXPECTED: tuple[type[BaseException], ...] = ()
WORK = _support.scratch("bundle")
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # signed the seed bundle
_SEED = (_support.CORPUS / "bundle" / "mode0-bundle.zip.seed").read_bytes()[1:]
with zipfile.ZipFile(io.BytesIO(_SEED)) as _archive:
    BASE = {info.filename: _archive.read(info) for info in _archive.infolist()}
RULES = None


def rules():
    global RULES
    if RULES is None:
        from baseline.catalog import load_catalog
        from baseline.config import Config
        from baseline.discovery import discover_checks
        from baseline.verify import VerifierRules

        catalog = load_catalog(None)
        RULES = VerifierRules(catalog=catalog, specs={c.spec.id: c.spec for c in discover_checks(catalog).checks}, config=Config({}, None))
    return RULES


def build(mode: int, payload: bytes) -> bytes:
    import base64

    from baseline import attestation

    members = dict(BASE)
    envelope = json.loads(members.pop(B.ATTESTATION))
    if mode == 2:
        return B.zip_bytes({**members, B.ATTESTATION: payload})
    statement = json.loads(base64.b64decode(envelope["payload"]))
    if mode == 1:
        try:
            statement["predicate"] = json.loads(payload)
        except (ValueError, RecursionError):
            statement["predicate"] = payload.decode("latin-1")
        body = B.canonical_json(statement)
    elif mode == 3:
        body = payload
    else:
        members[B.CATALOG] = payload
        for subject in statement["subject"]:
            if subject["name"] == B.CATALOG:
                subject["digest"]["sha256"] = B.sha256(payload)
        body = B.canonical_json(statement)
    return B.zip_bytes({**members, B.ATTESTATION: B.canonical_json(attestation.envelope(body, (KEY,)))})


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode = data[0] % 5
    zipped = data[1:] if mode == 0 else build(mode, data[1:])
    path = _support.put(WORK, "bundle.zip", zipped)
    pinned = KEY.public_key() if data[0] & 0x80 else None
    verification = verify_bundle(path, keys=[pinned] if pinned else [], rules=rules())
    json.dumps(as_dict(verification), sort_keys=True)


def main() -> None:
    atheris.Setup(_support.fuzz_argv("bundle", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
