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


def test_a_slow_finding_of_the_probing_phase_counts_the_phase_up_to_its_ladder() -> None:
    finding = {"rule_id": "fuzzing.slow-input", "message": "slow", "location": {"path": "lib/core.py"},
               "properties": {"harness": "e.py", "chunk": "\u0661", "also_chunks": ["\u200c"], "found_after_s": 0.3}}
    crash_passes = [{"harness": "d.py", "seconds": 0.25, "crashes": 0}, {"harness": "e.py", "seconds": 0.5, "crashes": 0}]
    timing = [
        {"harness": "d.py", "seconds": 3.0, "crashes": 0, "amplify": {"seconds": 3.0, "growths": [{"chunk": "\u200c", "at_s": 1.0}]}},
        {"harness": "e.py", "seconds": 2.5, "crashes": 0, "amplify": {"seconds": 2.5, "growths": [{"chunk": "\u0661", "at_s": 0.3}, {"chunk": "\u200c", "at_s": 1.25}]}},
    ]
    runs = [_run("d.py", 10.0, entries=()), _run("e.py", 10.0, entries=("lib.core:encode",))]
    verdict = judge({"metrics": {"probed_first": crash_passes, "probed_timing": timing, "runs": runs}, "findings": [finding], "outcome": "pass"}, SLOW)
    # Every crash pass, d.py's whole timing (its joiner is not through encode's harness), then e.py's up to the joiner's ladder.
    assert verdict["found"] and verdict["seconds"] == 0.75 + 3.0 + 1.25


def test_a_crash_of_the_excluded_condition_is_another_bug_and_a_phase_crash_counts_only_if_the_phase_found_it() -> None:
    library = CRASH | {"exception": "decimal.InvalidOperation", "exclude": "DivisionImpossible"}
    other = {"rule_id": "fuzzing.uncaught-exception", "message": "InvalidOperation: [<class 'decimal.DivisionImpossible'>] in a.py", "location": {"path": "lib/p.py"},
             "properties": {"harness": "a.py", "found_by": "probing phase"}}
    known = {"rule_id": "fuzzing.uncaught-exception", "message": "InvalidOperation: [<class 'decimal.ConversionSyntax'>] in a.py", "location": {"path": "lib/p.py"},
             "properties": {"harness": "a.py", "found_by": "fuzzing"}}
    runs = [_run("a.py", 6.0, status="crash")]
    phase = [{"harness": "a.py", "seconds": 2.0, "crashes": 1}]
    verdict = judge({"metrics": {"probed_first": phase, "runs": runs}, "findings": [other], "outcome": "fail"}, library)
    assert not verdict["found"] and verdict["others"]
    # The phase reported the other bug; the known one came from the harness's libFuzzer run.
    verdict = judge({"metrics": {"probed_first": phase, "runs": runs}, "findings": [other, known], "outcome": "fail"}, library)
    assert verdict["found"] and verdict["seconds"] == 2.0 + 6.0 and "ConversionSyntax" in verdict["message"]
