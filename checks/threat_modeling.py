"""T01 threat modeling: a threat model exists, describes the system, covers the attack surface
extracted from the code, and keeps up with the code."""

from __future__ import annotations

from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.runner import ScanContext
from baseline.tools.pytest_run import TEST_RUN
from baseline.tools.threat_model import ELEMENTS
from baseline.tools.threat_review import THREAT_REVIEW, ThreatReview, iso

SPEC = CheckSpec(
    id="threat-modeling.model",
    technique="T01",
    title="A current threat model covers the attack surface found in the code",
    verifies="Finds a threat model (Markdown, a 'Threat model' section of SECURITY.md, OWASP Threat Dragon JSON or "
    "pytm), reads it for assets, entry points, trust boundaries, threats and mitigations, checks that it names "
    "every HTTP route, console script, CLI command and listener extracted from the code, dates it against the "
    "code with git, and runs the tests its mitigations name.",
    why="NIST IR 8397 asks for a threat model that guides testing and is revisited as the design changes; a file "
    "that exists but misses the real entry points, or predates the code, guides nothing.",
    remediation="Run 'baseline threat-model init' for a draft naming the extracted routes and commands, fill in "
    "every section, and update the model whenever an entry point is added.",
    evidence="the model file (declared, with its digest) and the attack surface extracted from the code (inspected).",
    scoring="0 when absent, unreadable or an untouched generated draft; else 5 x (elements present / 5) + "
    "3 x (entry points mentioned / entry points extracted) + 2 when not older than the code by more than "
    "threat_model.max_age_days; pass needs all elements, coverage >= threat_model.min_coverage, freshness and "
    "every named test passing.",
    references=("NIST IR 8397 section 2.1", "NIST SP 800-218 PW.1.1", "OWASP Threat Modeling Cheat Sheet"),
)


def _surface_evidence(review: ThreatReview) -> Evidence:
    counts: dict[str, int] = {}
    for item in review.surface.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    listing = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())) or "nothing"
    return Evidence(Provenance.INSPECTED, f"attack surface extracted from {review.surface.files_scanned} Python files and pyproject.toml: {listing}")


class ThreatModelingCheck:
    """Judge the shared threat-model review."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Score the model found (or its absence)."""
        review = context.shared(THREAT_REVIEW)
        model = review.model
        entry_points = review.surface.entry_points()
        evidence = [_surface_evidence(review)]
        metrics: dict[str, object] = {
            "entry_points": len(entry_points),
            "missing": [f"{item.kind} {item.name}" for item in review.missing],
            "models": [m.path for m in review.models],
        }
        if model is None:
            msg = "no threat model found (THREAT_MODEL.md, docs/threat-model*, a 'Threat model' section of SECURITY.md, Threat Dragon JSON or pytm)"
            return CheckResult(SPEC, Outcome.FAIL, 0.0, msg, (), tuple(evidence), metrics)
        evidence.insert(0, Evidence(Provenance.DECLARED, f"threat model {model.path} ({model.format}); elements: {', '.join(model.elements) or 'none'}", input_digests={model.path: "sha256:" + model.digest} if model.digest else {}))
        if model.parse_error:
            return CheckResult(SPEC, Outcome.FAIL, 0.0, f"the threat model {model.path} could not be read: {model.parse_error}", (), tuple(evidence), metrics)
        if model.draft_untouched:
            msg = f"{model.path} is the untouched draft written by 'baseline threat-model init': fill it in to earn credit"
            return CheckResult(SPEC, Outcome.FAIL, 0.0, msg, (), tuple(evidence), metrics)
        findings: list[Finding] = []
        for element in ELEMENTS:
            if element not in model.elements:
                findings.append(Finding("threat-model.missing-element", Severity.LOW, f"the threat model does not describe {element}", "baseline", Location(model.path)))
        for item in review.missing:
            where = Location(item.file, item.line or None) if item.file else None
            findings.append(Finding("threat-model.entry-point-not-covered", Severity.LOW, f"the threat model does not mention {item.kind} '{item.name}' ({item.detail})", "baseline", where))
        coverage = 100.0 * len(review.mentioned) / len(entry_points) if entry_points else 100.0
        max_age = int(context.config.get("threat_model.max_age_days"))
        age = review.age_days
        stale = age is not None and age > max_age
        fresh_points = 2.0 if age is not None and not stale else (1.0 if age is None else 0.0)
        if stale:
            findings.append(Finding("threat-model.stale", Severity.MEDIUM, f"the code changed {age:.0f} days after the threat model (allowed: {max_age})", "baseline", Location(model.path)))
        evidence.append(Evidence(Provenance.INSPECTED, f"model last changed {iso(review.model_date.epoch)} ({review.model_date.source}); code last changed {iso(review.code_date.epoch)} ({review.code_date.source})"))
        broken_tests = self._named_tests(context, model.tests_named, findings, evidence, model.path)
        score = 5.0 * len(model.elements) / len(ELEMENTS) + 3.0 * coverage / 100.0 + fresh_points
        metrics.update({"elements": list(model.elements), "coverage_percent": round(coverage, 1), "age_days": None if age is None else round(age, 1), "tests_named": list(model.tests_named)})
        ok = len(model.elements) == len(ELEMENTS) and coverage >= float(context.config.get("threat_model.min_coverage")) and not stale and not broken_tests
        gaps = f"; not mentioned: {', '.join(item.name for item in review.missing)}" if review.missing else ""
        msg = f"{model.path}: {len(model.elements)}/5 elements, {len(review.mentioned)}/{len(entry_points)} entry points mentioned ({coverage:.0f}%)" + (", stale" if stale else "") + gaps
        return CheckResult(SPEC, Outcome.PASS if ok else Outcome.FAIL, round(score - (1.0 if broken_tests else 0.0), 2), msg, tuple(findings), tuple(evidence), metrics)

    @staticmethod
    def _named_tests(context: ScanContext, names: tuple[str, ...], findings: list[Finding], evidence: list[Evidence], path: str) -> int:
        """Cross-check tests named by mitigations against the shared test run; returns how many do not pass."""
        if not names:
            return 0
        run = context.shared(TEST_RUN)
        outcomes: dict[str, str] = {}
        for case in run.cases:
            base = case.name.split("[")[0]
            if outcomes.get(base) != "failed":
                outcomes[base] = case.outcome if case.outcome != "error" else "failed"
        broken = 0
        for name in names:
            outcome = outcomes.get(name)
            if outcome != "passed":
                broken += 1
                reason = "is not in the test run" if outcome is None else f"{outcome} in the test run"
                findings.append(Finding("threat-model.mitigation-test", Severity.MEDIUM, f"mitigation test {name} {reason}", "baseline", Location(path)))
        evidence.append(Evidence(Provenance.EXECUTED, f"tests named by mitigations checked against the test run ({run.message}): {len(names) - broken}/{len(names)} pass", tool="pytest"))
        return broken


CHECK = ThreatModelingCheck()
