"""``baseline keygen``: create an Ed25519 key pair for signing evidence bundles.

The private key is PKCS#8 PEM (unencrypted, mode 600), the public key SubjectPublicKeyInfo PEM:
the formats ``cryptography``, OpenSSL and DSSE/in-toto tooling read. The bundle's DSSE signature
names the key by its id, the hex SHA-256 of the public key's DER encoding.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from baseline import exitcodes
from baseline.errors import UsageError


def install(subparsers: Any) -> None:
    """Add the ``keygen`` sub-command."""
    parser = subparsers.add_parser("keygen", help="create an Ed25519 key pair for signing evidence bundles")
    parser.add_argument("--out", default="baseline-signing", help="file prefix: writes PREFIX.key (private, mode 600) and PREFIX.pub")
    parser.add_argument("--force", action="store_true", help="overwrite existing key files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the key pair."""
    # The subsystem is imported when the command runs, not when the CLI builds its parser (a scan never loads it).
    from baseline.attestation import key_id
    from baseline.bundle import generate_keypair, load_public_key

    private_path, public_path = Path(args.out + ".key"), Path(args.out + ".pub")
    for path in (private_path, public_path):
        if path.exists() and not args.force:
            raise UsageError(f"{path} exists; use --force to overwrite")
    private, public = generate_keypair()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    public_path.write_bytes(public)
    print(f"key id:      {key_id(load_public_key(public_path))} (SHA-256 of the public key's DER; it names the signer in the bundle)")
    print(f"private key: {private_path} (keep it secret; pass it to 'baseline scan --bundle FILE --sign {private_path}')")
    print(f"public key:  {public_path} (publish it; pass it to 'baseline verify BUNDLE --pubkey {public_path}')")
    return exitcodes.OK
