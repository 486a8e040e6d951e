"""The fuzzing benchmark's judgement of a scan report (bench/bench_fuzz_libraries.py), on hand-made reports."""

from __future__ import annotations

from typing import Any

from bench.bench_fuzz_libraries import judge

CRASH = {"name": "lib", "kind": "crash", "entry": "lib.main:Lib.parse", "exception": "AssertionError"}
SLOW = {"name": "lib", "kind": "slow", "entry": "lib.core:encode", "exception": "", "chunk": "\u200c"}


def _run(harness: str, fuzzed: float, *, amplify: dict[str, Any] | None = None, entries: tuple[str, ...] = ("lib.main:Lib.parse",), **extra: Any) -> dict[str, Any]:
    return {"harness": harness, "fuzzed_s": fuzzed, "amplify": amplify, "entry_points_called": list(entries), "status": "ok", **extra}


def test_a_crash_found_in_the_probing_phase_counts_the_phase_up_to_its_harness() -> None:
    report = {
        "metrics": {
            "probed_first": [{"harness": "a.py", "seconds": 1.5, "crashes": 0}, {"harness": "b.py", "seconds": 1.25, "crashes": 1}, {"harness": "c.py", "seconds": 1.5, "crashes": 0}],
            "runs": [_run("a.py", 20.0), _run("b.py", 20.0), _run("c.py", 20.0)],
        },
        "findings": [{"rule_id": "fuzzing.uncaught-exception", "message": "AssertionError: x", "location": {"path": "lib/r.py"}, "properties": {"harness": "b.py"}}],
        "outcome": "fail",
    }
    verdict = judge(report, CRASH)
    assert verdict["found"] and verdict["seconds"] == 2.75
    # Found by libFuzzer instead: the whole phase, then the runs up to the harness's.
    report["metrics"]["probed_first"][1]["crashes"] = 0
    report["metrics"]["runs"][1]["status"] = "crash"
    assert judge(report, CRASH)["seconds"] == 4.25 + 40.0


def test_a_slow_finding_counts_up_to_the_ladder_that_repeated_the_known_chunk() -> None:
    digits = {"seconds": 2.0, "inputs": 9, "growths": [{"chunk": "\u0661", "at_s": 0.5}]}
    joiner = {"seconds": 2.0, "inputs": 9, "growths": [{"chunk": "\u200c", "at_s": 1.5}]}
    finding = {"rule_id": "fuzzing.slow-input", "message": "slow", "location": {"path": "lib/core.py"},
               "properties": {"harness": "e.py", "chunk": "\u0661", "also_chunks": ["\u200c"], "found_after_s": 0.5}}
    runs = [_run("d.py", 10.0, entries=()), _run("e.py", 10.0, amplify=digits, entries=("lib.core:encode",)), _run("e.py", 5.0, amplify=joiner, entries=("lib.core:encode",))]
    verdict = judge({"metrics": {"probed_first": [{"harness": "e.py", "seconds": 1.0, "crashes": 0}], "runs": runs}, "findings": [finding], "outcome": "pass"}, SLOW)
    # The phase (1 s), d.py (10 s), e.py's first run (2 s of probing, 10 s fuzzing), then 1.5 s into the second run's probing.
    assert verdict["found"] and verdict["seconds"] == 1.0 + 10.0 + 12.0 + 1.5
