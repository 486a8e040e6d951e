"""End-to-end fuzzing with the real atheris: planted bugs, bad harnesses, budgets, replay."""

from __future__ import annotations

import json
import shutil
import sys
import time
import venv
from pathlib import Path

import pytest

from baseline.checks.fuzzing import judge
from baseline.cli import main
from baseline.config import load_config
from baseline.fuzz import store
from baseline.state import project_dir
from baseline.fuzz.campaign import run_campaign, startup_grace
from baseline.model import Outcome

pytest.importorskip("atheris")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.e2e


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns(".baseline", "__pycache__"))
    return root


def test_scan_generates_harnesses_finds_planted_bugs_and_replays(tmp_path: Path) -> None:
    root = _copy("fuzz_parsers", tmp_path)
    out = tmp_path / "report.json"
    started = time.monotonic()
    code = main(
        ["scan", str(root), "--quiet", "--fuzz-time", "20", "--select", "T09", "--format", "json", "--output", str(out)]
    )
    elapsed = time.monotonic() - started
    assert code == 0
    assert elapsed < 20 + 15, f"the scan took {elapsed:.1f} s for a 20 s fuzz budget"
    report = json.loads(out.read_text())
    result = next(item for item in report["results"] if item["spec"]["id"] == "fuzzing.atheris")
    assert result["outcome"] == "fail"
    located = {(finding["location"]["path"], finding["message"].split(":")[0]) for finding in result["findings"]}
    assert ("fuzzparsers/records.py", "IndexError") in located
    assert ("fuzzparsers/magic.py", "KeyError") in located
    # A ValueError the module raises elsewhere does not hide parse_version's own bug.
    assert ("fuzzparsers/text.py", "ValueError") in located
    # No false crash: field_number raises KeyError on purpose; mappings and matches are not fuzzed as text.
    assert not [path for path, _ in located if path.startswith("fuzzparsers/fields.py")], located
    assert {item["entry_point"] for item in result["metrics"]["not_fuzzed_types"]} == {"fuzzparsers.fields:update_fields", "fuzzparsers.fields:group_text"}
    assert len(result["metrics"]["generated"]) == 5
    assert all(run["execs"] > 0 for run in result["metrics"]["runs"])
    # The budget is in executions, parsers first: the first planned harnesses are the parsers'.
    assert result["metrics"]["runs"][0]["harness"].endswith("fuzz_fuzzparsers_magic_decode_header.py")

    assert not (root / ".baseline").exists()  # the toolkit's fuzz store lives outside the project
    crashes = {crash.top_frames[0].split(":")[0]: crash for crash in store.list_crashes(project_dir(root) / "fuzz")}
    record_crash = crashes["fuzzparsers/records.py"]
    assert record_crash.generated_harness and record_crash.kind == "exception"
    assert main(["fuzz", "replay", record_crash.crash_id, "--path", str(root)]) == 1
    # A text harness's stored input is the raw UTF-8 it decodes: its replay reproduces the crash too.
    assert main(["fuzz", "replay", crashes["fuzzparsers/text.py"].crash_id, "--path", str(root)]) == 1
    # Fix the off-by-one: the reproducer no longer crashes.
    source = root / "fuzzparsers" / "records.py"
    source.write_text(source.read_text().replace("if length + 4 > len(data):", "if length + 5 > len(data):"))
    assert main(["fuzz", "replay", record_crash.crash_id, "--path", str(root)]) == 0


def test_bad_harnesses_each_get_a_clear_outcome_within_the_budget(tmp_path: Path) -> None:
    root = _copy("fuzz_bad_harnesses", tmp_path)
    config = load_config(root, {"fuzz.time": 24, "fuzz.input_timeout": 2, "fuzz.rss_limit_mb": 512, "fuzz.startup_grace": 2})
    started = time.monotonic()
    campaign = run_campaign(root=root, python=sys.executable, config=config, fuzz_dir=root / ".baseline" / "fuzz")
    elapsed = time.monotonic() - started
    # Worst case: the budget plus one harness's start-up grace and per-input timeout.
    assert elapsed < 24 + 2 + 2 + 3
    runs = {run.harness: run for run in campaign.runs}
    assert set(runs) == {"fuzz/fuzz_hang.py", "fuzz/fuzz_import_error.py", "fuzz/fuzz_oom.py", "fuzz/fuzz_segv.py", "fuzz/fuzz_slow_import.py"}
    assert runs["fuzz/fuzz_slow_import.py"].status == "killed"
    assert "before fuzzing started" in runs["fuzz/fuzz_slow_import.py"].note
    assert "--fuzz-startup-grace" in runs["fuzz/fuzz_slow_import.py"].note
    assert (runs["fuzz/fuzz_hang.py"].status, runs["fuzz/fuzz_hang.py"].kind) == ("crash", "timeout")
    assert (runs["fuzz/fuzz_oom.py"].status, runs["fuzz/fuzz_oom.py"].kind) == ("crash", "oom")
    assert (runs["fuzz/fuzz_segv.py"].status, runs["fuzz/fuzz_segv.py"].kind) == ("crash", "native")
    assert runs["fuzz/fuzz_import_error.py"].status == "no-start"
    assert "ModuleNotFoundError" in runs["fuzz/fuzz_import_error.py"].note
    kinds = {found.crash.kind for found in campaign.found}
    assert kinds == {"timeout", "oom", "native"}
    result = judge(campaign)
    assert result.outcome is Outcome.FAIL
    rules = {finding.rule_id for finding in result.findings}
    assert {"fuzzing.hang", "fuzzing.out-of-memory", "fuzzing.native-crash", "fuzzing.harness-did-not-run", "fuzzing.token-harness"} <= rules


def test_token_harness_alone_earns_nothing(tmp_path: Path) -> None:
    root = tmp_path / "token"
    (root / "fuzz").mkdir(parents=True)
    (root / "fuzz" / "fuzz_token.py").write_text("import atheris  # noqa: F401\n")
    (root / "calc.py").write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    config = load_config(root, {"fuzz.time": 5})
    campaign = run_campaign(root=root, python=sys.executable, config=config, fuzz_dir=root / ".baseline" / "fuzz")
    result = judge(campaign)
    assert result.outcome is Outcome.NOT_APPLICABLE  # nothing takes untrusted input, and the token file is not a harness
    assert result.score is None
    assert [finding.rule_id for finding in result.findings] == ["fuzzing.token-harness"]
    assert campaign.runs == ()


def test_missing_atheris_comes_from_the_toolkits_overlay_and_an_overlay_that_cannot_be_built_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from baseline import provision
    from baseline.fuzz import runner

    root = _copy("fuzz_parsers", tmp_path)
    config = load_config(root, {"fuzz.time": 5})
    # No way to add it (uv unavailable): an error that says so, with the probe as evidence.
    offline = tmp_path / "offline-venv"
    venv.create(offline, with_pip=False, system_site_packages=False)
    with monkeypatch.context() as patch:
        patch.setattr(provision, "find_uv", lambda: None)
        campaign = run_campaign(root=root, python=str(offline / "bin" / "python"), config=config, fuzz_dir=root / ".baseline" / "fuzz-offline")
    result = judge(campaign)
    assert result.outcome is Outcome.ERROR
    assert "atheris is not installed" in result.message and "uv is not available" in result.message
    assert any(evidence.argv for evidence in result.evidence)
    # The usual case: the environment lacks atheris, the toolkit's overlay supplies it (never installed into the environment).
    bare = tmp_path / "bare-venv"
    venv.create(bare, with_pip=False, system_site_packages=False)
    campaign = run_campaign(root=root, python=str(bare / "bin" / "python"), config=config, fuzz_dir=root / ".baseline" / "fuzz")
    result = judge(campaign)
    assert result.outcome in (Outcome.PASS, Outcome.FAIL) and result.metrics["executions"] > 0, result.message
    assert str(result.metrics["atheris_from"]).startswith("the toolkit's overlay") and runner.harness_readable(str(bare / "bin" / "python"))
    assert not list(bare.glob("lib/python*/site-packages/atheris*"))


def test_quadratic_time_is_a_slow_input_finding_and_linear_time_is_not(tmp_path: Path) -> None:
    # Two functions as slow as each other on the largest inputs: one quadratic, one linear; seeds from tests/data.
    root = _copy("fuzz_slow_inputs", tmp_path)
    fuzz_dir = tmp_path / "fuzz-work"
    config = load_config(root, {"fuzz.time": 40, "fuzz.harness_time": 18, "fuzz.generate": False})  # room for enough timed inputs on a loaded machine
    campaign = run_campaign(root=root, python=sys.executable, config=config, fuzz_dir=fuzz_dir)
    runs = {run.harness: run for run in campaign.runs}
    assert set(runs) == {"fuzz/fuzz_checksum.py", "fuzz/fuzz_repeats.py"}
    assert all(run.stats.started and run.status == "ok" for run in runs.values()), [run.note for run in runs.values()]
    assert not campaign.found  # a slow input is never a crash
    result = judge(campaign)
    slow = [finding for finding in result.findings if finding.rule_id == "fuzzing.slow-input"]
    assert [finding.location.path for finding in slow if finding.location] == ["fuzz/fuzz_repeats.py"], [finding.message for finding in slow]
    finding = slow[0]
    assert finding.cwe == (400, 407) and finding.severity.value == "medium"
    # Found by the time per input by size, or by amplification probing of the corpus (the linear
    # checksum, as slow per byte, is found by neither).
    saved = Path(str(finding.properties["input"]))
    assert saved.is_file() and saved.is_relative_to(fuzz_dir / "slow-inputs")
    if finding.properties["method"] == "amplification probing":
        assert float(str(finding.properties["recheck_exponent"])) >= 1.4 and finding.properties["points"]
    else:
        assert finding.properties["ratio"] >= 4 and finding.properties["slow_p90_s"] >= 0.05
        assert len(saved.read_bytes()) == finding.properties["slowest_size"]
    # Both corpora were amplified, timing included, in the probing phase (before any libFuzzer run)
    # while the amplification share lasted, or else in the harness's first run.
    phase = {harness for harness, run in campaign.probe_runs.items() if run.probe is not None and (run.probe.amplify or {}).get("screened")}
    assert phase | {harness for harness, run in runs.items() if run.probe is not None and run.probe.amplify is not None} == set(runs)
    assert all(runs[harness].probe is None or runs[harness].probe.amplify is None for harness in phase)  # not again in the first run
    assert result.outcome is Outcome.PASS  # timings move with machine load: they never move the verdict
    # The first harness got the operator's start-up grace, the second one fitted to the start-up measured.
    first, second = campaign.runs[0], campaign.runs[1]
    assert first.grace_s == 20.0 and first.probe is not None and first.probe.startup_s is not None
    assert second.grace_s == startup_grace(20.0, [first.probe.startup_s], 0)[0] <= 20.0


def test_libfuzzer_minimises_an_atheris_crash_input_through_the_launcher(tmp_path: Path) -> None:
    """libFuzzer's -minimize_crash re-executes argv[0]: with an atheris harness that is the launcher."""
    from baseline.fuzz.triage import minimize

    root = tmp_path / "proj"
    root.mkdir()
    harness = root / "fuzz_bug.py"
    harness.write_text(
        "import sys\nimport atheris\n\n\ndef TestOneInput(data):\n    if b'BUG' in data:\n        raise KeyError('bug')\n\n\n"
        "atheris.Setup(sys.argv, TestOneInput)\natheris.Fuzz()\n",
        encoding="utf-8",
    )
    found = tmp_path / "crash-input"
    found.write_bytes(b"x" * 1500 + b"BUG" + b"y" * 1272)  # 2,775 bytes, as a fuzzer might leave it
    smaller = minimize(python=sys.executable, root=root, harness=harness, crash_input=found, out_dir=tmp_path / "min", seconds=4, allow_env=[])
    assert smaller is not None and smaller.read_bytes() == b"BUG"


def test_a_stored_crash_is_replayed_on_the_harness_regenerated_for_todays_code(tmp_path: Path) -> None:
    """The stored crash of a generated harness is judged against the function as it is now: once the
    function documents the exception, the crash is resolved, not replayed on the stale harness."""
    root = tmp_path / "proj"
    (root / "exprs").mkdir(parents=True)
    (root / "exprs" / "__init__.py").write_text("")
    module = root / "exprs" / "reader.py"
    body = "import ast\n\n\ndef parse_expression(text: str) -> object:\n    \"\"\"{doc}\"\"\"\n    return ast.parse(text, mode=\"eval\")\n"
    module.write_text(body.format(doc="Read one Python expression."))
    config = load_config(root, {"fuzz.time": 6})
    fuzz_dir = tmp_path / "store"
    first = run_campaign(root=root, python=sys.executable, config=config, fuzz_dir=fuzz_dir)
    syntax = ("SyntaxError", "IndentationError")
    assert any(found.crash.exception.startswith(syntax) for found in first.found), first.found
    assert store.list_crashes(fuzz_dir)
    module.write_text(body.format(doc="Read one Python expression; raises SyntaxError when it is not one."))
    second = run_campaign(root=root, python=sys.executable, config=config, fuzz_dir=fuzz_dir)
    assert second.unresolved == (), second.unresolved
    assert not [found for found in second.found if found.crash.exception.startswith(syntax)], second.found
    assert "SyntaxError" in (fuzz_dir / "generated" / "fuzz_exprs_reader_parse_expression.py").read_text()


def test_a_harness_stopped_at_a_reported_crash_is_fuzzed_again_past_it(tmp_path: Path) -> None:
    """libFuzzer stops at the first crash; the scan reports it, then runs the harness again with that
    crash recognised in the harness process (its type and raise place), so a second bug is found."""
    root = tmp_path / "proj"
    (root / "twobugs").mkdir(parents=True)
    (root / "twobugs" / "__init__.py").write_text("")
    (root / "twobugs" / "reader.py").write_text(
        "def read(data: bytes) -> int:\n"
        "    if data[:1] == b'{':\n"
        "        return {}['closing brace']\n"  # KeyError at line 3
        "    if data[:1] == b'[':\n"
        "        return [][len(data)]\n"  # IndexError at line 5
        "    return len(data)\n"
    )
    (root / "fuzz").mkdir()
    (root / "fuzz" / "fuzz_reader.py").write_text(
        "import sys\nimport atheris\n\nwith atheris.instrument_imports():\n    from twobugs.reader import read\n\n\n"
        "def TestOneInput(data):\n    read(data)\n\n\natheris.Setup(sys.argv, TestOneInput)\natheris.Fuzz()\n"
    )
    config = load_config(root, {"fuzz.time": 12, "fuzz.generate": False, "fuzz.minimize_time": 1})
    campaign = run_campaign(root=root, python=sys.executable, config=config, fuzz_dir=tmp_path / "work")
    kinds = sorted(found.crash.exception.split(":", 1)[0] for found in campaign.found)
    assert kinds == ["IndexError", "KeyError"], [run.note or run.status for run in campaign.runs]
    first, later = campaign.runs[0], campaign.runs[1:]
    assert first.status == "crash" and later and all(found.found_by == "fuzzing" for found in campaign.found)
    # The runs after the first crash recognised it (every input that raised it again was counted, not a crash).
    skipped = [run.probe.known_skipped if run.probe is not None else 0 for run in later]
    assert sum(skipped) > 0
    result = judge(campaign)
    assert [run["known_crashes_skipped"] for run in result.metrics["runs"][1:]] == skipped
    assert sorted(finding.rule_id for finding in result.findings) == ["fuzzing.uncaught-exception", "fuzzing.uncaught-exception"]
