"""T04 hard-coded secrets: our own detector over the working tree and the git history."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from baseline.model import CheckResult, CheckSpec, Confidence, Evidence, Finding, Location, Outcome, Provenance, Severity, Suppression
from baseline.target import is_test_path

if TYPE_CHECKING:  # the detector is imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.secrets.allowlist import AllowEntry
    from baseline.tools.secrets.engine import Detection
    from baseline.tools.secrets.history import HistoryHit
    from baseline.tools.secrets.scan import SecretsScan

SPEC = CheckSpec(
    id="hardcoded-secrets.scan",
    technique="T04",
    title="No hard-coded secrets in the code or its history",
    verifies="Scans every file of the working tree (UTF-16/32 included; only VCS metadata, real virtual environments "
    "and tool caches are left out, each counted) and, with secrets.history, every blob reachable from any git ref "
    "with provider rules (cloud, source hosting, messaging, payments, AI APIs, registries, private keys, JWTs, "
    "credential URLs) and a generic rule that reads credentials as they are written in configuration files, code, "
    "command lines, SQL, XML, headers, connection strings and Kubernetes secrets, with entropy checks and "
    "false-positive filters.",
    why="NIST IR 8397 asks that hard-coded passwords and keys be found with heuristic tools; a leaked credential "
    "stays usable from the git history until it is rotated.",
    remediation="Move the secret to the environment or a secret manager and ROTATE it (removing it from the code does "
    "not remove it from history). Accept a false positive with '# baseline: allow-secret -- reason' or a "
    "secrets.allow entry; mark a rotated history-only secret with a secrets.rotated entry.",
    evidence="The detector's counts of files, bytes and blobs scanned; redacted findings with SHA-256 fingerprints.",
    scoring="fail on any unsuppressed secret (severity medium or above, confidence medium or above) in product code "
    "or only in history without a rotated entry; score = 10 - 3 per failing tree secret - 2 per failing "
    "history-only secret - 0.25 per test/docs finding, floored at 0; error when the history is required "
    "(secrets.history on, or auto in CI) but could not be read (no git, a failed git command, a shallow clone; "
    "with secrets.history on, also a target that is not a git repository); not evaluated when no file was scanned.",
    references=("NIST IR 8397 section 2.4", "NIST SP 800-218 PW.7", "CWE-798"),
    cwe=(798,),
)

_DOC_DIRS = frozenset({"docs", "doc", "examples", "example", "samples", "sample"})
_DOC_SUFFIXES = frozenset({".md", ".rst", ".adoc", ".ipynb"})
_CONFIDENCE = {"high": Confidence.HIGH, "medium": Confidence.MEDIUM, "low": Confidence.LOW}


def where(path: str) -> str:
    """product, test or docs: test fixtures and documentation examples are reported at low severity."""
    if is_test_path(path):
        return "test"
    pure = PurePosixPath(path)
    if (
        pure.suffix.lower() in _DOC_SUFFIXES
        or "example" in pure.name.lower()
        or any(part.lower() in _DOC_DIRS for part in pure.parts[:-1])
    ):
        return "docs"
    return "product"


def _finding(path: str, detection: Detection, context: str, extra: dict[str, Any], allow: list[AllowEntry]) -> Finding:
    from baseline.tools.secrets.allowlist import first_match
    from baseline.tools.secrets.rules import RULES_BY_ID
    from baseline.tools.secrets.scan import TOOL

    rule = RULES_BY_ID[detection.rule_id]
    kind = where(path)
    severity = rule.severity if kind == "product" else Severity.LOW
    suppression = None
    if detection.allow_reason:
        suppression = Suppression("inline", detection.allow_reason)
    else:
        entry = first_match(allow, path, detection.secret_sha256)
        if entry is not None:
            suppression = Suppression("config", entry.reason)
    short = detection.secret_sha256[:12]
    message = f"{rule.description}: {detection.redacted}, sha256:{short}"
    if kind != "product":
        message += f" ({kind} file: reported at low severity)"
    if extra.get("introduced_commit"):
        message += f"; introduced in commit {str(extra['introduced_commit'])[:12]} ({extra.get('introduced_date')})"
    if context == "history":
        message += "; removed from the tree but still in git history: rotate it"
        if extra.get("present_at_head"):
            message = message.replace("removed from the tree", "deleted in the working tree only")
    properties = {
        "secret_sha256": detection.secret_sha256,
        "redacted": detection.redacted,
        "length": detection.length,
        "validated": detection.validated,
        "where": kind,
        "description": rule.description,
        **extra,
    }
    if detection.entropy is not None:
        properties["entropy"] = detection.entropy
    if detection.allow_without_reason:
        properties["allow_comment_without_reason"] = True
    digest = hashlib.sha256("\x1f".join((TOOL, rule.id, path, detection.secret_sha256, context)).encode()).hexdigest()[:32]
    return Finding(
        rule_id=rule.id,
        severity=severity,
        message=message,
        tool=TOOL,
        location=Location(path=path, start_line=detection.start_line, end_line=detection.end_line, snippet=detection.snippet),
        confidence=_CONFIDENCE[detection.confidence],
        cwe=(798,),
        fingerprint=digest,
        suppression=suppression,
        context="history" if context == "history" else ("test" if kind == "test" else "product"),
        properties=properties,
    )


def _history_extra(hit: HistoryHit | None) -> dict[str, Any]:
    if hit is None:
        return {}
    return {"introduced_commit": hit.commit, "introduced_date": hit.author_date, "present_at_head": hit.present_at_head, "blob": hit.blob}


def _occurrences(findings: list[Finding]) -> list[Finding]:
    counts: dict[str, int] = {}
    out = []
    for finding in sorted(findings, key=lambda f: (f.location.path if f.location else "", f.location.start_line or 0 if f.location else 0)):
        index = counts.get(finding.fingerprint, 0)
        counts[finding.fingerprint] = index + 1
        out.append(replace(finding, fingerprint=f"{finding.fingerprint}:{index}"))
    return out


def failing(finding: Finding) -> bool:
    """Counts against the check: unsuppressed, medium or worse, not low confidence, not a test/docs file."""
    return (
        not finding.suppressed
        and finding.severity.at_least(Severity.MEDIUM)
        and finding.confidence is not Confidence.LOW
        and finding.properties.get("where") == "product"
    )


def history_unread(scan: SecretsScan) -> str:
    """Why the history the scan was asked to read (secrets.history on, or auto in CI) was not read, or "".

    History that is required but unreadable is an error, never a pass: no git, a git command that failed,
    a shallow clone (most commits are missing), or, with ``secrets.history = on``, a target that is not a
    repository. A repository with no commit has an empty history, which was read; in auto mode (CI) a
    tree that is not a repository has none.
    """
    history = scan.history
    if history is None:
        return ""  # not required (secrets.history off, or auto outside CI); reported in the metrics
    if history.status == "skipped" and "no commits" in history.notes:
        return ""
    if history.status == "skipped" and "not a git repository" in history.notes and scan.history_reason != "secrets.history = on":
        return ""  # auto mode in CI on a tree that is not a repository: there is no history to read (noted)
    required = f"the git history was required ({scan.history_reason}) but "
    if history.status == "error":
        return required + "its scan failed: " + history.message
    if history.status == "skipped":
        return required + "could not be read: " + history.message
    if history.shallow:
        return required + "the clone is shallow, so most of it is missing (fetch it in full: git fetch --unshallow)"
    return ""


def judge(scan: SecretsScan, allow_raw: list[str], rotated_raw: list[str]) -> CheckResult:
    """Turn a SecretsScan into the T04 verdict (pure: no I/O)."""
    from baseline.tools.secrets.allowlist import first_match, parse_entries
    from baseline.tools.secrets.scan import TOOL

    allow, problems = parse_entries(allow_raw)
    rotated, rotated_problems = parse_entries(rotated_raw)
    problems += rotated_problems
    history = scan.history
    by_secret: dict[tuple[str, str], HistoryHit] = {}
    if history is not None:
        by_secret = {(hit.detection.rule_id, hit.detection.secret_sha256): hit for hit in history.hits}
    findings: list[Finding] = []
    in_tree: set[tuple[str, str]] = set()
    for hit in scan.tree:
        key = (hit.detection.rule_id, hit.detection.secret_sha256)
        in_tree.add(key)
        findings.append(_finding(hit.path, hit.detection, "tree", _history_extra(by_secret.get(key)), allow))
    history_only = 0
    for key, hist in by_secret.items():
        if key in in_tree:
            continue
        history_only += 1
        finding = _finding(hist.path, hist.detection, "history", _history_extra(hist), allow)
        entry = first_match(rotated, hist.path, hist.detection.secret_sha256)
        if finding.suppression is None and entry is not None:
            finding = replace(finding, suppression=Suppression("rotated", entry.reason))
        findings.append(finding)
    for problem in problems:
        findings.append(Finding(rule_id="secrets.config-entry-invalid", severity=Severity.INFO, message=problem, tool=TOOL))
    findings = _occurrences(findings)
    bad_tree = [f for f in findings if failing(f) and f.context != "history"]
    bad_history = [f for f in findings if failing(f) and f.context == "history"]
    minor = [f for f in findings if not f.suppressed and f.properties.get("where") in ("test", "docs")]
    score = max(0.0, 10.0 - 3 * len(bad_tree) - 2 * len(bad_history) - 0.25 * len(minor))
    evidence = list(scan.evidence)
    notes = [f"{path}: {reason}" for path, reason in scan.skipped if reason != "binary"]
    binary = sum(1 for _, reason in scan.skipped if reason == "binary")
    if binary or notes:
        more = f"; and {len(notes) - 20} more" if len(notes) > 20 else ""
        evidence.append(Evidence(Provenance.INSPECTED, f"skipped {len(scan.skipped)} files: {binary} binary; " + ("; ".join(notes[:20]) or "no other files") + more))
    if scan.skipped_dirs:
        listed = "; ".join(f"{path}: {reason}" for path, reason in scan.skipped_dirs[:20])
        more = f"; and {len(scan.skipped_dirs) - 20} more" if len(scan.skipped_dirs) > 20 else ""
        evidence.append(Evidence(Provenance.INSPECTED, f"skipped {len(scan.skipped_dirs)} folders: {listed}{more}"))
    history_state = "not scanned: " + scan.history_reason
    if history is not None:
        history_state = f"{history.status}: {history.message}" + (f" ({'; '.join(history.notes)})" if history.notes else "")
        if history.status != "ok":
            evidence.append(Evidence(Provenance.EXECUTED, f"history scan {history_state}", tool="git"))
    metrics = {
        "files_scanned": scan.files_scanned,
        "bytes_scanned": scan.bytes_scanned,
        "files_skipped": len(scan.skipped),
        "folders_skipped": len(scan.skipped_dirs),
        "tree_secrets": len(scan.tree),
        "history_only_secrets": history_only,
        "failing": len(bad_tree) + len(bad_history),
        "suppressed": sum(1 for f in findings if f.suppressed),
        "test_or_docs": len(minor),
        "history": history_state,
        "history_commits": history.commits if history else 0,
        "history_blobs_scanned": history.blobs_scanned if history else 0,
        "duration_s": scan.duration_s,
    }
    summary = f"{len(bad_tree)} failing secrets in the tree, {len(bad_history)} only in history; history {history_state}"
    if bad_tree or bad_history:
        return CheckResult(SPEC, Outcome.FAIL, round(score, 2), summary, tuple(findings), tuple(evidence), metrics)
    if scan.files_scanned == 0 and not bad_history:
        # Nothing was read: no credit (every file skipped, or an empty tree).
        return CheckResult(SPEC, Outcome.NOT_EVALUATED, 0.0, f"no file of the tree was scanned ({len(scan.skipped)} skipped): nothing judged", tuple(findings), tuple(evidence), metrics)
    unread = history_unread(scan)
    if unread:
        return CheckResult(SPEC, Outcome.ERROR, 0.0, unread, tuple(findings), tuple(evidence), metrics)
    return CheckResult(SPEC, Outcome.PASS, round(score, 2), summary, tuple(findings), tuple(evidence), metrics)


class HardcodedSecretsCheck:
    """Judge the shared secrets run."""

    spec = SPEC
    reads_source_only = True  # never runs the project's code: starts first, beside the test run

    def run(self, context: ScanContext) -> CheckResult:
        """Scan (once per scan, shared) and judge."""
        from baseline.tools.secrets.scan import SECRETS_RUN

        scan = context.shared(SECRETS_RUN)
        return judge(scan, list(context.config.get("secrets.allow")), list(context.config.get("secrets.rotated")))


CHECK = HardcodedSecretsCheck()
