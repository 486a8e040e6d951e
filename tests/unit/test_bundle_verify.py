"""Evidence bundles: the DSSE envelope checked by an independent implementation written from the
specification, byte flips, subjects, and bad input (not a zip, wrong payload type, truncated
signature, huge members, zip bombs, path-like names): a clear discrepancy, never a traceback."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from baseline import bundle as B
from baseline.catalog import default_catalog_text, load_catalog
from baseline.config import Config
from baseline.verify import VerifierRules, verify_bundle

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def make_report(work: Path):
    """The synthetic report, with the error count the real test check always records."""
    from dataclasses import replace

    from tests.unit.reports_synthetic import make_report as synthetic

    report = synthetic(work)
    results = tuple(
        replace(r, metrics={"errors": 0, **r.metrics}) if r.spec.id == "automated-testing.pytest" else r for r in report.results
    )
    return replace(report, results=results)


def _rules() -> VerifierRules:
    """The verifier's rules; its installed checks are the synthetic report's (a fake plugin set)."""
    import tempfile

    catalog = load_catalog(None)
    specs = {r.spec.id: r.spec for r in make_report(Path(tempfile.mkdtemp())).results}
    return VerifierRules(catalog=catalog, specs=specs, config=Config(values={}, source=None))


@pytest.fixture()
def signed(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.zip"
    B.write_bundle(make_report(tmp_path / "work"), path, key=KEY, catalog_text=default_catalog_text()[0])
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _verify(path: Path, **kwargs):
    return verify_bundle(path, keys=[KEY.public_key()], rules=_rules(), **kwargs)


# --- a second DSSE implementation, from the specification only ----------------------------------


def _spec_pae(payload_type: bytes, body: bytes) -> bytes:
    # DSSE protocol.md: PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
    return b" ".join([b"DSSEv1", str(len(payload_type)).encode(), payload_type, str(len(body)).encode(), body])


def test_the_envelope_verifies_with_an_independent_dsse_implementation(signed: Path) -> None:
    envelope = json.loads(_members(signed)["attestation.dsse.json"])
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    body = base64.standard_b64decode(envelope["payload"])
    public = Ed25519PublicKey.from_public_bytes(KEY.public_key().public_bytes_raw())
    (signature,) = envelope["signatures"]
    public.verify(base64.standard_b64decode(signature["sig"]), _spec_pae(envelope["payloadType"].encode(), body))
    statement = json.loads(body)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"].startswith("https://") and statement["predicate"]["schema_version"]
    import hashlib

    members = _members(signed)
    subjects = {item["name"]: item["digest"]["sha256"] for item in statement["subject"]}
    assert set(subjects) == (set(members) - {"attestation.dsse.json"}) | {"source-tree"}
    for name, data in members.items():
        if name != "attestation.dsse.json":
            assert hashlib.sha256(data).hexdigest() == subjects[name]


def test_honest_bundle_verifies_and_same_scan_gives_same_bytes(signed: Path, tmp_path: Path) -> None:
    result = _verify(signed)
    assert result.ok, (result.discrepancies, result.differences)
    again = tmp_path / "again.zip"
    B.write_bundle(make_report(tmp_path / "work"), again, key=KEY, catalog_text=default_catalog_text()[0])
    assert again.read_bytes() == signed.read_bytes()


def test_no_pinned_key_verifies_nothing(signed: Path) -> None:
    result = verify_bundle(signed, keys=[], rules=_rules())
    assert not result.ok and not result.pinned and result.verified_score is None
    assert result.claims.vendor_score is not None  # shown as an unverified claim


def test_every_byte_flip_in_every_member_is_detected(signed: Path) -> None:
    original = _members(signed)
    for name, data in original.items():
        for position in sorted({0, len(data) // 2, len(data) - 2}):
            flipped = bytearray(data)
            flipped[position] ^= 0x01
            B.write_zip(signed, {**original, name: bytes(flipped)})
            assert not _verify(signed).ok, f"flip at {name}[{position}] went unnoticed"


def _bad(path: Path, raw: bytes) -> str:
    path.write_bytes(raw)
    result = _verify(path)
    assert not result.ok and result.discrepancies
    return " ".join(f"{d.subject}: {d.message}" for d in result.discrepancies)


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_bad_input_gives_a_clear_discrepancy(signed: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.zip"
    assert "not a zip file" in _bad(path, b"just text")
    assert "not a readable zip" in _bad(path, b"PK\x03\x04" + b"\0" * 40)
    members = _members(signed)
    envelope = json.loads(members[B.ATTESTATION])
    wrong_type = {**envelope, "payloadType": "text/plain"}
    assert "payloadType is 'text/plain'" in _bad(path, B.zip_bytes({**members, B.ATTESTATION: json.dumps(wrong_type).encode()}))
    sig = envelope["signatures"][0]
    short = {**envelope, "signatures": [{**sig, "sig": base64.b64encode(base64.b64decode(sig["sig"])[:40]).decode()}]}
    assert "truncated" in _bad(path, B.zip_bytes({**members, B.ATTESTATION: json.dumps(short).encode()}))
    assert "added" in _bad(path, B.zip_bytes({**members, "artifacts/extra.txt": b"x"}))
    del members["report.sarif"]
    assert "missing from the bundle" in _bad(path, B.zip_bytes(members))
    assert "member name" in _bad(path, _zip({"../../etc/passwd": b"x"}))
    assert "member name" in _bad(path, _zip({"/abs": b"x"}))


def test_huge_members_and_zip_bombs_are_refused_within_the_limits(tmp_path: Path) -> None:
    limits = B.ReadLimits(max_bundle_bytes=1 << 20, max_members=10, max_member_bytes=1 << 16, max_total_bytes=1 << 17)
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip({"report.json": b"\0" * (1 << 22)}, zipfile.ZIP_DEFLATED))  # 4 MiB of zeros, 4 KiB on disk
    result = verify_bundle(path, keys=[KEY.public_key()], rules=_rules(), limits=limits)
    assert "declares" in result.discrepancies[0].message
    # The header lies: it says 10 bytes; the inflated stream is 4 MiB. Reading stops at the header's size.
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        raw[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    result = verify_bundle(path, keys=[KEY.public_key()], rules=_rules(), limits=limits)
    assert not result.ok and result.discrepancies[0].subject == "bundle"
    many = _zip({f"m{i}": b"x" for i in range(11)})
    path.write_bytes(many)
    assert "members" in verify_bundle(path, keys=[KEY.public_key()], rules=_rules(), limits=limits).discrepancies[0].message


def test_inflating_stops_at_the_cap_whatever_the_header_says() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("a")
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b"\0" * (1 << 22))
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        with pytest.raises(B.BundleError, match="inflates past"):
            B._inflate(archive, archive.infolist()[0], 1 << 16)


# --- judging a re-run, and re-deriving from metrics ----------------------------------------------


def _check(technique: str, outcome: str, score: float | None, **metrics):
    from baseline.model import CheckResult, CheckSpec, Outcome

    spec = CheckSpec(id="fuzzing.atheris" if technique == "T09" else "automated-testing.pytest", technique=technique, title="t", verifies="v", why="w", remediation="r")
    return CheckResult(spec, Outcome(outcome), score, "message", metrics=metrics)


@pytest.mark.parametrize(
    ("claimed", "fresh", "problem", "kept"),
    [
        (("fail", 2.8), ("fail", 2.4), False, "claimed"),  # within the noise of a time-boxed search
        (("fail", 6.5), ("fail", 2.4), True, "fresh"),  # claims far more than the re-run saw
        (("pass", 6.5), ("fail", 2.9), True, "fresh"),  # the re-run found a crash the claim hides
        (("fail", 2.9), ("pass", 6.5), False, "claimed"),  # a lower claim stands
    ],
)
def test_a_nondeterministic_rerun_bounds_the_claim(claimed, fresh, problem, kept) -> None:
    from baseline.verify import _nondeterministic

    a, b = _check("T09", *claimed), _check("T09", *fresh)
    chosen, problems = _nondeterministic(a, b)
    assert bool(problems) is problem and chosen is (a if kept == "claimed" else b)


@pytest.mark.parametrize(
    ("metrics", "claimed", "derived"),
    [
        ({"passed": 2, "failed": 2, "errors": 0}, ("pass", 10.0), ("fail", 5.0)),
        ({"passed": 4, "failed": 0, "errors": 0}, ("pass", 10.0), None),
        ({"passed": 0, "failed": 0, "errors": 0}, ("pass", 10.0), ("fail", 0.0)),
        ({"passed": "4", "failed": 0, "errors": 0}, ("pass", 10.0), ("not_evaluated", 0.0)),
        ({"passed": 4, "failed": 0}, ("pass", 10.0), ("not_evaluated", 0.0)),
    ],
)
def test_test_outcomes_are_rederived_from_their_counts(metrics, claimed, derived) -> None:
    from baseline.rederive import rederive

    result, mismatches, ruled = rederive(_check("T02", *claimed, **metrics), Config({}, None))
    assert ruled
    if derived is None:
        assert not mismatches
    else:
        assert mismatches and (result.outcome.value, result.score) == derived


def test_coverage_is_judged_against_the_verifiers_floor() -> None:
    from dataclasses import replace

    from baseline.model import Outcome
    from baseline.rederive import rederive

    claimed = replace(_check("T07", "pass", 10.0, percent_statements=75.0, percent_branches=None), spec=replace(_check("T07", "pass", 1.0).spec, id="structural-coverage.coverage"))
    vendor_floor = Config({"coverage.threshold": 70.0}, None)
    assert rederive(claimed, vendor_floor)[1] == []
    result, mismatches, _ = rederive(claimed, Config({}, None))  # the verifier's default floor: 80%
    assert result.outcome is Outcome.FAIL and {m.field for m in mismatches} == {"outcome", "score"}


# --- the source digest, and bad input through the command line ------------------------------------


def test_the_source_digest_covers_baseline_and_skips_vcs_caches_and_venvs(tmp_path: Path) -> None:
    from baseline.target import tree_digest

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    before = tree_digest(tmp_path)
    for noise in (".git/HEAD", "pkg/__pycache__/a.pyc", ".pytest_cache/v", "pkg.egg-info/PKG-INFO", "env/pyvenv.cfg", "env/lib/x.py"):
        (tmp_path / noise).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / noise).write_text("noise")
    assert tree_digest(tmp_path) == before
    (tmp_path / ".baseline").mkdir()
    (tmp_path / ".baseline" / "accepted.toml").write_text("# accepted\n")
    assert tree_digest(tmp_path)[0] != before[0]
    (tmp_path / "build").mkdir()  # a folder named build is source like any other
    (tmp_path / "build" / "gen.py").write_text("y = 2\n")
    assert tree_digest(tmp_path)[1] == before[1] + 2


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    from baseline.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_bad_bundles_through_the_cli_exit_non_zero_without_a_traceback(signed: Path, tmp_path: Path, capsys) -> None:
    pub = tmp_path / "key.pub"
    from cryptography.hazmat.primitives import serialization

    pub.write_bytes(KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    members = _members(signed)
    envelope = json.loads(members[B.ATTESTATION])
    cases = {
        "text.zip": (b"not a zip at all", "not a zip file"),
        "type.zip": (B.zip_bytes({**members, B.ATTESTATION: json.dumps({**envelope, "payloadType": "x"}).encode()}), "payloadType"),
        "escape.zip": (_zip({"artifacts/../../x": b"x"}), "member name"),
    }
    huge = bytearray(_zip({"report.json": b"{}"}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = huge.find(signature)
        huge[at + offset:at + offset + 4] = (0xFFFFFFF0).to_bytes(4, "little")  # claims 4 GiB
    cases["huge.zip"] = (bytes(huge), "declares")
    for name, (raw, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(raw)
        code, out, err = _cli(["verify", str(path), "--pubkey", str(pub)], capsys)
        assert code == 1 and message in out and "NOT VERIFIED" in out, (name, out, err)
        assert "Traceback" not in out + err
    code, out, err = _cli(["verify", str(tmp_path / "text.zip")], capsys)
    assert code == 2 and "no pinned signer" in out
    code, out, err = _cli(["verify", str(signed), "--pubkey", str(tmp_path / "missing.pub")], capsys)
    assert code == 2 and "cannot read" in err


def test_a_trust_file_pins_several_keys(signed: Path, tmp_path: Path, capsys) -> None:
    from cryptography.hazmat.primitives import serialization

    def pem(key: Ed25519PrivateKey) -> bytes:
        return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    others = tmp_path / "others.pem"
    others.write_bytes(pem(Ed25519PrivateKey.generate()) + pem(Ed25519PrivateKey.generate()))
    code, out, _ = _cli(["verify", str(signed), "--trust", str(others)], capsys)
    assert code == 1 and "no signature by a pinned key" in out
    trust = tmp_path / "trust.pem"
    trust.write_bytes(others.read_bytes() + pem(KEY))
    code, out, _ = _cli(["verify", str(signed), "--trust", str(trust), "--json"], capsys)
    result = json.loads(out)
    assert result["pinned"] and result["signature"] == "valid" and len(result["signers"]) == 1


def _result(check_id: str, outcome: str, score: float, findings=(), **metrics):
    from baseline.model import CheckResult, CheckSpec, Outcome

    spec = CheckSpec(id=check_id, technique="T00", title="t", verifies="v", why="w", remediation="r")
    return CheckResult(spec, Outcome(outcome), score, "message", tuple(findings), metrics=metrics)


def _secret(path: str, suppression=None, context: str = "tree"):
    from baseline.model import Confidence, Finding, Location, Severity

    return Finding(
        rule_id="secrets.aws-access-key-id", severity=Severity.INFO, message="m", tool="baseline-secrets", location=Location(path=path, start_line=1),
        confidence=Confidence.HIGH, suppression=suppression, context=context, properties={"secret_sha256": "ab" * 32, "where": "test"},
    )


def test_secrets_are_rejudged_with_the_verifiers_lists_and_the_rules_severity() -> None:
    """A vendor who lowers a product secret to info, relabels it a test file, or suppresses it with its own
    allow-list gets no pass: severity and class come from the rule and the path, the allow-list from the verifier."""
    from baseline.model import Outcome, Suppression
    from baseline.rederive import rederive
    from baseline.tools.secrets.rules import RULES_BY_ID

    if "secrets.aws-access-key-id" not in RULES_BY_ID:
        pytest.skip("rule id changed")
    forged = _result("hardcoded-secrets.scan", "pass", 10.0, [_secret("app/settings.py"), _secret("app/keys.py", Suppression("config", "vendor says fine"))])
    result, mismatches, ruled = rederive(forged, Config({}, None))
    assert ruled and result.outcome is Outcome.FAIL and result.score == 4.0 and {m.field for m in mismatches} == {"outcome", "score"}
    allowed = Config({"secrets.allow": ["app/** -- the verifier accepts these fixtures"]}, None)
    assert rederive(forged, allowed)[0].outcome is Outcome.FAIL  # the unsuppressed one still counts
    honest = _result("hardcoded-secrets.scan", "pass", 9.75, [_secret("tests/test_keys.py"), _secret("app/keys.py", Suppression("inline", "a documented example"))])
    assert rederive(honest, Config({}, None))[1] == []


def test_components_and_web_verdicts_follow_their_findings() -> None:
    from baseline.model import Finding, Outcome, Severity
    from baseline.rederive import rederive

    vuln = Finding(rule_id="PYSEC-1", severity=Severity.HIGH, message="m", tool="osv", properties={"scope": "required"})
    forged = _result("included-components.osv", "pass", 10.0, [vuln], components=4, audited=4)
    result, mismatches, _ = rederive(forged, Config({}, None))
    assert result.outcome is Outcome.FAIL and result.score == 7.5 and mismatches
    assert rederive(_result("included-components.osv", "pass", 10.0, [], components=0, audited=0), Config({}, None))[0].outcome is Outcome.NOT_EVALUATED
    xss = Finding(rule_id="wapiti.xss", severity=Severity.HIGH, message="m", tool="wapiti")
    result, mismatches, _ = rederive(_result("web-app-scanning.wapiti", "pass", 10.0, [xss]), Config({}, None))
    assert result.outcome is Outcome.FAIL and result.score == 7.0
    assert rederive(_result("web-app-scanning.api", "pass", 10.0, []), Config({}, None))[1] == []


def test_a_tool_result_the_report_does_not_list_is_named() -> None:
    import json as _json

    from baseline.model import Finding, Location, Severity
    from baseline.replay import unlisted_tool_results

    listed = (Finding("B602", Severity.HIGH, "shell", "bandit+semgrep", location=Location("app/run.py", 9, 11)),)
    bandit = {"results": [{"filename": "/src/proj/app/run.py", "line_number": 10, "line_range": [10], "test_id": "B602"},
                          {"filename": "/src/proj/tests/test_x.py", "line_number": 3, "line_range": [3], "test_id": "B101"}]}
    semgrep = {"results": [{"path": "app/run.py", "start": {"line": 11}, "end": {"line": 12}, "check_id": "shell"}]}
    assert unlisted_tool_results(_json.dumps(bandit).encode(), listed, "/src/proj") == ""  # overlapping lines; a test assert is dropped
    assert unlisted_tool_results(_json.dumps(semgrep).encode(), listed, "/src/proj") == ""
    deleted = {"results": [*bandit["results"], {"filename": "/src/proj/app/db.py", "line_number": 4, "line_range": [4], "test_id": "B608"}]}
    assert "bandit reported B608 at app/db.py:4" in unlisted_tool_results(_json.dumps(deleted).encode(), listed, "/src/proj")
    assert unlisted_tool_results(b"{not json", listed, "/src/proj") == "the static analysis output is not valid JSON"
    assert unlisted_tool_results(b"<xml/>", listed, "/src/proj") == ""  # not a tool output: another replayer's business
