"""libFuzzer output parsing, crash description and de-duplication, and the crash store contract."""

from __future__ import annotations

import json
from pathlib import Path

from baseline.fuzz import store
from baseline.fuzz.runner import parse_stats
from baseline.fuzz.triage import describe_crash

STDERR_DONE = """INFO: Seed: 1
#2\tINITED cov: 21 ft: 21 corp: 1/1b exec/s: 0 rss: 42Mb
#64\tNEW    cov: 38 ft: 38 corp: 9/25b lim: 4 exec/s: 0 rss: 42Mb L: 4/4 MS: 3 ChangeByte-
#419051\tDONE   cov: 43 ft: 47 corp: 14/37b lim: 4096 exec/s: 69841 rss: 44Mb
Done 419051 runs in 6 second(s)
stat::number_of_executed_units: 419051
stat::average_exec_per_sec:     69841
stat::new_units_added:          20
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              44
"""

CRASH_STDOUT = """
 === Uncaught Python exception: ===
KeyError: 'flags'
Traceback (most recent call last):
  File "{root}/fuzz/fuzz_magic.py", line 5, in TestOneInput
    magic.decode_header(data)
  File "{root}/pkg/magic.py", line 15, in decode_header
    return header["flags"]
  File "/usr/lib/python3.11/json/__init__.py", line 3, in helper
    pass
KeyError: 'flags'
"""


def test_parse_stats_reads_status_lines_and_final_stats() -> None:
    stats = parse_stats(STDERR_DONE, 6.5)
    assert stats.started
    assert (stats.execs, stats.cov, stats.ft, stats.corpus_units, stats.peak_rss_mb) == (419051, 43, 47, 14, 44)
    assert stats.exec_per_s == 69841
    assert stats.reported_seconds == 6
    assert stats.initial_cov == 21 and stats.cov_grew  # cov 21 when the corpus was loaded, 43 at the end


def test_parse_stats_estimates_rate_when_libfuzzer_says_zero() -> None:
    text = "#2\tINITED cov: 2 ft: 2 corp: 1/1b exec/s: 0 rss: 40Mb\nstat::number_of_executed_units: 1000\nstat::average_exec_per_sec:     0\n"
    stats = parse_stats(text, 0.5)
    assert stats.exec_per_s == 2000.0


def test_parse_stats_of_a_harness_that_never_started() -> None:
    stats = parse_stats("Traceback (most recent call last):\nModuleNotFoundError: No module named 'x'\n", 0.2)
    assert not stats.started and stats.execs == 0


def test_exception_crash_uses_project_frames_and_dedupes(tmp_path: Path) -> None:
    (tmp_path / "fuzz").mkdir()
    harness = tmp_path / "fuzz" / "fuzz_magic.py"
    harness.write_text("")
    other = tmp_path / "fuzz" / "fuzz_other.py"
    other.write_text("")
    first = describe_crash("exception", CRASH_STDOUT.format(root=tmp_path), "", tmp_path, harness)
    assert first.exception == "KeyError: 'flags'"
    assert first.top_frames == ("pkg/magic.py:15 in decode_header",)
    assert str(tmp_path) not in first.traceback
    # The same bug reached through another harness is the same crash.
    second = describe_crash("exception", CRASH_STDOUT.format(root=tmp_path).replace("fuzz_magic", "fuzz_other"), "", tmp_path, other)
    assert second.signature == first.signature


def test_timeout_and_oom_descriptions(tmp_path: Path) -> None:
    harness = tmp_path / "h.py"
    harness.write_text("")
    timeout_err = f'Current thread 0x1 (most recent call first):\n  File "{tmp_path}/pkg/loop.py", line 9 in spin\n  File "{harness}", line 4 in T\nALARM: working on the last Unit for 4 seconds\n'
    hang = describe_crash("timeout", "", timeout_err, tmp_path, harness)
    assert hang.exception.startswith("Timeout")
    assert hang.top_frames == ("pkg/loop.py:9 in spin",)
    oom = describe_crash("oom", "", "==1== ERROR: libFuzzer: out-of-memory (used: 754Mb; limit: 512Mb)\n", tmp_path, harness)
    assert oom.exception == "OutOfMemory: used: 754Mb; limit: 512Mb"
    assert oom.signature != hang.signature


def test_store_contract_and_smaller_input_wins(tmp_path: Path) -> None:
    harness = tmp_path / "fuzz" / "fuzz_magic.py"
    harness.parent.mkdir()
    harness.write_text("")
    info = describe_crash("exception", CRASH_STDOUT.format(root=tmp_path), "", tmp_path, harness)
    stored, new = store.save_crash(tmp_path / ".baseline" / "fuzz", "fuzz/fuzz_magic.py", False, info, b"\xb4\x5e\x1f\x9cJUNK")
    assert new
    meta = json.loads((stored.folder / "meta.json").read_text())
    assert set(meta) == {"harness", "kind", "exception", "top_frames", "traceback", "found", "generated_harness"}
    assert meta["harness"] == "fuzz/fuzz_magic.py" and meta["kind"] == "exception" and meta["generated_harness"] is False
    again, new_again = store.save_crash(tmp_path / ".baseline" / "fuzz", "fuzz/fuzz_magic.py", False, info, b"\xb4\x5e\x1f\x9c")
    assert not new_again and again.crash_id == stored.crash_id
    assert again.input_path.read_bytes() == b"\xb4\x5e\x1f\x9c"
    assert again.found == stored.found
    assert [crash.crash_id for crash in store.list_crashes(tmp_path / ".baseline" / "fuzz")] == [stored.crash_id]


def test_corpus_is_seeded_once_from_test_data(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import corpus_name, seed_corpus

    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "good.rec").write_bytes(b"REC\x02ab\xc3")
    (tmp_path / "tests" / "test_x.py").write_text("def test(): pass\n")
    corpus = tmp_path / ".baseline" / "fuzz" / "corpus" / corpus_name(".baseline/fuzz/generated/fuzz_x.py")
    assert corpus.name == "baseline__fuzz__generated__fuzz_x"
    assert seed_corpus(tmp_path, corpus) == 1
    assert [path.read_bytes() for path in corpus.iterdir()] == [b"REC\x02ab\xc3"]
    (corpus / "found-by-fuzzer").write_bytes(b"x")
    assert seed_corpus(tmp_path, corpus) == 0  # a corpus that has content is kept as it is


def test_big_test_files_are_cut_into_small_seeds(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import SEED_PIECE_BYTES, corpus_name, seed_corpus, split_seed

    examples = [f"[case {index}]\nkey = value {index}\n".encode() * 20 for index in range(60)]
    text = b"\n\n".join(examples)
    pieces = split_seed(text)
    assert len(text) > 5 * SEED_PIECE_BYTES
    assert pieces and all(0 < len(piece) <= SEED_PIECE_BYTES for piece in pieces)
    assert pieces[0].startswith(examples[0])  # whole examples, packed together
    assert split_seed(b"\x00\x01" * 10000) == [(b"\x00\x01" * 10000)[:SEED_PIECE_BYTES]]  # binary: its head
    assert split_seed(b"small") == [b"small"] and split_seed(b"") == []

    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "cases.txt").write_bytes(text)
    corpus = tmp_path / "corpus" / corpus_name("fuzz/fuzz_x.py")
    count = seed_corpus(tmp_path, corpus)
    files = sorted(corpus.iterdir())
    assert count == len(files) and all(path.stat().st_size <= SEED_PIECE_BYTES for path in files)
    # A corpus kept from an earlier scan with a whole file as a seed is re-cut.
    (corpus / "seed-999-old.txt").write_bytes(text)
    assert seed_corpus(tmp_path, corpus) == 0
    assert not (corpus / "seed-999-old.txt").exists()
    assert all(path.stat().st_size <= SEED_PIECE_BYTES for path in corpus.iterdir())


def test_identical_seeds_are_stored_once(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import seed_corpus

    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "a.rec").write_bytes(b"REC\x02ab\xc3")
    (tmp_path / "tests" / "data" / "b.rec").write_bytes(b"REC\x02ab\xc3")
    assert seed_corpus(tmp_path, tmp_path / "corpus") == 1


def test_seeds_for_a_harness_that_reads_text_through_fuzzeddataprovider_decode_to_the_text(tmp_path: Path) -> None:
    atheris = __import__("pytest").importorskip("atheris")
    from baseline.fuzz.campaign import fdp_text_seed, reads_fdp_text, seed_corpus

    for text in ["key=value;a=1", "clé=€", "a😀b"]:
        seed = fdp_text_seed(text.encode())
        fdp = atheris.FuzzedDataProvider(seed)
        assert fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()) == text
    assert fdp_text_seed(b"\xff\xfe\x00binary") == b"\xff\xfe\x00binary"
    assert reads_fdp_text("fdp = atheris.FuzzedDataProvider(data)\ns = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())\n")
    assert not reads_fdp_text("n = fdp.ConsumeIntInRange(0, 9)\ns = fdp.ConsumeUnicode(5)\n")
    assert not reads_fdp_text("def TestOneInput(data):\n    parse(data)\n")
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "pairs.txt").write_text("a=1;b=2", encoding="utf-8")
    seed_corpus(tmp_path, tmp_path / "corpus", fdp_text_seed)
    assert [path.read_bytes() for path in (tmp_path / "corpus").iterdir()] == [b"\x01a=1;b=2"]


def test_data_files_directly_in_the_test_folder_seed_the_corpus_but_requirements_do_not(tmp_path: Path) -> None:
    from baseline.fuzz.campaign import seed_corpus

    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "IdnaTest.txt").write_bytes(b"xn--fa-hia.de")
    (tmp_path / "tests" / "requirements.txt").write_bytes(b"pytest\n")
    (tmp_path / "tests" / "conftest.py").write_text("x = 1\n")
    corpus = tmp_path / "corpus"
    assert seed_corpus(tmp_path, corpus) == 1
    assert [path.read_bytes() for path in corpus.iterdir()] == [b"xn--fa-hia.de"]


def test_an_exception_an_entry_point_documents_or_raises_itself_is_dropped_whatever_the_harness() -> None:
    from baseline.fuzz.surface import EntryPoint
    from baseline.fuzz.triage import CrashInfo, documented_behaviour

    entry = EntryPoint(
        "pkg.fields", "field_number", "pkg/fields.py", 3, "str", "annotated",
        expected=(("builtins", "ValueError"), ("pkg.errors", "FormatError")), raised_here=(("builtins", "KeyError"),),
    )

    def crash(exception: str, *frames: str) -> CrashInfo:
        lines = ["Traceback (most recent call last):", '  File "fuzz/fuzz_fields.py", line 9, in TestOneInput']
        lines += [f'  File "{path}", line {line}, in {func}' for path, line, func in (frame.split(":") for frame in frames)]
        return CrashInfo("exception", exception, (), "\n".join(lines + [exception]), "sig")

    own = "pkg/fields.py:5:field_number"
    deeper = "pkg/table.py:12:lookup"
    assert documented_behaviour(crash("KeyError: 'x'", own), [entry]) == "pkg.fields:field_number"  # its own raise
    assert documented_behaviour(crash("KeyError: 'x'", own, deeper), [entry]) is None  # the same type deeper down: a bug
    assert documented_behaviour(crash("ValueError: bad", own, deeper), [entry]) == "pkg.fields:field_number"  # documented
    assert documented_behaviour(crash("pkg.errors.FormatError: short", own, deeper), [entry]) == "pkg.fields:field_number"
    assert documented_behaviour(crash("ValueError: bad", "pkg/other.py:3:parse"), [entry]) is None  # another function's
    assert documented_behaviour(crash("IndexError: out of range", own), [entry]) is None  # never documented
