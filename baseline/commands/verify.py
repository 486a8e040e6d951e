"""``baseline verify BUNDLE [--pubkey K] [--source DIR]``: verify an evidence bundle."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from baseline import exitcodes
from baseline.bundle import load_public_key
from baseline.errors import UsageError
from baseline.model import CheckResult
from baseline.verify import Verification, verify_bundle


def install(subparsers: Any) -> None:
    """Add the ``verify`` sub-command."""
    parser = subparsers.add_parser("verify", help="verify an evidence bundle and recompute the trust score")
    parser.add_argument("bundle", help="the bundle written by 'baseline scan --bundle'")
    parser.add_argument("--pubkey", help="the signer's Ed25519 public key (PEM); required for a trusted verdict")
    parser.add_argument("--source", help="the source folder: must match the scanned tree; deterministic checks are re-run")
    parser.add_argument("--no-rerun", action="store_true", help="with --source, only compare the tree digest")
    parser.add_argument("--json", action="store_true", help="print the verification as JSON")
    parser.add_argument("--unconfined", action="store_true", help="with --source, re-run the project's code WITHOUT filesystem confinement")
    parser.set_defaults(handler=run)


# Recorded keys that describe the vendor's machine or outputs, not how the checks judge.
_NOT_REPLAYED = frozenset({"python", "work_dir", "catalog", "bundle", "sign", "history", "history_db", "gate", "select", "disable", "jobs"})


def rerun_checks(source: Path, check_ids: Sequence[str], recorded: Mapping[str, Any] | None = None) -> Sequence[CheckResult]:
    """Re-run the named checks on ``source`` with the configuration the vendor recorded (no bundle, no history)."""
    import tempfile

    from baseline.catalog import load_catalog
    from baseline.config import load_config
    from baseline.discovery import Discovered, discover_checks
    from baseline.runner import execute_scan
    from baseline.target import describe_target, resolve_interpreter

    from baseline.config import KEYS_BY_NAME

    replayed = {
        key: value for key, value in (recorded or {}).items()
        if key in KEYS_BY_NAME and key not in _NOT_REPLAYED and value is not None
    }
    config = load_config(source, {**replayed, "history": False})
    catalog = load_catalog(config.get("catalog"))
    found = discover_checks(catalog)
    wanted = Discovered(checks=tuple(c for c in found.checks if c.spec.id in set(check_ids)), problems=found.problems)
    target = describe_target(source, resolve_interpreter(source, config.get("python")))
    with tempfile.TemporaryDirectory(prefix="baseline-verify-") as work:
        report = execute_scan(target=target, root=source, config=config, catalog=catalog, discovered=wanted, work_dir=Path(work))
    return report.results


def as_dict(verification: Verification) -> dict[str, Any]:
    """The verification as plain JSON data."""
    return {
        "signature": verification.signature,
        "integrity_ok": verification.integrity_ok,
        "vendor_score": verification.vendor_score,
        "verified_score": verification.verified_score,
        "ok": verification.ok,
        "discrepancies": [{"subject": d.subject, "message": d.message} for d in verification.discrepancies],
        "results": [{"check": r.spec.id, "outcome": r.outcome.value, "score": r.score, "message": r.message} for r in verification.results],
    }


def run(args: argparse.Namespace) -> int:
    """Verify and print vendor score, verified score and every discrepancy."""
    bundle = Path(args.bundle)
    if not bundle.is_file():
        raise UsageError(f"bundle {bundle} not found")
    pubkey = load_public_key(args.pubkey) if args.pubkey else None
    source = Path(args.source).resolve() if args.source else None
    if source is not None and not source.is_dir():
        raise UsageError(f"--source {args.source} is not a folder")
    verification = verify_bundle(bundle, pubkey=pubkey, source=source, rerun=None if args.no_rerun else rerun_checks)
    if args.json:
        print(json.dumps(as_dict(verification), indent=2, sort_keys=True))
    else:
        vendor = "unknown" if verification.vendor_score is None else f"{verification.vendor_score:.2f}"
        print(f"signature:      {verification.signature}" + ("" if pubkey else " (no --pubkey: the signer is not pinned)"))
        print(f"integrity:      {'ok' if verification.integrity_ok else 'FAILED'}")
        print(f"vendor score:   {vendor}")
        print(f"verified score: {verification.verified_score:.2f}")
        if verification.discrepancies:
            print(f"discrepancies ({len(verification.discrepancies)}):")
            for item in verification.discrepancies:
                print(f"  - {item.subject}: {item.message}")
        else:
            print("discrepancies:  none")
    return exitcodes.OK if verification.ok else exitcodes.GATE_FAILED
