"""Evidence bundles: one zip with the canonical report, SARIF, every artifact the evidence refers
to (test results, coverage, SBOM, fuzz statistics and reproducers...), the catalog, the accepted
findings, the tool versions, and the signed attestation over all of them.

The attestation (``attestation.dsse.json``) is a DSSE envelope holding an in-toto Statement v1
(see attestation.py): its predicate is the report itself, its subjects are the source tree digest
(``source-tree``) and every other member of the zip with its SHA-256. Zip timestamps and modes are
fixed and members are stored, not deflated, so the same scan and key give the same bytes.

Reading is the hostile side: :func:`read_bundle` caps the bundle's size, the number of members, each
member's size as declared *and* the bytes actually inflated, rejects path-like or duplicate member
names, and never writes a member to disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from baseline import attestation
from baseline.errors import BaselineError, UsageError
from baseline.model import Report

FORMAT = "baseline-bundle/2"
ATTESTATION = "attestation.dsse.json"
REPORT = "report.json"
SARIF = "report.sarif"
CATALOG = "catalog.toml"
ACCEPTED = "accepted.toml"
TOOLS = "tools.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}(/[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}){0,3}$")


class BundleError(BaselineError):
    """The bundle cannot be read safely (not a zip, too large, a bad member name...)."""


def canonical_json(data: Any) -> bytes:
    """The one byte form of a JSON value used for the attestation."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class BundleResult:
    """What ``write_bundle`` wrote."""

    path: str
    members: tuple[str, ...]
    signed: bool
    missing_artifacts: tuple[str, ...]
    key_id: str | None = None


def generate_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, PKCS#8 unencrypted; public PEM, SubjectPublicKeyInfo)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key (PEM); UsageError when it is missing or of another kind."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"signing key {path}: cannot read an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"signing key {path}: not an Ed25519 key")
    return key


_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


def load_public_keys(path: str | Path) -> list[Ed25519PublicKey]:
    """Every Ed25519 public key (PEM blocks) in a file: one ``--pubkey`` or a trust file of several."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"public key {path}: cannot read: {exc.strerror or exc}") from None
    blocks = _PEM_BLOCK.findall(data)
    if not blocks:
        raise UsageError(f"public key {path}: no PEM public key in the file")
    keys = []
    for index, block in enumerate(blocks, 1):
        try:
            key = serialization.load_pem_public_key(block)
        except (ValueError, TypeError) as exc:
            raise UsageError(f"public key {path} (key {index}): cannot read a PEM public key: {exc}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise UsageError(f"public key {path} (key {index}): not an Ed25519 key")
        keys.append(key)
    return keys


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """Read one Ed25519 public key (PEM)."""
    keys = load_public_keys(path)
    if len(keys) != 1:
        raise UsageError(f"public key {path}: holds {len(keys)} keys, expected one")
    return keys[0]


def tool_versions(report: Report) -> dict[str, list[str]]:
    """Every tool and version that produced evidence, by tool name."""
    tools: dict[str, set[str]] = {}
    for result in report.results:
        for evidence in result.evidence:
            if evidence.tool:
                tools.setdefault(evidence.tool, set()).add(evidence.tool_version or "unknown")
    return {name: sorted(versions) for name, versions in sorted(tools.items())}


def artifact_member(path: str, digest: str) -> str:
    """The member name of an artifact: its digest prefix keeps equal names apart; the file name is
    reduced to safe characters (a member name is never a path)."""
    name = re.sub(r"[^A-Za-z0-9._+-]", "_", Path(path).name)[:120].lstrip(".") or "artifact"
    return f"artifacts/{digest[:16]}-{name}"


def collect_members(
    report: Report, catalog_text: str | None, accepted_bytes: bytes | None = None
) -> tuple[dict[str, bytes], list[str]]:
    """(members, missing artifact paths) of a report's bundle."""
    from baseline.reports import json_report, sarif

    members: dict[str, bytes] = {
        REPORT: json_report.format_report(report).encode("utf-8"),
        SARIF: sarif.format_report(report).encode("utf-8"),
        TOOLS: canonical_json(tool_versions(report)),
    }
    if catalog_text is not None:
        members[CATALOG] = catalog_text.encode("utf-8")
    if accepted_bytes is not None:
        members[ACCEPTED] = accepted_bytes
    seen: set[str] = set()
    missing: list[str] = []
    for result in report.results:
        for evidence in result.evidence:
            for artifact in evidence.artifacts:
                if artifact.path in seen:
                    continue
                seen.add(artifact.path)
                try:
                    data = Path(artifact.path).read_bytes()
                except OSError:
                    missing.append(artifact.path)
                    continue
                members[artifact_member(artifact.path, sha256(data))] = data
    return members, sorted(missing)


def source_subject(report: Report) -> dict[str, Any]:
    """The Statement subject naming the scanned source tree (its digest covers every file)."""
    algorithm, _, value = report.target.tree_digest.partition(":")
    digest = value if algorithm == "sha256" else sha256(report.target.tree_digest.encode("utf-8"))
    annotations: dict[str, Any] = {"project": report.target.name, "files": report.target.file_count}
    if report.target.commit:
        annotations["gitCommit"] = report.target.commit
    return {"name": attestation.SOURCE_SUBJECT, "digest": {"sha256": digest}, "annotations": annotations}


def build_statement(report: Report, members: Mapping[str, bytes]) -> dict[str, Any]:
    """The in-toto Statement: the source tree and every member as subjects, the report as predicate."""
    from baseline.reports.json_report import report_to_dict

    subjects = [source_subject(report)] + [{"name": name, "digest": {"sha256": sha256(data)}} for name, data in sorted(members.items())]
    return attestation.statement(subjects, report_to_dict(report))


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    """The canonical container: members stored (not deflated, so no zlib version can change the
    bytes) in name order with fixed timestamps and modes. Same members, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return buffer.getvalue()


def write_zip(path: Path, members: Mapping[str, bytes]) -> None:
    """Write the canonical container atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(zip_bytes(members))
    tmp.replace(path)


def seal(members: Mapping[str, bytes], statement: Mapping[str, Any], keys: tuple[Ed25519PrivateKey, ...]) -> dict[str, bytes]:
    """Members plus the attestation: the Statement signed into a DSSE envelope by ``keys``."""
    payload = canonical_json(statement)
    return {**members, ATTESTATION: canonical_json(attestation.envelope(payload, keys))}


def write_bundle(
    report: Report,
    path: str | Path,
    *,
    key: Ed25519PrivateKey | None = None,
    catalog_text: str | None = None,
    accepted_bytes: bytes | None = None,
) -> BundleResult:
    """Write the evidence bundle of ``report`` to ``path``; sign its attestation when ``key`` is given."""
    members, missing = collect_members(report, catalog_text, accepted_bytes)
    sealed = seal(members, build_statement(report, members), (key,) if key is not None else ())
    out = Path(path)
    write_zip(out, sealed)
    return BundleResult(
        path=str(out),
        members=tuple(sorted(sealed)),
        signed=key is not None,
        missing_artifacts=tuple(missing),
        key_id=attestation.key_id(key.public_key()) if key is not None else None,
    )


@dataclass(frozen=True)
class ReadLimits:
    """How much of an untrusted bundle is read at most."""

    max_bundle_bytes: int = 256 << 20
    max_members: int = 4096
    max_member_bytes: int = 64 << 20
    max_total_bytes: int = 256 << 20


DEFAULT_LIMITS = ReadLimits()
_CHUNK = 1 << 16


def _safe_name(name: str) -> str:
    """Why a member name is refused ('' when it is acceptable)."""
    if not _SAFE_NAME.match(name):
        return "a member name must be a short relative name of letters, digits and ._+- (no '/', '\\\\', '..' or absolute path)"
    if any(part in (".", "..") for part in name.split("/")):
        return "a member name must not contain '.' or '..' parts"
    return ""


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Read one member, stopping as soon as more than ``cap`` bytes come out (headers can lie)."""
    out = bytearray()
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                return bytes(out)
            out += chunk
            if len(out) > cap:
                raise BundleError(f"member {info.filename!r} inflates past {cap} bytes (its header says {info.file_size}): refused")


def read_bundle(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> tuple[dict[str, bytes], bytes]:
    """(members, raw bytes) of the bundle at ``path``; BundleError with a clear message otherwise."""
    bundle_path = Path(path)
    try:
        size = bundle_path.stat().st_size
    except OSError as exc:
        raise BundleError(f"cannot read the bundle: {exc.strerror or exc}") from None
    if size > limits.max_bundle_bytes:
        raise BundleError(f"the bundle is {size} bytes, more than the {limits.max_bundle_bytes} read at most")
    try:
        raw = bundle_path.read_bytes()
    except OSError as exc:
        raise BundleError(f"cannot read the bundle: {exc.strerror or exc}") from None
    if not raw.startswith(b"PK"):
        raise BundleError("not a zip file (an evidence bundle is the zip written by 'baseline scan --bundle')")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise BundleError(f"the bundle has {len(infos)} members, more than the {limits.max_members} accepted")
            declared = 0
            members: dict[str, bytes] = {}
            for info in infos:
                name = info.filename
                problem = _safe_name(name)
                if problem:
                    raise BundleError(f"member {name[:120]!r} refused: {problem}")
                if name in members:
                    raise BundleError(f"member {name!r} appears twice")
                if info.flag_bits & 0x1:
                    raise BundleError(f"member {name!r} is encrypted")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise BundleError(f"member {name!r} uses compression method {info.compress_type}; only stored and deflated are read")
                if info.file_size > limits.max_member_bytes:
                    raise BundleError(f"member {name!r} declares {info.file_size} bytes, more than the {limits.max_member_bytes} read per member")
                declared += info.file_size
                if declared > limits.max_total_bytes:
                    raise BundleError(f"the members declare more than the {limits.max_total_bytes} bytes read in total")
                members[name] = _inflate(archive, info, min(limits.max_member_bytes, limits.max_total_bytes))
            total = sum(len(data) for data in members.values())
            if total > limits.max_total_bytes:
                raise BundleError(f"the members hold {total} bytes, more than the {limits.max_total_bytes} read in total")
            return members, raw
    except BundleError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise BundleError(f"not a readable zip file: {exc}") from None
