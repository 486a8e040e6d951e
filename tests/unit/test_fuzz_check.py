"""Table tests of the T09 verdict on fake campaigns (no fuzzer runs here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline.checks.fuzzing import judge
from baseline.fuzz.campaign import FoundCrash, FuzzCampaign
from baseline.fuzz.discovery import HarnessFile
from baseline.fuzz.runner import FuzzStats, HarnessRun, Probe
from baseline.fuzz.store import StoredCrash
from baseline.fuzz.surface import EntryPoint, Surface
from baseline.model import Evidence, Outcome, Provenance

ENTRY = EntryPoint("pkg.codec", "decode", "pkg/codec.py", 3, "bytes", "parameter 'data' is annotated bytes")
OTHER = EntryPoint("pkg.codec", "parse", "pkg/codec.py", 9, "bytes", "parser")
SURFACE = Surface((ENTRY,), files_scanned=2, public_functions=4)
RAN = FuzzStats(True, 50000, 10000.0, 40, 60, 12, 11, 45, 10)
NEVER = FuzzStats(False, 0, 0.0, 0, 0, 0, 0, 0, None)
EVIDENCE = (Evidence(provenance=Provenance.EXECUTED, summary="fuzzed"),)


REACHED = Probe(50000, 1700, True, (ENTRY.id,), ("pkg/codec.py:decode",))


def run(harness: str, *, generated: bool = False, stats: FuzzStats = RAN, status: str = "ok", fuzzed: float = 10.0, kind: str | None = None, probe: Probe | None = REACHED) -> HarnessRun:
    return HarnessRun(harness, generated, 10, status, kind, stats, fuzzed if stats.started else 0.0, fuzzed, 0, ("python", harness), None, "", "", "", probe=probe)


def campaign(**overrides: object) -> FuzzCampaign:
    values: dict[str, object] = {
        "status": "ok",
        "message": "1 of 1 harness(es) fuzzed",
        "surface": SURFACE,
        "harness_files": (HarnessFile("fuzz/fuzz_codec.py", "conventional", True, False, None, ""),),
        "runs": (run("fuzz/fuzz_codec.py"),),
        "covered": {ENTRY.id: ("fuzz/fuzz_codec.py",)},
        "budget_s": 10.0,
        "evidence": EVIDENCE,
    }
    values.update(overrides)
    return FuzzCampaign(**values)  # type: ignore[arg-type]


def crash(kind: str = "exception") -> StoredCrash:
    return StoredCrash(f"{kind}-abc", Path("/x/.baseline/fuzz/crashes") / f"{kind}-abc", "fuzz/fuzz_codec.py", kind, "KeyError: 'k'", ("pkg/codec.py:5 in decode",), "tb", "2026-01-01T00:00:00+00:00", False)


def test_project_harness_that_ran_the_whole_budget_passes_with_full_score() -> None:
    result = judge(campaign())
    assert result.outcome is Outcome.PASS
    assert result.score == 10.0


def test_generated_harness_earns_half_the_surface_credit() -> None:
    result = judge(campaign(harness_files=(), generated=(".baseline/fuzz/generated/fuzz_pkg.py",), runs=(run(".baseline/fuzz/generated/fuzz_pkg.py", generated=True),), covered={ENTRY.id: (".baseline/fuzz/generated/fuzz_pkg.py",)}))
    assert result.outcome is Outcome.PASS
    assert result.score == pytest.approx(10 * (0.7 * 0.5 + 0.3))


def test_token_harness_that_never_runs_earns_nothing() -> None:
    token = HarnessFile("fuzz/token.py", "conventional", False, False, None, "import atheris")
    result = judge(campaign(harness_files=(token,), runs=(), covered={}))
    assert result.outcome is Outcome.FAIL
    assert result.score == 0.0
    assert any(finding.rule_id == "fuzzing.token-harness" for finding in result.findings)


def test_harness_that_returns_at_once_earns_nothing_whatever_it_names() -> None:
    empty = Probe(50000, 1700, True, (), ())
    result = judge(campaign(runs=(run("fuzz/fuzz_codec.py", probe=empty),), covered={}))
    assert result.outcome is Outcome.FAIL and result.score == 0.0 and "reached the product" in result.message
    assert "fuzzing.harness-reached-nothing" in {finding.rule_id for finding in result.findings}
    # A run without any record from the harness process earns nothing either.
    assert judge(campaign(runs=(run("fuzz/fuzz_codec.py", probe=None),), covered={})).score == 0.0


def test_harness_that_fails_to_import_earns_nothing() -> None:
    result = judge(campaign(runs=(run("fuzz/fuzz_codec.py", stats=NEVER, status="no-start"),), covered={}))
    assert result.outcome is Outcome.FAIL and result.score == 0.0
    assert [finding.rule_id for finding in result.findings] == ["fuzzing.harness-did-not-run"]


@pytest.mark.parametrize("kind,rule", [("exception", "fuzzing.uncaught-exception"), ("native", "fuzzing.native-crash"), ("timeout", "fuzzing.hang"), ("oom", "fuzzing.out-of-memory")])
def test_crash_fails_with_a_located_finding(kind: str, rule: str) -> None:
    result = judge(campaign(found=(FoundCrash(crash(kind), True, False),)))
    assert result.outcome is Outcome.FAIL
    assert result.score == 5.0
    finding = result.findings[0]
    assert finding.rule_id == rule
    assert finding.location is not None and (finding.location.path, finding.location.start_line) == ("pkg/codec.py", 5)
    assert "baseline fuzz replay" in finding.message
    assert finding.properties["found_by"] == "fuzzing"  # how it was found: a libFuzzer run, amplification, the probing phase


def test_stored_crash_that_still_reproduces_is_unresolved() -> None:
    result = judge(campaign(unresolved=(crash(),)))
    assert result.outcome is Outcome.FAIL
    assert "still reproduces" in result.findings[0].message


def test_unfuzzed_entry_points_fail_and_lower_the_score() -> None:
    surface = Surface((ENTRY, OTHER), files_scanned=2, public_functions=4)
    result = judge(campaign(surface=surface))
    assert result.outcome is Outcome.FAIL
    assert result.metrics["unfuzzed_entry_points"] == [OTHER.id]
    assert result.score == pytest.approx(0.5 * 10 * (0.7 * 0.5 + 0.3))


def test_short_fuzzing_time_lowers_the_score() -> None:
    result = judge(campaign(runs=(run("fuzz/fuzz_codec.py", fuzzed=2.5),)))
    assert result.score == pytest.approx(10 * (0.7 + 0.3 * 0.25))


def test_nothing_to_fuzz_is_not_applicable_with_evidence() -> None:
    result = judge(campaign(status="nothing-to-fuzz", surface=Surface((), 3, 5), harness_files=(), runs=(), covered={}))
    assert result.outcome is Outcome.NOT_APPLICABLE
    assert result.evidence


def test_missing_atheris_is_an_error_and_disabled_is_not_evaluated() -> None:
    assert judge(campaign(status="error", message="atheris is not installed", runs=())).outcome is Outcome.ERROR
    assert judge(campaign(status="disabled", runs=())).outcome is Outcome.NOT_EVALUATED


def test_budget_is_shared_by_value_in_executions_with_a_floor() -> None:
    from baseline.fuzz.campaign import FLOOR_RESERVE_S, RUNS_FLOOR, WEIGHT_ENTRY, WEIGHT_HELPER, WEIGHT_PARSER, allocate_runs, harness_seed, harness_weight, safety_cap

    assert harness_weight([1, 0]) == WEIGHT_PARSER and harness_weight([1]) == WEIGHT_ENTRY and harness_weight([]) == WEIGHT_HELPER
    from baseline.fuzz.campaign import WEIGHT_INNER

    assert harness_weight([2, 1]) == WEIGHT_ENTRY and harness_weight([2]) == WEIGHT_INNER and WEIGHT_HELPER < WEIGHT_INNER < WEIGHT_ENTRY
    parser, entry, helper = allocate_runs([WEIGHT_PARSER, WEIGHT_ENTRY, WEIGHT_HELPER], 600_000)
    assert parser > entry > helper and parser + entry + helper == 600_000
    assert allocate_runs([WEIGHT_PARSER, WEIGHT_HELPER], 100) == [RUNS_FLOOR, RUNS_FLOOR]  # every harness gets the floor
    assert allocate_runs([3.0, 1.0], 40_000) == allocate_runs([3.0, 1.0], 40_000)  # deterministic
    # Time is only a safety cap: what is left minus a floor for each later harness (unused time is handed on).
    assert safety_cap(60.0, 0) == 60 and safety_cap(60.0, 4) == 60 - 4 * FLOOR_RESERVE_S
    assert safety_cap(10.0, 9) == 2  # the next harness still gets the minimum
    assert safety_cap(1.0, 0) is None and safety_cap(60.0, 0, cap=5.0) == 5
    assert harness_seed("fuzz/fuzz_a.py", None) == harness_seed("fuzz/fuzz_a.py", None) != harness_seed("fuzz/fuzz_b.py", None)
    assert harness_seed("fuzz/fuzz_a.py", 7) == 7
    assert harness_seed("/home/a/store/generated/fuzz_a.py", None) == harness_seed("/tmp/b/generated/fuzz_a.py", None)


def test_a_run_stopped_by_the_time_cap_is_reported() -> None:
    from dataclasses import replace

    capped = replace(run("fuzz/fuzz_a.py"), runs=RAN.execs + 1)
    done = replace(run("fuzz/fuzz_a.py"), runs=RAN.execs)
    assert capped.capped and not done.capped
    assert not replace(run("fuzz/fuzz_a.py"), runs=None).capped


def test_slow_inputs_are_findings_that_move_neither_outcome_nor_score(tmp_path: Path) -> None:
    from baseline.fuzz.runner import SizeBucket
    from baseline.fuzz.slow import SlowGrowth, save_slow_input

    slow = SizeBucket(10, 20, 20, 700.0, 0.2, 0.3, 0.4, "cpu", 900, b"a" * 900)
    reference = SizeBucket(7, 40, 40, 80.0, 0.002, 0.004, 0.005, "cpu", 100, b"a" * 100)
    growth = SlowGrowth("plain", slow, reference, 0.035, 8.57)
    item = save_slow_input(tmp_path / "slow-inputs" / "fuzz__fuzz_codec", "fuzz/fuzz_codec.py", False, growth)
    clean = judge(campaign())
    result = judge(campaign(slow=(item,)))
    assert (result.outcome, result.score) == (clean.outcome, clean.score) == (Outcome.PASS, 10.0)
    finding = next(finding for finding in result.findings if finding.rule_id == "fuzzing.slow-input")
    assert finding.cwe == (400, 407) and finding.severity.value == "medium"
    assert finding.location is not None and finding.location.path == "fuzz/fuzz_codec.py"
    assert finding.properties["input"] == item.input_path and "8.6 times what linear growth" in finding.message
    assert result.metrics["slow_inputs"] == [{"harness": "fuzz/fuzz_codec.py", "ratio": 8.57, "input": item.input_path}]


def test_the_score_credits_the_work_planned_and_done_not_the_wall_time() -> None:
    from dataclasses import replace

    from baseline.checks.fuzzing import completion_share

    fast = replace(run("fuzz/fuzz_codec.py", fuzzed=2.0), runs=50000)  # the planned executions, done in 2 s of a 10 s slice
    slow = replace(run("fuzz/fuzz_codec.py", fuzzed=10.0), runs=50000)  # the same work on a loaded machine
    assert judge(campaign(runs=(fast,))).score == judge(campaign(runs=(slow,))).score == 10.0
    half = replace(run("fuzz/fuzz_codec.py", fuzzed=10.0), runs=100000)  # time-capped after half its executions
    assert completion_share(campaign(runs=(half,))) == 0.5
    assert judge(campaign(runs=(half,))).score == pytest.approx(10 * (0.7 + 0.3 * 0.5))
    # a planned harness skipped for lack of budget counts as nothing done
    assert completion_share(campaign(runs=(fast,), skipped=(("fuzz/fuzz_other.py", "no budget left"),))) == 0.5


def test_atheris_evidence_names_the_version_the_harnesses_imported() -> None:
    ran = (Evidence(provenance=Provenance.EXECUTED, summary="fuzzed", tool="atheris"),)
    result = judge(campaign(evidence=ran, atheris_version="3.0.0", atheris_overlay="/cache/overlay/py-x"))
    assert [item.tool_version for item in result.evidence if item.tool == "atheris"] == ["3.0.0"]
    assert result.metrics["atheris_from"].startswith("the toolkit's overlay")


def test_every_crash_is_minimised_even_at_the_end_of_the_budget() -> None:
    from baseline.fuzz.campaign import MINIMIZE_FLOOR_S, minimize_seconds

    assert minimize_seconds(5, 100.0) == 5  # the configured time while the budget lasts
    assert minimize_seconds(5, 3.4) == 3  # what is left of the budget
    assert minimize_seconds(5, -7.0) == MINIMIZE_FLOOR_S  # past the deadline: still the floor
    assert minimize_seconds(1, -7.0) == 1  # never more than configured
    assert minimize_seconds(0, 100.0) == 0  # 0 keeps inputs as found


def test_the_probing_phase_and_each_runs_super_linear_ladders_are_in_the_metrics() -> None:
    from dataclasses import replace

    points = [[20 << step, 20 << step, 2e-6 * (20 << step) ** 2, False] for step in range(6)]
    strong = {"kind": "repeat", "chunk": "\u200c", "points": points, "recheck": [points[-4][0], points[-4][2], points[-1][0], points[-1][2], False], "at_s": 1.25}
    weak = {"kind": "repeat", "chunk": "a", "points": points[:2], "at_s": 0.5}
    probe = replace(REACHED, amplify={"seconds": 3.0, "inputs": 4, "ladders": [weak, strong]})
    result = judge(campaign(runs=(run("fuzz/fuzz_codec.py", probe=probe),), probed_first=(("fuzz/fuzz_codec.py", 1.5, 1),)))
    assert result.metrics["probed_first"] == [{"harness": "fuzz/fuzz_codec.py", "seconds": 1.5, "crashes": 1}]
    summary = result.metrics["runs"][0]["amplify"]
    assert summary["seconds"] == 3.0 and summary["growths"] == [{"chunk": "\u200c", "at_s": 1.25, "exponent": 2.0}]
    # A harness timed in the probing phase (after every crash pass): its ladders are in the phase's timing entry, not in a run.
    phase = run("fuzz/fuzz_codec.py", probe=probe)
    result = judge(campaign(runs=(run("fuzz/fuzz_codec.py"),), probed_first=(("fuzz/fuzz_codec.py", 0.5, 0),), probed_timing=(("fuzz/fuzz_codec.py", 3.0, 0),),
                            probe_runs={"fuzz/fuzz_codec.py": phase}))
    assert result.metrics["probed_first"] == [{"harness": "fuzz/fuzz_codec.py", "seconds": 0.5, "crashes": 0}]
    entry = result.metrics["probed_timing"][0]
    assert entry["seconds"] == 3.0 and entry["amplify"]["growths"] == [{"chunk": "\u200c", "at_s": 1.25, "exponent": 2.0}]
    assert result.metrics["runs"][0]["amplify"] is None
