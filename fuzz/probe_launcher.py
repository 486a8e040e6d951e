"""Run an atheris harness and record, inside its process, what the fuzzing really reached.

Usage (by the campaign, in the sandbox, on the target's interpreter)::

    python probe_launcher.py HARNESS [libFuzzer arguments...]

This file runs in the target's interpreter: it imports only the standard library (atheris is
imported from the harness's environment). Before the harness runs, ``atheris.Setup`` is wrapped so
that the harness's test-one-input callback is counted, and for a sample of the executions (every
one of the first 200, then one in 128) a profile hook notes every product function that starts:
the project's fuzzable entry points among them are the ones the fuzzing *called*, whatever the
harness's text says. The record is a JSON file, rewritten atomically as it grows (libFuzzer ends
the process without running Python's exit handlers):
``{"executions": N, "sampled": M, "entries": [...], "functions": [...], "setup": bool,
"startup_s": S, "timing": {"plain": [...], "profiled": [...]}}``.

``startup_s`` is the time from the campaign's launch of the process (``BASELINE_FUZZ_T0``, its
monotonic clock) to ``atheris.Fuzz`` (or the first input): import and instrumentation, which
libFuzzer does not count. ``timing`` holds, per input-size bucket (``len(data).bit_length()``:
powers of two), how long the test-one-input callback took: the number of inputs, their mean size,
the median, a high percentile (the 90th, never the single slowest) and the slowest time, and the
slowest input itself (base64, at most 64 KiB). A bucket whose inputs take milliseconds is timed in
the thread's CPU time (machine load does not inflate it); fast ones in wall time (a clock read
costs 40 ns). Profiled executions are kept apart from plain ones: the profile hook slows them.

Configuration comes from the environment, which the launcher removes before the harness runs:
``BASELINE_FUZZ_PROBE`` (the record file), ``BASELINE_FUZZ_ENTRIES`` (JSON list of
``[id, path relative to the project, qualname]``) and ``BASELINE_FUZZ_PRODUCT`` (JSON list of
product paths relative to the project).
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import runpy
import sys
import time
from typing import Any, Callable

_OUT = os.environ.pop("BASELINE_FUZZ_PROBE", "")
_ENTRIES: list[list[str]] = json.loads(os.environ.pop("BASELINE_FUZZ_ENTRIES", "[]") or "[]")
_PRODUCT: list[str] = json.loads(os.environ.pop("BASELINE_FUZZ_PRODUCT", "[]") or "[]")
_ROOT = os.getcwd()
_LAUNCHED = time.monotonic()
try:
    _T0 = float(os.environ.pop("BASELINE_FUZZ_T0", "") or "nan")
except ValueError:
    _T0 = float("nan")
_RING = 256  # times kept per size bucket (the most recent ones)
_CPU_FROM_S = 0.002  # a bucket whose input took this long (wall) is timed in CPU time from then on
_KEEP_INPUT = 64 * 1024  # the slowest input of a bucket is kept up to this size
_FULL_SAMPLES = 200
_EVERY = 128
_MAX_FUNCTIONS = 5000

_by_place = {(path, qualname): entry_id for entry_id, path, qualname in _ENTRIES}
_state: dict[str, Any] = {"executions": 0, "sampled": 0, "setup": False, "written": 0.0, "dirty": False, "runs": 0}
_entries: set[str] = set()
_functions: set[str] = set()
_seen: set[Any] = set()
_relative_cache: dict[str, str | None] = {}
# population ("plain" | "profiled") -> size bucket -> [count, size sum, min size, max size, ring of times,
# timed in CPU time?, slowest seconds, slowest input (or None above _KEEP_INPUT), its size]
_timing: dict[str, dict[int, list[Any]]] = {"plain": {}, "profiled": {}}


def _since_launch() -> float:
    """Seconds since the campaign launched this process (its clock), or since this launcher started."""
    now = time.monotonic()
    elapsed = now - _T0
    return round(elapsed if 0 <= elapsed < 86400 else now - _LAUNCHED, 3)


def _mark_startup() -> None:
    if _state.get("startup_s") is None:
        _state["startup_s"] = _since_launch()
        _state["dirty"] = True


def _timing_record() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for population, buckets in _timing.items():
        rows = []
        for index in sorted(buckets):
            count, total, smallest, largest, ring, cpu, slowest, kept, slowest_size = buckets[index]
            times = sorted(ring) or [0.0]  # none since the bucket moved to CPU time: counted, not timed
            n = len(ring)
            high_rank = min(-(-9 * n // 10), n - 1) if n > 1 else 1  # 90th percentile, never the single slowest
            rows.append(
                {
                    "bucket": index,
                    "count": count,
                    "samples": n,
                    "mean_size": round(total / count, 1),
                    "min_size": smallest,
                    "max_size": largest,
                    "p50_s": times[(n - 1) // 2],
                    "p90_s": times[high_rank - 1],
                    "max_s": max(slowest, 0.0),
                    "clock": "cpu" if cpu else "wall",
                    "slowest_size": slowest_size,
                    "slowest_input": base64.b64encode(kept).decode("ascii") if kept is not None else None,
                }
            )
        out[population] = rows
    return out


def _product_path(filename: str) -> str | None:
    """The project-relative path of a product file, or None."""
    cached = _relative_cache.get(filename, "")
    if cached != "":
        return cached
    relative: str | None = None
    if filename and not filename.startswith("<"):
        try:
            candidate = os.path.relpath(os.path.realpath(filename), os.path.realpath(_ROOT)).replace(os.sep, "/")
        except ValueError:
            candidate = ""
        if candidate and not candidate.startswith("..") and any(candidate == p or candidate.startswith(p.rstrip("/") + "/") for p in _PRODUCT):
            relative = candidate
    _relative_cache[filename] = relative
    return relative


def _profile(frame: Any, event: str, _arg: Any) -> None:
    if event != "call":
        return
    code = frame.f_code
    if code in _seen:
        return
    _seen.add(code)
    relative = _product_path(code.co_filename)
    if relative is None:
        return
    qualname = getattr(code, "co_qualname", code.co_name)
    if len(_functions) < _MAX_FUNCTIONS:
        _functions.add(f"{relative}:{qualname}")
    entry = _by_place.get((relative, qualname))
    if entry is not None:
        _entries.add(entry)
    _state["dirty"] = True


def _write(force: bool = False) -> None:
    if not _OUT:
        return
    now = time.perf_counter()
    if not force and not _state["dirty"] and now - _state["written"] < 2.0:
        return
    record = {
        "executions": _state["executions"],
        "sampled": _state["sampled"],
        "setup": _state["setup"],
        "entries": sorted(_entries),
        "functions": sorted(_functions),
        "startup_s": _state.get("startup_s"),
        "timing": _timing_record(),
    }
    temporary = f"{_OUT}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(temporary, _OUT)
    except OSError:
        return
    _state["written"] = now
    _state["dirty"] = False


def _wrap(callback: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    state, plain, profiled = _state, _timing["plain"], _timing["profiled"]
    wall_clock, cpu_clock = time.perf_counter, time.thread_time

    def test_one_input(data: bytes) -> Any:
        count = state["executions"] = state["executions"] + 1
        if count == 1:
            _mark_startup()
        sample = count <= _FULL_SAMPLES or count % _EVERY == 0
        previous = sys.getprofile() if sample else None
        buckets = profiled if sample else plain
        try:
            size = len(data)
        except TypeError:
            size = -1
        bucket = buckets.get(size.bit_length()) if size >= 0 else None
        cpu = bucket is not None and bucket[5]
        if sample:
            state["sampled"] += 1
            sys.setprofile(_profile)
        cpu_started = cpu_clock() if cpu else 0.0
        started = wall_clock()
        try:
            return callback(data)
        except BaseException:
            if sample:
                sys.setprofile(previous)
            _write(force=True)
            raise
        finally:
            ended = wall_clock()
            seconds = cpu_clock() - cpu_started if cpu else ended - started
            if sample:
                sys.setprofile(previous)
            if size >= 0:
                # Inlined (this runs for every input): count, sizes, the most recent times, the slowest input.
                if bucket is None:
                    bucket = buckets[size.bit_length()] = [0, 0, size, size, [], False, -1.0, None, size]
                seen = bucket[0] = bucket[0] + 1
                bucket[1] += size
                if size < bucket[2]:
                    bucket[2] = size
                elif size > bucket[3]:
                    bucket[3] = size
                ring = bucket[4]
                if len(ring) < _RING:
                    ring.append(seconds)
                else:
                    ring[seen % _RING] = seconds
                if seconds > bucket[6]:
                    bucket[6], bucket[7], bucket[8] = seconds, (bytes(data) if size <= _KEEP_INPUT else None), size
                if not cpu and seconds >= _CPU_FROM_S:
                    # A bucket of slow inputs is timed in CPU time from now on (its wall times are dropped).
                    ring.clear()
                    bucket[5], bucket[6], bucket[7] = True, -1.0, None
                state["dirty"] = True
            # libFuzzer ends the process without Python's exit handlers: the record is written at
            # powers of two, every 4096 executions (at most every 2 s), at least every second once
            # something changed, and at the last of -runs.
            if count & (count - 1) == 0 or count == state["runs"]:
                _write(force=True)
            elif count % 4096 == 0 or ended - state["written"] >= 1.0:
                _write()

    return test_one_input


def main() -> None:
    """Wrap atheris.Setup, then run the harness as ``__main__`` with the libFuzzer arguments."""
    if len(sys.argv) < 2:
        print("usage: probe_launcher.py HARNESS [libFuzzer arguments...]", file=sys.stderr)
        raise SystemExit(2)
    harness = sys.argv[1]
    sys.argv = [harness, *sys.argv[2:]]
    for argument in sys.argv[1:]:
        if argument.startswith("-runs=") and argument[6:].isdigit():
            _state["runs"] = int(argument[6:])
    # The harness's folder, not this file's, is the first import location (as when run directly).
    sys.path[0] = os.path.dirname(os.path.abspath(harness))
    atheris: Any = None
    try:
        # imported by name: this file is not a harness, and must not look like one to discovery
        atheris = importlib.import_module("atheris")
    except ImportError:
        pass
    if atheris is not None:
        original = atheris.Setup

        def setup(args: Any, test_one_input: Callable[[bytes], Any], *rest: Any, **options: Any) -> Any:
            _state["setup"] = True
            _write(force=True)
            return original(args, _wrap(test_one_input), *rest, **options)

        atheris.Setup = setup
        original_fuzz = getattr(atheris, "Fuzz", None)
        if callable(original_fuzz):

            def fuzz(*args: Any, **options: Any) -> Any:
                _mark_startup()  # libFuzzer's own clock starts here
                _write(force=True)
                return original_fuzz(*args, **options)

            atheris.Fuzz = fuzz
    _write(force=True)
    runpy.run_path(harness, run_name="__main__")
    _write(force=True)


if __name__ == "__main__":
    main()
