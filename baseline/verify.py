"""Verify an evidence bundle with the verifier's own rules, failing closed.

Order: the zip is read within limits -> the DSSE envelope parses, has the in-toto payload type and
a valid signature by a *pinned* key (without one nothing is verified: the claims are only shown)
-> the Statement's subjects are exactly the members, digest for digest -> the predicate is the
report (and report.json says the same) -> the vendor's configuration, catalog and accepted
findings are compared with the verifier's and every difference is listed with its digest (never
reused) -> each result is judged again: the verifier's check specification and weight, every
evidence artifact present with its digest and agreeing with the metrics, outcome and score
re-derived from the metrics with the verifier's configuration -> with a source folder: its digest
(taken before anything runs) and commit are compared, and every check the verifier can run is
re-run through the normal scan path; the rest are replayed and marked so -> the verified score and
gate come from the verifier's catalog and policy (scoring.py, gate.py), and every claimed field
that disagrees is a discrepancy.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from baseline import attestation, bundle as B
from baseline.accepted import KIND as ACCEPTED_KIND
from baseline.accepted import apply_accepted
from baseline.catalog import parse_catalog
from baseline.config import KEYS, Config, coerce
from baseline.errors import BaselineError
from baseline.gate import evaluate_gate
from baseline.model import Catalog, CheckResult, CheckSpec, GateVerdict, Outcome, Report, ScoreBreakdown
from baseline.rederive import rederive
from baseline.replay import replay, unlisted_tool_results
from baseline.scoring import score_report

# (source, check ids, the verifier's configuration) -> fresh results of a normal scan of the source
Rerun = Callable[[Path, Sequence[str], Config], Sequence[CheckResult]]

# Keys about the vendor's machine and outputs: they change no verdict and are not compared.
ENVIRONMENT_KEYS = frozenset(
    {
        "python", "work_dir", "bundle", "sign", "history", "history_db", "jobs", "catalog",
        "tests.timeout", "tests.memory_mb", "static.timeout", "static.cache", "secrets.workers", "secrets.history_timeout",
        "components.timeout", "fuzz.rss_limit_mb", "fuzz.startup_grace", "regression.replay_timeout", "typecheck.timeout",
        "web.startup_timeout", "web.max_restarts",
    }
)
# The gate's policy: the verifier applies its own; the vendor's is shown, not compared.
POLICY_KEYS = frozenset({"gate", "min_score", "fail_on", "required", "new_only"})
# Checks whose results vary from run to run (time-boxed search): a claim may not be better than the
# re-run's outcome, its score may exceed the re-run's by the tolerance below, findings may differ.
NONDETERMINISTIC_TECHNIQUES = frozenset({"T09", "T10"})
# How far (score points of 10) a claimed score of such a check may exceed the re-run's and stand.
NONDETERMINISTIC_TOLERANCE = 2.0


@dataclass(frozen=True)
class Discrepancy:
    """One thing that did not verify (any discrepancy fails the verification)."""

    subject: str
    message: str


@dataclass(frozen=True)
class Difference:
    """A setting in which the vendor's scan differs from the verifier's rules (never reused)."""

    subject: str
    vendor: str
    verifier: str
    vendor_digest: str
    verifier_digest: str


@dataclass(frozen=True)
class Claims:
    """What the bundle says about itself: shown, labelled as unverified unless verification passed."""

    project: str | None = None
    commit: str | None = None
    tree_digest: str | None = None
    vendor_score: float | None = None
    catalog: str | None = None
    gate_passed: bool | None = None
    signers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying one bundle."""

    pinned: bool
    signature: str  # "valid", "unsigned", "unpinned-signer", "invalid", "not-checked"
    signers: tuple[str, ...]
    claims: Claims
    discrepancies: tuple[Discrepancy, ...]
    differences: tuple[Difference, ...] = ()
    results: tuple[CheckResult, ...] = ()
    status: Mapping[str, str] = field(default_factory=dict)  # check id -> how it was judged
    breakdown: ScoreBreakdown | None = None
    gate: GateVerdict | None = None

    @property
    def verified_score(self) -> float | None:
        """The score the verifier derived (None when nothing could be verified)."""
        return self.breakdown.trust_score if self.breakdown is not None and self.ok else None

    @property
    def ok(self) -> bool:
        """True when a pinned key signed the bundle and nothing failed verification."""
        return self.pinned and self.signature == "valid" and not self.discrepancies and not self.differences


@dataclass(frozen=True)
class VerifierRules:
    """The verifier's own catalog, installed check specifications and configuration."""

    catalog: Catalog
    specs: Mapping[str, CheckSpec]
    config: Config
    accepted_entries: tuple[Any, ...] = ()  # the verifier's accepted findings, applied to replayed results
    accepted_digest: str | None = None  # "sha256:<hex>" of the verifier's accepted-findings file


def value_digest(value: Any) -> str:
    """sha256 of a configuration value's canonical JSON (lists of patterns, allow-lists...)."""
    return "sha256:" + hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=True)
    return text if len(text) <= 120 else text[:117] + "..."


def _bare(value: Any) -> str:
    return value[:120] if isinstance(value, str) else _short(value)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Discrepancy] = []
        self.differences: list[Difference] = []

    def fail(self, subject: str, message: str) -> None:
        self.problems.append(Discrepancy(subject, message))


def _claims_of(predicate: Mapping[str, Any] | None, signers: tuple[str, ...] = ()) -> Claims:
    """Best-effort reading of what the report claims, for display only."""
    if not isinstance(predicate, Mapping):
        return Claims(signers=signers)
    def table(key: str) -> Mapping[str, Any]:
        value = predicate.get(key)
        return value if isinstance(value, dict) else {}

    target, breakdown, gate = table("target"), table("breakdown"), table("gate")
    score = breakdown.get("trust_score")

    def text(value: Any) -> str | None:
        return str(value)[:200] if value is not None else None

    return Claims(
        project=text(target.get("name")),
        commit=text(target.get("commit")),
        tree_digest=text(target.get("tree_digest")),
        vendor_score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) and math.isfinite(score) else None,
        catalog=text(f"{predicate.get('catalog_id')} {predicate.get('catalog_version')} ({predicate.get('catalog_digest')})"),
        gate_passed=gate.get("passed") if isinstance(gate.get("passed"), bool) else None,
        signers=signers,
    )


def _peek_predicate(payload: bytes) -> Mapping[str, Any] | None:
    try:
        return attestation.parse_statement(payload).predicate
    except attestation.AttestationError:
        return None


def verify_bundle(
    path: str | Path,
    *,
    keys: Sequence[Ed25519PublicKey],
    rules: VerifierRules,
    source: Path | None = None,
    source_digest: str | None = None,
    source_commit: str | None = None,
    rerun: Rerun | None = None,
    limits: B.ReadLimits = B.DEFAULT_LIMITS,
) -> Verification:
    """Verify the bundle at ``path`` against the pinned ``keys`` with the verifier's ``rules``.

    Never raises for a bad bundle: every problem is a discrepancy of the result. ``source_digest``
    and ``source_commit`` are the source's, taken by the caller before anything ran on it.
    """
    c = _Collector()
    pinned = bool(keys)
    try:
        members, raw = B.read_bundle(path, limits)
    except B.BundleError as exc:
        c.fail("bundle", str(exc))
        return Verification(pinned, "not-checked", (), Claims(), tuple(c.problems))
    if B.zip_bytes(members) != raw:
        c.fail("bundle", "the zip container is not in canonical form (bytes outside the members were changed)")
    if B.ATTESTATION not in members:
        old = " (a bundle of the earlier manifest.sig format: re-create it with 'baseline scan --bundle')" if "manifest.json" in members else ""
        c.fail(B.ATTESTATION, f"missing: the bundle carries no signed attestation{old}")
        return Verification(pinned, "unsigned", (), Claims(), tuple(c.problems))
    try:
        envelope = attestation.parse_envelope(members[B.ATTESTATION])
    except attestation.AttestationError as exc:
        c.fail(B.ATTESTATION, f"not a valid DSSE envelope: {exc}")
        return Verification(pinned, "invalid", (), Claims(), tuple(c.problems))
    claimed_ids = tuple(sorted({s.keyid[:64] for s in envelope.signatures}))
    claims = _claims_of(_peek_predicate(envelope.payload), claimed_ids)
    if not pinned:
        return Verification(False, "not-checked", (), claims, tuple(c.problems))
    signers = envelope.signed_by(list(keys))
    if not signers:
        if not envelope.signatures:
            c.fail("signature", "the bundle is not signed")
            return Verification(True, "unsigned", (), claims, tuple(c.problems))
        c.fail("signature", "no signature by a pinned key (the envelope names key id(s) " + ", ".join(claimed_ids) + ")")
        return Verification(True, "unpinned-signer", (), claims, tuple(c.problems))
    try:
        statement = attestation.parse_statement(envelope.payload)
    except attestation.AttestationError as exc:
        c.fail("statement", f"not an in-toto Statement of a baseline scan: {exc}")
        return Verification(True, "valid", signers, claims, tuple(c.problems))
    good = _check_subjects(statement, members, c)
    report = _load_report(statement, members, good, c)
    if report is None:
        return Verification(True, "valid", signers, claims, tuple(c.problems))
    source_hex = statement.subjects.get(attestation.SOURCE_SUBJECT)
    if source_hex is None or "sha256:" + source_hex != report.target.tree_digest:
        c.fail(attestation.SOURCE_SUBJECT, f"the Statement's source digest does not match the report's {report.target.tree_digest}")
    _compare_configuration(report, members, good, rules, c)
    results, status = _judge_results(report, members, good, rules, c)
    if source is not None:
        results, status = _check_source(report, results, status, source, source_digest, source_commit, rerun, rules, c)
    breakdown = score_report(rules.catalog, results)
    _compare_claims(report, results, breakdown, rules, c)
    gate = evaluate_gate(rules.config, rules.catalog, results, breakdown)
    return Verification(
        True, "valid", signers, claims, tuple(c.problems), tuple(c.differences), tuple(results), status, breakdown, gate
    )


def _check_subjects(statement: attestation.Statement, members: Mapping[str, bytes], c: _Collector) -> set[str]:
    """Members whose digest the Statement vouches for; every mismatch is a discrepancy."""
    good: set[str] = set()
    for name in sorted(set(members) - {B.ATTESTATION}):
        digest = statement.subjects.get(name)
        if digest is None:
            c.fail(name, "in the bundle but not a subject of the Statement (added)")
        elif B.sha256(members[name]) != digest:
            c.fail(name, "SHA-256 differs from the Statement's subject (modified)")
        else:
            good.add(name)
    for name in sorted(set(statement.subjects) - set(members) - {attestation.SOURCE_SUBJECT}):
        c.fail(name[:120], "a subject of the Statement but missing from the bundle")
    return good


def _load_report(statement: attestation.Statement, members: Mapping[str, bytes], good: set[str], c: _Collector) -> Report | None:
    from baseline.reports.load import report_from_dict

    try:
        report = report_from_dict(statement.predicate)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        c.fail("report", f"the predicate is not a baseline report: {str(exc)[:300]}")
        return None
    if B.REPORT not in members:
        c.fail(B.REPORT, "missing")
    elif B.REPORT in good:
        try:
            same = json.loads(members[B.REPORT].decode("utf-8")) == statement.predicate
        except (UnicodeDecodeError, ValueError, RecursionError):
            same = False
        if not same:
            c.fail(B.REPORT, "does not say what the signed predicate says")
    return report


def _config_differences(recorded: Mapping[str, Any], verifier: Config, c: _Collector) -> Config:
    """List every judgement key the vendor set otherwise; returns the vendor's policy as a Config."""
    policy: dict[str, Any] = {}
    for spec in KEYS:
        if spec.name in ENVIRONMENT_KEYS:
            continue
        vendor_value = recorded.get(spec.name, spec.default)
        if spec.name in POLICY_KEYS:
            try:
                policy[spec.name] = coerce(spec, vendor_value, "the vendor's configuration") if vendor_value is not None else spec.default
            except BaselineError as exc:
                c.fail(f"config {spec.name}", f"the vendor's recorded value is invalid: {str(exc)[:200]}")
            continue
        mine = verifier.get(spec.name)
        if vendor_value != mine:
            c.differences.append(Difference(f"config {spec.name} ({spec.flag})", _short(vendor_value), _short(mine), value_digest(vendor_value), value_digest(mine)))
    for name in sorted(set(recorded) - {spec.name for spec in KEYS}):
        c.differences.append(Difference(f"config {name[:80]}", _short(recorded[name]), "(unknown key here)", value_digest(recorded[name]), "-"))
    return Config(values=policy, source="the vendor's recorded policy")


def _compare_configuration(report: Report, members: Mapping[str, bytes], good: set[str], rules: VerifierRules, c: _Collector) -> None:
    _config_differences(report.config, rules.config, c)
    if B.CATALOG in members and B.CATALOG in good:
        try:
            bundled = parse_catalog(members[B.CATALOG].decode("utf-8"), B.CATALOG)
            if bundled.digest != report.catalog_digest:
                c.fail(B.CATALOG, f"the bundled catalog ({bundled.digest}) is not the one the report names ({report.catalog_digest})")
        except (BaselineError, UnicodeDecodeError) as exc:
            c.fail(B.CATALOG, f"cannot parse: {str(exc)[:200]}")
    if report.catalog_digest != rules.catalog.digest:
        c.differences.append(
            Difference(
                "catalog",
                f"{report.catalog_id[:80]} {report.catalog_version[:40]}",
                f"{rules.catalog.id} {rules.catalog.version} ({rules.catalog.path})",
                report.catalog_digest[:80],
                rules.catalog.digest,
            )
        )
    vendor_accepted = sum(1 for r in report.results for f in r.findings if f.suppression is not None and f.suppression.kind == ACCEPTED_KIND)
    vendor_digest = "sha256:" + B.sha256(members[B.ACCEPTED]) if B.ACCEPTED in members else "-"
    if (vendor_accepted or B.ACCEPTED in members) and vendor_digest != rules.accepted_digest:
        c.differences.append(
            Difference(
                "accepted findings",
                f"the vendor's accepted-findings file suppressed {vendor_accepted} finding(s): not applied here",
                "the verifier's own accepted findings" if rules.accepted_digest else "none (pass --accepted-file, or --source with the file)",
                vendor_digest,
                rules.accepted_digest or "-",
            )
        )


def _strip_accepted(result: CheckResult) -> CheckResult:
    findings = tuple(replace(f, suppression=None) if f.suppression is not None and f.suppression.kind == ACCEPTED_KIND else f for f in result.findings)
    return replace(result, findings=findings)


def _demote(result: CheckResult, reason: str) -> CheckResult:
    return replace(result, outcome=Outcome.NOT_EVALUATED, score=0.0, message=f"failed verification: {reason} (vendor: {result.outcome.value}: {result.message})")


def _evidence_problem(result: CheckResult, members: Mapping[str, bytes], good: set[str], root: str = "") -> str:
    """Why this result's evidence does not verify ('' when it does)."""
    for evidence in result.evidence:
        for artifact in evidence.artifacts:
            name = Path(artifact.path).name[:120]
            member = B.artifact_member(artifact.path, artifact.sha256)
            if member not in members:
                return f"evidence artifact {name} ({evidence.tool or 'evidence'}) is missing from the bundle"
            if member not in good:
                return f"evidence artifact {name} failed its digest check"
            if B.sha256(members[member]) != artifact.sha256:
                return f"evidence artifact {name} does not match the digest recorded in the report"
            mismatch = replay(members[member], result.metrics, result.spec.technique)
            if not mismatch and result.spec.id == "static-analysis.scan":
                mismatch = unlisted_tool_results(members[member], result.findings, root)
            if mismatch:
                return f"{mismatch} ({name})"
    return ""


def _judge_results(
    report: Report, members: Mapping[str, bytes], good: set[str], rules: VerifierRules, c: _Collector
) -> tuple[list[CheckResult], dict[str, str]]:
    from baseline.runner import _sanitise

    by_id: dict[str, CheckResult] = {}
    for result in report.results:
        if result.spec.id in by_id:
            c.fail(result.spec.id[:120], "appears twice in the report")
        by_id[result.spec.id] = result
    results: list[CheckResult] = []
    status: dict[str, str] = {}
    for check_id, spec in sorted(rules.specs.items(), key=lambda item: (item[1].technique, item[0])):
        claimed = by_id.get(check_id)
        if claimed is None:
            c.fail(check_id, "installed here but missing from the bundle: not_evaluated")
            results.append(CheckResult(spec, Outcome.NOT_EVALUATED, 0.0, "not in the bundle"))
            status[check_id] = "missing from the bundle"
            continue
        for name in ("technique", "weight", "lifecycle"):
            mine, theirs = getattr(spec, name), getattr(claimed.spec, name)
            if mine != theirs:
                c.fail(f"{check_id} spec.{name}", f"the bundle says {_short(getattr(theirs, 'value', theirs))}, the verifier's check says {_short(getattr(mine, 'value', mine))}")
        result = _strip_accepted(replace(claimed, spec=spec))
        sane = _sanitise(result, spec)
        if (sane.outcome, sane.score) != (result.outcome, result.score):
            c.fail(f"{check_id}", f"claims {result.outcome.value} with score {_short(result.score)}, which the model does not allow ({sane.message[:200]})")
            result = sane
        reason = _evidence_problem(result, members, good, report.target.path)
        if reason:
            c.fail(check_id, reason)
            results.append(_demote(result, reason))
            status[check_id] = "demoted: " + reason
            continue
        derived, mismatches, ruled = rederive(result, rules.config)
        for item in mismatches:
            c.fail(f"{check_id} {item.field}", f"claimed {_bare(item.claimed)}, its own metrics give {_bare(item.derived)} ({item.why})")
        results.append(derived)
        status[check_id] = "re-derived from its metrics" if ruled else "replayed, not re-run"
    for check_id in sorted(set(by_id) - set(rules.specs)):
        c.differences.append(Difference(f"check {check_id[:120]}", "run by the vendor", "not installed here: not counted", "-", "-"))
    if rules.accepted_entries:
        accepted, _ = apply_accepted(results, rules.accepted_entries)
        results = list(accepted)
    return results, status


def _fingerprints(result: CheckResult) -> list[str]:
    return sorted(finding.fingerprint for finding in result.findings)


def _check_source(
    report: Report,
    results: list[CheckResult],
    status: dict[str, str],
    source: Path,
    digest: str | None,
    commit: str | None,
    rerun: Rerun | None,
    rules: VerifierRules,
    c: _Collector,
) -> tuple[list[CheckResult], dict[str, str]]:
    if digest is None:
        from baseline.target import tree_digest

        digest = tree_digest(source)[0]
    if digest != report.target.tree_digest:
        c.fail("source", f"source tree digest {digest} differs from the scanned tree {report.target.tree_digest}")
        return [_demote(result, "the source does not match the scanned tree") for result in results], {k: "demoted: other source" for k in status}
    if report.target.commit and commit and commit != report.target.commit:
        c.fail("source commit", f"the source is at {commit}, the bundle claims {report.target.commit[:80]}")
    if rerun is None:
        return results, status
    again = {result.spec.id: result for result in rerun(source, [r.spec.id for r in results], rules.config)}
    out: list[CheckResult] = []
    for result in results:
        fresh = again.get(result.spec.id)
        check_id = result.spec.id
        if fresh is None or fresh.outcome in (Outcome.ERROR, Outcome.NOT_EVALUATED) and result.outcome not in (Outcome.ERROR, Outcome.NOT_EVALUATED):
            why = "not run" if fresh is None else f"{fresh.outcome.value} here: {fresh.message[:160]}"
            status[check_id] = f"replayed, not re-run ({why})"
            out.append(result)
            continue
        status[check_id] = "re-run"
        if result.spec.technique in NONDETERMINISTIC_TECHNIQUES:
            chosen, problems = _nondeterministic(result, fresh)
        else:
            chosen, problems = fresh, _deterministic(result, fresh)
        for problem in problems:
            c.fail(f"{check_id} (re-run)", problem)
        out.append(chosen)
    return out, status


def _deterministic(claimed: CheckResult, fresh: CheckResult) -> list[str]:
    """Same source, same rules: the re-run must give the same outcome, score and findings."""
    problems = []
    if fresh.outcome is not claimed.outcome:
        problems.append(f"outcome: re-run gave {fresh.outcome.value}, the bundle says {claimed.outcome.value}")
    if (fresh.score is None) != (claimed.score is None) or (fresh.score is not None and claimed.score is not None and abs(fresh.score - claimed.score) > 0.011):
        problems.append(f"score: re-run gave {_short(fresh.score)}, the bundle says {_short(claimed.score)}")
    if _fingerprints(fresh) != _fingerprints(claimed):
        problems.append(f"findings: re-run gave {len(fresh.findings)}, the bundle has {len(claimed.findings)} (or other ones)")
    return problems


_RANK = {Outcome.PASS: 2, Outcome.FAIL: 1, Outcome.ERROR: 0, Outcome.NOT_EVALUATED: 0}


def _nondeterministic(claimed: CheckResult, fresh: CheckResult) -> tuple[CheckResult, list[str]]:
    """A time-boxed search (fuzzing, web scanning) need not repeat itself: the verified result is
    the lower of the two, and a claim better than what the re-run observed is a discrepancy."""
    if Outcome.NOT_APPLICABLE in (claimed.outcome, fresh.outcome):
        if claimed.outcome is fresh.outcome:
            return fresh, []
        return fresh, [f"outcome: re-run gave {fresh.outcome.value}, the bundle says {claimed.outcome.value}"]
    claimed_key = (_RANK[claimed.outcome], claimed.score or 0.0)
    fresh_key = (_RANK[fresh.outcome], fresh.score or 0.0)
    if claimed_key[0] > fresh_key[0]:
        return fresh, [f"outcome: re-run gave {fresh.outcome.value} ({fresh.message[:160]}), the bundle claims {claimed.outcome.value}"]
    if claimed_key[0] == fresh_key[0] and claimed_key[1] > fresh_key[1] + NONDETERMINISTIC_TOLERANCE:
        return fresh, [f"score: re-run gave {_short(fresh.score)}, the bundle claims more ({_short(claimed.score)}) than the {NONDETERMINISTIC_TOLERANCE:g} points two runs may differ"]
    # Within the noise of a time-boxed search the claim stands; a lower claim stands too.
    return (claimed if claimed_key[0] == fresh_key[0] or claimed_key < fresh_key else fresh), []


def _compare_claims(report: Report, results: Sequence[CheckResult], breakdown: ScoreBreakdown, rules: VerifierRules, c: _Collector) -> None:
    """Every claimed technique outcome and score, the trust score and the gate, against the verifier's."""
    claimed = {item.technique: item for item in report.breakdown.techniques}
    for item in breakdown.techniques:
        theirs = claimed.get(item.technique)
        if theirs is None:
            c.fail(f"{item.technique} outcome", "missing from the claimed breakdown")
            continue
        if theirs.outcome is not item.outcome:
            c.fail(f"{item.technique} outcome", f"claimed {theirs.outcome.value}, verified {item.outcome.value}")
        if (theirs.score is None) != (item.score is None) or (theirs.score is not None and item.score is not None and abs(theirs.score - item.score) > 0.011):
            c.fail(f"{item.technique} score", f"claimed {_short(theirs.score)}, verified {_short(item.score)}")
    if abs(report.breakdown.trust_score - breakdown.trust_score) > 0.005:
        c.fail("trust score", f"claimed {report.breakdown.trust_score:.2f}, verified {breakdown.trust_score:.2f} (the verifier's catalog and checks)")
    vendor_policy = _config_differences(report.config, rules.config, _Collector())
    again = evaluate_gate(vendor_policy, rules.catalog, results, breakdown)
    if report.gate.passed and not again.passed:
        c.fail("gate", "claimed passed; the verified results fail the vendor's own policy: " + "; ".join(again.reasons)[:400])
