"""T08 historical (regression) test cases.

Three checks: tests that cite a fixed bug (issue numbers, CVE/GHSA/PYSEC ids, "regression") and ran
and passed; fix commits in the git history that came with test changes; stored fuzzing crash
reproducers that no longer crash when replayed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baseline.checks.testsuite_ast import suite_problem, clear_cache, details_of, shape_of
from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.runner import ScanContext
from baseline.target import product_sources
from baseline.tools.crash_replay import REPLAY_RUN, crash_store
from baseline.tools.git_history import HISTORY_RUN
from baseline.tools.pytest_run import TEST_RUN

_REFS = ("NIST IR 8397 section 2.8", "NIST SP 800-218 PW.8")

TESTS_SPEC = CheckSpec(
    id="regression-tests.cited",
    technique="T08",
    title="Regression tests for fixed bugs run and pass",
    verifies="Finds tests whose names, docstrings, markers or comments cite a fixed bug (issue or pull "
    "request numbers, CVE/GHSA/PYSEC ids, the word regression) and counts those that ran and passed in "
    "the shared test run.",
    why="A bug that was fixed without a test that pins the fix comes back; NIST IR 8397 asks for "
    "historical test cases.",
    remediation="When fixing a bug, add a test that reproduces it and cite the issue in its name, "
    "docstring or a `@pytest.mark.regression` marker (e.g. `def test_issue_123_empty_key()`).",
    evidence="per-test markers and docstrings from the shared test run, and each test's source",
    scoring="score = 10 x passed / executed among citing tests; fail when none ran and passed.",
    references=_REFS,
)
HISTORY_SPEC = CheckSpec(
    id="regression-tests.fix-commits",
    technique="T08",
    title="Bug-fix commits come with tests",
    verifies="Reads the last regression.window commits (default 200) and, of those whose messages say they "
    "fix a bug or vulnerability, computes the share that also changed tests.",
    why="A fix that changes no test leaves nothing to stop the bug from returning.",
    remediation="Include a test that fails without the fix in every bug-fix commit or pull request.",
    evidence="git log of the window (commit ids, messages, changed files)",
    scoring="score = 10 x share of fix commits that changed tests; fail below regression.min_share (default "
    "50%); not evaluated without git history or on a shallow clone shorter than the window; not applicable "
    "when no commit in the window is a fix.",
    references=_REFS,
)
REPLAY_SPEC = CheckSpec(
    id="regression-tests.fuzz-replay",
    technique="T08",
    title="Stored fuzzing crashes stay fixed",
    verifies="Replays every crash reproducer in the fuzzing crash store against the current code in the "
    "sandbox; exit code 0 means the crash is fixed.",
    why="A crash found by fuzzing is a regression test waiting to be written; it must not reproduce.",
    remediation="Fix the crashing code paths, then turn each reproducer into a unit test.",
    evidence="each replay's command line, exit code and stderr",
    scoring="score = 10 x fixed / stored; fail when any reproducer still crashes or hangs; not applicable "
    "when no crash is stored.",
    references=_REFS,
)


class CitedRegressionTestsCheck:
    """Count regression tests that ran and passed."""

    spec = TESTS_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Find tests that cite a bug and judge their outcomes."""
        run = context.shared(TEST_RUN)
        evidence = list(run.evidence)
        problem = suite_problem(run)
        if problem:
            return CheckResult(self.spec, Outcome.ERROR, 0.0, problem, evidence=tuple(evidence))
        clear_cache()
        packages = frozenset(path.stem if path.is_file() else path.name for path in product_sources(context.root))
        cited: list[tuple[str, str, tuple[str, ...]]] = []
        findings: list[Finding] = []
        for detail in details_of(run):
            shape = shape_of(detail, context.root, packages)
            if not shape.references:
                continue
            cited.append((detail.nodeid, detail.outcome, shape.references))
            if detail.outcome in ("failed", "error"):
                findings.append(
                    Finding(
                        rule_id="regression-tests.failed",
                        severity=Severity.HIGH,
                        message=f"regression test {detail.nodeid} {detail.outcome}: the bug it pins ({', '.join(shape.references)}) may be back",
                        tool="pytest",
                        location=Location(detail.file, detail.line) if detail.file else None,
                        context="test",
                    )
                )
        passed = sum(outcome == "passed" for _, outcome, _ in cited)
        executed = sum(outcome in ("passed", "failed", "error") for _, outcome, _ in cited)
        evidence.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"{len(cited)} test(s) cite a fixed bug, {passed} passed: "
                + "; ".join(f"{nodeid} ({', '.join(refs)}): {outcome}" for nodeid, outcome, refs in cited[:20]),
                tool="pytest",
            )
        )
        metrics = {"cited": len(cited), "passed": passed, "executed": executed}
        if passed == 0:
            reason = "no test cites a fixed bug" if not cited else f"{len(cited)} test(s) cite a fixed bug but none passed"
            return CheckResult(self.spec, Outcome.FAIL, 0.0, f"{reason}: {self.spec.remediation}", tuple(findings), tuple(evidence), metrics)
        outcome = Outcome.PASS if passed == executed else Outcome.FAIL
        return CheckResult(self.spec, outcome, round(10.0 * passed / executed, 2), f"{passed} regression test(s) passed of {executed} executed", tuple(findings), tuple(evidence), metrics)


class FixCommitsCheck:
    """Share of fix commits that changed tests."""

    spec = HISTORY_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Judge the git history window."""
        history = context.shared(HISTORY_RUN)
        evidence = list(history.evidence) or [Evidence(provenance=Provenance.INSPECTED, summary=history.message, tool="git")]
        if history.status in ("no-repo", "no-git", "empty"):
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, history.message, evidence=tuple(evidence))
        if history.status == "error":
            return CheckResult(self.spec, Outcome.ERROR, 0.0, history.message, evidence=tuple(evidence))
        if history.shallow and len(history.commits) < history.window:
            message = f"shallow clone: only {len(history.commits)} of the {history.window} commits asked for are present (fetch the full history: git fetch --unshallow)"
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, message, evidence=tuple(evidence), metrics={"commits": len(history.commits)})
        fixes = history.fixes
        with_tests = [commit for commit in fixes if commit.touches_tests]
        metrics: dict[str, Any] = {"commits": len(history.commits), "fix_commits": len(fixes), "with_tests": len(with_tests), "window": history.window}
        if not fixes:
            evidence.append(Evidence(provenance=Provenance.EXECUTED, summary=f"none of the {len(history.commits)} commits read says it fixes a bug", tool="git"))
            return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, f"no fix commit among the last {len(history.commits)} commits", evidence=tuple(evidence), metrics=metrics)
        findings = tuple(
            Finding(
                rule_id="regression-tests.fix-without-test",
                severity=Severity.INFO,
                message=f"fix commit {commit.sha[:12]} changed no test: {commit.subject[:120]}",
                tool="git",
                context="history",
                properties={"commit": commit.sha, "files": list(commit.files[:20])},
            )
            for commit in fixes
            if not commit.touches_tests
        )
        share = 100.0 * len(with_tests) / len(fixes)
        metrics["share"] = round(share, 1)
        minimum = float(context.config.get("regression.min_share"))
        message = f"{len(with_tests)} of {len(fixes)} fix commit(s) in the last {len(history.commits)} commits changed tests ({share:.0f}%, minimum {minimum:g}%)"
        outcome = Outcome.PASS if share >= minimum else Outcome.FAIL
        return CheckResult(self.spec, outcome, round(share / 10.0, 2), message, findings, tuple(evidence), metrics)


class FuzzReplayCheck:
    """Replay the fuzzing crash store."""

    spec = REPLAY_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Judge each replay."""
        result = context.shared(REPLAY_RUN)
        if result.store is None or not result.replays:
            store = crash_store(context.root, context.config.get("work_dir")) if result.store is None else Path(result.store)
            where = store.relative_to(context.root).as_posix() if store.is_relative_to(context.root) else str(store)
            looked = (Evidence(provenance=Provenance.INSPECTED, summary=f"no stored fuzzing crash in {where}"),)
            return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, "no fuzzing crash reproducer is stored", evidence=looked)
        evidence = tuple(replay.evidence for replay in result.replays if replay.evidence is not None)
        findings: list[Finding] = []
        counts = {"fixed": 0, "crashes": 0, "hangs": 0, "unreplayable": 0}
        for replay in result.replays:
            counts[replay.status] += 1
            if replay.status != "fixed":
                findings.append(
                    Finding(
                        rule_id=f"regression-tests.crash-{replay.status}",
                        severity=Severity.HIGH if replay.status in ("crashes", "hangs") else Severity.MEDIUM,
                        message=f"fuzzing crash {replay.crash_id} ({replay.exception or replay.kind or 'crash'}): {replay.detail}",
                        tool="fuzz-replay",
                        location=Location(replay.harness) if replay.harness else None,
                        context="test",
                        properties={"crash_id": replay.crash_id},
                    )
                )
        total = len(result.replays)
        if counts["unreplayable"] == total:
            summary = (Evidence(provenance=Provenance.INSPECTED, summary=f"{total} stored crash(es), none replayable"),)
            return CheckResult(self.spec, Outcome.ERROR, 0.0, f"none of the {total} stored crashes could be replayed", tuple(findings), evidence + summary, counts)
        score = 10.0 * counts["fixed"] / total
        message = f"{counts['fixed']} of {total} stored crash(es) fixed, {counts['crashes']} still crash, {counts['hangs']} hang, {counts['unreplayable']} unreplayable"
        outcome = Outcome.PASS if counts["fixed"] == total else Outcome.FAIL
        return CheckResult(self.spec, outcome, round(score, 2), message, tuple(findings), evidence, counts)


TESTS_CHECK = CitedRegressionTestsCheck()
HISTORY_CHECK = FixCommitsCheck()
REPLAY_CHECK = FuzzReplayCheck()
