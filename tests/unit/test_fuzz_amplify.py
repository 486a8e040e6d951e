"""Amplification probing: the ladder judgement on synthetic timings, the launcher's bases and candidates,
and a real (in-process) probing of a quadratic and of a linear callback."""

from __future__ import annotations

import base64
import importlib.util
import math
import random
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from baseline.fuzz.campaign import MIN_HARNESS_BUDGET, amplify_seconds
from baseline.fuzz.runner import PROBE_LAUNCHER
from baseline.fuzz.slow import AMPLIFY_CAP_S, AMPLIFY_FLOOR_S, FLOOR_S, amplify_config, judge_amplify, judge_ladder, save_slow_input


@pytest.fixture(scope="module")
def launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("probe_launcher_amplify_under_test", PROBE_LAUNCHER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ladder(cost: Callable[[int], float], *, start: int = 20, steps: int = 6, jitter: float = 0.0, seed: int = 1, recheck: bool = True) -> dict[str, Any]:
    """A ladder as the launcher records it, for an input costing ``cost(n)`` CPU seconds at n characters."""
    rng = random.Random(seed)
    points = [[start << step, start << step, cost(start << step) * (1 + rng.uniform(0, jitter)), False] for step in range(steps)]
    out: dict[str, Any] = {"chunk": "\u200c", "chunk_units": 1, "base_units": 7, "points": points, "input": base64.b64encode(b"x" * 10).decode(), "at_s": 1.5}
    if recheck:
        low = points[max(len(points) - 4, 0)][0]
        out["recheck"] = [low, cost(low) * (1 + rng.uniform(0, jitter)), points[-1][0], cost(points[-1][0]) * (1 + rng.uniform(0, jitter)), False]
    return out


def test_a_quadratic_ladder_is_a_growth_with_its_figures() -> None:
    growth = judge_ladder(ladder(lambda n: 1e-5 + 2e-6 * n * n))
    assert growth is not None and growth.chunk == "\u200c" and growth.input == b"x" * 10 and growth.found_after_s == 1.5
    assert 1.8 <= growth.exponent <= 2.05 and growth.recheck_exponent >= 1.8 and growth.ratio >= 4
    assert "size^" in growth.describe() and "'\\u200c'" in growth.describe()
    # Noisy (each time up to 1.5 times what it should be), still found.
    assert all(judge_ladder(ladder(lambda n: 2e-6 * n * n, jitter=0.5, seed=seed)) is not None for seed in range(20))


def test_linear_and_n_log_n_ladders_are_never_growths_however_heavy_or_noisy() -> None:
    for seed in range(30):
        # 100 us per character: 64 ms at 640 characters, above the floor, and linear; noise up to 2 times.
        assert judge_ladder(ladder(lambda n: 3e-5 + 1e-4 * n, jitter=1.0, seed=seed)) is None
        assert judge_ladder(ladder(lambda n: 2e-5 * n * math.log2(n), jitter=0.5, seed=seed)) is None


def test_a_size_threshold_is_not_a_growth() -> None:
    # Fast up to a length limit, then one slow path that stays linear: a jump, not a growth.
    assert judge_ladder(ladder(lambda n: 1e-6 * n if n < 300 else 0.05 + 1e-5 * n)) is None
    # A jump then a drop (a path taken at one size only).
    record = ladder(lambda n: 2e-6 * n * n)
    record["points"][-2][2] = record["points"][-1][2] * 2
    assert judge_ladder(record) is None


def test_fast_short_unconfirmed_or_hostile_ladders_are_no_finding() -> None:
    assert judge_ladder(ladder(lambda n: 1e-9 * n * n)) is None  # quadratic but microseconds: below the floor
    assert judge_ladder(ladder(lambda n: 2e-6 * n * n, steps=3)) is None  # three sizes: too few
    assert judge_ladder(ladder(lambda n: 2e-6 * n * n, recheck=False)) is None  # never measured again
    record = ladder(lambda n: 2e-6 * n * n)
    record["recheck"][1] = record["recheck"][3] / 2  # measured again: no growth
    assert judge_ladder(record) is None
    for hostile in (None, "x", {"points": "x"}, {"points": [[1, 1, "a"]]}, {"points": [[0, 0, 0.1]] * 5}, {**record, "points": [[True, 1, 0.1]] * 5}):
        assert judge_ladder(hostile) is None
    bad_input = ladder(lambda n: 2e-6 * n * n)
    bad_input["input"] = "@@"
    found = judge_ladder(bad_input)
    assert found is not None and found.input is None
    assert judge_amplify({"ladders": "x"}) is None and judge_amplify(None) is None


def test_the_strongest_ladder_is_reported_with_the_others_named(tmp_path: Path) -> None:
    weaker = ladder(lambda n: 2e-6 * n ** 1.7)
    weaker["chunk"] = "\u0660"
    record = {"ladders": [ladder(lambda n: 3e-5 * n), weaker, ladder(lambda n: 2e-6 * n * n)]}
    growth = judge_amplify(record)
    assert growth is not None and growth.chunk == "\u200c" and growth.also == ("\u0660",)
    saved = save_slow_input(tmp_path / "slow-inputs", "fuzz/x.py", True, growth)
    assert saved.input_path is not None and Path(saved.input_path).read_bytes() == b"x" * 10


def test_the_launcher_and_the_judgement_apply_the_same_test(launcher: ModuleType) -> None:
    config = amplify_config(5, False)
    for cost in (lambda n: 2e-6 * n * n, lambda n: 1e-4 * n, lambda n: 1e-9 * n * n, lambda n: 2e-6 * n ** 1.5):
        record = ladder(cost)
        strong = launcher.ladder_strong(record["points"], config["exponent_min"], config["floor_s"], config["step_min"])
        assert strong == (judge_ladder(record) is not None)


def test_bases_are_inputs_lines_and_fields_shortest_first(launcher: ModuleType) -> None:
    bases = launcher.amplify_bases([b"ab; c\xc3\xa9\nxyz", b"\xff\xfe"], False, 512, 100)
    texts = [text for _prefix, text, _codec in bases]
    assert texts[0] == "c" or len(texts[0]) <= len(texts[-1])
    assert {"ab", "c\u00e9", "xyz", "ab; c\u00e9\n", "ab; c\u00e9", "ab; c\u00e9\nxyz"} <= set(texts)
    assert ("", "\xff\xfe", "latin-1") == (bases[[text for _p, text, _c in bases].index("\xff\xfe")][0].decode(), "\xff\xfe", "latin-1")
    assert [len(text) for text in texts] == sorted(len(text) for text in texts)
    # FuzzedDataProvider text: the first byte is kept, the rest decoded as it says (2: UTF-16).
    (prefix, text, codec), *_ = launcher.amplify_bases([b"\x02" + "a\u200cb".encode("utf-16-le")], True, 512, 10)
    assert (prefix, text, codec) == (b"\x02", "a\u200cb", "utf-16-le")


def test_candidates_try_each_character_once_between_the_same_neighbours(launcher: ModuleType) -> None:
    bases = [(b"", "ab", "utf-8"), (b"", "xa\u200cby", "utf-8"), (b"", "cd", "utf-8"), (b"", "![](x)", "utf-8")]
    candidates = list(launcher.amplify_candidates(bases, 64, 24))
    singles = [(index, begin) for kind, index, begin, end in candidates if kind == "repeat" and end - begin == 1]
    # "ab" and "cd" are the same letters between the same neighbours: "cd" is not tried again.
    assert (0, 0) in singles and (2, 0) not in singles and (1, 2) in singles
    wholes = [index for kind, index, begin, end in candidates if kind == "repeat" and (begin, end) == (0, len(bases[index][1]))]
    assert wholes == [0, 1, 2, 3]
    assert candidates.index(("nest", 3, 2, 2)) < candidates.index(("repeat", 1, 2, 3)) < candidates.index(("repeat", 0, 0, 2))
    # Nesting puts the whole base inside its own brackets, level after level.
    assert launcher._build(bases[3], "nest", 2, 2, 1) == (b"![![](x)](x)", 12)
    assert launcher._build(bases[3], "nest", 2, 2, 2)[0] == b"![![![](x)](x)](x)"
    assert launcher._build(bases[1], "repeat", 2, 3, 3) == ("xa\u200c\u200c\u200cby".encode(), 7)


def test_probing_finds_a_quadratic_callback_and_not_a_linear_one(launcher: ModuleType, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed-0").write_bytes(b"id=ab;x|y\nother line")
    (corpus / "seed-1").write_bytes(b"\x00\x01binary")

    def quadratic(data: bytes) -> None:
        text = data.decode("latin-1")
        for position, char in enumerate(text):
            if char == "|":  # every separator scans back to the start, past the other separators
                index = position
                while index > 0 and text[index - 1] != "=":
                    index -= 1

    def linear(data: bytes) -> None:
        total = 0
        for byte in data:
            for _ in range(30):
                total += byte
        if b"|" in data:
            raise ValueError("a crash is not a slow input")

    found: dict[str, Any] = {}
    for name, callback in (("quadratic", quadratic), ("linear", linear)):
        launcher._amplified.clear()
        launcher._amplify(callback, [str(corpus)], amplify_config(4.0, False, crash_dir=tmp_path / name))
        found[name] = dict(launcher._amplified)
    growth = judge_amplify(found["quadratic"])
    assert growth is not None and "|" in growth.chunk and growth.recheck_exponent >= 1.4, found["quadratic"]["ladders"]
    assert growth.input is not None and growth.input.count(b"|") >= 64
    assert judge_amplify(found["linear"]) is None, [item["points"] for item in found["linear"]["ladders"]]
    assert found["linear"]["screened"] > 10 and found["linear"]["seconds"] <= 4.0 + 3.0
    # The linear callback raised on amplified inputs with a "|": one such input was kept for the campaign to
    # replay (beside the corpus, not in it: libFuzzer would stop at it while loading the corpus).
    amplified = sorted((tmp_path / "linear").glob("amplified-*"))
    assert found["linear"]["crashes"] == len(amplified) == 1 and b"|" in amplified[0].read_bytes()
    assert not list(corpus.glob("amplified-*")) and not (tmp_path / "quadratic").exists()


def test_inputs_amplified_to_the_end_are_left_out_next_time(launcher: ModuleType, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed-0").write_bytes(b"abc")
    seen = tmp_path / "seen.txt"
    calls: list[bytes] = []
    for expected in (["seed-0"], ["seed-0"]):
        launcher._amplified.clear()
        launcher._amplify(calls.append, [str(corpus)], amplify_config(5.0, False, seen))
        assert seen.read_text().split() == expected
    assert launcher._amplified["inputs"] == 0 and launcher._amplified["finished"]
    (corpus / "found-1").write_bytes(b"xyz")
    launcher._amplified.clear()
    launcher._amplify(calls.append, [str(corpus)], amplify_config(5.0, False, seen))
    assert launcher._amplified["inputs"] == 1 and seen.read_text().split() == ["seed-0", "found-1"]


def test_amplification_time_comes_out_of_the_harness_budget() -> None:
    assert amplify_seconds(5.0, 60) == 5.0
    assert amplify_seconds(0.3, 60) == AMPLIFY_FLOOR_S  # every amplified harness gets the floor
    assert amplify_seconds(500.0, 600) == AMPLIFY_CAP_S
    assert amplify_seconds(5.0, MIN_HARNESS_BUDGET + 1) == 1.0  # libFuzzer keeps its minimum
    assert amplify_seconds(5.0, MIN_HARNESS_BUDGET) is None
    assert FLOOR_S == amplify_config(1, False)["floor_s"]


def test_a_first_run_is_capped_by_its_weights_share_of_what_is_left() -> None:
    from baseline.fuzz.campaign import value_cap

    assert value_cap(120.0, 3.0, 12.0) == 30  # a parser among harnesses weighing 12 in all
    assert value_cap(120.0, 3.0, 3.0) == 120  # the last one gets what is left
    assert value_cap(3.0, 1.0, 30.0) == MIN_HARNESS_BUDGET  # never below the minimum
    assert value_cap(50.0, 0.0, 0.0) == 50


def test_source_seeds_are_the_packages_quoted_examples_not_its_prose(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import source_seeds

    module = tmp_path / "image.py"
    module.write_text(
        '# Process ![image](<src> "title")\n'
        "# This function returns the parsed value, or None.\n"
        "MARK = '](' \n"
        "NAME = 'check_hyphen_ok'\n"
        "def f():\n"
        '    """Parse text like `a=1; b=2` and return it."""\n'
        "    return 1  # noqa: E501\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.py").write_text("def (:\n", encoding="utf-8")
    seeds = source_seeds([tmp_path / "broken.py", module])
    assert b'Process ![image](<src> "title")' in seeds and b"](" in seeds
    assert not any(b"returns the parsed" in seed or seed == b"check_hyphen_ok" or seed.startswith(b"noqa") for seed in seeds)


def test_generated_harnesses_share_their_corpora_smallest_first_without_links(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import share_corpus

    first, second, mine = tmp_path / "a", tmp_path / "b", tmp_path / "mine"
    for folder in (first, second, mine):
        folder.mkdir()
    (first / "big").write_bytes(b"x" * 5000)  # larger than a seed piece: not shared
    (first / "small").write_bytes(b"![](x)")
    (first / "amplified-1").write_bytes(b"crash")  # a kept crash input is not shared
    (second / "same").write_bytes(b"![](x)")
    (second / "other").write_bytes(b"[a]")
    (second / "link").symlink_to(tmp_path / "secret")
    (tmp_path / "secret").write_bytes(b"not for sharing")
    (mine / "seed-0").write_bytes(b"[a]")
    assert share_corpus(mine, [first, second], limit=10) == 1
    assert sorted(path.read_bytes() for path in mine.iterdir()) == [b"![](x)", b"[a]"]


def test_a_chunks_shape_is_its_unicode_categories_or_its_nesting_opener(launcher: ModuleType) -> None:
    digits = [launcher.chunk_shape("repeat", text, 1, 1 + width) for text, width in (("a\u0661b", 1), ("a\u0662b", 1), ("a\u0663\u0664b", 2))]
    assert digits == [("repeat", "Nd")] * 3  # Arabic-Indic digits, one or two of them: one shape
    assert launcher.chunk_shape("repeat", "a\u200cb", 1, 2) == ("repeat", "Cf")  # the joiner: another
    assert launcher.chunk_shape("repeat", "ab1", 0, 3) == ("repeat", "Ll", "Nd")
    assert launcher.chunk_shape("nest", "![a](x)", 2, 3) == ("nest", "[")
    assert launcher.chunk_shape("nest", "![a](x)", 5, 6) == ("nest", "(")


def _scan_back_cost(data: bytes, wanted: Callable[[str], bool]) -> None:
    text = data.decode("utf-8", "replace")
    for position, char in enumerate(text):
        if wanted(char):  # every such character scans the whole text before it, both ways (a quadratic check)
            for _ in range(4):
                index = position
                while index > 0:
                    index -= 1


def test_the_stop_rule_counts_distinct_shapes_so_a_second_kind_of_slow_path_is_reported(launcher: ModuleType, tmp_path: Path) -> None:
    # Quadratic on any Arabic-Indic digit and on the joiner: before, three digit ladders stopped the
    # probing first; now one digit ladder is enough for that shape and the joiner's is confirmed too.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed-0").write_bytes("\u0661\u0662\u0663\u0664\u0665\u0666x\u200cy".encode())
    launcher._amplified.clear()
    launcher._amplify(lambda data: _scan_back_cost(data, lambda char: char == "\u200c" or "\u0660" <= char <= "\u0669"), [str(corpus)], amplify_config(20.0, False))
    strong = [item for item in launcher._amplified["ladders"] if "recheck" in item and judge_ladder(item) is not None]
    shapes = [launcher.chunk_shape(item["kind"], item["chunk"], 0, len(item["chunk"])) for item in strong]
    assert any(item["chunk"] == "\u200c" for item in strong), [item["chunk"] for item in launcher._amplified["ladders"]]
    assert len(shapes) == len(set(shapes))  # one confirmed ladder per shape
    growth = judge_amplify(launcher._amplified)
    assert growth is not None and "\u200c" in (growth.chunk, *growth.also)


def test_the_crash_pass_alone_replays_every_input_and_one_nesting_level(launcher: ModuleType, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed-0").write_bytes(b"![img](x)")
    (corpus / "seed-1").write_bytes(b"boom")
    calls: list[bytes] = []

    def callback(data: bytes) -> None:
        calls.append(data)
        if data == b"boom":  # a seed that crashes
            raise ValueError("boom")
        if b"[![" in data:  # an image inside an image's brackets
            raise AssertionError("children is None")

    launcher._amplified.clear()
    launcher._amplify(callback, [str(corpus)], amplify_config(5.0, False, tmp_path / "seen.txt", tmp_path / "crashes") | {"crash_only": True})
    kept = sorted(path.read_bytes() for path in (tmp_path / "crashes").glob("amplified-*"))
    assert b"boom" in kept and any(b"[![" in data for data in kept), kept
    assert launcher._amplified["ladders"] == [] and launcher._amplified["screened"] == 0  # no timing
    assert not (tmp_path / "seen.txt").exists()  # the timing has not seen these inputs yet
    # A run told the crash pass was done does not repeat it (the timing's screening only).
    calls.clear()
    launcher._amplified.clear()
    launcher._amplify(callback, [str(corpus)], amplify_config(2.0, False) | {"crash_pass": False})
    assert b"boom" not in calls[:1] and b"![![img](x)](x)" not in calls


def test_amplification_findings_of_several_runs_are_merged() -> None:
    from baseline.fuzz.slow import merge_amplified

    first = judge_ladder(ladder(lambda n: 2e-6 * n * n))
    assert first is not None
    digits = replace(first, chunk="\u0661", also=("\u0662",), recheck_exponent=2.0)
    joiner = replace(first, chunk="\u200c", also=(), recheck_exponent=1.8)
    merged = merge_amplified(digits, joiner)
    assert merged.chunk == "\u0661" and merged.also == ("\u0662", "\u200c")
    assert merge_amplified(joiner, digits) == merged  # the stronger leads, whichever came first
    assert merge_amplified(None, joiner) is joiner


def test_the_probing_phase_is_half_the_amplification_share_split_evenly() -> None:
    from baseline.fuzz.campaign import PROBE_FIRST_CAP_S, probe_first_seconds

    assert probe_first_seconds(0.2, 120, 8) == 1.5
    assert probe_first_seconds(0.2, 600, 2) == PROBE_FIRST_CAP_S
    assert probe_first_seconds(0.2, 20, 5) is None  # too little for a phase: the crash pass stays in each first run
    assert probe_first_seconds(0.0, 120, 8) is None and probe_first_seconds(0.2, 120, 0) is None


def test_a_whole_amplification_in_the_probing_phase_gets_its_share_by_value() -> None:
    from baseline.fuzz.campaign import WEIGHT_ENTRY, WEIGHT_PARSER, amplify_phase_seconds
    from baseline.fuzz.slow import AMPLIFY_CAP_S, AMPLIFY_FLOOR_S

    # 24 s of amplification (0.2 x 120 s) over a parser and three public functions (weight 9).
    total = WEIGHT_PARSER + 3 * WEIGHT_ENTRY
    assert amplify_phase_seconds(24 * WEIGHT_PARSER / total) == 8.0 and amplify_phase_seconds(24 * WEIGHT_ENTRY / total) == 5.3
    assert amplify_phase_seconds(0.4) == AMPLIFY_FLOOR_S and amplify_phase_seconds(600) == AMPLIFY_CAP_S


def test_after_a_crash_while_loading_the_corpus_shared_and_crashing_inputs_are_set_aside(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import set_aside_crashing

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, data in (("seed-0", b"2024-01-01"), ("seed-1", b"TODO"), ("shared-ab", b"A%-d"), ("shared-cd", b"1999"), ("1f2e", b"found")):
        (corpus / name).write_bytes(data)
    (tmp_path / "outside").write_bytes(b"TODO")
    (corpus / "link").symlink_to(tmp_path / "outside")
    crash = tmp_path / "crash-1"
    crash.write_bytes(b"TODO")
    assert set_aside_crashing(corpus, crash, tmp_path / "aside") == 3
    assert sorted(path.name for path in corpus.iterdir()) == ["1f2e", "link", "seed-0"]
    assert sorted(path.name for path in (tmp_path / "aside").iterdir()) == ["seed-1", "shared-ab", "shared-cd"]
    assert set_aside_crashing(corpus, tmp_path / "missing", tmp_path / "aside") == 0


def test_corpus_inputs_the_harness_raises_on_are_listed_and_set_aside(launcher: ModuleType, tmp_path: Path) -> None:
    from baseline.fuzz.campaign import set_aside

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, data in (("seed-0", b"ok"), ("seed-1", b"TODO"), ("seed-3", b"fine")):
        (corpus / name).write_bytes(data)

    def callback(data: bytes) -> None:
        if data == b"TODO":
            int(data)

    launcher._amplified.clear()
    launcher._amplify(callback, [str(corpus)], amplify_config(2.0, False) | {"crash_only": True})
    assert launcher._amplified["raised_inputs"] == ["seed-1"]
    (tmp_path / "outside").write_bytes(b"x")
    names = [*launcher._amplified["raised_inputs"], "../outside", "missing", 3]
    assert set_aside(corpus, names, tmp_path / "aside") == 1
    assert sorted(path.name for path in corpus.iterdir()) == ["seed-0", "seed-3"]
    assert (tmp_path / "aside" / "seed-1").read_bytes() == b"TODO" and (tmp_path / "outside").exists()
    assert set_aside(corpus, "seed-0", tmp_path / "aside") == 0  # not a list: nothing moved


def test_the_launcher_lets_a_reported_crash_pass_and_raises_any_other(launcher: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("def read(data):\n    if data == b'k':\n        raise KeyError(data)\n    if data == b'v':\n        raise ValueError(data)\n    return {}[data] if data == b'm' else len(data)\n")
    spec = importlib.util.spec_from_file_location("pkg_mod_under_test", package / "mod.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(launcher, "_ROOT", str(tmp_path))
    monkeypatch.setattr(launcher, "_PRODUCT", ["pkg"])
    monkeypatch.setattr(launcher, "_relative_cache", {})
    monkeypatch.setattr(launcher, "_KNOWN", {("KeyError", "pkg/mod.py:3")})
    monkeypatch.setitem(launcher._state, "known_skipped", 0)
    wrapped = launcher._wrap(module.read)
    assert wrapped(b"k") is None and launcher._state["known_skipped"] == 1  # the reported crash: not a crash again
    assert wrapped(b"abc") == 3
    with pytest.raises(ValueError):
        wrapped(b"v")  # another type
    with pytest.raises(KeyError):
        wrapped(b"m")  # the same type raised at another place is another bug
    assert launcher._state["known_skipped"] == 1
