"""Slow-input judgement on synthetic timings, the adaptive start-up grace, and the probe's timing record."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

from baseline.fuzz.campaign import GRACE_FLOOR_S, startup_grace
from baseline.fuzz.runner import SizeBucket, read_probe
from baseline.fuzz.slow import FLOOR_S, judge_growth, judge_probe, save_slow_input


def buckets(cost: object, *, sizes: tuple[int, ...] = (3, 12, 24, 48, 96, 192, 384, 768, 1536, 3000), samples: int = 40, jitter: float = 0.0, seed: int = 1) -> tuple[SizeBucket, ...]:
    """Buckets as the probe reports them, for inputs of these sizes costing ``cost(n)`` seconds each."""
    rng = random.Random(seed)
    out = []
    for size in sizes:
        times = sorted(cost(size) * (1 + rng.uniform(0, jitter)) for _ in range(samples))  # type: ignore[operator]
        high = min(math.ceil(0.9 * samples), samples - 1)
        out.append(SizeBucket(size.bit_length(), samples, samples, float(size), times[(samples - 1) // 2], times[high - 1], times[-1], "cpu", size, b"x" * size))
    return tuple(out)


def test_linear_time_is_never_slow_even_when_it_is_heavy_and_noisy() -> None:
    # 200 us per byte plus a 30 us call: 600 ms at 3,000 bytes, far above the floor, and linear.
    assert judge_growth(buckets(lambda n: 30e-6 + 200e-6 * n)) is None
    # Machine noise: any input up to 2.5 times slower than it should be.
    for seed in range(20):
        assert judge_growth(buckets(lambda n: 30e-6 + 200e-6 * n, jitter=1.5, seed=seed)) is None


def test_n_log_n_is_not_slow() -> None:
    assert judge_growth(buckets(lambda n: 5e-6 * n * math.log2(n + 1) + 2e-5)) is None
    for seed in range(20):
        assert judge_growth(buckets(lambda n: 5e-6 * n * math.log2(n + 1), jitter=1.0, seed=seed)) is None


def test_quadratic_time_is_slow_with_its_figures() -> None:
    growth = judge_growth(buckets(lambda n: 20e-6 + 2e-8 * n * n))
    assert growth is not None
    assert growth.slow.mean_size >= growth.reference.mean_size * 8
    assert growth.slow.p90_s >= FLOOR_S and growth.ratio >= 4
    assert "times what linear growth" in growth.describe()
    # Noisy, it is still found.
    assert all(judge_growth(buckets(lambda n: 20e-6 + 2e-8 * n * n, jitter=1.0, seed=seed)) is not None for seed in range(10))


def test_fast_functions_never_fire_whatever_their_growth() -> None:
    # Quadratic, but 18 ms at 3,000 bytes: below the floor, noise on fast code could look like this.
    assert judge_growth(buckets(lambda n: 2e-9 * n * n)) is None
    # Wildly noisy microseconds.
    assert judge_growth(buckets(lambda n: 1e-6, jitter=40.0)) is None


def test_too_few_samples_or_no_smaller_reference_is_no_finding() -> None:
    assert judge_growth(buckets(lambda n: 2e-8 * n * n, samples=5)) is None
    # Sizes too close together: no bucket is 8 times smaller than the slow one.
    assert judge_growth(buckets(lambda n: 2e-8 * n * n, sizes=(1500, 2000, 3000))) is None


def test_a_linear_parser_that_rejects_small_garbage_early_is_not_slow() -> None:
    # Small inputs are mutated garbage, rejected after a few bytes; large ones are the project's
    # test data, parsed to the end at 100 us per byte: one jump between the two, then flat.
    def parse(n: int) -> float:
        return 20e-6 if n < 200 else 100e-6 * n

    assert judge_growth(buckets(parse)) is None
    # With no bucket between 1/8 and 1/2 of the slow one's size, the growth is not confirmed.
    assert judge_growth(buckets(lambda n: 2e-8 * n * n, sizes=(12, 24, 48, 96, 3000))) is None


def test_a_single_slow_input_is_not_a_growth() -> None:
    linear = list(buckets(lambda n: 1e-5 * n))
    top = linear[-1]
    # One input took a second (a garbage collection, a page fault): the 90th percentile ignores it.
    linear[-1] = SizeBucket(top.bucket, top.count, top.samples, top.mean_size, top.p50_s, top.p90_s, 1.0, "cpu", top.slowest_size, top.slowest_input)
    assert judge_growth(linear) is None


def test_profiled_and_plain_executions_are_not_compared() -> None:
    fast_small = tuple(bucket for bucket in buckets(lambda n: 1e-6 * n) if bucket.mean_size < 200)
    slow_large = tuple(bucket for bucket in buckets(lambda n: 5e-5 * n) if bucket.mean_size >= 200)  # profiled: 50 times slower per byte
    assert judge_probe({"plain": fast_small, "profiled": slow_large}) is None
    quadratic = buckets(lambda n: 2e-8 * n * n)
    found = judge_probe({"plain": (), "profiled": quadratic})
    assert found is not None and found.population == "profiled"


def test_the_slowest_input_is_saved_by_its_digest(tmp_path: Path) -> None:
    growth = judge_growth(buckets(lambda n: 2e-8 * n * n))
    assert growth is not None
    saved = save_slow_input(tmp_path / "slow-inputs" / "fuzz__x", "fuzz/x.py", False, growth)
    assert saved.input_path is not None and Path(saved.input_path).read_bytes() == growth.slow.slowest_input
    assert saved.sha256 is not None and Path(saved.input_path).name == f"slow-{saved.sha256[:16]}"


def test_probe_timing_written_by_the_harness_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "probe.json"
    good = {"bucket": 10, "count": 12, "samples": 12, "mean_size": 700.0, "min_size": 600, "max_size": 900, "p50_s": 0.2, "p90_s": 0.3,
            "max_s": 0.31, "clock": "cpu", "slowest_size": 900, "slowest_input": "YWJj"}
    hostile = [good, {"bucket": "x"}, {**good, "bucket": 3, "p90_s": float("inf")}, {**good, "bucket": 4, "count": -1}, {**good, "bucket": 5, "slowest_input": "@@"}, "junk"]
    path.write_text(json.dumps({"executions": 5, "startup_s": 1.25, "timing": {"plain": hostile, "profiled": "junk"}}).replace("Infinity", "1e999"))
    probe = read_probe(path)
    assert probe is not None and probe.startup_s == 1.25 and probe.timing is not None
    assert [bucket.bucket for bucket in probe.timing["plain"]] == [5, 10]
    assert probe.timing["plain"][1].slowest_input == b"abc" and probe.timing["plain"][0].slowest_input is None
    assert probe.timing["profiled"] == ()
    path.write_text(json.dumps({"executions": 5, "startup_s": -3, "timing": 7}))
    probe = read_probe(path)
    assert probe is not None and probe.startup_s is None and probe.timing is None


def test_startup_grace_fits_the_project_within_the_operator_ceiling() -> None:
    # Nothing measured yet: the operator's value.
    assert startup_grace(20.0, [], 0) == (20.0, "")
    # Fast start-ups: 4 times the longest, never below the floor.
    grace, why = startup_grace(20.0, [0.4, 1.2], 0)
    assert grace == GRACE_FLOOR_S and "1.2 s" in why and "fuzz.startup_grace = 20 s" in why
    assert startup_grace(60.0, [0.4, 4.0], 0)[0] == 16.0
    # Slow start-ups: capped by the operator's value, which only the operator raises.
    grace, why = startup_grace(20.0, [9.0], 0)
    assert grace == 20.0 and "9.0 s" in why
    # A harness was killed before it started: its start-up is unknown, later ones get the whole ceiling.
    grace, why = startup_grace(20.0, [0.4], 1)
    assert grace == 20.0 and "killed before it started" in why
    # The operator's value below the floor wins.
    assert startup_grace(2.0, [0.1], 0)[0] == 2.0
    # The same measurements give the same grace.
    assert startup_grace(30.0, [2.5, 0.5], 0) == startup_grace(30.0, [0.5, 2.5], 0)


def test_the_probe_launcher_times_inputs_by_size_and_keeps_the_slowest(tmp_path: Path, monkeypatch: object) -> None:
    import importlib.util
    import time

    from baseline.fuzz.runner import PROBE_LAUNCHER

    record = tmp_path / "probe.json"
    monkeypatch.setenv("BASELINE_FUZZ_PROBE", str(record))  # type: ignore[attr-defined]
    monkeypatch.setenv("BASELINE_FUZZ_T0", repr(time.monotonic() - 2.0))  # type: ignore[attr-defined]
    spec = importlib.util.spec_from_file_location("probe_launcher_under_test", PROBE_LAUNCHER)
    assert spec is not None and spec.loader is not None
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)

    def callback(data: bytes) -> None:
        if data == b"s" * 40:
            time.sleep(0.003)  # the slow one of its bucket: the bucket is timed in CPU time from then on

    wrapped = launcher._wrap(callback)
    inputs = [b"a" * (index % 50) for index in range(300)] + [b"s" * 40] + [b"b" * 40] * 3
    for data in inputs:
        wrapped(data)
    launcher._write(force=True)
    probe = read_probe(record)
    assert probe is not None and probe.executions == len(inputs)
    assert probe.startup_s is not None and 2.0 <= probe.startup_s < 60  # from the campaign's launch, not the launcher's
    assert probe.timing is not None
    profiled = {bucket.bucket: bucket for bucket in probe.timing["profiled"]}
    plain = {bucket.bucket: bucket for bucket in probe.timing["plain"]}
    assert sum(bucket.count for bucket in profiled.values()) == 201  # the first 200, then one in 128 (the 256th)
    assert sum(bucket.count for bucket in plain.values()) == len(inputs) - 201
    big = plain[(40).bit_length()]
    assert big.clock == "cpu" and big.samples < big.count  # the wall times before the slow input were dropped
    assert all(bucket.p50_s <= bucket.p90_s <= bucket.max_s for bucket in plain.values())
    assert plain[6].slowest_size <= 63 and plain[6].slowest_input is not None and len(plain[6].slowest_input) == plain[6].slowest_size
