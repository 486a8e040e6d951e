"""T03 code-based (static) analysis: bandit and semgrep with the project's own offline rule pack.

The check judges the shared static run (baseline/tools/static_run.py); it starts no process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from baseline.model import CheckResult, CheckSpec, Confidence, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.target import is_test_path
from baseline.tools.static_common import CWE_TOP25_2024

if TYPE_CHECKING:  # the analysers' modules are imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.static_run import StaticScan

SEVERITY_WEIGHT = {Severity.CRITICAL: 10.0, Severity.HIGH: 5.0, Severity.MEDIUM: 2.0, Severity.LOW: 0.5, Severity.INFO: 0.0}
CONFIDENCE_WEIGHT = {Confidence.HIGH: 1.0, Confidence.MEDIUM: 0.75, Confidence.LOW: 0.5}
MINOR_CAP = SEVERITY_WEIGHT[Severity.HIGH]  # all low and info findings together weigh at most one high

SPEC = CheckSpec(
    id="static-analysis.scan",
    technique="T03",
    title="Static analysis finds no serious weakness",
    verifies="Runs bandit and semgrep (offline, with the toolkit's own taint and pattern rule pack) over every "
    "Python file, maps each result to its precise CWE, merges what both tools report at one place, honours "
    "inline suppressions only with a rule id and a reason, and counts what could not be analysed.",
    why="NIST IR 8397 asks for a static analyser that looks for the top bug classes (CWE Top 25, OWASP Top 10) "
    "on every change; injection, path traversal, unsafe deserialisation and weak cryptography are cheap to "
    "find before release and expensive after.",
    remediation="Fix each high finding (parameterise SQL, pass argument lists without a shell, contain paths "
    "with realpath plus a prefix check, escape markup, use SHA-256 or better). If a finding is a false "
    "positive, suppress it on its line with '# nosec <id> -- <reason>' or '# nosemgrep: <rule> -- <reason>'.",
    evidence="bandit's and semgrep's JSON reports from this scan, tool versions, the rule pack's version and "
    "digest, and the list of files a tool could not analyse.",
    scoring="fail on any unsuppressed product finding at static.fail_on (default high) or worse, or when fewer "
    "than static.min_analysed percent of the Python files were analysed by both tools. score = 10 x 10 / "
    "(10 + W) x analysed fraction, where W sums unsuppressed findings weighted critical 10, high 5, medium 2, "
    "low 0.5, info 0, times their confidence (high 1, medium 0.75, low 0.5); findings in tests and in files the "
    "package does not ship (scripts, docs, task files) count static.test_weight (default 0.2) of that; low and info "
    "findings together weigh at most 5 (one high), so many minor notes never outweigh one serious weakness; only "
    "product findings fail the check.",
    references=("NIST IR 8397 section 2.3", "NIST SP 800-218 PW.7.1", "NIST SP 800-218 PW.7.2", "CWE Top 25 (2024)", "OWASP Top 10 (2021)"),
    cwe=CWE_TOP25_2024,
)


def weighted_load(findings: Iterable[Finding], test_weight: float) -> float:
    """W: the severity- and confidence-weighted count of unsuppressed findings (tests scaled by
    ``test_weight``). Low and info findings together weigh at most one high finding: many minor
    notes (asserts in a library) can never outweigh one serious weakness (an injection in an app)."""
    serious = minor = 0.0
    for finding in findings:
        if finding.suppressed:
            continue
        weight = SEVERITY_WEIGHT[finding.severity] * CONFIDENCE_WEIGHT[finding.confidence] * (1.0 if finding.context == "product" else test_weight)
        if finding.severity.rank > Severity.LOW.rank:
            serious += weight
        else:
            minor += weight
    return serious + min(minor, MINOR_CAP)


def static_score(findings: Iterable[Finding], test_weight: float, analysed_fraction: float) -> float:
    """The documented score: 10 x 10 / (10 + W), times the fraction of files analysed."""
    load = weighted_load(findings, test_weight)
    return round(10.0 * 10.0 / (10.0 + load) * max(0.0, min(1.0, analysed_fraction)), 2)


def not_analysed_findings(scan: StaticScan) -> list[Finding]:
    """One info finding per file a tool (or the pre-screen) did not analyse."""
    reasons: dict[str, list[str]] = {}
    for note in scan.not_analysed:
        reasons.setdefault(note.path, []).append(f"{note.tool}: {note.reason}")
    return [
        Finding(
            rule_id="baseline-not-analysed",
            severity=Severity.INFO,
            message="not (fully) analysed: " + "; ".join(items)[:400],
            tool="baseline",
            location=Location(path),
            context="test" if is_test_path(path) else "product",
        )
        for path, items in sorted(reasons.items())
    ] + [
        Finding(
            rule_id="baseline-analysed-by-semgrep-alone",
            severity=Severity.INFO,
            message=f"analysed by semgrep alone: {note.reason[:300]}; not a failure of the project",
            tool="baseline",
            location=Location(note.path),
            context="test" if is_test_path(note.path) else "product",
        )
        for note in scan.partly_analysed
    ]


class StaticAnalysisCheck:
    """Judge the shared static run."""

    spec = SPEC
    reads_source_only = True  # never runs the project's code: starts first, beside the test run

    def run(self, context: ScanContext) -> CheckResult:
        """Fail on serious product findings; score the rest; never pass a mostly unanalysed tree."""
        from baseline.tools.static_normalise import count_by_severity
        from baseline.tools.static_run import STATIC_RUN

        scan = context.shared(STATIC_RUN)
        if scan.status == "no-python":
            return CheckResult(SPEC, Outcome.NOT_APPLICABLE, None, scan.message, evidence=scan.evidence)
        findings = tuple(scan.findings) + tuple(not_analysed_findings(scan))
        total = len(scan.files)
        fraction = scan.analysed_files / total if total else 0.0
        product = count_by_severity(findings, "product")
        tests = count_by_severity(findings, "test")
        tooling = count_by_severity(findings, "tooling")
        metrics = {
            "python_files": total,
            "product_files": scan.product_files,
            "test_files": scan.test_files,
            "analysed_files": scan.analysed_files,
            "analysed_percent": round(100.0 * fraction, 2),
            "not_analysed": sorted({note.path for note in scan.not_analysed})[:100],
            "analysed_by_semgrep_alone": sorted({note.path for note in scan.partly_analysed})[:100],
            "downgraded": sum(1 for f in scan.findings if f.properties.get("downgraded")),
            "product": dict(product),
            "test": dict(tests),
            "tooling": dict(tooling),
            "suppressed": sum(1 for finding in findings if finding.suppressed),
            "merged_across_tools": sum(1 for finding in scan.findings if len(finding.properties.get("tools", ())) > 1),
            "cwe_top25": sum(1 for f in scan.findings if not f.suppressed and f.properties.get("cwe_top25_2024")),
            "tools": {run.tool: {"status": run.status, "version": run.version, "files": run.files_requested} for run in scan.tools},
            "cache": dict(scan.cache),
            "rule_pack": {"version": scan.rule_pack_version, "digest": scan.rule_pack_digest},
            "duration_s": scan.duration_s,
        }
        evidence = list(scan.evidence)
        if scan.status == "error":
            return CheckResult(SPEC, Outcome.ERROR, 0.0, scan.message, findings, tuple(evidence), metrics)
        threshold = str(context.config.get("static.fail_on"))
        test_weight = float(context.config.get("static.test_weight"))
        minimum = float(context.config.get("static.min_analysed"))
        score = static_score(findings, test_weight, fraction)
        serious = []
        if threshold != "none":
            bar = Severity(threshold)
            serious = [
                f for f in findings
                if not f.suppressed and f.context == "product" and f.severity.at_least(bar) and not f.properties.get("downgraded")
            ]
        summary = (
            f"{scan.analysed_files}/{total} Python files analysed; product findings: "
            + ", ".join(f"{product[s.value]} {s.value}" for s in Severity if product[s.value])
            if any(product.values())
            else f"{scan.analysed_files}/{total} Python files analysed; no unsuppressed product findings"
        )
        if any(tests.values()):
            summary += f"; {sum(tests.values())} in tests"
        if any(tooling.values()):
            summary += f"; {sum(tooling.values())} in files the package does not ship (scripts, docs, task files)"
        if serious:
            cwes = sorted({c for f in serious for c in f.cwe})
            message = f"{len(serious)} unsuppressed {threshold}-or-worse product findings (CWE {', '.join(map(str, cwes))}); {summary}"
            return CheckResult(SPEC, Outcome.FAIL, score, message, findings, tuple(evidence), metrics)
        if 100.0 * fraction < minimum:
            evidence.append(Evidence(Provenance.INSPECTED, f"{total - scan.analysed_files} files were not analysed by both tools"))
            message = f"only {100.0 * fraction:.1f}% of the Python files were analysed (static.min_analysed is {minimum:g}%); {summary}"
            return CheckResult(SPEC, Outcome.FAIL, score, message, findings, tuple(evidence), metrics)
        return CheckResult(SPEC, Outcome.PASS, score, summary, findings, tuple(evidence), metrics)


CHECK = StaticAnalysisCheck()
