"""T02 automated testing: the project's test suite runs, and passes, in the sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity

if TYPE_CHECKING:  # the tool modules are imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.pytest_run import TestRun

SPEC = CheckSpec(
    id="automated-testing.pytest",
    technique="T02",
    title="The test suite runs and passes",
    verifies="Runs the project's pytest suite in the sandbox on the target's own interpreter and counts "
    "collected, passed, failed, errored and skipped tests.",
    why="NIST IR 8397 asks for tests that run consistently with little human effort on every change; a "
    "suite that fails, cannot be collected or does not exist gives no assurance.",
    remediation="Make every test pass (or mark known failures explicitly with a reason), and run the suite "
    "in CI on every change (GitHub Actions, GitLab CI, tox or nox).",
    evidence="pytest's JUnit XML report and exit code from this scan; CI configuration that runs the tests "
    "is recorded as inspected evidence but earns no credit on its own.",
    scoring="fail when no test ran or any test failed or errored; score = 10 x passed / (passed + failed + "
    "errors); skipped tests count in neither direction. Outcomes are the recorder's own (the test body's "
    "exception and the CallInfo, before any project hook), and the JUnit file is written from them. A "
    "logged outcome that disagrees with the real one (a failure turned into a pass or a skip without a "
    "rerun), a project hook that returned its own report, protocol or test call in place of pytest's, a status "
    "hook that shows a failure as passed, a plugin loaded through addopts, pytest internals "
    "replaced during the run, or a recorder that did not load fails the check with score 0; a test that "
    "passed only on a rerun is listed as flaky and counts as passed.",
    references=("NIST IR 8397 section 2.2", "NIST SP 800-218 PW.8.2"),
)

_CI_FILES = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    ".travis.yml",
    "Jenkinsfile",
    "tox.ini",
    "noxfile.py",
)
_RUNS_TESTS = re.compile(r"\b(pytest|py\.test|tox\b|nox\b|unittest|make (test|check)|hatch (run )?test|pdm (run )?test|poetry run pytest)")


def inspect_ci(root: Path) -> list[tuple[str, str]]:
    """CI configuration files that run the tests: (relative path, matched command)."""
    hits: list[tuple[str, str]] = []
    for pattern in _CI_FILES:
        for path in sorted(root.glob(pattern)):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
            except OSError:
                continue
            match = _RUNS_TESTS.search(text)
            if match:
                hits.append((path.relative_to(root).as_posix(), match.group(0)))
    return hits


def integrity_findings(run: TestRun) -> list[Finding]:
    """One finding per way the project changed (or could change) the verdict behind the recorder."""
    integrity = run.integrity
    if integrity is None:
        return []
    findings: list[Finding] = []

    def add(rule: str, message: str, location: Location | None = None) -> None:
        findings.append(Finding(f"automated-testing.{rule}", Severity.HIGH, message, "baseline", location, context="test"))

    if not integrity.recorded:
        add("recorder-missing", "the toolkit's recorder plugin did not load in the test run (disabled with -p no:, or pytest replaced): no outcome can be trusted")
    if integrity.forged_records:
        add("records-forged", f"{integrity.forged_records} line(s) in the recorder's files do not carry its signature: something in the test run wrote them (ignored)")
    for item in integrity.disagreements:
        raw = "no recorded call" if item.raw == "none" else f"really {item.raw}"
        add("outcome-rewritten", f"{item.nodeid} ({item.when}): {raw}, but pytest logged '{item.logged}': a hook or plugin rewrote the report (no rerun happened)", _test_location(item.nodeid))
    for hook, file, line in integrity.project_hooks:
        add("short-circuit-hook", f"{file} returned its own result from {hook} in place of pytest's: reporting was short-circuited", Location(file, line))
    for name in integrity.addopts_plugins:
        add("addopts-plugin", f"the project's addopts pass '-p {name}' to the test run (plugins are the toolkit's choice, not the project's)")
    for name, where in integrity.tampered:
        add("pytest-patched", f"{name} was replaced during the run (first seen after {where}): a test or plugin monkeypatched pytest's internals")
    for nodeid, when in integrity.status_rewritten:
        add("status-rewritten", f"{nodeid} ({when}) failed but a pytest_report_teststatus hook shows it as passed", _test_location(nodeid))
    for nodeid in integrity.never_ran:
        add("never-ran", f"{nodeid} was collected but never ran nor reported, and the session was not stopped early: a hook skipped its protocol", _test_location(nodeid))
    return findings


def _test_location(nodeid: str) -> Location | None:
    path = nodeid.split("::", 1)[0]
    return Location(path) if path.endswith(".py") else None


class AutomatedTestingCheck:
    """Judge the shared test run."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Judge pass/fail counts of the test run."""
        from baseline.tools.pytest_run import TEST_RUN

        run = context.shared(TEST_RUN)
        ci_hits = inspect_ci(context.root)
        evidence = list(run.evidence)
        findings: list[Finding] = []
        if ci_hits:
            evidence.append(
                Evidence(
                    provenance=Provenance.INSPECTED,
                    summary="CI configuration runs the tests: " + ", ".join(f"{path} ({command})" for path, command in ci_hits),
                    input_digests={},
                )
            )
        else:
            findings.append(
                Finding(
                    rule_id="automated-testing.no-ci",
                    severity=Severity.INFO,
                    message="no CI configuration that runs the tests was found (GitHub Actions, GitLab CI, tox, nox...)",
                    tool="baseline",
                )
            )
        metrics = {
            "collected": run.counts.collected,
            "passed": run.counts.passed,
            "failed": run.counts.failed,
            "errors": run.counts.errors,
            "skipped": run.counts.skipped,
            "duration_s": run.duration_s,
            "ci": [path for path, _ in ci_hits],
        }
        if run.status == "error":
            return CheckResult(SPEC, Outcome.ERROR, 0.0, run.message, tuple(findings), tuple(evidence), metrics)
        if run.status == "no-tests" or run.counts.passed + run.counts.failed + run.counts.errors == 0:
            reason = "no test ran" if run.status == "ok" else run.message
            return CheckResult(SPEC, Outcome.FAIL, 0.0, f"{reason}: the project has no automated tests that execute", tuple(findings), tuple(evidence), metrics)
        for case in run.cases:
            if case.outcome in ("failed", "error"):
                findings.append(
                    Finding(
                        rule_id=f"automated-testing.test-{case.outcome}",
                        severity=Severity.MEDIUM,
                        message=f"test {case.nodeid} {case.outcome}: {case.message or 'no message'}" + _denied(case.message),
                        tool="pytest",
                        location=Location(path=case.file, start_line=case.line) if case.file else None,
                        context="test",
                    )
                )
        executed = run.counts.passed + run.counts.failed + run.counts.errors
        score = 10.0 * run.counts.passed / executed
        broken = run.counts.failed + run.counts.errors
        outcome = Outcome.FAIL if broken else Outcome.PASS
        message = run.message
        forged = integrity_findings(run)
        flaky = run.integrity.flaky if run.integrity else ()
        metrics["flaky"] = list(flaky)
        metrics["integrity_findings"] = len(forged)
        for nodeid in flaky:
            findings.append(Finding("automated-testing.flaky", Severity.LOW, f"{nodeid} failed, then passed on a rerun: flaky", "pytest", _test_location(nodeid), context="test"))
        if flaky:
            message += f"; {len(flaky)} flaky (passed only on a rerun): {', '.join(flaky[:5])}"
        if forged:
            findings = forged + findings
            kinds = sorted({finding.rule_id.split(".", 1)[1] for finding in forged})
            message = f"the test verdict cannot be trusted ({', '.join(kinds)}): " + "; ".join(f.message for f in forged[:3]) + f" | {message}"
            return CheckResult(SPEC, Outcome.FAIL, 0.0, message, tuple(findings), tuple(evidence), metrics)
        return CheckResult(SPEC, outcome, round(score, 2), message, tuple(findings), tuple(evidence), metrics)


CHECK = AutomatedTestingCheck()


_DENIED = re.compile(r"\[Errno (?:30|13|1)\] (?:Read-only file system|Permission denied|Operation not permitted): '([^']+)'")


def _denied(message: str) -> str:
    """A note naming the path the sandbox refused, when a test failed on a write outside its scratch copy."""
    found = _DENIED.search(message or "")
    if found is None:
        return ""
    return f" (the sandbox denied {found.group(1)}: only the project's scratch copy and the run's own folder are writable)"
