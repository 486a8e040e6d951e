"""Evidence bundles: signatures, byte flips in every member, evidence removal and score recomputation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from baseline import bundle as B
from baseline.bundle import generate_keypair, write_bundle
from baseline.catalog import default_catalog_text
from baseline.model import Outcome
from baseline.verify import verify_bundle
from cryptography.hazmat.primitives import serialization
from tests.unit.reports_synthetic import make_report


def _keys():
    private, public = generate_keypair()
    return serialization.load_pem_private_key(private, None), serialization.load_pem_public_key(public)


@pytest.fixture()
def signed(tmp_path: Path):
    private, public = _keys()
    report = make_report(tmp_path / "work")
    path = tmp_path / "bundle.zip"
    write_bundle(report, path, key=private, catalog_text=default_catalog_text()[0])
    return path, public, report


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(path: Path, members: dict[str, bytes]) -> None:
    """Rewrite the bundle in canonical form, so only the member's content differs."""
    B.write_zip(path, members)


def test_untouched_bundle_verifies_and_scores_equal(signed):
    path, public, report = signed
    result = verify_bundle(path, pubkey=public)
    assert result.signature == "valid" and result.integrity_ok and result.ok, result.discrepancies
    assert result.vendor_score == report.breakdown.trust_score
    assert result.verified_score == pytest.approx(report.breakdown.trust_score)
    names = _members(path)
    assert {B.MANIFEST, B.SIGNATURE, B.REPORT, B.SARIF, B.CATALOG, B.TOOLS} <= set(names)
    assert sum(1 for name in names if name.startswith("artifacts/")) == 2


def test_wrong_key_fails(signed):
    path, _, _ = signed
    _, other = _keys()
    result = verify_bundle(path, pubkey=other)
    assert result.signature == "wrong-key" and not result.ok


def test_same_scan_gives_same_bytes(tmp_path: Path):
    private, _ = _keys()
    report = make_report(tmp_path / "work")
    write_bundle(report, tmp_path / "a.zip", key=private)
    write_bundle(report, tmp_path / "b.zip", key=private)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_every_byte_flip_in_every_member_is_detected(signed):
    path, public, _ = signed
    original = _members(path)
    checked = 0
    for name, data in original.items():
        positions = sorted({0, 1, len(data) // 3, len(data) // 2, (2 * len(data)) // 3, len(data) - 2, len(data) - 1})
        for position in positions:
            flipped = bytearray(data)
            flipped[position] ^= 0x01
            _rewrite(path, {**original, name: bytes(flipped)})
            assert B.zip_bytes(_members(path)) == path.read_bytes()  # only the content changed
            result = verify_bundle(path, pubkey=public)
            assert not result.ok, f"flip at {name}[{position}] went unnoticed"
            checked += 1
    assert checked >= 7 * len(original) - 10


def test_raw_zip_byte_flips_are_detected(signed):
    path, public, _ = signed
    raw = path.read_bytes()
    for position in list(range(0, len(raw), max(1, len(raw) // 60))) + [len(raw) - 1]:
        corrupted = bytearray(raw)
        corrupted[position] ^= 0xFF
        path.write_bytes(bytes(corrupted))
        assert not verify_bundle(path, pubkey=public).ok, f"raw flip at {position} went unnoticed"


def test_removed_evidence_drops_the_score_with_reason(signed, tmp_path: Path):
    path, public, report = signed
    members = _members(path)
    junit = next(name for name in members if name.endswith("junit.xml"))
    del members[junit]
    _rewrite(path, members)
    result = verify_bundle(path, pubkey=public)
    assert result.verified_score < report.breakdown.trust_score
    demoted = {r.spec.id: r for r in result.results}["automated-testing.pytest"]
    assert demoted.outcome is Outcome.NOT_EVALUATED
    assert any("junit.xml" in d.message and "missing" in d.message for d in result.discrepancies)


def test_resigned_bundle_without_evidence_still_drops(tmp_path: Path):
    """An honest signer who leaves an artifact out gets no credit for it."""
    private, public = _keys()
    report = make_report(tmp_path / "work")
    (tmp_path / "work" / "tests" / "coverage.json").unlink()
    written = write_bundle(report, tmp_path / "b.zip", key=private)
    assert written.missing_artifacts
    result = verify_bundle(tmp_path / "b.zip", pubkey=public)
    assert result.signature == "valid"
    assert result.verified_score < result.vendor_score
    assert any(d.subject == "structural-coverage.coverage" for d in result.discrepancies)


def test_unsigned_bundle_with_pubkey_fails(tmp_path: Path):
    _, public = _keys()
    write_bundle(make_report(tmp_path / "w"), tmp_path / "u.zip")
    assert verify_bundle(tmp_path / "u.zip").ok
    assert not verify_bundle(tmp_path / "u.zip", pubkey=public).ok


def test_source_mismatch_demotes_everything(signed, tmp_path: Path):
    path, public, _ = signed
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.py").write_text("x = 1\n")
    result = verify_bundle(path, pubkey=public, source=source)
    assert result.verified_score == 0.0
    assert any(d.subject == "source" for d in result.discrepancies)


def test_metrics_that_disagree_with_their_evidence_are_demoted(tmp_path: Path):
    """A vendor that signs inflated figures is caught by recomputing them from the artifacts."""
    from dataclasses import replace

    private, public = _keys()
    report = make_report(tmp_path / "work")
    inflated = tuple(
        replace(r, metrics={**r.metrics, "passed": 5}) if r.spec.id == "automated-testing.pytest" else r for r in report.results
    )
    write_bundle(replace(report, results=inflated), tmp_path / "b.zip", key=private)
    result = verify_bundle(tmp_path / "b.zip", pubkey=public)
    assert result.signature == "valid" and result.verified_score < result.vendor_score
    assert any("shows 3 passed tests, the result claims 5" in d.message for d in result.discrepancies)


def test_deterministic_checks_are_replayed_on_the_source(tmp_path: Path):
    from dataclasses import replace

    from baseline.target import tree_digest

    private, public = _keys()
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.py").write_text("x = 1\n")
    report = make_report(tmp_path / "work")
    report = replace(report, target=replace(report.target, tree_digest=tree_digest(source)[0]))
    write_bundle(report, tmp_path / "b.zip", key=private)
    static = next(r for r in report.results if r.spec.technique == "T03")
    asked: list[list[str]] = []

    def same(root, ids, recorded):
        asked.append(list(ids))
        return [static]

    result = verify_bundle(tmp_path / "b.zip", pubkey=public, source=source, rerun=same)
    assert asked == [["static-analysis.bandit"]] and result.ok
    assert result.verified_score == pytest.approx(result.vendor_score)

    def fewer(root, ids, recorded):
        return [replace(static, findings=static.findings[:1])]

    result = verify_bundle(tmp_path / "b.zip", pubkey=public, source=source, rerun=fewer)
    assert result.verified_score < result.vendor_score
    assert any(d.subject == "static-analysis.bandit" and "re-run gave" in d.message for d in result.discrepancies)
