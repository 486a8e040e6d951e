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
