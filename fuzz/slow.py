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

import hashlib
from dataclasses import dataclass
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
    growth: SlowGrowth
    input_path: str | None  # None when the input was too big to keep
    sha256: str | None


def save_slow_input(folder: Path, harness: str, generated: bool, growth: SlowGrowth) -> SlowInput:
    """Write the slowest input of the slow bucket into ``folder`` (named by its digest)."""
    data = growth.slow.slowest_input
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
