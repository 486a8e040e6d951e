"""Slow inputs: time per input that grows faster than the input (CWE-400, CWE-407).

libFuzzer's per-input ``-timeout`` catches hangs; an algorithm quadratic in its input stays under
it. The probe launcher times every input by size bucket (powers of two of ``len(data)``); this
module judges those figures (pure functions) and saves the slowest input of a slow bucket beside
the crash inputs (``<fuzz folder>/slow-inputs/<harness>/slow-<sha256>``). The judgement is deliberately conservative,
because a false slow-input finding on a linear parser is worse than a missed one:

- only buckets with at least MIN_SAMPLES timed inputs count, and timings of profiled and plain
  executions are never compared with each other (the profile hook slows the first);
- the *slow* figure of a bucket is its 90th percentile (never its single slowest input, which a
  garbage collection or a page fault can inflate);
- a bucket is slow only when that figure is at least FLOOR_S (50 ms): noise on fast functions
  never fires;
- its prediction from linear growth is taken from every bucket at least SIZE_RATIO times smaller,
  and the *largest* prediction is kept (constant per-call overhead makes small buckets predict
  more, never less);
- the finding needs the slow figure to exceed that prediction GROWTH_FACTOR times. Linear and
  ``n log n`` code stay near 1 (``n log n`` from 256 to 2,048 bytes gives 1.4); quadratic code
  gives the size ratio (8 and more);
- and the growth must show a second time, nearer: the time per byte of the slow bucket must also
  be LOCAL_FACTOR times that of every bucket between 1/8 and 1/2 of its size (there must be one).
  This keeps a linear parser quiet whose small inputs are garbage it rejects at the first bytes
  while its large ones (the project's test data) are parsed to the end: there the time per byte
  jumps once, between garbage and data, and stays flat among the large inputs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from baseline.fuzz.runner import SizeBucket

MIN_SAMPLES = 6  # timed inputs a bucket needs to count
FLOOR_S = 0.05  # a bucket whose 90th percentile is below this is never slow
SIZE_RATIO = 8.0  # the reference bucket is at least this many times smaller (mean size)
GROWTH_FACTOR = 4.0  # slow figure / what linear growth from the reference predicts
LOCAL_FACTOR = 1.3  # time per byte of the slow bucket / that of the buckets between 1/8 and 1/2 of its size


@dataclass(frozen=True)
class SlowGrowth:
    """Super-linear time per input: the slow bucket, the reference it was compared with, the figures."""

    population: str  # plain | profiled executions
    slow: SizeBucket
    reference: SizeBucket
    predicted_s: float  # what linear growth from the reference predicts at the slow bucket's size
    ratio: float  # slow.p90_s / predicted_s

    def saved_input(self) -> bytes | None:
        """The input to save beside the crash inputs: the slowest of the slow bucket."""
        return self.slow.slowest_input

    def describe(self) -> str:
        """The figures, in one sentence."""
        return (
            f"inputs of {self.slow.mean_size:.0f} bytes on average took {self.slow.p90_s * 1000:.1f} ms (90th percentile of "
            f"{self.slow.samples}, {self.slow.clock} time; slowest {self.slow.max_s * 1000:.1f} ms at {self.slow.slowest_size} bytes), "
            f"{self.ratio:.1f} times what linear growth from inputs of {self.reference.mean_size:.0f} bytes "
            f"({self.reference.p90_s * 1000:.2f} ms, {self.reference.samples} inputs) predicts ({self.predicted_s * 1000:.1f} ms)"
        )


def judge_growth(buckets: Iterable[SizeBucket], population: str = "plain") -> SlowGrowth | None:
    """The strongest super-linear growth in one population of size buckets, or None (pure)."""
    usable = sorted((bucket for bucket in buckets if bucket.samples >= MIN_SAMPLES and bucket.mean_size >= 1), key=lambda bucket: bucket.mean_size)
    best: SlowGrowth | None = None
    for slow in usable:
        if slow.p90_s < FLOOR_S:
            continue
        references = [bucket for bucket in usable if bucket.mean_size * SIZE_RATIO <= slow.mean_size]
        if not references:
            continue
        # The largest per-byte cost of the smaller buckets: the most generous linear prediction.
        reference = max(references, key=lambda bucket: bucket.p90_s / bucket.mean_size)
        predicted = reference.p90_s / reference.mean_size * slow.mean_size
        if predicted <= 0:
            continue
        ratio = slow.p90_s / predicted
        middle = [bucket for bucket in usable if slow.mean_size / SIZE_RATIO < bucket.mean_size <= slow.mean_size / 2]
        if not middle:
            continue
        nearest = max(bucket.p90_s / bucket.mean_size for bucket in middle)
        if nearest <= 0 or slow.p90_s / slow.mean_size < LOCAL_FACTOR * nearest:
            continue
        if ratio >= GROWTH_FACTOR and (best is None or ratio > best.ratio):
            best = SlowGrowth(population, slow, reference, predicted, round(ratio, 2))
    return best


def judge_probe(timing: dict[str, tuple[SizeBucket, ...]] | None) -> SlowGrowth | None:
    """The strongest growth over the plain and the profiled executions (each judged on its own)."""
    if not timing:
        return None
    found = [growth for population in ("plain", "profiled") if (growth := judge_growth(timing.get(population, ()), population)) is not None]
    return max(found, key=lambda growth: growth.ratio) if found else None


@dataclass(frozen=True)
class SlowInput:
    """A slow-input finding of one harness run: the growth and where its slowest input was saved."""

    harness: str
    generated: bool
    growth: SlowGrowth | AmplifiedGrowth
    input_path: str | None  # None when the input was too big to keep
    sha256: str | None


def save_slow_input(folder: Path, harness: str, generated: bool, growth: SlowGrowth | AmplifiedGrowth) -> SlowInput:
    """Write the slowest input of the slow bucket (or the largest of the ladder) into ``folder`` (named by its digest)."""
    data = growth.saved_input()
    if data is None:
        return SlowInput(harness, generated, growth, None, None)
    digest = hashlib.sha256(data).hexdigest()
    path = folder / f"slow-{digest[:16]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError:
        return SlowInput(harness, generated, growth, None, digest)
    return SlowInput(harness, generated, growth, str(path), digest)


# --- Amplification probing (see probe_launcher.py, the amplify mode) ---------------------------------
# After a harness's first run, its corpus inputs (the seeds and the fuzzer's finds), each of their
# lines and each field of a line are amplified in the harness process: a character, a short
# substring or the whole input repeated in place at doubling sizes, timed in the thread's CPU
# time. The fuzzer itself seldom grows an input of that shape (a thousand copies of one character
# between two particular letters), and the size-bucket judgement above needs such inputs in the
# corpus. A ladder is a super-linear growth when:
# - it has AMPLIFY_POINTS sizes or more, doubling, and its largest took FLOOR_S at least;
# - each of its last three steps was STEP_MIN times slower than the one before (no jump then drop:
#   a size threshold in the code, such as a length check, is not a growth);
# - the least-squares slope of log(time) over log(size) of those four points is EXPONENT_MIN at least
#   (linear code gives 1, ``n log n`` about 1.1, quadratic code 2: noise on a loaded machine moves
#   a quadratic ladder's slope down to about 1.5);
# - and measured again, the largest against the size eight times smaller, the slope still holds.
AMPLIFY_POINTS = 4
EXPONENT_MIN = 1.4
STEP_MIN = 1.2
AMPLIFY_SHARE = 0.2  # of fuzz.time, shared by value among the harnesses, for amplification probing
AMPLIFY_FLOOR_S = 2.0  # a harness's amplification gets this much at least (while the budget lasts)
AMPLIFY_CAP_S = 20.0


def amplify_config(seconds: float, fdp: bool, seen_file: Path | None = None, crash_dir: Path | None = None) -> dict[str, object]:
    """The amplify mode's configuration (JSON for the probe launcher)."""
    config: dict[str, object] = {"seconds": round(seconds, 2), "fdp": fdp, "exponent_min": EXPONENT_MIN, "floor_s": FLOOR_S, "step_min": STEP_MIN}
    if seen_file is not None:
        config["seen_file"] = str(seen_file)
    if crash_dir is not None:
        config["crash_dir"] = str(crash_dir)
    return config


def _slope(points: list[tuple[int, float]]) -> float:
    xs = [math.log(size) for size, _ in points]
    ys = [math.log(seconds) for _, seconds in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread if spread > 0 else 0.0


@dataclass(frozen=True)
class AmplifiedGrowth:
    """A super-linear ladder of amplification probing: a chunk of a corpus input repeated at doubling sizes."""

    chunk: str
    base_units: int  # characters (or bytes) of the input the chunk was repeated in
    points: tuple[tuple[int, int, float], ...]  # (characters, bytes, CPU seconds) per size
    exponent: float  # fitted slope of log(time) over log(size), the last four sizes
    recheck_exponent: float
    ratio: float  # the largest's time / what linear growth from four sizes down predicts
    input: bytes | None  # the largest input timed
    found_after_s: float  # seconds of amplification until this ladder
    population: str = "amplified"
    also: tuple[str, ...] = ()  # the chunks of the other super-linear ladders of the same run

    def describe(self) -> str:
        """The figures, in one sentence."""
        (n0, _b0, t0), (n1, b1, t1) = self.points[-AMPLIFY_POINTS], self.points[-1]
        return (
            f"repeating {self.chunk!r} in a {self.base_units}-character input of the fuzzing corpus, inputs of {n0} to {n1} "
            f"characters ({b1} bytes) took {t0 * 1000:.1f} to {t1 * 1000:.1f} ms (CPU time): time grows as size^{self.exponent:.1f} "
            f"(measured again: size^{self.recheck_exponent:.1f}), {self.ratio:.1f} times what linear growth predicts at the largest"
            + (f"; also super-linear when repeating {', '.join(repr(chunk) for chunk in self.also)}" if self.also else "")
        )

    def saved_input(self) -> bytes | None:
        """The input to save beside the crash inputs."""
        return self.input


def judge_ladder(ladder: object) -> AmplifiedGrowth | None:
    """One ladder of the amplify record as a growth, or None (pure; the record is the harness process's: checked)."""
    if not isinstance(ladder, dict):
        return None
    rows = ladder.get("points")
    if not isinstance(rows, list):
        return None
    points: list[tuple[int, int, float]] = []
    for row in rows[:32]:
        if not (isinstance(row, list) and len(row) >= 3 and all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in row[:3])):
            return None
        units, size, seconds = int(row[0]), int(row[1]), float(row[2])
        if units <= 0 or not math.isfinite(seconds) or seconds <= 0:
            return None
        points.append((units, size, seconds))
    if len(points) < AMPLIFY_POINTS or points[-1][2] < FLOOR_S:
        return None
    tail = points[-AMPLIFY_POINTS:]
    if any(later[0] <= earlier[0] or later[2] < STEP_MIN * earlier[2] for earlier, later in zip(tail, tail[1:])):
        return None
    exponent = _slope([(units, seconds) for units, _size, seconds in tail])
    if exponent < EXPONENT_MIN:
        return None
    recheck = ladder.get("recheck")
    if not (isinstance(recheck, list) and len(recheck) >= 4 and all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in recheck[:4])):
        return None
    low_units, low_s, top_units, top_s = (float(value) for value in recheck[:4])
    if not (0 < low_units < top_units and low_s > 0 and top_s >= FLOOR_S):
        return None
    recheck_exponent = math.log(top_s / low_s) / math.log(top_units / low_units)
    if recheck_exponent < EXPONENT_MIN:
        return None
    data: bytes | None = None
    kept = ladder.get("input")
    if isinstance(kept, str):
        try:
            data = base64.b64decode(kept, validate=True)
        except (binascii.Error, ValueError):
            data = None
    chunk = ladder.get("chunk")
    base_units = ladder.get("base_units")
    at = ladder.get("at_s")
    ratio = points[-1][2] / (tail[0][2] * points[-1][0] / tail[0][0])
    return AmplifiedGrowth(
        str(chunk)[:64] if isinstance(chunk, str) else "",
        base_units if isinstance(base_units, int) and not isinstance(base_units, bool) and base_units >= 0 else 0,
        tuple(points),
        round(exponent, 2),
        round(recheck_exponent, 2),
        round(ratio, 2),
        data,
        float(at) if isinstance(at, (int, float)) and not isinstance(at, bool) and math.isfinite(at) and at >= 0 else 0.0,
    )


def judge_amplify(record: object) -> AmplifiedGrowth | None:
    """The strongest super-linear ladder of an amplify record (by its re-measured exponent), or None (pure)."""
    if not isinstance(record, dict) or not isinstance(record.get("ladders"), list):
        return None
    found = [growth for ladder in record["ladders"][:64] if (growth := judge_ladder(ladder)) is not None]
    if not found:
        return None
    best = max(found, key=lambda growth: (growth.recheck_exponent, growth.ratio))
    others = tuple(dict.fromkeys(growth.chunk for growth in found if growth is not best and growth.chunk != best.chunk))
    return replace(best, also=others)


def merge_amplified(earlier: AmplifiedGrowth | None, later: AmplifiedGrowth) -> AmplifiedGrowth:
    """One harness's amplification finding over several runs of a scan: the stronger ladder (by its
    re-measured exponent), naming the chunks of both runs' other super-linear ladders (pure)."""
    if earlier is None:
        return later
    best, other = (later, earlier) if later.recheck_exponent > earlier.recheck_exponent else (earlier, later)
    chunks = (*best.also, other.chunk, *other.also)
    return replace(best, also=tuple(dict.fromkeys(chunk for chunk in chunks if chunk != best.chunk)))
