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
import contextlib
import gc
import hashlib
import importlib
import json
import math
import os
import re
import runpy
import signal
import sys
import time
import unicodedata
from typing import Any, Callable

_OUT = os.environ.pop("BASELINE_FUZZ_PROBE", "")
_ENTRIES: list[list[str]] = json.loads(os.environ.pop("BASELINE_FUZZ_ENTRIES", "[]") or "[]")
_PRODUCT: list[str] = json.loads(os.environ.pop("BASELINE_FUZZ_PRODUCT", "[]") or "[]")
try:
    _AMPLIFY: dict[str, Any] | None = json.loads(os.environ.pop("BASELINE_FUZZ_AMPLIFY", "") or "null")
except ValueError:
    _AMPLIFY = None
try:
    # Crashes this scan already reported: (exception type, innermost product frame "path:line"). An
    # input that raises one of them again is not a crash here, so libFuzzer goes on past a known bug.
    _KNOWN: set[tuple[str, str]] = {
        (str(item[0]), str(item[1])) for item in json.loads(os.environ.pop("BASELINE_FUZZ_KNOWN", "") or "[]") if isinstance(item, list) and len(item) == 2
    }
except (ValueError, TypeError):
    _KNOWN = set()
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
_state: dict[str, Any] = {"executions": 0, "sampled": 0, "setup": False, "written": 0.0, "dirty": False, "runs": 0, "known_skipped": 0}
_entries: set[str] = set()
_functions: set[str] = set()
_seen: set[Any] = set()
_relative_cache: dict[str, str | None] = {}
# population ("plain" | "profiled") -> size bucket -> [count, size sum, min size, max size, ring of times,
# timed in CPU time?, slowest seconds, slowest input (or None above _KEEP_INPUT), its size]
_timing: dict[str, dict[int, list[Any]]] = {"plain": {}, "profiled": {}}
_amplified: dict[str, Any] = {}  # amplification probing's record (the amplify mode only)


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
        "known_skipped": _state["known_skipped"],
    }
    if _amplified:
        record["amplify"] = _amplified
    temporary = f"{_OUT}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(temporary, _OUT)
    except OSError:
        return
    _state["written"] = now
    _state["dirty"] = False


def _known_crash(error: BaseException) -> bool:
    """True when ``error`` is a crash this scan already reported: its type and its innermost product frame."""
    place = None
    frame = error.__traceback__
    while frame is not None:
        relative = _product_path(frame.tb_frame.f_code.co_filename)
        if relative is not None:
            place = f"{relative}:{frame.tb_lineno}"
        frame = frame.tb_next
    return place is not None and (type(error).__name__, place) in _KNOWN


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
        except BaseException as error:
            if sample:
                sys.setprofile(previous)
            if _KNOWN and isinstance(error, Exception) and _known_crash(error):
                state["known_skipped"] += 1
                state["dirty"] = True
                return None
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


# --- Amplification probing (the amplify mode: BASELINE_FUZZ_AMPLIFY) --------------------------------
# The fuzzer's corpus (its finds and the seeds) holds the input shapes the target reads; a
# super-linear algorithm shows when one part of such an input is repeated many times. Each corpus
# input, each of its lines and each field of a line is a base; each base is amplified by repeating,
# in place, the whole base, each distinct character, then each distinct 2- and 3-character
# substring (breadth first: every base's cheapest candidates before any base's next level). A
# candidate is screened at two sizes (LOW copies and 8 times as many); one whose time grew far more
# than its size is confirmed on a ladder of doublings, which is recorded for the campaign to judge
# (baseline/fuzz/slow.py). Times are the thread's CPU time with the garbage collector paused, the
# best of a few runs; a call is interrupted after CALL_LIMIT_S of wall time.

_FIELD_SPLIT = re.compile(r"[\s;,|]+")
_CODEC_WIDTH = {"latin-1": 1, "utf-16-le": 2, "utf-32-le": 4}


class _Overtime(BaseException):
    """Raised by the alarm inside a call that ran past the limit (not an Exception: harnesses do not catch it)."""


def _decode(data: bytes, fdp: bool) -> tuple[bytes, str, str]:
    """(prefix kept as it is, the text, its codec): FuzzedDataProvider's encoding byte, else UTF-8 (else bytes)."""
    if fdp and data:
        first = data[0]
        codec = "latin-1" if first & 1 else ("utf-16-le" if first & 2 else "utf-32-le")
        body = data[1:]
        body = body[: len(body) - len(body) % _CODEC_WIDTH[codec]]
        try:
            return data[:1], body.decode(codec, "surrogatepass"), codec
        except UnicodeDecodeError:
            return data[:1], body.decode("latin-1"), "latin-1"
    try:
        return b"", data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return b"", data.decode("latin-1"), "latin-1"


def _encode(prefix: bytes, text: str, codec: str) -> bytes:
    return prefix + text.encode(codec, "surrogatepass")


def amplify_bases(
    inputs: list[bytes], fdp: bool, base_max: int, max_bases: int, whole: set[tuple[bytes, str, str]] | None = None, ranks: list[int] | None = None
) -> list[tuple[bytes, str, str]]:
    """The bases of amplification: each input, its lines and their fields, de-duplicated, by the
    rank of their input (``ranks``: the project's own seeds before the fuzzer's finds), then shortest first.

    ``whole`` (when given) receives the bases that are an input or a line, not only a field: a
    nesting needs the whole structure, which a field may have cut.
    """
    seen: set[tuple[bytes, str, str]] = set()
    out: list[tuple[bytes, str, str]] = []
    rank_of: dict[tuple[bytes, str, str], int] = {}
    rank = 0

    def add(prefix: bytes, text: str, codec: str, complete: bool) -> None:
        key = (prefix, text, codec)
        if not text or len(text) > base_max:
            return
        if complete and whole is not None:
            whole.add(key)
        if key not in seen:
            seen.add(key)
            out.append(key)
            rank_of[key] = rank

    for position, data in enumerate(inputs):
        rank = ranks[position] if ranks is not None and position < len(ranks) else 0
        prefix, text, codec = _decode(data, fdp)
        add(prefix, text, codec, True)
        for line in text.splitlines(True)[:256]:
            add(prefix, line, codec, True)
            add(prefix, line.rstrip("\r\n"), codec, True)
            for field in _FIELD_SPLIT.split(line)[:64]:
                add(prefix, field, codec, False)
    out.sort(key=lambda base: (rank_of[base], len(base[1])))  # stable: corpus order among bases of one rank and length
    return out[:max_bases]


_CLASSED = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "a" * 26 + "A" * 26 + "0" * 10)


def _classed(text: str) -> str:
    """ASCII letters and digits by their class (the key of "the same neighbours"): other characters as they are."""
    return text.translate(_CLASSED)


def amplify_candidates(bases: list[tuple[bytes, str, str]], unit_max: int, gram_max: int, whole: set[tuple[bytes, str, str]] | None = None) -> Any:
    """(kind, base index, start, end) of the chunk to amplify, level by level (a generator).

    ``repeat``: the chunk is repeated in place; ``nest``: the chunk, the inside of a bracket or
    quote pair, is replaced by the whole base, again and again (``![](x)`` -> ``![![](x)](x)``;
    one level is also tried with the inner pair emptied: ``![a](x)`` -> ``![![](x)](x)``).
    First each bracketed inside of the short bases that are an input or a line (``whole``;
    nesting: few, and new structures), then each
    character, then each whole base, then each 2- and 3-character substring of the shortest. A character or
    substring between the same neighbours is tried once (in its shortest base): repeating it there
    most likely runs the same code. ASCII letters and digits count by their class (a lower-case
    letter, an upper-case letter, a digit).
    """
    seen: set[tuple[Any, ...]] = set()

    def fresh(kind: str, prefix: bytes, codec: str, text: str, begin: int, end: int) -> bool:
        if kind == "nest":  # a nesting's validity depends on the whole structure: only the same shape is the same
            key: tuple[Any, ...] = (kind, prefix, codec, _classed(text), begin, end)
        else:
            key = (kind, prefix, codec, _classed(text[begin - 1 : begin]), _classed(text[begin:end]), _classed(text[end : end + 1]))
        if key in seen:
            return False
        seen.add(key)
        return True

    for index, (prefix, text, codec) in enumerate(bases):
        if len(text) <= unit_max and (whole is None or bases[index] in whole):
            for begin, end in _insides(text):
                if fresh("nest", prefix, codec, text, begin, end):
                    yield "nest", index, begin, end
    for index, (prefix, text, codec) in enumerate(bases):
        if 1 < len(text) <= unit_max:
            for position in range(len(text)):
                if fresh("repeat", prefix, codec, text, position, position + 1):
                    yield "repeat", index, position, position + 1
    for index, (_prefix, text, _codec) in enumerate(bases):
        yield "repeat", index, 0, len(text)
    for width in (2, 3):
        for index, (prefix, text, codec) in enumerate(bases):
            if width < len(text) <= gram_max:
                for position in range(len(text) - width + 1):
                    if fresh("repeat", prefix, codec, text, position, position + width):
                        yield "repeat", index, position, position + width


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", '"': '"', "'": "'", "`": "`"}


def _insides(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each bracket or quote pair (an opener and the first closer after it)."""
    out = []
    for position, char in enumerate(text):
        closer = _PAIRS.get(char)
        if closer is not None:
            end = text.find(closer, position + 1)
            if end > 0:
                out.append((position + 1, end))
    return out


def _build(base: tuple[bytes, str, str], kind: str, begin: int, end: int, copies: int, emptied: bool = False) -> tuple[bytes, int]:
    """(the amplified input, its length in characters); ``emptied``: the innermost level of a nesting has the pair empty."""
    prefix, text, codec = base
    if kind == "nest":
        inner = text[:begin] + text[end:] if emptied else text
        for _ in range(copies - 1):
            inner = text[:begin] + inner + text[end:]
        built = text[:begin] + inner + text[end:]
    else:
        built = text[:begin] + text[begin:end] * copies + text[end:]
    return _encode(prefix, built, codec), len(built)


def _call_seconds(callback: Callable[[bytes], Any], data: bytes, repeats: int, limit: float, crashes: dict[Any, bytes] | None = None) -> tuple[float, bool]:
    """(best CPU seconds of ``repeats`` calls, True when a call ran past ``limit`` wall seconds).

    An input the callback raised on (the harness's crash) is kept in ``crashes``, the first per
    exception type and place; a RecursionError is not (the depth is the amplification's doing: the
    fuzzer's own inputs still report one).
    """
    best = math.inf
    for _ in range(repeats):
        enabled = gc.isenabled()
        gc.disable()
        signal.setitimer(signal.ITIMER_REAL, limit)
        started = time.thread_time()
        over = False
        try:
            callback(data)
        except _Overtime:
            over = True
        except KeyboardInterrupt:
            raise
        except MemoryError:
            over = True  # as a hang: the amplification stops growing this input
        except BaseException as error:  # a crash: its time still counts, the input goes to the fuzzer
            _amplified["raised"] = _amplified.get("raised", 0) + 1
            if crashes is not None and not isinstance(error, RecursionError):  # deep nesting is the amplification's own doing
                trace = error.__traceback__
                while trace is not None and trace.tb_next is not None:
                    trace = trace.tb_next
                place = (trace.tb_frame.f_code.co_filename, trace.tb_lineno) if trace is not None else ("", 0)
                crashes.setdefault((type(error).__name__, place), data)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            seconds = time.thread_time() - started
            if enabled:
                gc.enable()
        _amplified["executions"] = _amplified.get("executions", 0) + 1
        if over:
            return max(seconds, limit), True
        best = min(best, seconds)
        if seconds >= 0.02:
            break  # long enough to be measured once
    return best, False


def _amplify(callback: Callable[[bytes], Any], corpus: list[str], config: dict[str, Any]) -> None:
    """Amplification probing of ``callback`` on the corpus folders' inputs, within ``config["seconds"]``.

    Inputs listed in ``config["seen_file"]`` (amplified to the end in an earlier run of this scan)
    are left out, and the file is extended when every candidate was screened. An amplified input
    the callback raised on is written into ``config["crash_dir"]`` (``amplified-<sha256>``, at most
    CRASHES_KEPT, one per exception type and place), not into the corpus (libFuzzer would stop at
    it while loading the corpus, before fuzzing): the campaign replays and triages it after the run.
    """
    started = time.monotonic()
    seconds = float(config.get("seconds", 5))
    deadline = started + seconds
    low = int(config.get("low_units", 16))
    screen_ratio = float(config.get("screen_ratio", 12))
    screen_floor = float(config.get("screen_floor_s", 5e-5))
    step_stop = float(config.get("step_stop_s", 0.3))
    call_limit = float(config.get("call_limit_s", 2.0))
    ladder_cap = float(config.get("ladder_s", 4.0))
    steps = int(config.get("steps", 7))
    max_bytes = int(config.get("max_bytes", 256 * 1024))
    keep_max = int(config.get("confirmed_max", 3))
    exponent_min = float(config.get("exponent_min", 1.4))
    step_min = float(config.get("step_min", 1.2))
    give_up = float(config.get("give_up_exponent", 1.2))
    floor = float(config.get("floor_s", 0.05))
    fdp = bool(config.get("fdp"))
    seen_file = str(config.get("seen_file") or "")
    seen_names: set[str] = set()
    if seen_file:
        try:
            with open(seen_file, encoding="utf-8") as listed:
                seen_names = {line.strip() for line in listed if line.strip()}
        except OSError:
            pass
    inputs: list[bytes] = []
    used: list[str] = []
    ranks: list[int] = []  # the project's own seeds (its test data, its source's quotes) first
    for folder in corpus:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names[: int(config.get("max_inputs", 2000))]:
            path = os.path.join(folder, name)
            if name in seen_names or name.startswith("amplified-"):
                continue
            try:
                if os.path.isfile(path) and os.path.getsize(path) <= 64 * 1024:
                    with open(path, "rb") as handle:
                        inputs.append(handle.read())
                    used.append(name)
                    ranks.append(0 if name.startswith(("seed-", "source-")) else 1)
            except OSError:
                continue
    whole: set[tuple[bytes, str, str]] = set()
    bases = amplify_bases(inputs, fdp, int(config.get("base_max", 512)), int(config.get("max_bases", 20000)), whole, ranks)
    ladders: list[dict[str, Any]] = []
    crashes: dict[Any, bytes] = {}
    record = _amplified
    record.update({"inputs": len(inputs), "bases": len(bases), "screened": 0, "executions": 0, "confirmed": 0, "finished": False, "ladders": ladders, "crashes": 0})
    tried: set[bytes] = set()
    strong = 0

    def handler(_signum: int, _frame: Any) -> None:
        raise _Overtime()

    previous = signal.signal(signal.SIGALRM, handler)
    crash_only = bool(config.get("crash_only"))
    confirmed_shapes: set[tuple[str, ...]] = set()
    try:
        # First a cheap pass for crashes (``crash_pass``, unless the campaign's probing phase did it):
        # every input once as it is, then one level of each nesting, the inner copy as it is and with
        # the pair emptied (new structures the fuzzer seldom assembles); then the timing (unless
        # ``crash_only``). The pass has half the seconds, all of them when it is the only work.
        if config.get("crash_pass", True):
            pass_end = deadline if crash_only else started + seconds / 2
            raised_inputs: list[str] = []
            for name, data in zip(used, inputs):
                if time.monotonic() >= pass_end:
                    break
                before = _amplified.get("raised", 0)
                _call_seconds(callback, data, 1, call_limit, crashes)
                if _amplified.get("raised", 0) > before and len(raised_inputs) < 1000:
                    raised_inputs.append(name)  # libFuzzer would stop at it while loading the corpus
            record["raised_inputs"] = raised_inputs
            for kind, index, begin, end in amplify_candidates(bases, int(config.get("unit_max", 64)), 0, whole):
                if kind != "nest" or time.monotonic() >= pass_end:
                    break
                for emptied in (False, True):
                    _call_seconds(callback, _build(bases[index], kind, begin, end, 1, emptied)[0], 1, call_limit, crashes)
        for kind, index, begin, end in amplify_candidates(bases, int(config.get("unit_max", 64)), int(config.get("gram_max", 24)), whole):
            if crash_only or time.monotonic() >= deadline:
                break
            base = bases[index]
            shape = chunk_shape(kind, base[1], begin, end)
            if shape in confirmed_shapes:
                continue  # a super-linear ladder of this shape is already confirmed: look for other shapes
            width = (end - begin) if kind == "repeat" else len(base[1]) - (end - begin)
            if width <= 0:
                continue
            copies = max(2, -(-low // width))
            high, _units = _build(base, kind, begin, end, copies * 8)
            digest = hashlib.sha256(high).digest()
            if digest in tried or len(high) > max_bytes:
                continue
            tried.add(digest)
            record["screened"] += 1
            t_high, over = _call_seconds(callback, high, 2, call_limit, crashes)
            if t_high < screen_floor and not over:
                continue
            t_low, _ = _call_seconds(callback, _build(base, kind, begin, end, copies)[0], 3, call_limit, crashes)
            if not over and t_high < screen_ratio * max(t_low, 1e-7):
                continue
            # Confirm on a ladder of doublings from the low size.
            points: list[list[Any]] = []
            kept = b""
            ladder_end = min(deadline + 1.0, time.monotonic() + ladder_cap)
            for step in range(steps + 1):
                data, units = _build(base, kind, begin, end, copies << step)
                if len(data) > max_bytes or (step > 0 and time.monotonic() >= ladder_end):
                    break
                spent, over = _call_seconds(callback, data, 2, call_limit)
                points.append([units, len(data), round(spent, 6), over])
                kept = data
                if over or spent >= step_stop or (len(points) >= 4 and ladder_exponent(points) < give_up):
                    break  # slow enough to judge, or plainly not growing faster than the input
            ladder: dict[str, Any] = {
                "kind": kind, "chunk": base[1][begin:end][:64], "chunk_units": end - begin, "base_units": len(base[1]), "points": points,
                "input": base64.b64encode(kept).decode("ascii") if len(kept) <= 64 * 1024 else None,
                "at_s": round(time.monotonic() - started, 3),
            }
            if ladder_strong(points, exponent_min, floor, step_min):
                # Measured again, the top against the point eight times smaller: one noisy run is not a growth.
                top_copies = copies << (len(points) - 1)
                again_low, _ = _call_seconds(callback, _build(base, kind, begin, end, top_copies // 8)[0], 3, call_limit)
                again_top, again_over = _call_seconds(callback, _build(base, kind, begin, end, top_copies)[0], 2, call_limit)
                ladder["recheck"] = [points[-4][0], round(again_low, 6), points[-1][0], round(again_top, 6), again_over]
            ladders.append(ladder)
            record["confirmed"] = len(ladders)
            _write(force=True)
            if "recheck" in ladder:
                # The stop rule counts distinct shapes: three ladders of one kind of character are one
                # finding, and a harness goes on to report a different super-linear path.
                confirmed_shapes.add(shape)
                strong = len(confirmed_shapes)
                if strong >= keep_max:
                    break
            if len(ladders) >= 4 * keep_max:
                break
        else:
            record["finished"] = True
    finally:
        signal.signal(signal.SIGALRM, previous)
        record["seconds"] = round(time.monotonic() - started, 3)
        kept_crashes = list(crashes.values())[:CRASHES_KEPT]
        crash_dir = str(config.get("crash_dir") or "")
        for data in kept_crashes:
            if crash_dir and len(data) <= 64 * 1024:
                try:
                    os.makedirs(crash_dir, exist_ok=True)
                    with open(os.path.join(crash_dir, f"amplified-{hashlib.sha256(data).hexdigest()[:16]}"), "wb") as binary:
                        binary.write(data)
                except OSError:
                    pass
        record["crashes"] = len(kept_crashes)
        if seen_file and record["finished"] and not crash_only:
            try:
                with open(seen_file, "a", encoding="utf-8") as listing:
                    listing.writelines(f"{name}\n" for name in used)
            except OSError:
                pass
        _write(force=True)


CRASHES_KEPT = 8


def chunk_shape(kind: str, text: str, begin: int, end: int) -> tuple[str, ...]:
    """The shape of an amplified chunk, for the stop rule: a nesting by its opening character; a
    repeated chunk by the Unicode categories of its characters, a run of one category counted once
    (``'\u0661'``, ``'\u0662\u0663'``: ``('Nd',)``; ``'\u200c'``: ``('Cf',)``)."""
    if kind == "nest":
        return (kind, text[begin - 1 : begin])
    categories: list[str] = []
    for char in text[begin:end]:
        category = unicodedata.category(char)
        if not categories or categories[-1] != category:
            categories.append(category)
    return (kind, *categories)


def ladder_exponent(points: list[list[Any]]) -> float:
    """The least-squares slope of log(time) over log(size) of the last four points (0 when not measurable)."""
    tail = points[-4:]
    if len(tail) < 4 or any(point[2] <= 0 or point[0] <= 0 for point in tail):
        return 0.0
    xs = [math.log(point[0]) for point in tail]
    ys = [math.log(point[2]) for point in tail]
    mean_x, mean_y = sum(xs) / 4, sum(ys) / 4
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread if spread > 0 else 0.0


def ladder_strong(points: list[list[Any]], exponent_min: float, floor: float, step_min: float) -> bool:
    """The launcher's test of a ladder, the same as the campaign's (baseline/fuzz/slow.py judge_ladder):
    four points or more, the last at least ``floor`` seconds, every one of the last three steps slower
    by ``step_min`` at least, and a fitted exponent of at least ``exponent_min``."""
    if len(points) < 4 or points[-1][2] < floor:
        return False
    tail = points[-4:]
    if any(later[2] < step_min * earlier[2] for earlier, later in zip(tail, tail[1:])):
        return False
    return ladder_exponent(points) >= exponent_min


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
    if atheris is not None and _AMPLIFY is not None and not _AMPLIFY.get("then_fuzz"):
        # Probing only: libFuzzer never starts, so its coverage instrumentation would only slow the
        # start-up (the launcher's own profile hook records what the inputs reached).
        atheris.instrument_imports = lambda *args, **options: contextlib.nullcontext()
        atheris.instrument_all = lambda *args, **options: None
        atheris.instrument_func = lambda function: function
    if atheris is not None:
        original = atheris.Setup

        def setup(args: Any, test_one_input: Callable[[bytes], Any], *rest: Any, **options: Any) -> Any:
            _state["setup"] = True
            _state["callback"] = test_one_input
            _write(force=True)
            return original(args, _wrap(test_one_input), *rest, **options)

        atheris.Setup = setup
        original_fuzz = getattr(atheris, "Fuzz", None)
        if callable(original_fuzz):

            def fuzz(*args: Any, **options: Any) -> Any:
                _mark_startup()  # libFuzzer's own clock starts here
                _write(force=True)
                callback = _state.get("callback")
                if _AMPLIFY is not None and callable(callback):
                    # Amplification probing: the harness's own callback timed on amplified corpus inputs.
                    _amplify(callback, [argument for argument in sys.argv[1:] if not argument.startswith("-")], _AMPLIFY)
                    if not _AMPLIFY.get("then_fuzz"):
                        sys.stdout.flush()
                        sys.stderr.flush()
                        os._exit(0)  # as libFuzzer ends a run: the harness's code after Fuzz() does not run
                return original_fuzz(*args, **options)

            atheris.Fuzz = fuzz
    _write(force=True)
    runpy.run_path(harness, run_name="__main__")
    _write(force=True)


if __name__ == "__main__":
    main()
