"""``baseline verify BUNDLE --pubkey KEY [--source DIR]``: verify an evidence bundle, failing closed.

Exit codes (the toolkit's table): 0 the bundle verified (and, with --gate, the verified results pass
the verifier's policy); 1 it did not verify (any discrepancy or difference, a forged, altered or
unreadable bundle) or the verifier's gate failed; 2 usage: no pinned signer, a missing file, a bad
key; 3 with --gate, a required technique is not evaluated after verification; 4 internal error.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from baseline import exitcodes
from baseline.config import Config, load_config, validate_values
from baseline.errors import UsageError
from baseline.model import CheckResult

if TYPE_CHECKING:  # The subsystem is imported when the command runs, not when the CLI builds its parser (a scan never loads it).
    from baseline.verify import VerifierRules, Verification


def install(subparsers: Any) -> None:
    """Add the ``verify`` sub-command."""
    from baseline.cli import _add_config_flags

    parser = subparsers.add_parser(
        "verify",
        help="verify an evidence bundle with your own rules and recompute the trust score",
        description=(
            "Verify an evidence bundle: the DSSE signature by a pinned key, the in-toto Statement's subjects, and every "
            "outcome and score, re-derived with the verifier's own catalog, configuration and policy. Without a pinned "
            "signer nothing is verified (exit 2). The vendor's configuration is never reused: give the same flags to "
            "judge with them."
        ),
    )
    parser.add_argument("bundle", help="the bundle written by 'baseline scan --bundle FILE --sign KEY'")
    parser.add_argument("--pubkey", action="append", default=[], help="a pinned signer's Ed25519 public key (PEM); repeatable")
    parser.add_argument("--trust", action="append", default=[], help="a trust file: one or more pinned PEM public keys; repeatable")
    parser.add_argument("--source", help="the source (e.g. a fresh clone): its digest and commit must match; checks are re-run on it")
    parser.add_argument("--no-rerun", action="store_true", help="with --source, compare the digest and commit only")
    parser.add_argument("--catalog", help="the verifier's technique catalog (TOML); default: the built-in one")
    parser.add_argument("--config", dest="config_file", help="the verifier's configuration file (pyproject.toml or baseline.toml)")
    parser.add_argument("--json", action="store_true", help="print the verification as JSON")
    _add_config_flags(parser)
    parser.add_argument("--unconfined", action="store_true", help="with --source, re-run the project's code WITHOUT filesystem confinement")
    parser.set_defaults(handler=run)


def rerun_checks(source: Path, check_ids: Sequence[str], config: Config) -> Sequence[CheckResult]:
    """Re-run the named checks on ``source`` through the normal scan path, with the verifier's
    configuration (never the vendor's), in a scratch work folder and without history."""
    from baseline.catalog import load_catalog
    from baseline.discovery import Discovered, discover_checks
    from baseline.runner import execute_scan
    from baseline.target import describe_target, resolve_interpreter

    catalog = load_catalog(config.get("catalog"))
    found = discover_checks(catalog)
    wanted = Discovered(checks=tuple(c for c in found.checks if c.spec.id in set(check_ids)), problems=found.problems)
    # A .venv delivered in the source is never run unless the verifier names it with --python.
    target = describe_target(source, resolve_interpreter(source, config.get("python"), project_venv=False))
    with tempfile.TemporaryDirectory(prefix="baseline-verify-") as work:
        # Work files and caches go to the scratch folder, not into the source (work_dir is not a judgement key).
        scratch = Config(values={**config.values, "work_dir": work, "history": False}, source=config.source)
        report = execute_scan(target=target, root=source, config=scratch, catalog=catalog, discovered=wanted, work_dir=Path(work) / "scan")
    return report.results


def _clean(text: Any) -> str:
    """Bundle text is untrusted: control characters are shown escaped, never sent to the terminal."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def as_dict(verification: Verification) -> dict[str, Any]:
    """The verification as plain JSON data."""
    claims = verification.claims
    return {
        "verified": verification.ok,
        "pinned": verification.pinned,
        "signature": verification.signature,
        "signers": list(verification.signers),
        "unverified_claims": {
            "project": claims.project,
            "commit": claims.commit,
            "tree_digest": claims.tree_digest,
            "vendor_score": claims.vendor_score,
            "catalog": claims.catalog,
            "gate_passed": claims.gate_passed,
            "key_ids": list(claims.signers),
        },
        "vendor_score": claims.vendor_score,
        "verified_score": verification.verified_score,
        "rederived_score": None if verification.breakdown is None else verification.breakdown.trust_score,
        "discrepancies": [{"subject": d.subject, "message": d.message} for d in verification.discrepancies],
        "differences": [
            {"subject": d.subject, "vendor": d.vendor, "verifier": d.verifier, "vendor_digest": d.vendor_digest, "verifier_digest": d.verifier_digest}
            for d in verification.differences
        ],
        "results": [
            {"check": r.spec.id, "outcome": r.outcome.value, "score": r.score, "message": r.message, "judged": verification.status.get(r.spec.id, "")}
            for r in verification.results
        ],
        "gate": None if verification.gate is None else {"enabled": verification.gate.enabled, "passed": verification.gate.passed, "reasons": list(verification.gate.reasons)},
    }


def _verifier_config(args: argparse.Namespace, source: Path | None) -> Config:
    from baseline.cli import _cli_values

    values = _cli_values(args)
    config_file = Path(args.config_file) if args.config_file else None
    if source is not None:
        return load_config(source, values, config_file)
    if config_file is not None:
        return load_config(config_file.parent, values, config_file)
    return Config(values=validate_values(values, "command line"), source=None)


def _rules(args: argparse.Namespace, config: Config, source: Path | None) -> VerifierRules:
    import hashlib

    from baseline.accepted import load_accepted
    from baseline.catalog import load_catalog
    from baseline.discovery import discover_checks
    from baseline.verify import VerifierRules

    catalog = load_catalog(config.get("catalog"))
    specs = {loaded.spec.id: loaded.spec for loaded in discover_checks(catalog).checks}
    accepted: Path | None = None
    name = Path(str(config.get("accepted_file")))
    if source is not None:
        accepted = name if name.is_absolute() else source / name
    elif getattr(args, "cfg__accepted_file", None):  # without a source, only a file the verifier names
        accepted = name
    if accepted is None or not accepted.is_file():
        return VerifierRules(catalog=catalog, specs=specs, config=config)
    entries = load_accepted(accepted)
    digest = "sha256:" + hashlib.sha256(accepted.read_bytes()).hexdigest()
    return VerifierRules(catalog=catalog, specs=specs, config=config, accepted_entries=tuple(entries), accepted_digest=digest)


def _print(verification: Verification, bundle: Path) -> None:
    claims = verification.claims
    vendor = "unknown" if claims.vendor_score is None else f"{claims.vendor_score:.2f}"
    print(f"bundle:         {_clean(bundle)}")
    if not verification.pinned:
        print("signature:      NOT CHECKED: no pinned signer (pass --pubkey KEY.pub or --trust FILE)")
        print("NOT VERIFIED. What the bundle claims, unverified:")
        print(f"  project {_clean(claims.project)}, commit {_clean(claims.commit)}, tree {_clean(claims.tree_digest)}")
        print(f"  claimed score {vendor}, catalog {_clean(claims.catalog)}, gate passed: {claims.gate_passed}")
        print(f"  signed by key id(s): {', '.join(_clean(k) for k in claims.signers) or 'none (unsigned)'}")
        for item in verification.discrepancies:
            print(f"  - {_clean(item.subject)}: {_clean(item.message)}")
        return
    signed = f"valid, by pinned key {', '.join(verification.signers)}" if verification.signature == "valid" else verification.signature.upper()
    print(f"signature:      {signed}")
    print(f"vendor score:   {vendor}" + ("" if verification.ok else " (claimed)"))
    if verification.verified_score is not None:
        print(f"verified score: {verification.verified_score:.2f}")
    elif verification.breakdown is not None:
        print(f"re-derived:     {verification.breakdown.trust_score:.2f} (NOT a verified score: see below)")
    if verification.results:
        print("checks (as the verifier judges them):")
        for result in verification.results:
            score = "-" if result.score is None else f"{result.score:5.2f}"
            print(f"  {result.spec.id:36} {result.outcome.value:14} {score:>5}  {verification.status.get(result.spec.id, '')}")
    if verification.differences:
        print(f"differences from the verifier's rules ({len(verification.differences)}; never reused, give the same flags to judge with them):")
        for diff in verification.differences:
            print(f"  - {_clean(diff.subject)}: vendor {_clean(diff.vendor)} [{_clean(diff.vendor_digest)}], verifier {_clean(diff.verifier)} [{diff.verifier_digest}]")
    if verification.discrepancies:
        print(f"discrepancies ({len(verification.discrepancies)}):")
        for item in verification.discrepancies:
            print(f"  - {_clean(item.subject)}: {_clean(item.message)}")
    else:
        print("discrepancies:  none")
    if verification.gate is not None and verification.gate.enabled:
        print("verifier's gate: " + ("passed" if verification.gate.passed else "FAILED: " + "; ".join(verification.gate.reasons)))
    print("result:         " + ("VERIFIED" if verification.ok else "NOT VERIFIED"))


def run(args: argparse.Namespace) -> int:
    """Verify, print what was verified and what was not, and map the verdict to an exit code."""
    from baseline.bundle import load_public_keys
    from baseline.target import git_state, tree_digest
    from baseline.verify import verify_bundle

    bundle = Path(args.bundle)
    if not bundle.is_file():
        raise UsageError(f"bundle {bundle} not found")
    keys = [key for path in list(args.pubkey) + list(args.trust) for key in load_public_keys(path)]
    source = Path(args.source).resolve() if args.source else None
    digest = commit = None
    if source is not None:
        if not source.is_dir():
            raise UsageError(f"--source {args.source} is not a folder")
        digest = tree_digest(source)[0]  # before anything runs on it
        commit = git_state(source)[1]
    config = _verifier_config(args, source)
    rules = _rules(args, config, source)
    verification = verify_bundle(
        bundle, keys=keys, rules=rules, source=source, source_digest=digest, source_commit=commit,
        rerun=None if args.no_rerun else rerun_checks,
    )
    if args.json:
        print(json.dumps(as_dict(verification), indent=2, sort_keys=True))
    else:
        _print(verification, bundle)
    if not verification.pinned:
        return exitcodes.USAGE_ERROR
    if not verification.ok:
        return exitcodes.GATE_FAILED
    gate = verification.gate
    if gate is not None and gate.enabled and not gate.passed:
        return exitcodes.INCOMPLETE if gate.incomplete else exitcodes.GATE_FAILED
    return exitcodes.OK
