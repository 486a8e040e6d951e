"""The runner: executes the discovered checks against one target and assembles the Report.

Checks are pure judges. Anything expensive (running pytest, bandit, semgrep...) is a *shared run*:
an object with a ``key`` and an ``execute(context)`` method. A check asks the context for it with
``context.shared(run)``; the runner executes each shared run at most once per scan (concurrent
askers wait for the first) and hands the same record to every check that asks.
"""

from __future__ import annotations

import datetime as _dt
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Generic, Protocol, Sequence, TypeVar

from baseline import __version__
from baseline.accepted import apply_new_only, load_and_apply
from baseline.config import Config
from baseline.discovery import Discovered, LoadedCheck
from baseline.fingerprint import assign_fingerprints
from baseline.gate import evaluate_gate
from baseline.model import (
    Catalog,
    CheckResult,
    CheckSpec,
    Evidence,
    Outcome,
    Problem,
    Provenance,
    Report,
    Span,
    Target,
)
from baseline.sandbox import Limits, network_isolation_prefix, policy
from baseline.scoring import NA_RULE, proves_inapplicable, score_report

SCHEMA_VERSION = "1.0"

T = TypeVar("T")


class SharedRun(Protocol[T]):  # type: ignore[misc]
    """A unit of work whose result several checks share."""

    key: str

    def execute(self, context: ScanContext) -> T:
        """Do the work once and return a typed record. Must not raise for tool failures."""
        ...


@dataclass
class _Slot(Generic[T]):
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None
    error: BaseException | None = None


ProgressCallback = Callable[[str, str], None]  # (check or run id, event text)


class ScanContext:
    """What a check sees: the target, the configuration, the catalog and the shared runs."""

    def __init__(
        self,
        *,
        target: Target,
        root: Path,
        config: Config,
        catalog: Catalog,
        work_dir: Path,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.target = target
        self.root = root
        self.config = config
        self.catalog = catalog
        self.work_dir = work_dir
        self._progress = progress
        self._slots: dict[str, _Slot[Any]] = {}
        self._slots_lock = threading.Lock()
        self.shared_log: list[tuple[str, float]] = []
        self.started = time.monotonic()  # the timeline's zero
        self.spans: list[Span] = []  # list.append is atomic: checks in several threads add to it
        self.planned: frozenset[str] | None = None  # check and technique ids this scan runs; None = unknown
        # ``jobs`` permits: a check holds one while it works and gives it back while it waits for a
        # run another check is executing, so a waiting check never keeps the others from starting.
        self._permits: threading.Semaphore | None = None
        self._holding = threading.local()

    def work(self, jobs: int) -> None:
        """Limit the checks working at once to ``jobs`` (checks run in threads of their own)."""
        self._permits = threading.Semaphore(max(1, jobs))

    def take_permit(self) -> None:
        if self._permits is not None and not getattr(self._holding, "held", False):
            self._permits.acquire()
            self._holding.held = True

    def give_permit(self) -> None:
        if self._permits is not None and getattr(self._holding, "held", False):
            self._holding.held = False
            self._permits.release()

    def plans(self, *names: str) -> bool:
        """True when this scan runs a check or technique named in ``names`` (or when that is unknown).

        Lets a shared run skip work that no running check will read.
        """
        return self.planned is None or any(name in self.planned for name in names)

    @property
    def python(self) -> str:
        """The interpreter that runs the target's code."""
        return self.target.interpreter

    def progress(self, subject: str, event: str) -> None:
        """Report progress on long work (shown on the terminal)."""
        if self._progress is not None:
            self._progress(subject, event)

    def target_limits(self, *, timeout_s: float | None, memory_mb: int | None = None, cpu_s: int | None = None) -> Limits:
        """Sandbox limits for running the target's own code, with the scan's network policy."""
        return Limits(timeout_s=timeout_s, memory_mb=memory_mb, cpu_s=cpu_s, network=bool(self.config.get("network")), contain=True)

    def artifact_dir(self, name: str) -> Path:
        """A folder for one shared run's artifacts inside this scan's work folder."""
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def shared(self, run: SharedRun[T]) -> T:
        """Execute ``run`` once per scan and return its (cached) record."""
        with self._slots_lock:
            slot = self._slots.setdefault(run.key, _Slot())
        if not slot.lock.acquire(blocking=False):
            # Another check is executing this run: wait without a permit, so that others work meanwhile.
            held = getattr(self._holding, "held", False)
            self.give_permit()
            slot.lock.acquire()
            if not slot.done:
                if held:
                    self.take_permit()
            else:
                slot.lock.release()
                if held:
                    self.take_permit()
                if slot.error is not None:
                    raise slot.error
                return slot.value
        try:
            if not slot.done:
                self.progress(run.key, "running")
                started = time.monotonic()
                try:
                    slot.value = run.execute(self)
                except BaseException as exc:  # re-raised to every asker; the check turns it into error
                    slot.error = exc
                slot.done = True
                self.shared_log.append((run.key, time.monotonic() - started))
                self.spans.append(Span(run.key, "shared", round(started - self.started, 3), round(time.monotonic() - self.started, 3)))
                self.progress(run.key, "done")
        finally:
            slot.lock.release()
        if slot.error is not None:
            raise slot.error
        return slot.value


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _not_evaluated(spec: CheckSpec, message: str) -> CheckResult:
    return CheckResult(spec=spec, outcome=Outcome.NOT_EVALUATED, score=0.0, message=message)


def run_check(loaded: LoadedCheck, context: ScanContext) -> CheckResult:
    """Run one check; any exception becomes an ``error`` result that names the check."""
    spec = loaded.spec
    try:
        result = loaded.check.run(context)
    except Exception as exc:  # a check bug must not abort the scan
        tail = "".join(traceback.format_exception(exc)[-3:]).strip()
        return CheckResult(
            spec=spec,
            outcome=Outcome.ERROR,
            score=0.0,
            message=f"check {spec.id} raised {type(exc).__name__}: {exc}",
            evidence=(
                Evidence(
                    provenance=Provenance.EXECUTED,
                    summary=f"the check's code raised an exception (plugin {loaded.plugin})",
                    stderr_tail=tail,
                ),
            ),
        )
    if not isinstance(result, CheckResult):
        return CheckResult(
            spec=spec,
            outcome=Outcome.ERROR,
            score=0.0,
            message=f"check {spec.id} returned {type(result).__name__}, not a CheckResult",
        )
    return _sanitise(result, spec)


def _sanitise(result: CheckResult, spec: CheckSpec) -> CheckResult:
    """Enforce the model's invariants whatever a plugin returns (fail closed)."""
    outcome = result.outcome
    score = result.score
    if outcome is Outcome.NOT_APPLICABLE:
        if not proves_inapplicable(result.evidence):
            # not_applicable takes a technique out of the score: only evidence that the check looked and
            # found nothing to judge may do that (scoring.NA_RULE); anything else scores 0.
            what = "without evidence" if not result.evidence else "without evidence that it looked and found nothing to judge"
            return replace(
                result,
                spec=spec,
                outcome=Outcome.NOT_EVALUATED,
                score=0.0,
                message=f"reported not applicable {what} ({NA_RULE}): {result.message}",
            )
        score = None
    elif outcome in (Outcome.NOT_EVALUATED, Outcome.ERROR):
        score = 0.0
    elif outcome is Outcome.PASS and not result.evidence:
        return replace(
            result,
            spec=spec,
            outcome=Outcome.NOT_EVALUATED,
            score=0.0,
            message=f"reported pass without evidence: {result.message}",
        )
    else:
        score = 0.0 if score is None else max(0.0, min(10.0, float(score)))
    return replace(result, spec=spec, score=score)


def _selection(keys: Sequence[str], catalog: Catalog) -> set[str] | None:
    """Check ids and technique ids named by ``select`` (slugs resolved); None when not restricted."""
    if not keys:
        return None
    selected: set[str] = set()
    for key in keys:
        technique = catalog.technique(key)
        selected.add(technique.id if technique is not None else key)
    return selected


def execute_scan(
    *,
    target: Target,
    root: Path,
    config: Config,
    catalog: Catalog,
    discovered: Discovered,
    work_dir: Path,
    progress: ProgressCallback | None = None,
    sandbox_info: dict[str, Any] | None = None,
) -> Report:
    """Run every discovered check and build the Report (scores and gate verdict included)."""
    started_wall = now_iso()
    started = time.monotonic()
    context = ScanContext(
        target=target, root=root, config=config, catalog=catalog, work_dir=work_dir, progress=progress
    )
    disabled = set(config.get("disable"))
    selected = _selection(config.get("select"), catalog)
    runnable: list[LoadedCheck] = []
    results: dict[str, CheckResult] = {}
    for loaded in discovered.checks:
        if loaded.spec.id in disabled:
            results[loaded.spec.id] = _not_evaluated(loaded.spec, "disabled by configuration ('disable')")
        elif selected is not None and loaded.spec.id not in selected and loaded.spec.technique not in selected:
            results[loaded.spec.id] = _not_evaluated(loaded.spec, "not selected for this scan ('select')")
        else:
            runnable.append(loaded)
    context.planned = frozenset(loaded.spec.id for loaded in runnable) | frozenset(loaded.spec.technique for loaded in runnable)

    def job(loaded: LoadedCheck) -> CheckResult:
        context.take_permit()
        try:
            context.progress(loaded.spec.id, "start")
            begun = time.monotonic()
            result = run_check(loaded, context)
            context.spans.append(Span(loaded.spec.id, "check", round(begun - context.started, 3), round(time.monotonic() - context.started, 3)))
            context.progress(loaded.spec.id, f"end:{result.outcome.value}")
            return result
        finally:
            context.give_permit()

    # Every check has a thread; ``jobs`` of them work at once (a check waiting for a shared run gives
    # its permit back). Checks that only read the source start first, so static analysis and the
    # secrets scan run beside the project's test run instead of after it.
    context.work(max(1, int(config.get("jobs"))))
    order = sorted(runnable, key=lambda loaded: not bool(getattr(loaded.check, "reads_source_only", False)))
    if order:
        with ThreadPoolExecutor(max_workers=len(order), thread_name_prefix="check") as pool:
            for loaded, result in zip(order, pool.map(job, order)):
                results[loaded.spec.id] = result

    ordered = tuple(
        replace(results[loaded.spec.id], findings=assign_fingerprints(results[loaded.spec.id].findings))
        for loaded in sorted(discovered.checks, key=lambda item: (item.spec.technique, item.spec.id))
    )
    ordered, accepted_problems = load_and_apply(ordered, root, str(config.get("accepted_file")))
    breakdown = score_report(catalog, ordered)
    gate = evaluate_gate(config, catalog, ordered, breakdown)
    gate = apply_new_only(gate, ordered, bool(config.get("new_only")))
    problems = tuple(
        Problem(kind=problem.kind, subject=problem.plugin, message=problem.message)
        for problem in discovered.problems
    ) + accepted_problems + tuple(
        Problem(
            kind="config-ignored",
            subject=item.key,
            message=f"{item.source}: '{item.key}' = {_short(item.value)} ignored: {item.reason}",
        )
        for item in config.ignored
    )
    return Report(
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        target=target,
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        catalog_digest=catalog.digest,
        started=started_wall,
        finished=now_iso(),
        duration_s=round(time.monotonic() - started, 3),
        results=ordered,
        breakdown=breakdown,
        gate=gate,
        problems=problems,
        config=config.as_dict(),
        sandbox=sandbox_info or {},
        unconfined=policy().unconfined,
        timeline=tuple(sorted(context.spans, key=lambda span: (span.start_s, span.name))),
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def results_by_technique(results: Sequence[CheckResult]) -> dict[str, list[CheckResult]]:
    """Group results by technique id."""
    grouped: dict[str, list[CheckResult]] = {}
    for result in results:
        grouped.setdefault(result.spec.technique, []).append(result)
    return grouped
