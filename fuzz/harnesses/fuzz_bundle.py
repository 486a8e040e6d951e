"""Fuzz ``baseline verify``: the evidence bundle reader (zip, manifest, signature, report, catalog).

Entry point: ``baseline.verify.verify_bundle(path, pubkey=...)``, documented to never raise for a
bad bundle (every problem is a discrepancy in the result). The first input byte picks what the
rest of the input is: 0 the whole zip; 1 the report, 2 the manifest, 3 the signature, 4 the
catalog of an otherwise genuine bundle. For 1-4 the harness rebuilds a bundle that is correctly
digested and signed around the fuzzed member, so verification gets past the integrity checks
and reaches the readers behind them.
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
MEMBER = {1: B.REPORT, 2: B.MANIFEST, 3: B.SIGNATURE, 4: B.CATALOG}


def canonical(payload: bytes) -> bytes:
    """The canonical form of a JSON payload (what a real bundle holds), else the payload itself."""
    try:
        return B.canonical_json(json.loads(payload))
    except (ValueError, RecursionError):
        return payload


def build(mode: int, payload: bytes) -> bytes:
    members = dict(BASE)
    name = MEMBER[mode]
    members[name] = payload if name == B.CATALOG else canonical(payload)
    if name in (B.REPORT, B.CATALOG):
        manifest = json.loads(BASE[B.MANIFEST])
        manifest["files"][name] = B.sha256(members[name])
        members[B.MANIFEST] = B.canonical_json(manifest)
    if name != B.SIGNATURE:
        members[B.SIGNATURE] = B.sign_manifest(members[B.MANIFEST], KEY)
    return B.zip_bytes(members)


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode = data[0] % 5
    zipped = data[1:] if mode == 0 else build(mode, data[1:])
    path = _support.put(WORK, "bundle.zip", zipped)
    pinned = KEY.public_key() if data[0] & 0x80 else None
    verification = verify_bundle(path, pubkey=pinned)
    json.dumps(as_dict(verification), sort_keys=True)


def main() -> None:
    atheris.Setup(_support.fuzz_argv("bundle", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
