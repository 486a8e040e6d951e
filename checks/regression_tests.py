"""T08 historical (regression) test cases.

Three checks: regression tests (tests that a fix commit touching product code added with the fix)
ran and passed; fix commits in the git history that came with a new test; stored fuzzing crash
reproducers that no longer crash when replayed. A test that merely cites an issue, without the fix
commit that added it, earns nothing; without history (no repository, a shallow clone, an sdist)
the first two are not evaluated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline.checks.testsuite_ast import suite_problem, clear_cache, details_of, shape_of
from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.target import product_sources

if TYPE_CHECKING:  # the tool modules are imported when a check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.git_history import History

_REFS = ("NIST IR 8397 section 2.8", "NIST SP 800-218 PW.8")

TESTS_SPEC = CheckSpec(
    id="regression-tests.cited",
    technique="T08",
    title="Regression tests for fixed bugs run and pass",
    verifies="Finds the tests that fix commits (commits whose messages say they fix a bug and that change "
    "product code) added with the fix, read from the git history's diffs, and counts those that ran and "
    "passed in the shared test run. Tests that cite a bug (issue numbers, CVE/GHSA/PYSEC ids, the word "
    "regression) without a fix commit that added them are listed and earn nothing.",
    why="A bug that was fixed without a test that pins the fix comes back; NIST IR 8397 asks for "
    "historical test cases.",
    remediation="When fixing a bug, add a test that reproduces it and cite the issue in its name, "
    "docstring or a `@pytest.mark.regression` marker (e.g. `def test_issue_123_empty_key()`).",
    evidence="the git history (fix commits, the test functions their diffs add) and the shared test run's outcomes",
    scoring="score = 10 x passed / executed among tests added by fix commits; fail when none ran and passed; "
    "not evaluated without git history or on a shallow clone shorter than regression.window.",
    references=_REFS,
)
HISTORY_SPEC = CheckSpec(
    id="regression-tests.fix-commits",
    technique="T08",
    title="Bug-fix commits come with tests",
    verifies="Reads the last regression.window commits (default 200) and, of those whose messages say they "
    "fix a bug or vulnerability and that change product code, computes the share that also added a test "
    "function.",
    why="A fix that changes no test leaves nothing to stop the bug from returning.",
    remediation="Include a test that fails without the fix in every bug-fix commit or pull request.",
    evidence="git log of the window (commit ids, messages, changed files)",
    scoring="score = 10 x share of fix commits that added a test; fail below regression.min_share (default "
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
        """Join the tests fix commits added with the test run's outcomes."""
        from baseline.tools.git_history import HISTORY_RUN
        from baseline.tools.pytest_run import TEST_RUN

        run = context.shared(TEST_RUN)
        history = context.shared(HISTORY_RUN)
        evidence = list(run.evidence) + list(history.evidence)
        problem = suite_problem(run)
        if problem:
            return CheckResult(self.spec, Outcome.ERROR, 0.0, problem, evidence=tuple(evidence))
        unavailable = history_unavailable(history)
        if unavailable:
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, f"{unavailable}: regression tests are credited only with the fix commits that added them", evidence=tuple(evidence))
        if history.status == "error":
            return CheckResult(self.spec, Outcome.ERROR, 0.0, history.message, evidence=tuple(evidence))
        clear_cache()
        packages = frozenset(path.stem if path.is_file() else path.name for path in product_sources(context.root))
        added = history.tests_added_with_fixes
        added_names = {name: commit for (_file, name), commit in added.items()}
        credited: list[tuple[str, str, str]] = []  # (nodeid, outcome, commit)
        cited_only: list[str] = []
        findings: list[Finding] = []
        for detail in details_of(run):
            commit = added.get((detail.file, detail.name)) or added_names.get(detail.name)
            if commit is None:
                if shape_of(detail, context.root, packages).references:
                    cited_only.append(detail.nodeid)
                continue
            credited.append((detail.nodeid, detail.outcome, commit.sha[:12]))
            if detail.outcome in ("failed", "error"):
                findings.append(
                    Finding(
                        rule_id="regression-tests.failed",
                        severity=Severity.HIGH,
                        message=f"regression test {detail.nodeid} {detail.outcome}: the bug fixed in {commit.sha[:12]} ({commit.subject[:80]}) may be back",
                        tool="pytest",
                        location=Location(detail.file, detail.line) if detail.file else None,
                        context="test",
                    )
                )
        for nodeid in cited_only:
            findings.append(
                Finding(
                    rule_id="regression-tests.cited-without-fix",
                    severity=Severity.INFO,
                    message=f"{nodeid} cites a bug, but no fix commit in the history added it with a change to product code: it earns no regression credit",
                    tool="baseline",
                    context="test",
                )
            )
        passed = sum(outcome == "passed" for _, outcome, _ in credited)
        executed = sum(outcome in ("passed", "failed", "error") for _, outcome, _ in credited)
        evidence.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"{len(history.regression_pairs)} fix commit(s) touching product code added {len(added)} test(s); {len(credited)} are in the test run, {passed} passed: "
                + "; ".join(f"{nodeid} (added by {sha}): {outcome}" for nodeid, outcome, sha in credited[:20]),
                tool="pytest",
            )
        )
        metrics = {"added_by_fixes": len(added), "in_run": len(credited), "passed": passed, "executed": executed, "cited_without_fix": cited_only[:50]}
        if passed == 0:
            if credited:
                reason = f"{len(credited)} test(s) added by fix commits ran but none passed"
            elif added:
                reason = f"the {len(added)} test(s) fix commits added are not in the test run"
            else:
                reason = "no fix commit touching product code added a test"
            if cited_only:
                reason += f"; {len(cited_only)} test(s) cite a bug without the fix commit that added them and earn nothing"
            return CheckResult(self.spec, Outcome.FAIL, 0.0, f"{reason}: {self.spec.remediation}", tuple(findings), tuple(evidence), metrics)
        outcome, score = cited_verdict(passed, executed)
        message = f"{passed} regression test(s) added by fix commits passed of {executed} executed"
        if cited_only:
            message += f"; {len(cited_only)} citing test(s) without a fix commit earn nothing"
        return CheckResult(self.spec, outcome, score, message, tuple(findings), tuple(evidence), metrics)


# The verdicts from the counts, shared with the verifier's re-derivation (baseline/rederive.py).


def cited_verdict(passed: int, executed: int) -> tuple[Outcome, float]:
    """10 x passed / executed among the tests fix commits added; fail with none passed or any not passing."""
    if passed == 0:
        return Outcome.FAIL, 0.0
    return (Outcome.PASS if passed == executed else Outcome.FAIL), round(10.0 * passed / executed, 2)


def fix_commit_verdict(fixes: int, with_tests: int, min_share: float) -> tuple[Outcome, float]:
    """10 x share of fix commits that added a test; fail below min_share percent (fixes > 0)."""
    share = 100.0 * with_tests / fixes
    return (Outcome.PASS if share >= min_share else Outcome.FAIL), round(share / 10.0, 2)


def replay_verdict(fixed: int, crashes: int, hangs: int, unreplayable: int) -> tuple[Outcome, float]:
    """10 x fixed / stored; fail when any still crashes or hangs (or could not be replayed); error when none could be."""
    total = fixed + crashes + hangs + unreplayable
    if unreplayable == total:
        return Outcome.ERROR, 0.0
    return (Outcome.PASS if fixed == total else Outcome.FAIL), round(10.0 * fixed / total, 2)


def history_unavailable(history: History) -> str | None:
    """Why the history cannot be judged (no repository, no git, no commits, a short shallow clone), else None."""
    if history.status in ("no-repo", "no-git", "empty"):
        return history.message
    if history.status == "ok" and history.shallow and len(history.commits) < history.window:
        return f"shallow clone: only {len(history.commits)} of the {history.window} commits asked for are present (fetch the full history: git fetch --unshallow)"
    return None


class FixCommitsCheck:
    """Share of fix commits that changed tests."""

    spec = HISTORY_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Judge the git history window."""
        from baseline.tools.git_history import HISTORY_RUN

        history = context.shared(HISTORY_RUN)
        evidence = list(history.evidence) or [Evidence(provenance=Provenance.INSPECTED, summary=history.message, tool="git")]
        unavailable = history_unavailable(history)
        if unavailable:
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, unavailable, evidence=tuple(evidence), metrics={"commits": len(history.commits)})
        if history.status == "error":
            return CheckResult(self.spec, Outcome.ERROR, 0.0, history.message, evidence=tuple(evidence))
        fixes = history.fixes
        with_tests = [commit for commit in fixes if commit.added_tests]
        metrics: dict[str, Any] = {"commits": len(history.commits), "fix_commits": len(fixes), "with_tests": len(with_tests), "window": history.window}
        if not fixes:
            evidence.append(Evidence(provenance=Provenance.EXECUTED, summary=f"none of the {len(history.commits)} commits read says it fixes a bug and changes product code", tool="git"))
            return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, f"no fix commit touching product code among the last {len(history.commits)} commits", evidence=tuple(evidence), metrics=metrics)
        findings = tuple(
            Finding(
                rule_id="regression-tests.fix-without-test",
                severity=Severity.INFO,
                message=f"fix commit {commit.sha[:12]} added no test: {commit.subject[:120]}",
                tool="git",
                context="history",
                properties={"commit": commit.sha, "files": list(commit.files[:20])},
            )
            for commit in fixes
            if not commit.added_tests
        )
        share = 100.0 * len(with_tests) / len(fixes)
        metrics["share"] = round(share, 1)
        minimum = float(context.config.get("regression.min_share"))
        message = f"{len(with_tests)} of {len(fixes)} fix commit(s) touching product code in the last {len(history.commits)} commits added a test ({share:.0f}%, minimum {minimum:g}%)"
        outcome, score = fix_commit_verdict(len(fixes), len(with_tests), minimum)
        return CheckResult(self.spec, outcome, score, message, findings, tuple(evidence), metrics)


class FuzzReplayCheck:
    """Replay the fuzzing crash store."""

    spec = REPLAY_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Judge each replay."""
        from baseline.tools.crash_replay import REPLAY_RUN, crash_store

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
        outcome, score = replay_verdict(counts["fixed"], counts["crashes"], counts["hangs"], counts["unreplayable"])
        message = f"{counts['fixed']} of {total} stored crash(es) fixed, {counts['crashes']} still crash, {counts['hangs']} hang, {counts['unreplayable']} unreplayable"
        return CheckResult(self.spec, outcome, score, message, tuple(findings), evidence, counts)


TESTS_CHECK = CitedRegressionTestsCheck()
HISTORY_CHECK = FixCommitsCheck()
REPLAY_CHECK = FuzzReplayCheck()
