"""Run one atheris harness as its own sandboxed process and parse libFuzzer's output.

The harness runs on the target's interpreter with ``-runs`` (its execution budget) and ``-seed``
(fixed: the same plan runs the same inputs), ``-max_total_time`` (a time cap), ``-timeout``
(one input), ``-rss_limit_mb``, ``-artifact_prefix`` and a persistent corpus folder. The sandbox
adds a hard wall-clock limit on top, because import and instrumentation time are not counted by
libFuzzer. Exit codes (atheris 3.0): 0 budget used, 77 crash (Python exception or deadly
signal), 70 per-input timeout, 71 out of memory.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from baseline import sandbox

_STATUS_LINE = re.compile(r"^#(\d+)\s+(INITED|NEW|REDUCE|pulse|DONE|RELOAD)\s+(.*)$", re.MULTILINE)
_FIELD = re.compile(r"\b(cov|ft|exec/s|rss): (\d+)")
_CORP = re.compile(r"\bcorp: (\d+)/")
_STAT = re.compile(r"^stat::(\w+):\s+(\d+)$", re.MULTILINE)
_DONE = re.compile(r"^Done (\d+) runs in (\d+) second", re.MULTILINE)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")

PROBE_LAUNCHER = Path(__file__).resolve().parent / "probe_launcher.py"

EXIT_CRASH = 77
EXIT_TIMEOUT = 70
EXIT_OOM = 71
PROBE_MAX_BYTES = 16 * 1024 * 1024  # the harness process writes the probe file: a bigger one is not read


@dataclass(frozen=True)
class FuzzStats:
    """What libFuzzer said about one run."""

    started: bool  # reached INITED: the fuzz loop ran
    execs: int
    exec_per_s: float
    cov: int
    ft: int
    corpus_units: int
    new_units: int
    peak_rss_mb: int
    reported_seconds: int | None  # from "Done N runs in S second(s)"
    initial_cov: int = 0  # cov when the corpus was loaded (INITED): cov above it means coverage grew in this run

    @property
    def cov_grew(self) -> bool:
        """True when this run reached code its corpus did not."""
        return self.cov > self.initial_cov


@dataclass(frozen=True)
class HarnessRun:
    """One harness process: how it ended, its statistics and any crash artifact."""

    harness: str  # relative to the target root
    generated: bool
    budget_s: int
    status: str  # ok | crash | no-start | killed | start-error
    kind: str | None  # exception | native | timeout | oom (when status == crash)
    stats: FuzzStats
    fuzzed_s: float  # wall time the fuzz loop ran (0 when it never started)
    duration_s: float
    exit_code: int | None
    argv: tuple[str, ...]
    artifact: str | None
    stdout: str
    stderr: str
    note: str = ""
    probe: Probe | None = None  # what the fuzzing reached, recorded inside the harness process
    runs: int | None = None  # executions asked for (-runs); the time budget is then only a cap
    grace_s: float = 0.0  # start-up grace on top of the budget (import and instrumentation)

    @property
    def capped(self) -> bool:
        """True when the time cap, not the execution count, ended a run that was otherwise fine."""
        return self.status == "ok" and self.runs is not None and self.stats.execs < self.runs


@dataclass(frozen=True)
class SizeBucket:
    """Time per input of one input-size bucket (sizes from 2**(bucket-1) to 2**bucket - 1), as recorded."""

    bucket: int
    count: int  # inputs of this size run
    samples: int  # of which timed in the figures below (the most recent ones, in one clock)
    mean_size: float
    p50_s: float
    p90_s: float  # 90th percentile, never the single slowest
    max_s: float
    clock: str  # cpu (the thread's CPU time) | wall
    slowest_size: int
    slowest_input: bytes | None  # None when it was too big to keep


@dataclass(frozen=True)
class Probe:
    """What the probe launcher recorded in the harness process (see probe_launcher.py)."""

    executions: int  # test-one-input calls counted by the wrapper
    sampled: int  # of which profiled
    setup: bool  # the harness called atheris.Setup
    entries: tuple[str, ...]  # fuzzable entry points (ids) that started while fuzzing
    functions: tuple[str, ...]  # product functions ("path:qualname") that started while fuzzing
    startup_s: float | None = None  # launch to atheris.Fuzz (or the first input): what the start-up grace covers
    timing: dict[str, tuple[SizeBucket, ...]] | None = None  # "plain" | "profiled" -> buckets
    amplify: dict[str, object] | None = None  # the amplify mode's record (judged by baseline.fuzz.slow.judge_amplify)
    known_skipped: int = 0  # inputs that raised a crash this scan had already reported (not a crash again)

    @property
    def reached_product(self) -> bool:
        """True when fuzzing reached any product code at all."""
        return bool(self.functions)


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0 <= number < 1e6 else None


def _buckets(rows: object) -> tuple[SizeBucket, ...]:
    """Size buckets from the record (written by the harness process: each row is checked)."""
    if not isinstance(rows, list):
        return ()
    out: dict[int, SizeBucket] = {}
    for row in rows[:64]:
        if not isinstance(row, dict):
            continue
        index, count, samples, slowest_size = (row.get(key) for key in ("bucket", "count", "samples", "slowest_size"))
        mean, p50, p90, slowest = (_seconds(row.get(key)) for key in ("mean_size", "p50_s", "p90_s", "max_s"))
        if not all(isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in (index, count, samples, slowest_size)):
            continue
        if mean is None or p50 is None or p90 is None or slowest is None or not isinstance(index, int) or index > 64:
            continue
        kept = row.get("slowest_input")
        data: bytes | None = None
        if isinstance(kept, str):
            try:
                data = base64.b64decode(kept, validate=True)
            except (binascii.Error, ValueError):
                data = None
        out[index] = SizeBucket(
            index, int(count or 0), int(samples or 0), mean, p50, p90, slowest, "cpu" if row.get("clock") == "cpu" else "wall", int(slowest_size or 0), data
        )
    return tuple(out[key] for key in sorted(out))


def read_probe(path: Path) -> Probe | None:
    """The probe's record, or None when it is missing, too big or unreadable."""
    try:
        if path.stat().st_size > PROBE_MAX_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key)
        return tuple(str(item) for item in value) if isinstance(value, list) else ()

    def number(key: str) -> int:
        value = data.get(key)
        return value if isinstance(value, int) and value >= 0 else 0

    timing = data.get("timing")
    populations = {name: _buckets(timing.get(name)) for name in ("plain", "profiled")} if isinstance(timing, dict) else None
    amplify = data.get("amplify")
    return Probe(
        number("executions"), number("sampled"), bool(data.get("setup")), strings("entries"), strings("functions"), _seconds(data.get("startup_s")), populations,
        amplify if isinstance(amplify, dict) else None, number("known_skipped"),
    )


def parse_stats(stderr: str, duration_s: float) -> FuzzStats:
    """Parse libFuzzer's status lines and ``-print_final_stats=1`` block."""
    lines = _STATUS_LINE.findall(stderr)
    stats = {name: int(value) for name, value in _STAT.findall(stderr)}
    cov = ft = corpus = rss = 0
    last_execs = 0
    initial: int | None = None
    for number, event, rest in lines:
        fields = dict(_FIELD.findall(rest))
        if event == "INITED" and initial is None:
            initial = int(fields.get("cov", 0))
        cov = int(fields.get("cov", cov))
        ft = int(fields.get("ft", ft))
        rss = int(fields.get("rss", rss))
        corp = _CORP.search(rest)
        corpus = int(corp.group(1)) if corp else corpus
        last_execs = int(number)
    done = _DONE.search(stderr)
    execs = stats.get("number_of_executed_units", last_execs)
    seconds = int(done.group(2)) if done else None
    rate = float(stats.get("average_exec_per_sec", 0))
    if rate == 0 and execs:
        # libFuzzer reports 0 exec/s when it stops within its first second of a crash; estimate.
        rate = execs / max(seconds or duration_s, 1e-3)
    return FuzzStats(
        started=any(event == "INITED" for _n, event, _r in lines) or "INITED" in stderr,
        execs=execs,
        exec_per_s=round(rate, 1),
        cov=cov,
        ft=ft,
        corpus_units=corpus,
        new_units=stats.get("new_units_added", 0),
        peak_rss_mb=stats.get("peak_rss_mb", rss),
        reported_seconds=seconds,
        initial_cov=initial if initial is not None else cov,
    )


def amplify_seconds_of(amplify: dict[str, object] | None) -> float:
    """The amplification seconds a run's configuration asks for (0 without one)."""
    value = amplify.get("seconds") if amplify else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1e6 else 0.0


def run_harness(
    *,
    python: str,
    root: Path,
    harness: Path,
    generated: bool,
    budget_s: int,
    corpus: Path,
    artifacts: Path,
    input_timeout: int,
    rss_limit_mb: int,
    grace_s: float,
    allow_env: list[str],
    seed: int | None = None,
    runs: int | None = None,
    extra_args: tuple[str, ...] = (),
    network: bool = False,
    probe: tuple[list[tuple[str, str, str]], list[str]] | None = None,
    grace_why: str = "",
    amplify: dict[str, object] | None = None,
    known_crashes: tuple[tuple[str, str], ...] = (),
) -> HarnessRun:
    """Fuzz one harness for ``runs`` executions (when given) within ``budget_s`` seconds; never raises.

    With ``probe`` (entry points as (id, path, qualname), product paths, all relative to ``root``)
    the harness runs under the probe launcher, which records what the fuzzing really called, how
    long the start-up took and how long inputs took by size. ``grace_why`` says how ``grace_s``
    was chosen (in the note of a harness killed before fuzzing started). With ``amplify`` (and
    ``probe``), the launcher first probes the corpus by amplification for ``amplify["seconds"]``
    (see probe_launcher.py), in the same process before libFuzzer starts: libFuzzer gets what is
    left of ``budget_s``; with ``amplify["then_fuzz"]`` false it only probes (libFuzzer never starts).
    With ``known_crashes`` (exception type, innermost product frame ``path:line``: crashes the scan
    already reported) and ``probe``, an input that raises one of them again is not a crash: the
    launcher counts it (``Probe.known_skipped``) and libFuzzer goes on.
    """
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    probe_file = artifacts / "probe.json"
    probe_file.unlink(missing_ok=True)
    env = harness_env(root, python)
    launcher: list[str] = []
    if probe is not None:
        launcher = [str(PROBE_LAUNCHER)]
        env.update(
            {
                "BASELINE_FUZZ_PROBE": str(probe_file),
                "BASELINE_FUZZ_ENTRIES": json.dumps([list(entry) for entry in probe[0]]),
                "BASELINE_FUZZ_PRODUCT": json.dumps(probe[1]),
                "BASELINE_FUZZ_T0": repr(time.monotonic()),
            }
        )
        if amplify is not None:
            env["BASELINE_FUZZ_AMPLIFY"] = json.dumps({"then_fuzz": True} | amplify)
        if known_crashes:
            env["BASELINE_FUZZ_KNOWN"] = json.dumps([list(item) for item in known_crashes])
    amplify_s = amplify_seconds_of(amplify) if probe is not None else 0.0
    argv = [
        python,
        *launcher,
        str(harness),
        f"-max_total_time={max(1, budget_s - math.ceil(amplify_s))}",
        f"-timeout={input_timeout}",
        f"-rss_limit_mb={rss_limit_mb}",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        *([f"-seed={seed}"] if seed is not None else []),
        *([f"-runs={runs}"] if runs is not None else []),
        *extra_args,
        str(corpus),
    ]
    process = sandbox.run(
        argv,
        cwd=root,
        limits=sandbox.Limits(timeout_s=budget_s + grace_s + input_timeout),
        confine=sandbox.Confine(project=root, writable=(corpus, artifacts), readable=(harness, *harness_readable(python)), network=network),
        allow_env=allow_env,
        extra_env=env,
    )
    stats = parse_stats(process.stderr, process.duration_s)
    relative = harness.relative_to(root).as_posix() if harness.is_relative_to(root) else str(harness)
    artifact_match = _ARTIFACT.findall(process.stderr)
    artifact = None
    if artifact_match:
        candidate = Path(artifact_match[-1])
        artifact = str(candidate if candidate.is_absolute() else root / candidate)
    kind = None
    note = ""
    if process.start_error:
        status, note = "start-error", process.start_error
    elif artifact and Path(artifact).is_file():
        status = "crash"
        name = Path(artifact).name
        kind = "timeout" if name.startswith(("timeout-", "slow-unit-")) else "oom" if name.startswith("oom-") else None
        if kind is None:
            kind = "native" if "deadly signal" in process.stderr and "Uncaught Python exception" not in process.stdout else "exception"
    elif process.timed_out:
        status = "killed"
        note = f"killed by the wall-clock limit of {budget_s + grace_s + input_timeout:.0f} s" + (
            "" if stats.started else f" before fuzzing started: import and instrumentation took longer than the start-up grace "
            f"of {grace_s:g} s{grace_why} (raise it with --fuzz-startup-grace, fuzz.startup_grace)"
        )
    elif not stats.started:
        status = "no-start"
        tail = (process.stdout.strip() + "\n" + process.stderr.strip()).strip().splitlines()
        errors = [line for line in tail if re.match(r"^\w*(Error|Exception)\b", line)]
        note = errors[-1] if errors else (f"exited with code {process.exit_code} without starting the fuzz loop")
    elif process.exit_code != 0:
        status = "crash"
        kind = "native" if process.signal_name else "exception"
        note = f"ended with {process.describe()} and wrote no artifact"
    else:
        status = "ok"
        if runs is not None and stats.execs < runs:
            note = f"stopped by the time cap of {budget_s} s after {stats.execs} of {runs} executions"
    fuzzed = 0.0
    if stats.started:
        fuzzed = float(stats.reported_seconds) if stats.reported_seconds is not None else min(process.duration_s, float(budget_s))
        if fuzzed < 1 and stats.exec_per_s > 0:  # libFuzzer counts whole seconds: a short run says 0
            fuzzed = round(stats.execs / stats.exec_per_s, 2)
    return HarnessRun(
        harness=relative,
        generated=generated,
        budget_s=budget_s,
        status=status,
        kind=kind,
        stats=stats,
        fuzzed_s=fuzzed,
        duration_s=round(process.duration_s, 3),
        exit_code=process.exit_code,
        argv=process.argv,
        artifact=artifact,
        stdout=process.stdout,
        stderr=process.stderr,
        note=note,
        probe=read_probe(probe_file) if probe is not None else None,
        runs=runs,
        grace_s=grace_s,
    )


# Interpreters whose atheris comes from the toolkit's overlay: python -> (boot folder, overlay folder).
_OVERLAYS: dict[str, tuple[Path, Path]] = {}
# Interpreters where atheris imports (this process): (version, the probe, "").
_ATHERIS: dict[str, tuple[str, sandbox.ProcessResult, str]] = {}


def harness_env(root: Path, python: str | None = None) -> dict[str, str]:
    """Environment for harness processes: the project importable, unbuffered output.

    When ``python`` got atheris from the toolkit's overlay, the overlay's boot folder comes last on
    PYTHONPATH: it appends the overlay after the environment's own site-packages.
    """
    paths = [str(root / "src"), str(root)] if (root / "src").is_dir() else [str(root)]
    if python is not None and python in _OVERLAYS:
        paths.append(str(_OVERLAYS[python][0]))
    return {"PYTHONPATH": ":".join(paths), "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def harness_readable(python: str | None) -> tuple[Path, ...]:
    """What a harness process must be shown read-only besides the project: the overlay, if any."""
    return _OVERLAYS.get(python or "", ())


def ensure_atheris(python: str, root: Path) -> tuple[str | None, sandbox.ProcessResult, str]:
    """(atheris version or None, the last probe, why the overlay failed) for ``python``.

    atheris is the toolkit's, not the project's: an environment without it (a provisioned one, a
    project's own venv) gets it from an overlay in the toolkit's cache, appended after the
    environment's site-packages, never installed into the environment itself.
    """
    if python in _ATHERIS:
        return _ATHERIS[python]
    version, probe = probe_atheris(python, root)
    if version is not None:
        _ATHERIS[python] = (version, probe, "")
        return version, probe, ""
    from baseline.provision import build_overlay, overlay_boot

    try:
        import importlib.metadata

        wanted = f"atheris=={importlib.metadata.version('atheris')}"
    except Exception:
        wanted = "atheris"
    folder, why = build_overlay(python, None, [wanted])
    if folder is None:
        return None, probe, why
    _OVERLAYS[python] = (overlay_boot(folder), folder)
    version, probe = probe_atheris(python, root)
    if version is None:
        del _OVERLAYS[python]
        return None, probe, f"{wanted} was added from the toolkit's overlay but does not import: {probe.stderr_tail(3)}"
    _ATHERIS[python] = (version, probe, "")
    return version, probe, ""


def probe_atheris(python: str, root: Path) -> tuple[str | None, sandbox.ProcessResult]:
    """(atheris version or None, the probe process) in the target's interpreter."""
    code = "import atheris, importlib.metadata as m\ntry:\n    print(m.version('atheris'))\nexcept Exception:\n    print('unknown')\n"
    env = {"PYTHONPATH": str(_OVERLAYS[python][0])} if python in _OVERLAYS else None
    process = sandbox.run(
        [python, "-c", code], cwd=root, limits=sandbox.Limits(timeout_s=60), confine=sandbox.Confine(readable=(root, *harness_readable(python))), extra_env=env
    )
    version = process.stdout.strip().splitlines()[-1] if process.ok and process.stdout.strip() else None
    return version, process
