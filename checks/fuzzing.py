"""T09 fuzzing: atheris harnesses ran under a budget, covered the fuzzable surface, found no crash."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Collection, Mapping, Sequence

from baseline.model import CheckResult, CheckSpec, Confidence, Evidence, Finding, Location, Outcome, Provenance, Severity

if TYPE_CHECKING:  # the fuzzing modules are imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.fuzz.campaign import FuzzCampaign
    from baseline.fuzz.runner import HarnessRun
    from baseline.runner import ScanContext

SPEC = CheckSpec(
    id="fuzzing.atheris",
    technique="T09",
    title="Fuzz harnesses run under a budget without crashing",
    verifies="Discovers the project's atheris harnesses and runs each one in the sandbox under a time budget, "
    "recording inside the harness process how many inputs it executed, which product functions started and which "
    "fuzzable entry points (functions that take bytes, text or streams) the fuzzing actually called; then generates "
    "harnesses for the entry points no harness reached, runs them the same way, and triages crashes (exceptions, "
    "native crashes, hangs, out-of-memory) into stored reproducers. Every input is timed by size in the "
    "harness process, and before fuzzing the corpus is probed by amplification (one part of an input repeated or "
    "nested at doubling sizes): time per input that grows faster than the input is reported as a slow input (never a crash).",
    why="NIST IR 8397 asks for fuzzing that feeds large numbers of unexpected inputs to the code. Credit comes "
    "from fuzzing that ran (executions, coverage, time), never from a file that imports atheris.",
    remediation="Fix each crash (replay it with `baseline fuzz replay`), keep harnesses for every parser and "
    "decoder (`baseline fuzz init` writes a first set into fuzz/), and give fuzzing enough time (fuzz.time).",
    evidence="libFuzzer's statistics of each harness run in this scan (executions, exec/s, cov, ft), the crash "
    "store (the toolkit's project folder, outside the tree) with inputs and tracebacks, and the AST scan of the fuzzable surface.",
    scoring="score = 10 x (0.7 x surface + 0.3 x completion): surface = share of fuzzable entry points the fuzzing "
    "called, as recorded at run time (reached by a harness generated during the scan counts half, by a project "
    "harness in full; naming an entry point in a harness earns nothing); completion = mean over the planned "
    "harness runs of the executions done / planned (seconds fuzzed / slice for a run planned in time), 0 for a run "
    "that never reached product code or was skipped: the same work earns the same on a slow or loaded machine. Any crash fails the check and halves the score; so do entry points left "
    "unfuzzed. A harness that never reached the fuzz loop, or whose inputs never reached product code (one that "
    "returns at once), earns nothing.",
    references=("NIST IR 8397 section 2.9", "NIST SP 800-218 PW.8", "https://github.com/google/atheris"),
    cwe=(20, 248, 400, 407),
)

_CRASH = {
    "exception": ("fuzzing.uncaught-exception", Severity.MEDIUM, (248,)),
    "native": ("fuzzing.native-crash", Severity.HIGH, (119,)),
    "timeout": ("fuzzing.hang", Severity.MEDIUM, (835, 400)),
    "oom": ("fuzzing.out-of-memory", Severity.MEDIUM, (400, 789)),
}


def _location(frames: tuple[str, ...]) -> Location | None:
    if not frames:
        return None
    path, _, rest = frames[0].partition(":")
    line = rest.split(" ", 1)[0]
    return Location(path=path, start_line=int(line) if line.isdigit() else None)


def crash_findings(campaign: FuzzCampaign) -> list[Finding]:
    """One finding per distinct crash: found in this scan, or stored earlier and still reproducing."""
    findings: list[Finding] = []
    seen: set[str] = set()
    crashes = [(found.crash, "found in this scan" + (" (new)" if found.new else " (already stored)"), found.found_by) for found in campaign.found]
    crashes += [(crash, "stored earlier and still reproduces", "replay") for crash in campaign.unresolved]
    for crash, when, found_by in crashes:
        if crash.crash_id in seen:
            continue
        seen.add(crash.crash_id)
        rule, severity, cwe = _CRASH.get(crash.kind, _CRASH["exception"])
        findings.append(
            Finding(
                rule_id=rule,
                severity=severity,
                message=f"{crash.exception} in {crash.harness} ({when}); reproduce: baseline fuzz replay {crash.folder.name}",
                tool="atheris",
                location=_location(crash.top_frames),
                confidence=Confidence.HIGH,
                cwe=cwe,
                properties={"crash_id": crash.crash_id, "harness": crash.harness, "kind": crash.kind, "top_frames": list(crash.top_frames), "generated_harness": crash.generated_harness,
                            "found_by": found_by},
            )
        )
    return findings


def slow_findings(campaign: FuzzCampaign) -> list[Finding]:
    """One finding per harness whose time per input grew faster than the input (never a crash)."""
    from baseline.fuzz.slow import AmplifiedGrowth

    findings = []
    for item in campaign.slow:
        growth = item.growth
        saved = f"; the slowest input is saved as {item.input_path}" if item.input_path else "; the slowest input was too big to keep"
        properties: dict[str, object] = {"harness": item.harness, "generated_harness": item.generated, "executions": growth.population}
        if isinstance(growth, AmplifiedGrowth):
            properties |= {
                "method": "amplification probing",
                "clock": "cpu",
                "chunk": growth.chunk,
                "base_units": growth.base_units,
                "points": [list(point) for point in growth.points],
                "exponent": growth.exponent,
                "recheck_exponent": growth.recheck_exponent,
                "found_after_s": growth.found_after_s,
                "also_chunks": list(growth.also),
            }
        else:
            properties |= {
                "method": "time per input by size",
                "clock": growth.slow.clock,
                "slow_mean_size": growth.slow.mean_size,
                "slow_p90_s": growth.slow.p90_s,
                "slow_max_s": growth.slow.max_s,
                "slow_samples": growth.slow.samples,
                "slowest_size": growth.slow.slowest_size,
                "reference_mean_size": growth.reference.mean_size,
                "reference_p90_s": growth.reference.p90_s,
                "reference_samples": growth.reference.samples,
                "predicted_linear_s": round(growth.predicted_s, 6),
            }
        properties |= {"ratio": growth.ratio, "input": item.input_path, "input_sha256": item.sha256}
        findings.append(
            Finding(
                rule_id="fuzzing.slow-input",
                severity=Severity.MEDIUM,
                message=f"time per input grows faster than the input in {item.harness}: {growth.describe()}{saved}",
                tool="atheris",
                location=Location(path=item.harness),
                confidence=Confidence.MEDIUM,
                cwe=(400, 407),
                properties=properties,
            )
        )
    return findings


def amplify_summary(run: HarnessRun) -> dict[str, object] | None:
    """What amplification probing did in a run (None when it did not run): seconds, candidates, ladders."""
    record = run.probe.amplify if run.probe is not None else None
    if not record:
        return None
    keys = ("seconds", "inputs", "bases", "screened", "executions", "confirmed", "crashes", "finished")
    summary: dict[str, object] = {key: record.get(key) for key in keys if isinstance(record.get(key), (int, float, bool))}
    ladders = record.get("ladders")
    from baseline.fuzz.slow import judge_ladder

    growths = [growth for ladder in (ladders[:64] if isinstance(ladders, list) else []) if (growth := judge_ladder(ladder)) is not None]
    if growths:  # the super-linear ladders of this run: what was repeated, and after how many seconds of probing
        summary["growths"] = [{"chunk": growth.chunk, "at_s": growth.found_after_s, "exponent": growth.recheck_exponent} for growth in growths]
    return summary


def harness_findings(campaign: FuzzCampaign) -> list[Finding]:
    """Token files and harnesses that never reached the fuzz loop."""
    findings = [
        Finding(
            rule_id="fuzzing.token-harness",
            severity=Severity.LOW,
            message=f"{item.path} imports atheris but does not call atheris.Setup and atheris.Fuzz: it earns no credit",
            tool="baseline",
            location=Location(path=item.path),
            context="test",
        )
        for item in campaign.harness_files
        if not item.is_harness
    ]
    for run in campaign.runs:
        if run.stats.started and not reached_product(run):
            findings.append(
                Finding(
                    rule_id="fuzzing.harness-reached-nothing",
                    severity=Severity.MEDIUM,
                    message=f"{run.harness} ran {run.probe.executions if run.probe else run.stats.execs} input(s) but none reached the product's code "
                    "(recorded in the harness process): it earns nothing, whatever it names",
                    tool="baseline",
                    location=Location(path=run.harness),
                    context="test",
                )
            )
        if run.status in ("no-start", "killed", "start-error") and run.harness in campaign.generated:
            findings.append(
                Finding(
                    rule_id="fuzzing.generated-harness-did-not-run",
                    severity=Severity.INFO,
                    message=f"the harness generated for this scan, {run.harness}, did not fuzz ({run.status}): {run.note}; "
                    "its entry point counts as not fuzzed (write a harness by hand, or list it in fuzz.harnesses)",
                    tool="baseline",
                    location=Location(path=run.harness),
                    context="test",
                )
            )
        elif run.status in ("no-start", "killed", "start-error"):
            findings.append(
                Finding(
                    rule_id="fuzzing.harness-did-not-run",
                    severity=Severity.MEDIUM,
                    message=f"{run.harness} did not fuzz ({run.status}): {run.note}",
                    tool="atheris",
                    location=Location(path=run.harness),
                    context="test",
                )
            )
    return findings


def reached_product(run: HarnessRun) -> bool:
    """True when the probe saw the run's inputs reach product code."""
    return run.probe is not None and run.probe.reached_product


def completion_of(started: bool, reached: bool, execs: float, planned: float | None, fuzzed_s: float, budget_s: float) -> float:
    """How much of its plan one harness run did: executions done over executions planned (``-runs``),
    or, for a run planned in time only, seconds fuzzed over its slice. Not load-dependent for a run
    planned in executions: a slower machine takes longer for the same work, and earns the same. A run
    whose inputs never reached product code did nothing that counts. Shared with baseline/rederive.py."""
    if not started or not reached:
        return 0.0
    if planned:
        return min(1.0, execs / planned)
    return min(1.0, fuzzed_s / budget_s) if budget_s > 0 else 0.0


def run_completion(run: HarnessRun) -> float:
    """:func:`completion_of` for one run of the campaign."""
    return completion_of(run.stats.started, reached_product(run), run.stats.execs, run.runs, run.fuzzed_s, run.budget_s)


def completion_share(campaign: FuzzCampaign) -> float:
    """The mean completion of every planned harness run; a planned harness skipped for lack of budget counts 0."""
    planned = len(campaign.runs) + len(campaign.skipped)
    return sum(run_completion(run) for run in campaign.runs) / planned if planned else 0.0


def judge(campaign: FuzzCampaign) -> CheckResult:
    """Turn a campaign into the T09 verdict (pure)."""
    # atheris's version is the one the harnesses imported (the target's environment or the overlay).
    evidence = tuple(
        replace(item, tool_version=campaign.atheris_version) if item.tool == "atheris" and not item.tool_version and campaign.atheris_version else item
        for item in campaign.evidence
    )
    entries = [entry.id for entry in campaign.surface.entry_points]
    generated_set = set(campaign.generated)
    metrics: dict[str, object] = {
        "status": campaign.status,
        "entry_points": len(entries),
        "entry_point_ids": entries,
        "covered": {entry_id: list(harnesses) for entry_id, harnesses in campaign.covered.items()},
        "harnesses_found": sum(1 for item in campaign.harness_files if item.is_harness),
        "token_files": sum(1 for item in campaign.harness_files if not item.is_harness),
        "generated": list(campaign.generated),
        "budget_s": campaign.budget_s,
        "wall_s": campaign.wall_s,
        "fuzzed_s": round(sum(run.fuzzed_s for run in campaign.runs), 2),
        "executions": sum(run.stats.execs for run in campaign.runs),
        "runs": [
            {"harness": run.harness, "generated": run.generated, "status": run.status, "kind": run.kind, "budget_s": run.budget_s,
             "fuzzed_s": run.fuzzed_s, "execs": run.stats.execs, "runs_planned": run.runs, "time_capped": run.capped, "exec_per_s": run.stats.exec_per_s, "cov": run.stats.cov, "ft": run.stats.ft,
             "recorded_execs": run.probe.executions if run.probe else None,
             "started": run.stats.started, "reached_product": reached_product(run),
             "product_functions_reached": len(run.probe.functions) if run.probe else 0,
             "entry_points_called": list(run.probe.entries) if run.probe else [],
             "amplify": amplify_summary(run),
             "known_crashes_skipped": run.probe.known_skipped if run.probe else 0,
             **({"amplify_after_s": campaign.amplified_after[position][0], "amplified_crashes": campaign.amplified_after[position][1]}
                if position in campaign.amplified_after else {})}
            for position, run in enumerate(campaign.runs)
        ],
        "probed_first": [{"harness": harness, "seconds": seconds, "crashes": crashes} for harness, seconds, crashes in campaign.probed_first],
        "probed_timing": [
            {"harness": harness, "seconds": seconds, "crashes": crashes}
            | ({"amplify": summary} if harness in campaign.probe_runs and (summary := amplify_summary(campaign.probe_runs[harness])) else {})
            for harness, seconds, crashes in campaign.probed_timing
        ],
        "seeds_set_aside": [{"harness": harness, "inputs": count} for harness, count in campaign.seeds_set_aside],
        "skipped": [{"harness": harness, "reason": reason} for harness, reason in campaign.skipped],
        "dropped_crashes": [{"harness": harness, "reason": reason} for harness, reason in campaign.dropped],
        "not_fuzzed_types": [{"entry_point": entry_id, "reason": reason} for entry_id, reason in campaign.surface.skipped],
        "crashes": [found.crash.crash_id for found in campaign.found],
        "slow_inputs": [{"harness": item.harness, "ratio": item.growth.ratio, "input": item.input_path} for item in campaign.slow],
        "unresolved_stored_crashes": [crash.crash_id for crash in campaign.unresolved],
        "atheris": campaign.atheris_version,
        "atheris_from": "the toolkit's overlay (the target's environment has no atheris)" if campaign.atheris_overlay else "the target's environment",
    }
    if campaign.status == "disabled":
        return CheckResult(SPEC, Outcome.NOT_EVALUATED, 0.0, campaign.message, (), evidence, metrics)
    findings = harness_findings(campaign)
    if campaign.status == "nothing-to-fuzz":
        why = Evidence(provenance=Provenance.INSPECTED, summary="no atheris harness in the project and no public function or method takes bytes, text or a stream")
        return CheckResult(SPEC, Outcome.NOT_APPLICABLE, None, "nothing takes untrusted input: " + campaign.message, tuple(findings), evidence + (why,), metrics)
    if campaign.status == "error":
        return CheckResult(SPEC, Outcome.ERROR, 0.0, campaign.message, tuple(findings), evidence, metrics)
    # A slow input is a finding, never a crash: it is judged from timings, which machine load can move,
    # so it changes neither the outcome nor the score.
    findings = crash_findings(campaign) + slow_findings(campaign) + findings
    started = [run for run in campaign.runs if run.stats.started]
    if not started:
        reasons = "; ".join(f"{run.harness}: {run.status} {run.note}".strip() for run in campaign.runs) or "; ".join(r for _h, r in campaign.skipped) or "no harness ran"
        return CheckResult(SPEC, Outcome.FAIL, 0.0, f"no harness reached the fuzz loop ({reasons})", tuple(findings), evidence, metrics)
    crash_rules = {rule for rule, _s, _c in _CRASH.values()}
    started = [run for run in started if reached_product(run)]
    if not started:
        names = ", ".join(run.harness for run in campaign.runs if run.stats.started)
        crashed = sum(1 for finding in findings if finding.rule_id in crash_rules)
        prefix = f"{crashed} distinct crash(es) (reproducers stored in the crash store); " if crashed else ""
        return CheckResult(SPEC, Outcome.FAIL, 0.0, f"{prefix}no harness's inputs reached the product's code ({names}): fuzzing that calls nothing earns nothing", tuple(findings), evidence, metrics)
    crashes = [finding for finding in findings if finding.rule_id in crash_rules]
    completion = completion_share(campaign)
    outcome, score, surface, completion, unfuzzed = verdict(
        entries, campaign.covered, generated_set, [run.harness for run in started], completion, len(crashes)
    )
    fuzzed = sum(run.fuzzed_s for run in started)
    time_share = min(1.0, fuzzed / campaign.budget_s) if campaign.budget_s > 0 else 0.0  # reported, not scored
    metrics.update({"surface_share": round(surface, 3), "completion_share": round(completion, 3), "time_share": round(time_share, 3), "unfuzzed_entry_points": unfuzzed})
    parts = [campaign.message]
    if campaign.generated:
        parts.append(f"{len(campaign.generated)} harness(es) generated for this scan (the project has none for those entry points; `baseline fuzz init` writes them into fuzz/)")
    if unfuzzed:
        parts.append(f"{len(unfuzzed)} of {len(entries)} fuzzable entry point(s) not fuzzed (raise fuzz.time or fuzz.max_generated, or add harnesses)")
    if crashes:
        parts.insert(0, f"{len(crashes)} distinct crash(es) (reproducers stored in the crash store, fuzz/crashes under the work folder)")
    return CheckResult(SPEC, outcome, score, "; ".join(parts), tuple(findings), evidence, metrics)


def verdict(
    entries: Sequence[str], covered: Mapping[str, Sequence[str]], generated: Collection[str], reaching: Sequence[str],
    completion: float, crashes: int,
) -> tuple[Outcome, float, float, float, list[str]]:
    """(outcome, score, surface, completion share, unfuzzed entry points) of a campaign in which some
    harness's inputs reached product code (``reaching``: those harnesses; ``completion``: see
    :func:`completion_share`). Shared with the verifier's re-derivation (baseline/rederive.py)."""
    # Surface: an entry point fuzzed by a project harness counts 1, only by a scan-time generated one 0.5.
    if entries:
        credit = 0.0
        for entry_id in entries:
            harnesses = covered.get(entry_id, ())
            if any(h not in generated for h in harnesses):
                credit += 1.0
            elif harnesses:
                credit += 0.5
        surface = credit / len(entries)
    else:
        surface = 1.0 if any(harness not in generated for harness in reaching) else 0.5
    completion = max(0.0, min(1.0, completion))
    score = 10.0 * (0.7 * surface + 0.3 * completion)
    unfuzzed = [entry_id for entry_id in entries if entry_id not in covered]
    if crashes or unfuzzed:
        return Outcome.FAIL, round(score * 0.5, 2), surface, completion, unfuzzed
    return Outcome.PASS, round(score, 2), surface, completion, unfuzzed


class FuzzingCheck:
    """Judge the shared fuzzing campaign."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Run (once) and judge the fuzzing campaign."""
        from baseline.fuzz.campaign import FUZZ_RUN

        return judge(context.shared(FUZZ_RUN))


CHECK = FuzzingCheck()
