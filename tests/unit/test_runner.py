from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from baseline.catalog import load_catalog
from baseline.config import Config
from baseline.discovery import Discovered, LoadedCheck
from baseline.model import CheckResult, Outcome, Target
from baseline.runner import ScanContext, execute_scan
from tests.helpers import EVIDENCE, spec

CATALOG = load_catalog()
TARGET = Target(
    path="/p", name="p", vcs=None, commit=None, dirty=None, tree_digest="sha256:" + "0" * 64, file_count=0,
    interpreter="python", interpreter_source="test",
)


class CountingRun:
    key = "counting"

    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def execute(self, context: ScanContext) -> int:
        with self.lock:
            self.calls += 1
        time.sleep(0.2)
        return 42


class Judge:
    def __init__(self, check_id: str, run: CountingRun, outcome: Outcome = Outcome.PASS, evidence: Any = EVIDENCE, boom: bool = False) -> None:
        self.spec = spec(check_id, "T02")
        self.shared_run = run
        self.outcome = outcome
        self.evidence = evidence
        self.boom = boom

    def run(self, context: ScanContext) -> CheckResult:
        value = context.shared(self.shared_run)
        if self.boom:
            raise RuntimeError("bug in check")
        return CheckResult(self.spec, self.outcome, 10.0 if value == 42 else 0.0, "judged", evidence=self.evidence)


def _scan(tmp_path: Path, *judges: Judge, **config: Any):  # type: ignore[no-untyped-def]
    discovered = Discovered(checks=tuple(LoadedCheck(f"plugin-{j.spec.id}", j.spec, j) for j in judges), problems=())
    return execute_scan(
        target=TARGET, root=tmp_path, config=Config(values={"jobs": 4, **config}, source=None), catalog=CATALOG,
        discovered=discovered, work_dir=tmp_path,
    )


def test_shared_run_executes_once_for_concurrent_askers(tmp_path: Path) -> None:
    run = CountingRun()
    report = _scan(tmp_path, Judge("a", run), Judge("b", run), Judge("c", run))
    assert run.calls == 1
    assert [r.score for r in report.results] == [10.0, 10.0, 10.0]


def test_a_check_that_raises_becomes_an_error_result(tmp_path: Path) -> None:
    report = _scan(tmp_path, Judge("a", CountingRun(), boom=True))
    (result,) = report.results
    assert result.outcome is Outcome.ERROR and result.score == 0.0
    assert "RuntimeError: bug in check" in result.message


def test_pass_or_not_applicable_without_evidence_is_not_credited(tmp_path: Path) -> None:
    report = _scan(
        tmp_path,
        Judge("a", CountingRun(), Outcome.PASS, evidence=()),
        Judge("b", CountingRun(), Outcome.NOT_APPLICABLE, evidence=()),
    )
    assert {r.outcome for r in report.results} == {Outcome.NOT_EVALUATED}
    assert all(r.score == 0.0 for r in report.results)


def test_disable_and_select(tmp_path: Path) -> None:
    run = CountingRun()
    report = _scan(tmp_path, Judge("a", run), Judge("b", run), disable=["a"])
    outcomes = {r.spec.id: r.outcome for r in report.results}
    assert outcomes == {"a": Outcome.NOT_EVALUATED, "b": Outcome.PASS}
    report = _scan(tmp_path, Judge("a", run), select=["T07"])
    assert report.results[0].message == "not selected for this scan ('select')"


class Source:
    """A check that only reads the source: it must not wait for a shared run another check executes."""

    reads_source_only = True

    def __init__(self, check_id: str, seen: list[str]) -> None:
        self.spec = spec(check_id, "T03")
        self.seen = seen

    def run(self, context: ScanContext) -> CheckResult:
        self.seen.append(self.spec.id)
        return CheckResult(self.spec, Outcome.PASS, 10.0, "read", evidence=EVIDENCE)


def test_a_check_waiting_for_a_shared_run_leaves_its_permit_to_others(tmp_path: Path) -> None:
    """With 2 jobs: one check executes the slow run, two more wait for it; a fourth still works meanwhile."""
    run = CountingRun()
    seen: list[str] = []

    class Late(Source):
        reads_source_only = False

        def run(self, context: ScanContext) -> CheckResult:
            while run.calls == 0:  # starts only once the slow run is under way
                time.sleep(0.005)
            return super().run(context)

    report = _scan(tmp_path, Judge("a.one", run), Judge("a.two", run), Judge("a.three", run), Late("b.late", seen), jobs=2)
    spans = {span.name: span for span in report.timeline}
    assert run.calls == 1 and seen == ["b.late"]
    assert spans["b.late"].end_s <= spans["counting"].end_s  # finished while the run was still executing
    assert {result.outcome for result in report.results} == {Outcome.PASS}


def test_checks_that_read_the_source_start_first(tmp_path: Path) -> None:
    run = CountingRun()
    seen: list[str] = []
    report = _scan(tmp_path, Judge("a.first", run), Source("z.static", seen), jobs=1)
    spans = {span.name: span for span in report.timeline}
    assert spans["z.static"].start_s <= spans["a.first"].start_s and spans["z.static"].end_s <= spans["counting"].start_s
