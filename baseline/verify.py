"""Verify an evidence bundle and recompute the trust score from the evidence that survives.

Order: zip readable -> manifest canonical -> signature (against ``--pubkey`` when given) -> every
member's digest, no unlisted member -> report parses -> catalog digest -> the vendor score follows
from the vendor's own results -> every artifact an Evidence names is present with its recorded
digest -> (with a source folder) the tree digest matches and the deterministic checks replay to the
same outcome and fingerprints. A check whose evidence fails any step becomes ``not_evaluated`` with
the reason; the verified score is computed from the result.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from baseline import bundle as B
from baseline.catalog import load_catalog, parse_catalog
from baseline.errors import BaselineError
from baseline.model import Catalog, CheckResult, Outcome, Report, ScoreBreakdown
from baseline.parsing import json_loads
from baseline.replay import replay
from baseline.scoring import score_report
from baseline.target import tree_digest

# Techniques whose checks give the same answer on the same source and data: replayed on --source.
DETERMINISTIC_TECHNIQUES = ("T03", "T04", "T11")

# (source, check ids, the configuration the vendor recorded in the report) -> fresh results
Rerun = Callable[[Path, Sequence[str], Mapping[str, Any]], Sequence[CheckResult]]


@dataclass(frozen=True)
class Discrepancy:
    """One thing that did not verify."""

    subject: str
    message: str


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying one bundle."""

    signature: str  # "valid", "invalid", "unsigned", "wrong-key"
    integrity_ok: bool
    vendor_score: float | None
    verified_score: float
    discrepancies: tuple[Discrepancy, ...]
    breakdown: ScoreBreakdown | None
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        """True when nothing failed verification."""
        return not self.discrepancies


def _demote(result: CheckResult, reason: str) -> CheckResult:
    return replace(result, outcome=Outcome.NOT_EVALUATED, score=0.0, message=f"failed verification: {reason} (vendor: {result.outcome.value}: {result.message})")


class _Verifier:
    def __init__(self) -> None:
        self.problems: list[Discrepancy] = []

    def fail(self, subject: str, message: str) -> None:
        self.problems.append(Discrepancy(subject, message))


def _read_members(path: Path, v: _Verifier) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            members: dict[str, bytes] = {}
            for info in archive.infolist():
                try:
                    members[info.filename] = archive.read(info)
                except (zipfile.BadZipFile, OSError, ValueError, zlib.error, EOFError, NotImplementedError) as exc:  # CRC, deflate
                    v.fail(info.filename, f"member unreadable: {exc}")
            return members
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error, EOFError, NotImplementedError) as exc:
        v.fail("bundle", f"not a readable zip: {exc}")
        return None


def _canonical(name: str, data: bytes, v: _Verifier) -> dict[str, Any] | None:
    try:
        parsed = json_loads(data.decode("ascii"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        v.fail(name, f"not valid JSON: {exc}")
        return None
    if not isinstance(parsed, dict) or B.canonical_json(parsed) != data:
        v.fail(name, "not in canonical form (altered)")
        return None
    return parsed


def _name_map(manifest: Mapping[str, Any] | None, key: str, v: _Verifier) -> dict[str, str]:
    """The manifest's ``key`` table (name -> digest or member); a malformed one is a discrepancy."""
    if manifest is None:
        return {}
    table = manifest.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(name, str) and isinstance(value, str) for name, value in table.items()):
        v.fail(B.MANIFEST, f"'{key}' is not a table of names (altered)")
        return {}
    return dict(table)


def _check_signature(members: dict[str, bytes], pubkey: Ed25519PublicKey | None, v: _Verifier) -> str:
    manifest = members.get(B.MANIFEST, b"")
    raw = members.get(B.SIGNATURE)
    if raw is None:
        if pubkey is not None:
            v.fail(B.SIGNATURE, "the bundle is not signed but a public key was given")
        return "unsigned"
    sig = _canonical(B.SIGNATURE, raw, v)
    if sig is None or sig.get("algorithm") != "ed25519" or set(sig) != {"algorithm", "public_key", "signature"}:
        v.fail(B.SIGNATURE, "malformed signature record")
        return "invalid"
    try:
        embedded = Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(sig["public_key"])))
        signature = bytes.fromhex(str(sig["signature"]))
    except ValueError as exc:
        v.fail(B.SIGNATURE, f"malformed key or signature: {exc}")
        return "invalid"
    if pubkey is not None and B.raw_public(pubkey) != B.raw_public(embedded):
        v.fail(B.SIGNATURE, "signed by a different key than the one given with --pubkey")
        return "wrong-key"
    try:
        embedded.verify(signature, manifest)
    except InvalidSignature:
        v.fail(B.SIGNATURE, "the signature does not match the manifest")
        return "invalid"
    return "valid"


def _catalog(members: dict[str, bytes], good: set[str], report: Report, v: _Verifier) -> Catalog:
    if B.CATALOG in members and B.CATALOG in good:
        try:
            catalog = parse_catalog(members[B.CATALOG].decode("utf-8"), B.CATALOG)
        except (BaselineError, UnicodeDecodeError) as exc:
            v.fail(B.CATALOG, f"cannot parse: {exc}")
            catalog = load_catalog(None)
    else:
        catalog = load_catalog(None)
    if catalog.digest != report.catalog_digest:
        v.fail("catalog", f"catalog digest {catalog.digest} differs from the report's {report.catalog_digest}")
    return catalog


def verify_bundle(
    path: str | Path,
    *,
    pubkey: Ed25519PublicKey | None = None,
    source: Path | None = None,
    rerun: Rerun | None = None,
) -> Verification:
    """Verify the bundle at ``path``; never raises for a bad bundle (that is a result)."""
    from baseline.reports.load import report_from_dict

    v = _Verifier()
    members = _read_members(Path(path), v)
    if members is None:
        return Verification("invalid", False, None, 0.0, tuple(v.problems), None, ())
    if B.zip_bytes(members) != Path(path).read_bytes():
        v.fail("bundle", "the zip container is not in canonical form (bytes outside the members were changed)")
    manifest = _canonical(B.MANIFEST, members[B.MANIFEST], v) if B.MANIFEST in members else None
    if B.MANIFEST not in members:
        v.fail(B.MANIFEST, "missing")
    signature = _check_signature(members, pubkey, v)
    if manifest is not None and manifest.get("format") != B.FORMAT:
        v.fail(B.MANIFEST, f"unknown bundle format {str(manifest.get('format'))[:60]!r}")
        manifest = None
    files = _name_map(manifest, "files", v)
    good: set[str] = set()
    for name, digest in sorted(files.items()):
        if name not in members:
            v.fail(name, "listed in the manifest but missing from the bundle")
        elif B.sha256(members[name]) != digest:
            v.fail(name, "SHA-256 does not match the manifest (modified)")
        else:
            good.add(name)
    for name in sorted(set(members) - set(files) - {B.MANIFEST, B.SIGNATURE}):
        v.fail(name, "not listed in the manifest (added)")
    integrity_ok = not v.problems
    if B.REPORT not in good:
        v.fail(B.REPORT, "the report failed verification: no result keeps its credit")
        return Verification(signature, False, None, 0.0, tuple(v.problems), None, ())
    try:
        report = report_from_dict(json_loads(members[B.REPORT].decode("utf-8")))
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        v.fail(B.REPORT, f"not a baseline report: {exc}")
        return Verification(signature, False, None, 0.0, tuple(v.problems), None, ())
    catalog = _catalog(members, good, report, v)
    vendor = report.breakdown.trust_score
    recomputed = score_report(catalog, report.results).trust_score
    if abs(recomputed - vendor) > 0.005:
        v.fail("score", f"the vendor score {vendor:.2f} does not follow from its own results ({recomputed:.2f})")
    artifact_map = _name_map(manifest, "artifacts", v)
    results: list[CheckResult] = []
    for result in report.results:
        reason = _evidence_problem(result, artifact_map, members, good)
        if reason:
            v.fail(result.spec.id, reason)
            result = _demote(result, reason)
        results.append(result)
    if source is not None:
        results = _check_source(report, results, source, rerun, v)
    breakdown = score_report(catalog, results)
    return Verification(signature, integrity_ok, vendor, breakdown.trust_score, tuple(v.problems), breakdown, tuple(results))


def _evidence_problem(result: CheckResult, artifact_map: dict[str, str], members: dict[str, bytes], good: set[str]) -> str:
    """Why this result's evidence does not verify ('' when it does)."""
    for evidence in result.evidence:
        for artifact in evidence.artifacts:
            name = Path(artifact.path).name
            member = artifact_map.get(artifact.path)
            if member is None or member not in members:
                return f"evidence artifact {name} ({evidence.tool or 'evidence'}) is missing from the bundle"
            if member not in good:
                return f"evidence artifact {name} failed its digest check"
            if B.sha256(members[member]) != artifact.sha256:
                return f"evidence artifact {name} does not match the digest recorded in the report"
            mismatch = replay(members[member], result.metrics, result.spec.technique)
            if mismatch:
                return f"{mismatch} ({name})"
    return ""


def _fingerprints(result: CheckResult) -> list[str]:
    return sorted(finding.fingerprint for finding in result.findings)


def _check_source(report: Report, results: list[CheckResult], source: Path, rerun: Rerun | None, v: _Verifier) -> list[CheckResult]:
    digest, _ = tree_digest(source)
    if digest != report.target.tree_digest:
        reason = f"source tree digest {digest} differs from the scanned tree {report.target.tree_digest}"
        v.fail("source", reason)
        return [_demote(result, "the source does not match the scanned tree") for result in results]
    if rerun is None:
        return results
    wanted = [r.spec.id for r in results if r.spec.technique in DETERMINISTIC_TECHNIQUES and r.outcome is not Outcome.NOT_EVALUATED]
    if not wanted:
        return results
    replayed = {r.spec.id: r for r in rerun(source, wanted, report.config)}
    out = []
    for result in results:
        if result.spec.id in wanted:
            again = replayed.get(result.spec.id)
            reason = ""
            if again is None:
                reason = "the check could not be re-run here"
            elif again.outcome is not result.outcome or _fingerprints(again) != _fingerprints(result):
                reason = (
                    f"re-run gave {again.outcome.value} with {len(again.findings)} finding(s); "
                    f"the bundle says {result.outcome.value} with {len(result.findings)}"
                )
            if reason:
                v.fail(result.spec.id, reason)
                result = _demote(result, reason)
        out.append(result)
    return out
