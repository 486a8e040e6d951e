"""T01 threat modeling: a threat model exists, describes the system, covers the attack surface
extracted from the code, and keeps up with the code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity

if TYPE_CHECKING:  # the tool modules are imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.pytest_run import TestRun
    from baseline.tools.threat_review import ThreatReview

SPEC = CheckSpec(
    id="threat-modeling.model",
    technique="T01",
    title="A current threat model covers the attack surface found in the code",
    verifies="Finds a threat model (Markdown, a 'Threat model' section of SECURITY.md, OWASP Threat Dragon JSON or "
    "pytm) and extracts the attack surface from the code: HTTP routes, console scripts, CLI commands, listeners, "
    "and the dangerous sinks (subprocess and dynamic code, unsafe deserialisers, archive extraction). Each must be "
    "covered by one block of the model (a list item, a table row, a paragraph or a sub-section) that names it, "
    "describes a threat to it and names a mitigation test that ran and passed in this scan's test run. It also "
    "reads the model for assets, entry points, trust boundaries, threats and mitigations, and dates it against "
    "the code with git.",
    why="NIST IR 8397 asks for a threat model that guides testing and is revisited as the design changes; a file "
    "that exists but misses the real entry points and sinks, or whose mitigations are not tested, guides nothing.",
    remediation="Run 'baseline threat-model init' for a draft with one block per extracted entry point and sink, "
    "write for each the threat and the test that verifies its mitigation (test_...), and update the model whenever "
    "an entry point or a sink is added.",
    evidence="the model file (declared, with its digest), the attack surface extracted from the code (inspected), "
    "and the outcomes of the named tests in this scan's test run (executed).",
    scoring="0 when absent, unreadable or an untouched generated draft; else score = 10 x (entry points and sinks "
    "covered / entry points and sinks extracted), where a block repeated for several items once their names are "
    "removed (boilerplate), a block without a threat, and a mitigation whose test did not pass in this scan cover "
    "nothing; with nothing extracted, 10 x (elements described / 5). Pass needs all five elements, coverage >= "
    "threat_model.min_coverage, the model not older than the code by more than threat_model.max_age_days, and "
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
        from baseline.tools.pytest_run import TEST_RUN
        from baseline.tools.threat_content import TEST_NAME, judge, requirements
        from baseline.tools.threat_model import ELEMENTS
        from baseline.tools.threat_review import THREAT_REVIEW, iso

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
        run = context.shared(TEST_RUN)
        outcomes = test_outcomes(run)
        reqs = requirements(review.surface)
        coverage = judge(reqs, model.blocks, outcomes)
        covered = [item for item in coverage if item.covered]
        for item in coverage:
            if not item.covered:
                req = item.requirement
                where = Location(req.file, req.line or None) if req.file else None
                rule = "threat-model.entry-point-not-covered" if req.entry_point else "threat-model.sink-not-covered"
                findings.append(Finding(rule, Severity.LOW if req.entry_point else Severity.MEDIUM, f"the threat model does not cover {req.label} ({req.detail or 'no detail'}): {item.reason}", "baseline", where))
        share = 100.0 * len(covered) / len(reqs) if reqs else None
        max_age = int(context.config.get("threat_model.max_age_days"))
        age = review.age_days
        stale = is_stale(age, max_age)
        if stale:
            findings.append(Finding("threat-model.stale", Severity.MEDIUM, f"the code changed {age:.0f} days after the threat model (allowed: {max_age})", "baseline", Location(model.path)))
        evidence.append(Evidence(Provenance.INSPECTED, f"model last changed {iso(review.model_date.epoch)} ({review.model_date.source}); code last changed {iso(review.code_date.epoch)} ({review.code_date.source})"))
        named = tuple(dict.fromkeys(model.tests_named + tuple(name for block in model.blocks for name in TEST_NAME.findall(block))))
        broken_tests = self._named_tests(run, outcomes, named, findings, evidence, model.path)
        minimum = float(context.config.get("threat_model.min_coverage"))
        ok, score = model_verdict(len(model.elements), len(covered), len(reqs), stale, broken_tests, minimum)
        entry_total = sum(1 for req in reqs if req.entry_point)
        entry_covered = sum(1 for item in covered if item.requirement.entry_point)
        metrics.update(
            {
                "elements": list(model.elements),
                "coverage_percent": None if share is None else round(share, 1),
                "entry_points_covered": entry_covered,
                "sinks": len(reqs) - entry_total,
                "sinks_covered": len(covered) - entry_covered,
                "blocks": len(model.blocks),
                "age_days": None if age is None else round(age, 1),
                "tests_named": list(named),
                "not_covered": [f"{item.requirement.label}: {item.reason}" for item in coverage if not item.covered][:100],
                # The figures the verdict is computed from (baseline/rederive.py re-derives it from them).
                "requirements": len(reqs),
                "covered": len(covered),
                "age_days_exact": age,
                "named_tests_failing": broken_tests,
            }
        )
        evidence.append(
            Evidence(
                Provenance.EXECUTED,
                f"{len(covered)}/{len(reqs)} entry points and dangerous sinks covered by a block naming them with a threat and a passing mitigation test ({run.message})",
                tool="pytest",
            )
        )
        gaps = [item.requirement.name for item in coverage if not item.covered]
        msg = (
            f"{model.path}: {len(model.elements)}/5 elements; "
            + (f"{len(covered)}/{len(reqs)} covered ({share:.0f}%: {entry_covered}/{entry_total} entry points, {len(covered) - entry_covered}/{len(reqs) - entry_total} dangerous sinks)" if share is not None else "no entry point or dangerous sink extracted from the code")
            + (", stale" if stale else "")
            + (f"; not covered: {', '.join(gaps[:10])}" + (f" and {len(gaps) - 10} more" if len(gaps) > 10 else "") if gaps else "")
            + (f"; {broken_tests} named test(s) did not pass" if broken_tests else "")
        )
        return CheckResult(SPEC, Outcome.PASS if ok else Outcome.FAIL, score, msg, tuple(findings), tuple(evidence), metrics)

    @staticmethod
    def _named_tests(run: TestRun, outcomes: dict[str, str], names: tuple[str, ...], findings: list[Finding], evidence: list[Evidence], path: str) -> int:
        """Cross-check the tests the model names against the shared test run; returns how many do not pass."""
        if not names:
            return 0
        broken = 0
        for name in names:
            outcome = outcomes.get(name)
            if outcome != "passed":
                broken += 1
                reason = "is not in the test run" if outcome is None else f"{outcome} in the test run"
                findings.append(Finding("threat-model.mitigation-test", Severity.MEDIUM, f"mitigation test {name} {reason}", "baseline", Location(path)))
        evidence.append(Evidence(Provenance.EXECUTED, f"tests named by the model checked against the test run ({run.message}): {len(names) - broken}/{len(names)} pass", tool="pytest"))
        return broken


def is_stale(age_days: float | None, max_age_days: int) -> bool:
    """The code changed more than max_age_days after the model (unknown age is not stale)."""
    return age_days is not None and age_days > max_age_days


def model_verdict(elements: int, covered: int, requirements: int, stale: bool, broken_tests: int, min_coverage: float) -> tuple[bool, float]:
    """(pass, score) of a readable model: the share of entry points and sinks covered (the elements
    described when nothing was extracted); pass needs all five elements, coverage at the floor, a
    model not stale and every named test passing. Shared with the verifier's re-derivation."""
    from baseline.tools.threat_model import ELEMENTS

    share = 100.0 * covered / requirements if requirements else None
    score = 10.0 * share / 100.0 if share is not None else 10.0 * elements / len(ELEMENTS)
    ok = elements == len(ELEMENTS) and (share is None or share >= min_coverage) and not stale and not broken_tests
    return ok, round(score, 2)


def test_outcomes(run: TestRun) -> dict[str, str]:
    """Test function name -> outcome in the shared run (a name with any failing instance is failed)."""
    outcomes: dict[str, str] = {}
    rank = {"failed": 3, "passed": 2}
    pairs = [(detail.name, detail.outcome) for detail in run.details] or [(case.name, case.outcome) for case in run.cases]
    for name, outcome in pairs:
        base = name.split("[")[0]
        outcome = "failed" if outcome == "error" else outcome
        if rank.get(outcome, 1) > rank.get(outcomes.get(base, ""), 0):
            outcomes[base] = outcome
    return outcomes


CHECK = ThreatModelingCheck()
