"""Evidence bundles: one zip with the canonical report, SARIF, every artifact the evidence refers
to (test results, coverage, SBOM, fuzz statistics and reproducers...), the catalog, the tool
versions and a manifest of SHA-256 digests, optionally signed with Ed25519.

Layout (member names are fixed; zip timestamps are fixed so the same scan gives the same bytes):
``manifest.json`` (canonical JSON: format, digests of every other member, artifact map),
``manifest.sig`` (canonical JSON: algorithm, public key, signature over manifest.json's bytes),
``report.json``, ``report.sarif``, ``catalog.toml``, ``tools.json``, ``artifacts/<digest>-<name>``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from baseline.errors import UsageError
from baseline.model import Report

FORMAT = "baseline-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
REPORT = "report.json"
SARIF = "report.sarif"
CATALOG = "catalog.toml"
TOOLS = "tools.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def canonical_json(data: Any) -> bytes:
    """The one byte form of a JSON value used for manifests and signatures."""
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


def generate_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
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


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key (PEM)."""
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"public key {path}: cannot read a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"public key {path}: not an Ed25519 key")
    return key


def raw_public(key: Ed25519PublicKey) -> str:
    """Hex of the 32 raw public-key bytes (the key's identity in manifest.sig)."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def tool_versions(report: Report) -> dict[str, list[str]]:
    """Every tool and version that produced evidence, by tool name."""
    tools: dict[str, set[str]] = {}
    for result in report.results:
        for evidence in result.evidence:
            if evidence.tool:
                tools.setdefault(evidence.tool, set()).add(evidence.tool_version or "unknown")
    return {name: sorted(versions) for name, versions in sorted(tools.items())}


def artifact_member(path: str, digest: str) -> str:
    """The member name of an artifact: its digest prefix keeps equal names apart."""
    return f"artifacts/{digest[:16]}-{Path(path).name}"


def collect_members(report: Report, catalog_text: str | None) -> tuple[dict[str, bytes], dict[str, str], list[str]]:
    """(members, artifact path -> member, missing artifact paths) of a report's bundle."""
    from baseline.reports import json_report, sarif

    members: dict[str, bytes] = {
        REPORT: json_report.format_report(report).encode("utf-8"),
        SARIF: sarif.format_report(report).encode("utf-8"),
        TOOLS: canonical_json(tool_versions(report)),
    }
    if catalog_text is not None:
        members[CATALOG] = catalog_text.encode("utf-8")
    artifacts: dict[str, str] = {}
    missing: list[str] = []
    for result in report.results:
        for evidence in result.evidence:
            for artifact in evidence.artifacts:
                if artifact.path in artifacts or artifact.path in missing:
                    continue
                try:
                    data = Path(artifact.path).read_bytes()
                except OSError:
                    missing.append(artifact.path)
                    continue
                name = artifact_member(artifact.path, sha256(data))
                members[name] = data
                artifacts[artifact.path] = name
    return members, artifacts, sorted(missing)


def build_manifest(report: Report, members: Mapping[str, bytes], artifacts: Mapping[str, str], missing: list[str]) -> dict[str, Any]:
    """The manifest: digests of every member and what the bundle claims to be."""
    return {
        "format": FORMAT,
        "files": {name: sha256(data) for name, data in sorted(members.items())},
        "artifacts": dict(sorted(artifacts.items())),
        "missing_artifacts": missing,
        "target": {"name": report.target.name, "commit": report.target.commit, "tree_digest": report.target.tree_digest},
        "trust_score": report.breakdown.trust_score,
        "tool_version": report.tool_version,
    }


def sign_manifest(manifest_bytes: bytes, key: Ed25519PrivateKey) -> bytes:
    """The manifest.sig member: algorithm, raw public key, signature, as canonical JSON."""
    return canonical_json(
        {"algorithm": "ed25519", "public_key": raw_public(key.public_key()), "signature": key.sign(manifest_bytes).hex()}
    )


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


def write_bundle(report: Report, path: str | Path, *, key: Ed25519PrivateKey | None = None, catalog_text: str | None = None) -> BundleResult:
    """Write the evidence bundle of ``report`` to ``path``; sign its manifest when ``key`` is given."""
    members, artifacts, missing = collect_members(report, catalog_text)
    manifest_bytes = canonical_json(build_manifest(report, members, artifacts, missing))
    members[MANIFEST] = manifest_bytes
    if key is not None:
        members[SIGNATURE] = sign_manifest(manifest_bytes, key)
    out = Path(path)
    write_zip(out, members)
    return BundleResult(path=str(out), members=tuple(sorted(members)), signed=key is not None, missing_artifacts=tuple(missing))
