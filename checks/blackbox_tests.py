"""T06 black-box test cases: tests written against the interface, including negative cases.

Black-box tests are identified, in order, by the project's configuration (``tests.blackbox`` path
globs or node-id prefixes), by pytest markers (``tests.blackbox_markers``), by convention (test
files or folders named e2e, integration, functional, acceptance, system, api, cli), by what the test
does (drives the program in a subprocess, through a CLI runner or an HTTP test client) and by
Hypothesis property tests of public functions. Credit comes only from identified tests that ran
and passed in this scan's shared test run, and from the API tests generated from the project's
OpenAPI specification by schemathesis against the app started on loopback (each operation's valid
and invalid-data cases count as one positive and one negative black-box test).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from baseline.checks.testsuite_ast import suite_problem, TestShape, clear_cache, details_of, shape_of
from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.pathmatch import matches
from baseline.target import product_sources

if TYPE_CHECKING:  # the tool modules are imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.test_records import TestDetail
    from baseline.web.api import ApiRun

NEGATIVE_TARGET = 0.2  # share of passing black-box tests that should be negative cases for full credit
_CONVENTION = re.compile(r"(^|[/_.-])(e2e|end_?to_?end|end2end|integration|functional|acceptance|system|blackbox|black_box|api|cli)([/_.-]|$)", re.IGNORECASE)

SPEC = CheckSpec(
    id="black-box-tests.identified",
    technique="T06",
    title="Black-box tests with negative cases run and pass",
    verifies="Identifies black-box tests (configured paths or markers, then end-to-end/integration/functional/"
    "API/CLI conventions, tests that drive the program or an HTTP/CLI test client, Hypothesis property tests "
    "of public functions), counts those that ran and passed in the shared test run, and the negative cases "
    "among them (pytest.raises, expected error exit codes or HTTP statuses). When the app has an OpenAPI "
    "specification, schemathesis generates tests from it and runs them against the app on loopback: each "
    "operation's valid-data and invalid-data cases count as one positive and one negative test.",
    why="NIST IR 8397 asks for tests derived from the specification, not the code: invalid and boundary "
    "inputs, expected failures. Unit tests written against the implementation rarely exercise them.",
    remediation="Add end-to-end tests that drive the installed program or public API as a user would, with "
    "negative cases (invalid input must give an error exit code, status or exception), and mark them "
    "`@pytest.mark.e2e` (or list them in [tool.baseline.tests] blackbox = [\"tests/e2e/*\"]).",
    evidence="the shared test run's per-test outcomes and markers, each identified test's source, and "
    "schemathesis's event stream for the generated API tests",
    scoring="score = 10 x pass rate x (0.6 + 0.4 x min(1, negative passing / (20% of passing))); fail when "
    "no black-box test passed, when none of them is a negative case, or when any of them failed.",
    references=("NIST IR 8397 section 2.6", "NIST SP 800-218 PW.8"),
)


def _configured(detail: TestDetail, patterns: list[str]) -> bool:
    for pattern in patterns:
        if matches(detail.file, (pattern,)) or matches(detail.nodeid, (pattern,)) or detail.nodeid.startswith(pattern):
            return True
    return False


def identify(detail: TestDetail, shape: TestShape, patterns: list[str], markers: set[str]) -> str | None:
    """Why a test counts as black-box, or None."""
    if patterns and _configured(detail, patterns):
        return "configured"
    hit = detail.marker_names & markers
    if hit:
        return f"marker {sorted(hit)[0]}"
    if _CONVENTION.search(detail.file.rsplit("::", 1)[0]) or _CONVENTION.search(detail.name):
        return "naming convention"
    if shape.drives_process:
        return "drives the program in a subprocess"
    if shape.drives_client:
        return "drives a CLI runner or HTTP test client"
    if shape.property_based and shape.calls_public:
        return "Hypothesis property test of a public function"
    return None


class BlackBoxTestsCheck:
    """Judge black-box tests in the shared test run."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Identify, count and judge."""
        from baseline.tools.pytest_run import TEST_RUN
        from baseline.web.scan import WEB_SCAN

        run = context.shared(TEST_RUN)
        evidence = list(run.evidence)
        problem = suite_problem(run)
        if problem:
            return CheckResult(SPEC, Outcome.ERROR, 0.0, problem, evidence=tuple(evidence))
        clear_cache()
        packages = frozenset(path.stem if path.is_file() else path.name for path in product_sources(context.root))
        patterns = list(context.config.get("tests.blackbox"))
        markers = {name.strip() for name in context.config.get("tests.blackbox_markers")}
        reasons: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        negative_passed = 0
        findings: list[Finding] = []
        for detail in details_of(run):
            shape = shape_of(detail, context.root, packages)
            reason = identify(detail, shape, patterns, markers)
            if reason is None:
                continue
            reasons[reason.split(" ", 1)[0] if reason.startswith("marker") else reason] += 1
            outcomes[detail.outcome] += 1
            if detail.outcome == "passed" and shape.negative:
                negative_passed += 1
            if detail.outcome in ("failed", "error"):
                findings.append(
                    Finding(
                        rule_id="black-box-tests.failed",
                        severity=Severity.MEDIUM,
                        message=f"black-box test {detail.nodeid} {detail.outcome}",
                        tool="pytest",
                        location=Location(detail.file, detail.line) if detail.file else None,
                        context="test",
                    )
                )
        api = context.shared(WEB_SCAN).api if context.config.get("web.api_tests") else None
        generated, generated_negative = _count_generated(api, reasons, outcomes, findings, evidence)
        negative_passed += generated_negative
        passed = outcomes["passed"]
        executed = passed + outcomes["failed"] + outcomes["error"]
        identified = sum(outcomes.values())
        evidence.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"{identified} black-box test(s) identified ({', '.join(f'{key}: {n}' for key, n in reasons.most_common()) or 'none'}); "
                f"{passed} passed, {outcomes['failed'] + outcomes['error']} failed, {outcomes['skipped'] + outcomes['xfailed'] + outcomes['not-run']} did not run; "
                f"{negative_passed} passing negative case(s)",
                tool="pytest",
            )
        )
        metrics = {
            "identified": identified,
            "passed": passed,
            "failed": outcomes["failed"] + outcomes["error"],
            "not_run": outcomes["skipped"] + outcomes["xfailed"] + outcomes["not-run"],
            "negative_passed": negative_passed,
            "by_reason": dict(reasons),
            "per_test_details": bool(run.details),
            "generated": generated,
        }
        outcome, score = verdict(passed, executed, negative_passed)
        if passed == 0:
            why = "no black-box test was found" if identified == 0 else f"{identified} black-box test(s) identified but none passed"
            return CheckResult(SPEC, outcome, score, f"{why}: {SPEC.remediation}", tuple(findings), tuple(evidence), metrics)
        message = f"{passed} black-box test(s) passed, {negative_passed} of them negative cases"
        if negative_passed == 0:
            message += ": add negative cases (invalid input must be rejected: pytest.raises, error exit codes or statuses)"
        return CheckResult(SPEC, outcome, score, message, tuple(findings), tuple(evidence), metrics)


def verdict(passed: int, executed: int, negative_passed: int) -> tuple[Outcome, float]:
    """(outcome, score) from the counts (shared with the verifier's re-derivation): 10 x pass rate x
    (0.6 + 0.4 x negative share of the target); fail with no pass, no negative case or any failure."""
    if passed == 0:
        return Outcome.FAIL, 0.0
    negative_factor = min(1.0, negative_passed / max(1.0, NEGATIVE_TARGET * passed))
    score = round(10.0 * passed / executed * (0.6 + 0.4 * negative_factor), 2)
    return (Outcome.FAIL if negative_passed == 0 or executed > passed else Outcome.PASS), score


def _count_generated(
    api: ApiRun | None, reasons: Counter[str], outcomes: Counter[str], findings: list[Finding], evidence: list[Evidence],
) -> tuple[dict[str, object], int]:
    """Add the schemathesis tests to the counts; returns their metrics and how many negative ones passed."""
    metrics: dict[str, object] = {"status": api.status if api else "disabled", "tests": 0, "passed": 0, "negative_passed": 0}
    if api is None:
        return metrics, 0
    if api.status == "error":
        evidence.append(Evidence(Provenance.EXECUTED, f"generated API tests could not run: {api.message}", tool="schemathesis"))
        return metrics, 0
    report = api.report
    if api.status != "ok" or report is None:
        return metrics, 0
    evidence.extend(item for item in api.evidence if item.tool == "schemathesis")
    first_request = {(failure.operation, failure.mode): failure.curl for failure in reversed(report.failures)}
    negative_passed = 0
    for test in report.tests:
        reasons["generated from the OpenAPI specification"] += 1
        outcomes["passed" if test.passed else "failed"] += 1
        negative_passed += int(test.passed and test.negative)
        if not test.passed:
            findings.append(
                Finding(
                    rule_id="black-box-tests.generated-failed",
                    severity=Severity.MEDIUM,
                    message=f"generated API test {test.name} failed: {', '.join(test.failed_checks)}",
                    tool="schemathesis",
                    properties={"operation": test.operation, "mode": test.mode, "checks": list(test.failed_checks), "request": first_request.get((test.operation, test.mode), "")},
                )
            )
    metrics.update(
        tests=len(report.tests), passed=sum(1 for test in report.tests if test.passed), negative_passed=negative_passed,
        operations=report.operations_tested, cases=report.cases, negative_cases=report.negative_cases, specification=api.spec.label if api.spec else None,
    )
    return metrics, negative_passed


CHECK = BlackBoxTestsCheck()
