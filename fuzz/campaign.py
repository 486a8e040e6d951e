"""One fuzzing campaign per scan: discover, generate, run every harness under the budget, triage.

The budget is deterministic: every planned harness gets a number of executions (``-runs``, with a
fixed ``-seed``), shared by value from ``fuzz.runs`` (parsers and decoders first, then other entry
points, then helpers, each above a floor), in that order. ``fuzz.time`` is the overall wall-clock
cap: in its first run each harness may use its share by value of what is left when it starts (its
weight over the weights of the harnesses not yet run), never less than the minimum and never more
than what is left minus a floor kept for every later harness (at most ``fuzz.harness_time``), so a
slow first parser cannot take the time of the entry points planned after it, time a harness did
not need is handed on, import time, triage and replays come out of the same budget, and a harness
the cap stopped before its executions were done is reported as such.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from baseline.fuzz import store
from baseline.fuzz.discovery import HarnessFile, covered_entries, find_harnesses
from baseline.fuzz.generate import harness_filename, write_harnesses
from baseline.fuzz.runner import HarnessRun, ensure_atheris, harness_readable, run_harness
from baseline.fuzz.slow import AMPLIFY_CAP_S, AMPLIFY_FLOOR_S, AmplifiedGrowth, SlowInput, amplify_config, judge_amplify, judge_probe, merge_amplified, save_slow_input
from baseline.fuzz.surface import EntryPoint, Surface, find_surface
from baseline.fuzz.triage import describe_crash, documented_behaviour, minimize, replay_with_faulthandler
from baseline.model import Artifact, Evidence, Provenance
from baseline.target import file_sha256, product_sources
from baseline.parsing import parse_python

MIN_HARNESS_BUDGET = 2  # seconds; below this a harness is skipped, not run for show
_SEED_DIRS = re.compile(r"(^|/)(data|testdata|test_data|fixtures|samples|corpus|seeds?|examples?)(/|$)")
_SEED_LIMIT = 100
_SEED_MAX_BYTES = 4 * 1024 * 1024  # test files read for seeds (then cut to small pieces)


@dataclass(frozen=True)
class FoundCrash:
    """A crash found in this campaign, as stored."""

    crash: store.StoredCrash
    new: bool
    minimized: bool
    found_by: str = "fuzzing"  # fuzzing (a libFuzzer run) | amplification (in or after a run) | probing phase


@dataclass(frozen=True)
class FuzzCampaign:
    """Everything the campaign did. ``status``: ok | error | disabled | nothing-to-fuzz."""

    status: str
    message: str
    surface: Surface
    harness_files: tuple[HarnessFile, ...] = ()
    runs: tuple[HarnessRun, ...] = ()
    found: tuple[FoundCrash, ...] = ()
    unresolved: tuple[store.StoredCrash, ...] = ()
    generated: tuple[str, ...] = ()
    covered: dict[str, tuple[str, ...]] = field(default_factory=dict)  # entry id -> harnesses that fuzzed it
    skipped: tuple[tuple[str, str], ...] = ()
    dropped: tuple[tuple[str, str], ...] = ()  # (harness, why a crash was not reported: it did not reproduce)
    slow: tuple[SlowInput, ...] = ()  # harnesses whose time per input grew faster than the input
    amplified_after: dict[int, tuple[float, int]] = field(default_factory=dict)  # run index -> (seconds, crashes) of probing after that run
    probed_first: tuple[tuple[str, float, int], ...] = ()  # (harness, seconds, crashes) of the probing phase, in plan order
    probed_timing: tuple[tuple[str, float, int], ...] = ()  # (harness, seconds, crashes) of the phase's timing ladders, after every crash pass
    probe_runs: dict[str, HarnessRun] = field(default_factory=dict)  # harness -> its timing process in the probing phase
    seeds_set_aside: tuple[tuple[str, int], ...] = ()  # (harness, corpus inputs it raised on in the probing phase, moved out of its corpus)
    budget_s: float = 0.0
    wall_s: float = 0.0
    atheris_version: str | None = None
    atheris_overlay: str | None = None  # the toolkit's overlay folder atheris came from, when the environment lacks it
    fuzz_dir: str = ""
    evidence: tuple[Evidence, ...] = ()
    problems: tuple[str, ...] = ()


def corpus_name(harness: str) -> str:
    """Folder name of a harness's corpus."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", harness.removesuffix(".py").replace("/", "__")).lstrip("._") or "harness"


SEED_PIECE_BYTES = 4096  # a seed longer than this is split (text) or cut (binary): big seeds slow every execution
_SEED_PIECES_PER_FILE = 16


def split_seed(data: bytes, limit: int = SEED_PIECE_BYTES) -> list[bytes]:
    """Small seeds from one test file: as it is when small; else its examples, packed up to ``limit``.

    Test data files often hold many examples: text is split at blank lines (then at line ends) and
    consecutive pieces are packed together up to ``limit`` bytes; binary data (or a single line
    longer than ``limit``) is cut to its first ``limit`` bytes, which keeps its header.
    """
    if len(data) <= limit:
        return [data] if data else []
    if b"\0" in data[:1024] or b"\n" not in data:
        return [data[:limit]]
    blocks: list[bytes] = []
    for block in re.split(rb"(?:\r?\n){2,}", data):
        if len(block) <= limit:
            blocks.append(block)
            continue
        blocks.extend(line[:limit] for line in block.splitlines())
    pieces: list[bytes] = []
    current = b""
    for block in (block for block in blocks if block.strip()):
        joined = current + b"\n\n" + block if current else block
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            pieces.append(current)
        current = block
    if current:
        pieces.append(current)
    return pieces[:_SEED_PIECES_PER_FILE]


_FIRST_CONSUME = re.compile(r"\.Consume(\w+)\s*\(")


def reads_fdp_text(harness_text: str) -> bool:
    """True when a harness reads its input as text through FuzzedDataProvider (its first Consume call)."""
    first = _FIRST_CONSUME.search(harness_text)
    return first is not None and first.group(1) in ("Unicode", "UnicodeNoSurrogates", "String")


def fdp_text_seed(data: bytes) -> bytes:
    """A text seed encoded so that FuzzedDataProvider's ConsumeUnicode decodes it back to the text.

    Its first byte picks the encoding (odd: ASCII; 2: UTF-16; 0: UTF-32); data that is not UTF-8
    text is left as it is.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if text.isascii():
        return b"\x01" + data
    if all(ord(char) < 0x10000 for char in text):
        return b"\x02" + text.encode("utf-16-le", "surrogatepass")
    return b"\x00" + text.encode("utf-32-le", "surrogatepass")


def _trim_seeds(corpus: Path) -> None:
    """Re-cut oversized seeds a corpus kept from an earlier scan (the fuzzer's own finds are left as they are)."""
    for path in sorted(corpus.glob("seed-*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size > SEED_PIECE_BYTES:
            for index, piece in enumerate(split_seed(path.read_bytes())):
                (corpus / f"{path.name}.{index:02d}").write_bytes(piece)
            path.unlink()


_DATA_SUFFIXES = frozenset({".txt", ".json", ".xml", ".html", ".htm", ".md", ".csv", ".tsv", ".yaml", ".yml", ".toml", ".bin", ".dat", ".raw", ".eml", ".sql", ".svg", ".pdf"})
_NOT_DATA = re.compile(r"^(requirements|constraints|readme|license|changelog|pyproject|tox|setup)", re.IGNORECASE)


def _loose_test_data(path: Path, folder: Path) -> bool:
    """A data file directly in the test folder (``tests/IdnaTestV2.txt``), not a requirements or readme file."""
    return path.parent == folder and path.suffix.lower() in _DATA_SUFFIXES and not _NOT_DATA.match(path.name)


def seed_corpus(root: Path, corpus: Path, encode: Callable[[bytes], bytes] | None = None) -> int:
    """Seed an empty corpus folder with small cases cut from the project's test data; returns their number.

    Every generated harness reads its input raw (bytes, or text as UTF-8), so a seed is the test
    data as it is; for a harness that reads text through FuzzedDataProvider, ``encode`` writes each
    case the way it decodes it (:func:`fdp_text_seed`). Cases are de-duplicated by content.
    """
    if corpus.is_dir() and any(corpus.iterdir()):
        _trim_seeds(corpus)
        return 0
    corpus.mkdir(parents=True, exist_ok=True)
    count = 0
    seen: set[bytes] = set()
    for base in ("tests", "test", "testdata", "test_data"):
        folder = root / base
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if count >= _SEED_LIMIT or not path.is_file() or path.is_symlink() or path.suffix in (".py", ".pyc"):
                continue
            if "/fixtures/" in relative and base == "tests" and (root / "tests" / "fixtures").is_dir() and relative.count("/") > 3:
                continue  # nested fixture projects are not data
            if not (_SEED_DIRS.search(relative) or _loose_test_data(path, folder)) or not 0 < path.stat().st_size <= _SEED_MAX_BYTES:
                continue
            pieces = split_seed(path.read_bytes())
            for index, piece in enumerate(pieces):
                piece = encode(piece) if encode is not None else piece
                digest = hashlib.sha256(piece).digest()
                if digest in seen or count >= _SEED_LIMIT:
                    continue
                seen.add(digest)
                suffix = f".{index:02d}" if len(pieces) > 1 else ""
                (corpus / f"seed-{count:03d}-{path.name}{suffix}").write_bytes(piece)
                count += 1
    return count


SOURCE_SEED_LIMIT = 200
_SOURCE_SEED_MAX = 200  # characters


_PROSE_WORD = re.compile(r"^[A-Za-z]+[,.;:!?]?$")


def _punctuated(text: str) -> bool:
    """At least two punctuation characters (an example input, a format token), and not prose (three plain words or more)."""
    if sum(1 for char in text if not char.isalnum() and not char.isspace() and char != "_") < 2:
        return False
    return sum(1 for word in text.split() if _PROSE_WORD.match(word)) < 3


def source_seeds(files: list[Path], limit: int = SOURCE_SEED_LIMIT) -> list[bytes]:
    """Example inputs written in the package's own source: its string literals and comment lines
    (``# Process ![image](<src> "title")``), each with two punctuation characters at least, short,
    de-duplicated, in file order (pure but for reading ``files``).

    A parser's code quotes the syntax it reads; such a quote is a seed in the format, where the
    fuzzer would need many mutations to assemble it from nothing.
    """
    import ast
    import io
    import tokenize

    out: dict[bytes, None] = {}
    per_file = max(4, limit // max(len(files), 1))  # every module gets its turn
    for path in files:
        taken = 0
        try:
            text = path.read_text(encoding="utf-8")
            tree = parse_python(text)
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError, tokenize.TokenError, RecursionError):
            continue
        pieces = [token.string.lstrip("#").strip() for token in tokens if token.type == tokenize.COMMENT]
        pieces += [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
        for piece in pieces:
            for line in piece.splitlines():
                line = line.strip()
                data = line.encode("utf-8", "surrogatepass")
                if taken >= per_file or data in out or not 2 <= len(line) <= _SOURCE_SEED_MAX or not _punctuated(line):
                    continue
                if line.startswith(("noqa", "type:", "pragma", "pylint", "nosec", "fmt:", "!/")):
                    continue
                out[data] = None
                taken += 1
                if len(out) >= limit:
                    return list(out)
    return list(out)


def set_aside(corpus: Path, names: object, into: Path) -> int:
    """Move the corpus inputs named in ``names`` (the probing's list of inputs the harness raised on,
    written by the harness process: checked) out of ``corpus`` into ``into``; returns their number."""
    if not isinstance(names, list):
        return 0
    moved = 0
    for name in names[:1000]:
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
            continue
        path = corpus / name
        if path.is_symlink() or not path.is_file():
            continue
        into.mkdir(parents=True, exist_ok=True)
        path.replace(into / name)
        moved += 1
    return moved


def set_aside_crashing(corpus: Path, crash_input: Path, into: Path) -> int:
    """After libFuzzer stopped at a crash while loading ``corpus``: move the inputs shared from other
    harnesses' corpora (``shared-*``, never run on this harness before) and every input equal to
    ``crash_input`` into ``into``; returns their number (links and big files are left as they are)."""
    try:
        crashing = crash_input.read_bytes() if crash_input.is_file() and not crash_input.is_symlink() and crash_input.stat().st_size <= 64 * 1024 else None
    except OSError:
        crashing = None
    moved = 0
    for path in sorted(corpus.iterdir()) if corpus.is_dir() else []:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > SEED_PIECE_BYTES * 16:
            continue
        if path.name.startswith("shared-") or (crashing is not None and path.read_bytes() == crashing):
            into.mkdir(parents=True, exist_ok=True)
            path.replace(into / path.name)
            moved += 1
    return moved


SHARED_LIMIT = 300  # inputs one generated harness takes from the corpora of the harnesses run before it


def share_corpus(corpus: Path, donors: list[Path], limit: int = SHARED_LIMIT) -> int:
    """Copy inputs of earlier harnesses' corpora into ``corpus``: the smallest first, in turn from each
    donor, de-duplicated by content, at most ``limit``; returns their number.

    Entry points of one package that read the same kind of input usually read the same format
    (``parse``, ``render``, ``parseInline``): what the fuzzer found for one is a seed for the others.
    Inputs amplification kept as crashes (``amplified-*``) are not shared.
    """
    corpus.mkdir(parents=True, exist_ok=True)
    # The corpora are written by harness processes (the project's code): no link is followed, no big file read.
    seen = {
        hashlib.sha256(path.read_bytes()).digest()
        for path in corpus.iterdir()
        if not path.is_symlink() and path.is_file() and path.stat().st_size <= SEED_PIECE_BYTES
    }
    queues: list[list[Path]] = []
    for donor in donors:
        if donor.is_dir() and donor.resolve() != corpus.resolve():
            files = [path for path in donor.iterdir() if path.is_file() and not path.is_symlink() and not path.name.startswith("amplified-")]
            sized = [(path.stat().st_size, path.name, path) for path in files]
            queues.append([path for size, _name, path in sorted(sized) if 0 < size <= SEED_PIECE_BYTES])
    count = 0
    while count < limit and any(queues):
        for queue in queues:
            if not queue or count >= limit:
                continue
            data = queue.pop(0).read_bytes()
            digest = hashlib.sha256(data).digest()
            if digest in seen:
                continue
            seen.add(digest)
            (corpus / f"shared-{digest.hex()[:16]}").write_bytes(data)
            count += 1
    return count


def same_input(entry: EntryPoint, other: EntryPoint) -> bool:
    """True when two entry points of one package both read text, or both read bytes (their harnesses share inputs)."""
    def kind(item: EntryPoint) -> set[str]:
        return {value.rsplit("-", 1)[-1] for value in item.kinds}

    return entry.module.split(".", 1)[0] == other.module.split(".", 1)[0] and bool(kind(entry) & kind(other))


def fuzz_dir_for(root: Path, config: Any, fallback: Path) -> Path:
    """``<project folder>/fuzz`` (persistent, outside the scanned tree: see :mod:`baseline.state`),
    or a folder under ``fallback`` when that cannot be written."""
    from baseline import state

    base = state.project_dir(root, config.get("work_dir")) / "fuzz"
    try:
        base.mkdir(parents=True, exist_ok=True)
        (base / ".write-test").write_text("ok")
        (base / ".write-test").unlink()
        return base
    except OSError:
        path = fallback / "fuzz"
        path.mkdir(parents=True, exist_ok=True)
        return path


def product_paths(root: Path) -> list[str]:
    """The product's paths relative to the project root (what the probe counts as product code)."""
    return [path.relative_to(root).as_posix() for path in product_sources(root) if path.is_relative_to(root)]


def budget_share(remaining: float, harnesses_left: int, cap: float = 0.0) -> int | None:
    """Seconds for the next harness: an even share of what is left (at most ``cap`` when set).

    When the even share is below the minimum, the next harness still gets the minimum while that
    much is left: harnesses run in plan order (the project's own before generated ones) until the
    budget is spent, instead of the first ones being skipped and the later ones run. None: skip.
    """
    if remaining < MIN_HARNESS_BUDGET or 0 < cap < MIN_HARNESS_BUDGET:
        return None
    share = remaining / max(harnesses_left, 1)
    if cap > 0:
        share = min(share, cap)
    return max(int(share), MIN_HARNESS_BUDGET)


# Value of a harness in the budget: parsers and decoders first, then the public API's other entry
# points, then entry points deeper in the package, then harnesses that drive none.
WEIGHT_PARSER = 3.0
WEIGHT_ENTRY = 2.0
WEIGHT_HELPER = 1.0
RUNS_FLOOR = 2000  # executions every planned harness gets, whatever its value
DERIVED_RATE = 20_000  # exec/s that turns fuzz.time into an execution budget when fuzz.runs is 0
FLOOR_RESERVE_S = MIN_HARNESS_BUDGET + 1  # seconds kept for each later harness (its floor and its start-up)


WEIGHT_INNER = 1.5  # an entry point outside the public API (a package's __init__ does not export it)


def harness_weight(priorities: list[int]) -> float:
    """Weight of a harness from the priorities of the entry points it drives (0 = a parser, 1 = public API)."""
    if any(priority == 0 for priority in priorities):
        return WEIGHT_PARSER
    if any(priority == 1 for priority in priorities):
        return WEIGHT_ENTRY
    return WEIGHT_INNER if priorities else WEIGHT_HELPER


def allocate_runs(weights: list[float], total_runs: int) -> list[int]:
    """Executions per planned harness: ``total_runs`` shared by weight, each at least RUNS_FLOOR (pure)."""
    if not weights:
        return []
    unit = total_runs / sum(weights)
    return [max(RUNS_FLOOR, int(unit * weight)) for weight in weights]


def safety_cap(remaining: float, harnesses_after: int, cap: float = 0.0) -> int | None:
    """Time cap (seconds) of the next harness: what is left, minus a floor kept for each later one; None: skip.

    The cap is only a safety limit: a harness normally stops when its executions are done, and
    what it did not use is handed on. Every later planned harness keeps FLOOR_RESERVE_S.
    """
    if remaining < MIN_HARNESS_BUDGET or 0 < cap < MIN_HARNESS_BUDGET:
        return None
    share = remaining - FLOOR_RESERVE_S * max(harnesses_after, 0)
    if cap > 0:
        share = min(share, cap)
    return max(int(share), MIN_HARNESS_BUDGET)


def amplify_seconds(share: float, harness_budget: int) -> float | None:
    """Seconds of amplification probing in a harness's first run: its share of ``fuzz.amplify`` x
    ``fuzz.time`` (by value, as its executions), within AMPLIFY_FLOOR_S..AMPLIFY_CAP_S, out of the
    run's own time cap and leaving libFuzzer MIN_HARNESS_BUDGET of it; None: none (pure)."""
    seconds = min(max(share, AMPLIFY_FLOOR_S), AMPLIFY_CAP_S, harness_budget - MIN_HARNESS_BUDGET)
    return round(seconds, 1) if seconds >= AMPLIFY_FLOOR_S / 2 else None


def value_cap(remaining: float, weight: float, weight_left: float) -> int:
    """Time cap of a harness's first run by value: its weight's share of what is left (pure).

    ``weight_left`` is the weight of the harnesses not yet run, this one included. The campaign
    takes the smaller of this and :func:`safety_cap`; later rounds use what is left.
    """
    if weight_left <= 0 or weight <= 0:
        return max(int(remaining), MIN_HARNESS_BUDGET)
    return max(int(remaining * min(weight / weight_left, 1.0)), MIN_HARNESS_BUDGET)


PROBE_FIRST_CAP_S = 2.0  # seconds of the probing phase per planned harness, at most
PROBE_FIRST_MIN_S = 1.0  # below this per harness, no probing phase (the crash pass stays in each first run)


def probe_first_seconds(amplify_share: float, budget: float, planned: int) -> float | None:
    """Seconds of the probing phase of each planned harness; None: no phase (pure).

    The phase is amplification's crash pass moved before any libFuzzer run: half of the
    amplification share of ``fuzz.time`` (the part of each first run's amplification the crash
    pass had), split evenly, at most PROBE_FIRST_CAP_S each. Evenly and in plan order: the same
    plan probes the same harnesses for the same time, whatever their value.
    """
    if planned <= 0 or amplify_share <= 0 or budget <= 0:
        return None
    seconds = min(PROBE_FIRST_CAP_S, amplify_share * budget / 2 / planned)
    return round(seconds, 2) if seconds >= PROBE_FIRST_MIN_S else None


def _number(value: object) -> float:
    """A seconds figure read from a harness process's record (0.0 when it is not a number)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def amplify_phase_seconds(share: float) -> float:
    """Seconds of a harness's whole amplification in the probing phase: its share by value of
    ``fuzz.amplify`` x ``fuzz.time``, within AMPLIFY_FLOOR_S..AMPLIFY_CAP_S (pure)."""
    return round(min(max(share, AMPLIFY_FLOOR_S), AMPLIFY_CAP_S), 1)


MAX_RESUMES = 3  # runs of a harness past a crash it reported, in one scan

GRACE_FACTOR = 4.0  # times the longest start-up measured in this scan
GRACE_FLOOR_S = 10.0  # never below this (nor above the operator's fuzz.startup_grace)


def startup_grace(ceiling: float, startups: list[float], killed_before_start: int) -> tuple[float, str]:
    """Start-up grace of the next harness, and how it was chosen (pure).

    ``ceiling`` is the operator's ``fuzz.startup_grace``: before anything was measured, or once a
    harness of this scan was killed before fuzzing started (this project's start-ups vary), the
    grace is the ceiling. Otherwise it fits this project: GRACE_FACTOR times the longest start-up
    measured so far (launch to ``atheris.Fuzz``, recorded in the harness processes), at least
    GRACE_FLOOR_S, at most the ceiling. Only the operator raises the ceiling: the start-up is the
    project's code, and the scan's process cap is derived from it.
    """
    if killed_before_start or not startups:
        return ceiling, (" (fuzz.startup_grace: a harness of this scan was already killed before it started)" if killed_before_start else "")
    longest = max(startups)
    grace = round(min(ceiling, max(GRACE_FLOOR_S, GRACE_FACTOR * longest)), 1)
    if grace >= ceiling:
        return ceiling, f" (fuzz.startup_grace; the longest start-up measured in this scan took {longest:.1f} s)"
    return grace, f" (fitted to this project: {GRACE_FACTOR:g} x the longest start-up measured in this scan, {longest:.1f} s, at least {GRACE_FLOOR_S:g} s; at most fuzz.startup_grace = {ceiling:g} s)"


def harness_seed(relative: str, seed: int | None) -> int:
    """libFuzzer's ``-seed``: the one given, else fixed per harness (the same plan runs the same inputs)."""
    if seed is not None:
        return seed
    # From the file name only: a generated harness lives in a per-machine folder, its name does not.
    return zlib.crc32(Path(relative).name.encode()) % 2_000_000_000 + 1


def run_campaign(
    *, root: Path, python: str, config: Any, fuzz_dir: Path, progress: Callable[[str, str], None] | None = None, seed: int | None = None
) -> FuzzCampaign:
    """Run the whole campaign; never raises for a failing harness or a missing tool."""
    started = time.monotonic()
    say = progress or (lambda subject, event: None)
    budget = float(config.get("fuzz.time"))
    allow_env = list(config.get("allow_env"))
    network = bool(config.get("network"))
    surface = find_surface(root, config.get("exclude"))
    files, problems = find_harnesses(root, list(config.get("fuzz.harnesses")))
    harnesses = [item for item in files if item.is_harness]
    surface_evidence = Evidence(
        provenance=Provenance.INSPECTED,
        summary=f"read {surface.files_scanned} module(s) of the project's own packages: {surface.public_functions} public "
        f"function(s)/method(s), {len(surface.entry_points)} take bytes, text or a stream (fuzzable entry points)"
        + (
            f"; {len(surface.skipped)} not fuzzed (an input type that cannot be built from fuzz bytes, or a module that cannot be imported on this platform): "
            + "; ".join(f"{entry_id} ({reason})" for entry_id, reason in surface.skipped[:10])
            + (" ..." if len(surface.skipped) > 10 else "")
            if surface.skipped
            else ""
        ),
    )
    common: dict[str, Any] = {"surface": surface, "harness_files": tuple(files), "budget_s": budget, "problems": tuple(problems), "fuzz_dir": str(fuzz_dir)}
    if budget <= 0:
        return FuzzCampaign("disabled", "fuzzing is disabled (fuzz.time = 0)", evidence=(surface_evidence,), **common)
    if not harnesses and not surface.entry_points:
        return FuzzCampaign("nothing-to-fuzz", "no harness and no entry point that takes untrusted input", evidence=(surface_evidence,), **common)
    version, probe, overlay_error = ensure_atheris(python, root)
    if version is None:
        probe_evidence = Evidence(
            provenance=Provenance.EXECUTED,
            summary=f"atheris is not importable in the target interpreter {python}" + (f"; {overlay_error}" if overlay_error else ""),
            tool="atheris",
            argv=probe.argv,
            exit_code=probe.exit_code,
            stderr_tail=probe.stderr_tail(5),
        )
        return FuzzCampaign(
            "error",
            f"atheris is not installed in the target interpreter {python} and could not be added from the toolkit's overlay"
            + (f" ({overlay_error.splitlines()[-1] if overlay_error.strip() else overlay_error})" if overlay_error else "")
            + " (pip install atheris there, or pass --python)",
            evidence=(surface_evidence, probe_evidence),
            **common,
        )
    input_timeout = int(config.get("fuzz.input_timeout"))
    deadline = started + budget

    # The store's generated harnesses follow the code before their stored crashes are replayed: a
    # function that has since documented the exception must not keep failing on a stale harness.
    generated_dir = fuzz_dir / "generated"
    if generated_dir.is_dir():
        by_file = {harness_filename(entry): entry for entry in surface.entry_points}
        write_harnesses(root, generated_dir, [by_file[path.name] for path in sorted(generated_dir.glob("*.py")) if path.name in by_file], refresh_stale=True)

    # Stored crashes whose harness still exists are replayed: a crash that reproduces is unresolved.
    unresolved: list[store.StoredCrash] = []
    for crash in store.list_crashes(fuzz_dir)[:20]:
        harness_path = root / crash.harness
        if not harness_path.is_file() or time.monotonic() > deadline - MIN_HARNESS_BUDGET:
            continue
        replayed = store.replay(python, root, harness_path, crash.input_path, input_timeout + 10.0, allow_env, network)
        if not replayed.ok:
            unresolved.append(crash)

    # Credit comes from what the fuzzing called, recorded in the harness process by the probe
    # launcher; a harness's text (the names it mentions) only helps plan the budget. The project's
    # harnesses run first; then harnesses are generated for the entry points none of them reached.
    entry_ids = [entry.id for entry in surface.entry_points]
    probe = ([(entry.id, entry.path, entry.qualname) for entry in surface.entry_points], product_paths(root))
    claimed = {entry_id for harness in harnesses for entry_id in covered_entries(harness, entry_ids)}
    generate = bool(config.get("fuzz.generate"))
    max_generated = int(config.get("fuzz.max_generated"))
    priority = {entry.id: entry.priority for entry in surface.entry_points}
    weights = {harness.path: harness_weight([priority[e] for e in covered_entries(harness, entry_ids)]) for harness in harnesses}
    # Plan by value: the project's harnesses that drive entry points (parsers first), then harnesses
    # generated for the entry points none of them reached (parsers first), then the project's helpers.
    first = sorted((h for h in harnesses if weights[h.path] > WEIGHT_HELPER), key=lambda h: (-weights[h.path], h.path))
    helpers = sorted((h for h in harnesses if weights[h.path] <= WEIGHT_HELPER), key=lambda h: h.path)
    unclaimed = [entry for entry in surface.entry_points if entry.id not in claimed] if generate else []
    expected_generated = [harness_weight([entry.priority]) for entry in unclaimed[:max_generated]]
    planned_weights = [weights[h.path] for h in first] + expected_generated + [weights[h.path] for h in helpers]
    explicit_runs = int(config.get("fuzz.runs")) > 0
    runs_total = int(config.get("fuzz.runs")) or int(budget * DERIVED_RATE)
    unit_runs = runs_total / max(sum(planned_weights), 1e-9)
    left = [len(planned_weights)]  # planned harnesses not yet run
    generated_entry_of: dict[str, str] = {}
    text_of = {harness.path: harness.text for harness in harnesses}
    generated_paths: list[str] = []
    runs: list[HarnessRun] = []
    found: list[FoundCrash] = []
    skipped: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    covered: dict[str, list[str]] = {}
    slow: dict[str, SlowInput] = {}
    cap = float(config.get("fuzz.harness_time"))
    grace_ceiling = float(config.get("fuzz.startup_grace"))
    amplify_share = float(config.get("fuzz.amplify"))
    total_weight = max(sum(planned_weights), 1e-9)
    amplified_after: dict[int, tuple[float, int]] = {}  # run index -> (seconds, crashes found) of the probing in a process of its own after it
    triaged_amplified: set[str] = set()  # amplified crash inputs already replayed in this scan
    weight_left = [sum(planned_weights)]  # of the planned harnesses not yet run
    round_weight_left = [0.0]  # of the harnesses a later round chose and has not run yet
    entry_by_id = {entry.id: entry for entry in surface.entry_points}
    probed_harnesses: set[str] = set()  # harnesses whose crash pass ran in the probing phase
    probe_runs: dict[str, HarnessRun] = {}  # the probing phase's timing process of each harness timed there
    timing_plan: list[tuple[str, bool]] = []  # harnesses whose crash pass ran on a corpus: their timing comes next
    probed_timing: list[tuple[str, float, int]] = []
    probed_first: list[tuple[str, float, int]] = []
    seeds_set_aside: list[tuple[str, int]] = []
    retried: set[str] = set()  # harnesses run again after a crash while libFuzzer loaded their corpus
    retry: set[str] = set()  # of those, the ones the next round runs
    known: list[tuple[str, str]] = []  # reported exceptions (type, innermost product frame): not a crash again in later runs
    resumable: set[str] = set()  # harnesses whose latest run stopped at a crash the launcher can now recognise
    resumes: dict[str, int] = {}  # harness -> runs after a crash in this scan

    def prepare_corpus(relative: str, earlier: list[str]) -> Path:
        """The harness's corpus: the project's test data, quoted examples of its package's source
        (text harnesses), and what the ``earlier`` generated harnesses of its package found."""
        corpus = fuzz_dir / "corpus" / corpus_name(relative)
        seed_corpus(root, corpus, fdp_text_seed if reads_fdp_text(text_of.get(relative, "")) else None)
        entry = entry_by_id.get(generated_entry_of.get(relative, ""))
        if entry is not None and any(kind.endswith("str") for kind in entry.kinds) and not any(corpus.glob("source-*")):
            # Quoted examples are text: a binary parser gets none (they would only dilute its corpus).
            package = root.joinpath(*Path(entry.path).parts[: 2 if entry.path.startswith("src/") else 1])
            files = [path for path in (package.rglob("*.py") if package.is_dir() else [package]) if path.is_file() and not path.is_symlink()]
            for data in source_seeds(sorted(files)):
                (corpus / f"source-{hashlib.sha256(data).hexdigest()[:16]}").write_bytes(data)
        if entry is not None:
            # A generated harness starts from what the earlier generated harnesses of its package found
            # for the same kind of input (each reads the raw input: their corpora are in one format).
            donors = [
                fuzz_dir / "corpus" / corpus_name(other)
                for other in earlier
                if other != relative and (donor := entry_by_id.get(generated_entry_of.get(other, ""))) is not None and same_input(entry, donor)
            ]
            share_corpus(corpus, donors)
        return corpus

    def reported() -> frozenset[str]:
        return frozenset(item.crash.crash_id for item in found)

    def learn(crash: store.StoredCrash) -> bool:
        """Remember a reported exception by its type and innermost product frame; True when it can be
        recognised in the harness process (that frame is in the product's code)."""
        if crash.kind != "exception" or not crash.top_frames:
            return False
        place = crash.top_frames[0].split(" in ", 1)[0]
        path = place.rsplit(":", 1)[0]
        if not any(path == product or path.startswith(product.rstrip("/") + "/") for product in probe[1]):
            return False
        item = (crash.exception.split(":", 1)[0].rsplit(".", 1)[-1], place)
        if item not in known:
            known.append(item)
        return True

    def triage_amplified(relative: str, run: HarnessRun, harness_path: Path, crash_dir: Path, found_by: str = "amplification") -> int:
        """Replay and triage the inputs amplification kept as crashes; returns the new crashes reported."""
        crashes_found = 0
        for path in sorted(crash_dir.glob("amplified-*")) if crash_dir.is_dir() else []:
            if path.name in triaged_amplified or path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024:
                continue  # written by the harness process: a link or a big file is not an amplified input
            triaged_amplified.add(path.name)
            # An amplified input the harness raised on: replayed and triaged like a crash libFuzzer found.
            replayed = store.replay(python, root, harness_path, path, input_timeout + 10.0, allow_env, network)
            if replayed.ok or replayed.timed_out:
                continue
            crashed = replace(run, status="crash", kind="exception", artifact=str(path), stdout=replayed.stdout, stderr=replayed.stderr)
            triaged = _triage(crashed, root, harness_path, python, fuzz_dir, config, allow_env, deadline, surface.entry_points, reported())
            if isinstance(triaged, FoundCrash):
                learn(triaged.crash)
                if all(item.crash.crash_id != triaged.crash.crash_id for item in found):
                    found.append(replace(triaged, found_by=found_by))
                    crashes_found += 1
            else:
                dropped.append((relative, triaged))
        return crashes_found

    def keep_amplified(relative: str, harness: str, generated: bool, amplified: AmplifiedGrowth | None) -> None:
        """One slow finding per harness: amplification's ladders of all its runs in this scan merged."""
        if amplified is None or (relative in slow and not isinstance(slow[relative].growth, AmplifiedGrowth)):
            return
        earlier = slow[relative].growth if relative in slow else None
        merged = merge_amplified(earlier if isinstance(earlier, AmplifiedGrowth) else None, amplified)
        slow[relative] = save_slow_input(fuzz_dir / "slow-inputs" / corpus_name(relative), harness, generated, merged)

    def fuzz(relative: str, generated: bool, weight: float, round_: int = 0) -> HarnessRun | None:
        remaining = deadline - time.monotonic()
        if round_ == 0:
            left[0] = max(left[0] - 1, 0)
        harness_budget = safety_cap(remaining, left[0], cap)
        if round_ == 0 and harness_budget is not None:
            harness_budget = min(harness_budget, value_cap(remaining, weight, weight_left[0]))
            weight_left[0] = max(weight_left[0] - weight, 0.0)
        elif harness_budget is not None:
            # A later round shares what is left by weight among the harnesses it chose (one slow
            # harness's executions would otherwise take all of it); what one does not use goes on.
            harness_budget = min(harness_budget, value_cap(remaining, weight, round_weight_left[0]))
            round_weight_left[0] = max(round_weight_left[0] - weight, 0.0)
        executions = max(RUNS_FLOOR, int(unit_runs * weight))
        if harness_budget is None:
            if round_ == 0:
                skipped.append((relative, f"budget exhausted ({max(remaining, 0):.0f} s left of {budget:g} s)"))
            return None
        harness_path = root / relative if not Path(relative).is_absolute() else Path(relative)
        corpus = fuzz_dir / "corpus" / corpus_name(relative)
        if round_ == 0:
            prepare_corpus(relative, generated_paths)
        else:
            seed_corpus(root, corpus, fdp_text_seed if reads_fdp_text(text_of.get(relative, "")) else None)
        say(relative, f"fuzzing {executions} executions (time cap {harness_budget} s)")
        startups = [run.probe.startup_s for run in runs if run.stats.started and run.probe is not None and run.probe.startup_s is not None]
        killed_early = sum(1 for run in runs if run.status == "killed" and not run.stats.started)
        grace, grace_why = startup_grace(grace_ceiling, startups, killed_early)
        # Amplification probing of the corpus, in the harness's process before libFuzzer starts: its
        # share by value in the first run, the floor in later rounds (for the inputs the fuzzer found
        # since; inputs amplified to the end in this scan are listed in the seen file and left out).
        amplify_s = None
        seen_file = fuzz_dir / "artifacts" / corpus_name(relative) / "amplify-seen.txt"
        crash_dir = fuzz_dir / "artifacts" / corpus_name(relative) / "amplified"
        # A corpus the probing phase timed already is not amplified again in the first run: libFuzzer gets all of it.
        if amplify_share > 0 and not (round_ == 0 and relative in probe_runs):
            if round_ == 0:
                seen_file.unlink(missing_ok=True)
                for stale in crash_dir.glob("amplified-*") if crash_dir.is_dir() and not crash_dir.is_symlink() else []:
                    stale.unlink(missing_ok=True)
            amplify_s = amplify_seconds(amplify_share * budget * weight / total_weight if round_ == 0 else AMPLIFY_FLOOR_S, harness_budget)
        # The crash pass ran in the probing phase for a harness probed there (and once is enough).
        crash_pass = {"crash_pass": False} if round_ == 0 and relative in probed_harnesses else {}
        run_args: dict[str, Any] = dict(
            python=python,
            root=root,
            harness=harness_path,
            generated=generated,
            budget_s=harness_budget,
            corpus=corpus,
            artifacts=fuzz_dir / "artifacts" / corpus_name(relative),
            input_timeout=input_timeout,
            rss_limit_mb=int(config.get("fuzz.rss_limit_mb")),
            grace_s=grace,
            grace_why=grace_why,
            allow_env=allow_env,
            seed=harness_seed(relative, seed) + round_,
            runs=executions,
            network=network,
            probe=probe,
            known_crashes=tuple(known),
        )
        run = run_harness(**run_args, amplify=amplify_config(amplify_s, reads_fdp_text(text_of.get(relative, "")), seen_file, crash_dir) | crash_pass if amplify_s is not None else None)
        died_amplifying = run.probe is not None and run.probe.amplify is not None and "seconds" not in run.probe.amplify
        if amplify_s is not None and not run.stats.started and died_amplifying:
            # The process ended inside amplification (a native crash, a hang in native code, memory):
            # run again without it, as any other harness.
            run = run_harness(**run_args)
            amplify_s = None
        runs.append(run)
        if run.status == "crash" and not run.stats.started and run.artifact and relative not in retried:
            # libFuzzer stopped at a crashing input while it loaded the corpus: the harness never fuzzed.
            # The input (triaged below) and the unvetted inputs shared from other harnesses' corpora
            # are set aside, and the harness is run again in the next round (once).
            if set_aside_crashing(corpus, Path(run.artifact), fuzz_dir / "artifacts" / corpus_name(relative) / "set-aside"):
                retried.add(relative)
                retry.add(relative)
        if run.stats.started and run.probe is not None:
            for entry_id in run.probe.entries:
                covered.setdefault(entry_id, []).append(relative)
            growth = judge_probe(run.probe.timing)
            # One finding per harness: the strongest growth over its runs in this scan.
            if growth is not None and (relative not in slow or growth.ratio > slow[relative].growth.ratio):
                slow[relative] = save_slow_input(fuzz_dir / "slow-inputs" / corpus_name(relative), run.harness, generated, growth)
        if run.probe is not None:  # amplification ran before libFuzzer: judged even when the fuzz loop never started
            keep_amplified(relative, run.harness, generated, judge_amplify(run.probe.amplify))
        resumable.discard(relative)
        if run.status == "crash" and run.artifact and run.kind:
            triaged = _triage(run, root, harness_path, python, fuzz_dir, config, allow_env, deadline, surface.entry_points, reported())
            if isinstance(triaged, FoundCrash):
                if learn(triaged.crash) and run.stats.started:
                    resumable.add(relative)  # fuzzed again in a later round, past this crash
                found.append(triaged)
            else:
                dropped.append((relative, triaged))
        record = run.probe.amplify if run.probe is not None else None
        crashes_found = 0
        spent: object = None
        if amplify_s is not None and record is not None and record.get("inputs") == 0 and run.status == "ok" and any(corpus.iterdir()):
            # The corpus was empty when the run started (no seeds): its inputs are the fuzzer's, probed now,
            # in a process of its own, within the seconds libFuzzer was not given.
            probing = run_harness(
                python=python, root=root, harness=harness_path, generated=generated, budget_s=max(int(amplify_s), 1), corpus=corpus,
                artifacts=fuzz_dir / "artifacts" / corpus_name(relative), input_timeout=input_timeout, rss_limit_mb=int(config.get("fuzz.rss_limit_mb")),
                grace_s=grace, grace_why=grace_why, allow_env=allow_env, network=network, probe=probe,
                amplify=amplify_config(amplify_s, reads_fdp_text(text_of.get(relative, "")), seen_file, crash_dir) | {"then_fuzz": False},
            )
            probed = probing.probe.amplify if probing.probe is not None else None
            spent = probed.get("seconds") if probed else None
            keep_amplified(relative, run.harness, generated, judge_amplify(probed))
        crashes_found += triage_amplified(relative, run, harness_path, crash_dir)
        if spent is not None or crashes_found:
            amplified_after[len(runs) - 1] = (float(spent) if isinstance(spent, (int, float)) and not isinstance(spent, bool) else 0.0, crashes_found)
        return run

    # The probing phase: cheap deterministic work for every planned harness before libFuzzer splits
    # the budget. Each harness's corpus is prepared and its crash pass (every input once, one level
    # of each nesting) runs in a process of its own without coverage instrumentation, in plan order,
    # for the same seconds each: a crash reachable by probing is found in seconds whatever the
    # harness's place in the plan. Harnesses are generated here for the entry points no harness of
    # the project names (the later plan generates the same files for what the runs did not reach).
    probe_plan: list[tuple[str, bool]] = [(harness.path, harness.generated) for harness in first]
    if generate and unclaimed:
        for written in write_harnesses(root, fuzz_dir / "generated", unclaimed[:max_generated], refresh_stale=True):
            relative = written.path.resolve().relative_to(root.resolve()).as_posix() if written.path.resolve().is_relative_to(root.resolve()) else str(written.path)
            generated_entry_of[relative] = written.entry.id
            probe_plan.append((relative, True))
    probe_plan += [(harness.path, harness.generated) for harness in helpers]
    def probe_only(relative: str, generated_harness: bool, seconds: float, seen_file: Path | None, mode: dict[str, object]) -> HarnessRun:
        """A probing process of the phase: amplification only (``mode``), libFuzzer never starts."""
        artifacts = fuzz_dir / "artifacts" / corpus_name(relative)
        grace, grace_why = startup_grace(grace_ceiling, [], 0)
        return run_harness(
            python=python, root=root, harness=root / relative if not Path(relative).is_absolute() else Path(relative), generated=generated_harness,
            budget_s=max(math.ceil(seconds), 1), corpus=fuzz_dir / "corpus" / corpus_name(relative), artifacts=artifacts, input_timeout=input_timeout,
            rss_limit_mb=int(config.get("fuzz.rss_limit_mb")), grace_s=grace, grace_why=grace_why, allow_env=allow_env, network=network, probe=probe,
            amplify=amplify_config(seconds, reads_fdp_text(text_of.get(relative, "")), seen_file, artifacts / "amplified") | {"then_fuzz": False} | mode,
        )

    probe_s = probe_first_seconds(amplify_share, budget, len(probe_plan))
    probed_generated: list[str] = []
    phase_left = amplify_share * budget  # the amplification share, of which the phase uses what it really spends
    for relative, generated_harness in probe_plan:
        if probe_s is None or deadline - time.monotonic() - probe_s < FLOOR_RESERVE_S * len(probe_plan):
            break  # the phase never takes a planned harness's floor
        harness_path = root / relative if not Path(relative).is_absolute() else Path(relative)
        corpus = prepare_corpus(relative, probed_generated)
        if generated_harness:
            probed_generated.append(relative)
        crash_dir = fuzz_dir / "artifacts" / corpus_name(relative) / "amplified"
        for stale in crash_dir.glob("amplified-*") if crash_dir.is_dir() and not crash_dir.is_symlink() else []:
            stale.unlink(missing_ok=True)
        say(relative, f"probing its corpus for crashes ({probe_s:g} s)")
        probing = probe_only(relative, generated_harness, probe_s, None, {"crash_only": True})
        record = probing.probe.amplify if probing.probe is not None else None
        if record is None or "seconds" not in record:
            continue  # the process ended before or inside the probing (it is fuzzed as planned, crash pass included)
        probed_harnesses.add(relative)
        # Corpus inputs the harness raised on are set aside (at least one per crash place is triaged
        # and stored): libFuzzer stops at the first crashing input while it loads the corpus, and the
        # harness would never fuzz.
        aside = set_aside(corpus, record.get("raised_inputs"), fuzz_dir / "artifacts" / corpus_name(relative) / "set-aside")
        if aside:
            seeds_set_aside.append((relative, aside))
        seconds = _number(record.get("seconds"))
        phase_left -= seconds
        probed_first.append((relative, seconds, triage_amplified(relative, probing, harness_path, crash_dir, "probing phase")))
        if record.get("inputs"):
            timing_plan.append((relative, generated_harness))  # an empty corpus is amplified after the first run, on what the fuzzer found

    # Then the timing ladders, in plan order, each harness with its share by value of the
    # amplification seconds (as its first run would have had them) while the share lasts: a slow
    # input is found before any libFuzzer run, after every crash pass. A harness past that keeps its
    # timing for its first run.
    for relative, generated_harness in timing_plan:
        entry_id = generated_entry_of.get(relative, "")
        weight = harness_weight([priority[entry_id]]) if entry_id in priority else weights.get(relative, WEIGHT_HELPER)
        timing_s = amplify_phase_seconds(amplify_share * budget * weight / total_weight)
        if timing_s > phase_left + AMPLIFY_FLOOR_S / 2 or deadline - time.monotonic() - timing_s < FLOOR_RESERVE_S * len(probe_plan):
            break
        harness_path = root / relative if not Path(relative).is_absolute() else Path(relative)
        crash_dir = fuzz_dir / "artifacts" / corpus_name(relative) / "amplified"
        seen_file = fuzz_dir / "artifacts" / corpus_name(relative) / "amplify-seen.txt"
        seen_file.unlink(missing_ok=True)
        say(relative, f"probing its corpus for slow inputs ({timing_s:g} s)")
        probing = probe_only(relative, generated_harness, timing_s, seen_file, {"crash_pass": False})
        record = probing.probe.amplify if probing.probe is not None else None
        if record is None or "seconds" not in record:
            continue  # the process ended inside the timing: its first run probes as planned
        probe_runs[relative] = probing
        keep_amplified(relative, probing.harness, generated_harness, judge_amplify(record))
        seconds = _number(record.get("seconds"))
        phase_left -= seconds
        probed_timing.append((relative, seconds, triage_amplified(relative, probing, harness_path, crash_dir, "probing phase")))

    for harness in first:
        fuzz(harness.path, harness.generated, weights[harness.path])
    uncovered = [entry for entry in surface.entry_points if entry.id not in covered]
    if uncovered and generate:
        chosen = uncovered[:max_generated]
        # The plan counted the entry points no harness names; correct it for what the runs reached.
        left[0] += len(chosen) - len(expected_generated)
        weight_left[0] += sum(harness_weight([entry.priority]) for entry in chosen) - sum(expected_generated)
        for written in write_harnesses(root, fuzz_dir / "generated", chosen, refresh_stale=True):
            relative = written.path.resolve().relative_to(root.resolve()).as_posix() if written.path.resolve().is_relative_to(root.resolve()) else str(written.path)
            generated_paths.append(relative)
            generated_entry_of[relative] = written.entry.id
            fuzz(relative, True, harness_weight([written.entry.priority]))
    else:
        left[0] -= len(expected_generated)
        weight_left[0] -= sum(expected_generated)
    for harness in helpers:
        fuzz(harness.path, harness.generated, weights[harness.path])
    # Time the plan did not use is handed on, round after round, to the harnesses whose coverage was
    # still growing (cov above what their corpus reached; when none is, to every harness that did
    # not crash), in plan order, the same executions each with the next seed: the first round is the
    # deterministic budget, later rounds only use what is left of the cap.
    order = [harness.path for harness in first] + generated_paths + [harness.path for harness in helpers]
    generated_set = set(generated_paths)
    weight_of = weights | {path: harness_weight([priority.get(generated_entry_of.get(path, ""), 1)]) for path in generated_paths}
    round_ = 1
    # An execution budget the operator set (fuzz.runs) is the whole budget: no rounds beyond it, so the
    # scan takes as long as those executions do, whatever the time cap.
    while not explicit_runs and deadline - time.monotonic() >= MIN_HARNESS_BUDGET + 1:
        latest = {run.harness: run for run in runs}
        # A harness that did not crash and whose inputs reached product code (one that reaches nothing gains nothing).
        alive = [path for path in order if path in latest and latest[path].status == "ok" and (latest[path].probe is None or latest[path].probe.reached_product)]
        growing = [path for path in alive if latest[path].stats.cov_grew]
        again = [path for path in order if path in retry]  # set aside a crashing corpus input: fuzzed from the rest
        retry.clear()
        # A harness libFuzzer stopped at a crash it reported goes on past it (at most MAX_RESUMES times a scan).
        past_crash = [path for path in order if path in resumable and resumes.get(path, 0) < MAX_RESUMES and path in latest]
        if not alive and not again and not past_crash:
            break
        chosen_now = set(growing or alive) | set(again) | set(past_crash)
        round_weight_left[0] = sum(weight_of.get(path, WEIGHT_HELPER) for path in chosen_now)
        for path in [path for path in order if path in chosen_now]:
            if path in past_crash:
                resumes[path] = resumes.get(path, 0) + 1
            if fuzz(path, path in generated_set or latest[path].generated, weight_of.get(path, WEIGHT_HELPER), round_) is None:
                break
        round_ += 1
    plan = [harness.path for harness in first] + generated_paths + [harness.path for harness in helpers]
    capped = [run for run in runs if run.capped]
    wall = time.monotonic() - started
    evidence = [surface_evidence] + [_run_evidence(run, version) for run in runs]
    reproducers = {item.crash.crash_id: item.crash for item in found} | {crash.crash_id: crash for crash in unresolved}
    if slow:
        evidence.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"{len(slow)} harness(es) whose time per input grew faster than the input (timed in the harness process by input size); "
                "the slowest input of each is saved under slow-inputs/ in the fuzz folder",
                tool="atheris",
                tool_version=version,
                artifacts=tuple(Artifact(path=item.input_path, sha256=item.sha256) for item in slow.values() if item.input_path and item.sha256),
            )
        )
    if reproducers:
        evidence.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"{len(reproducers)} crash reproducer(s) in the crash store (input + meta.json each); replay with `baseline fuzz replay <id>`",
                tool="atheris",
                tool_version=version,
                artifacts=tuple(
                    Artifact(path=str(crash.input_path), sha256=file_sha256(crash.input_path)) for crash in reproducers.values() if crash.input_path.is_file()
                ),
            )
        )
    ran = len({run.harness for run in runs if run.stats.started})
    message = (
        f"{ran} of {len(plan)} harness(es) fuzzed: {sum(run.stats.execs for run in runs)} executions in "
        f"{sum(run.fuzzed_s for run in runs):.0f} s; {len(found)} crash(es) found"
        + (f"; {len(slow)} harness(es) with slow inputs (time per input grows faster than the input)" if slow else "")
        + (f"; {len(capped)} harness(es) stopped by the time cap before their executions were done ({', '.join(run.harness for run in capped)})" if capped else "")
    )
    return FuzzCampaign(
        "ok",
        message,
        runs=tuple(runs),
        found=tuple(found),
        unresolved=tuple(unresolved),
        generated=tuple(generated_paths),
        covered={key: tuple(value) for key, value in covered.items()},
        skipped=tuple(skipped),
        dropped=tuple(dropped),
        slow=tuple(slow.values()),
        amplified_after=dict(amplified_after),
        probed_first=tuple(probed_first),
        probe_runs=dict(probe_runs),
        probed_timing=tuple(probed_timing),
        seeds_set_aside=tuple(seeds_set_aside),
        wall_s=round(wall, 3),
        atheris_version=version,
        atheris_overlay=str(harness_readable(python)[1]) if harness_readable(python) else None,
        evidence=tuple(evidence),
        **common,
    )


MINIMIZE_FLOOR_S = 2  # seconds of minimisation every crash gets, even past the fuzzing deadline


def minimize_seconds(configured: int, remaining: float) -> int:
    """Seconds to minimise one crash input: ``fuzz.minimize_time`` within what is left of the budget,
    but never below MINIMIZE_FLOOR_S (a crash found at the end of the budget is minimised too:
    a crash is reported once, its input is what a developer debugs); 0 only when configured 0."""
    if configured <= 0:
        return 0
    return max(min(configured, int(remaining)), min(configured, MINIMIZE_FLOOR_S))


def _triage(
    run: HarnessRun, root: Path, harness: Path, python: str, fuzz_dir: Path, config: Any, allow_env: list[str], deadline: float,
    entries: tuple[EntryPoint, ...] = (), reported: frozenset[str] = frozenset(),
) -> FoundCrash | str:
    """Describe, confirm, minimise and store one crash; a string says why it was dropped.

    An exception that is an entry point's documented behaviour (see
    :func:`~baseline.fuzz.triage.documented_behaviour`), whatever harness raised it, is not
    reported; another is replayed first (``python <harness> <input>``, as ``baseline fuzz replay``
    does): one that does not reproduce is not reported. A minimised input replaces the found one
    only when it still crashes the same way; a crash already ``reported`` in this scan (its crash
    id) is not minimised again.
    """
    artifact = Path(run.artifact or "")
    kind = run.kind or "exception"
    stdout, stderr = run.stdout, run.stderr
    network = bool(config.get("network"))
    replay_timeout = float(config.get("fuzz.input_timeout")) + 10
    if kind == "native":
        replayed = replay_with_faulthandler(python, root, harness, artifact, replay_timeout, allow_env, network)
        stdout, stderr = replayed.stdout, replayed.stderr + "\n" + run.stderr
    info = describe_crash(kind, stdout, stderr, root, harness)
    data = artifact.read_bytes()
    if kind == "exception":
        documented = documented_behaviour(info, entries)
        if documented:
            return f"{info.exception} is documented behaviour of {documented} (raised where it says): not reported"
        confirm = store.replay(python, root, harness, artifact, replay_timeout, allow_env, network)
        if confirm.ok:
            return f"{info.exception} did not reproduce when its input was replayed: not reported"
    minimized = False
    seconds = minimize_seconds(int(config.get("fuzz.minimize_time")), deadline - time.monotonic()) if f"{kind}-{info.signature}" not in reported else 0
    if kind == "exception" and len(data) > 1 and seconds >= 1:
        smaller = minimize(python=python, root=root, harness=harness, crash_input=artifact, out_dir=fuzz_dir / "minimize", seconds=seconds, allow_env=allow_env, network=network)
        if smaller is not None:
            check = store.replay(python, root, harness, smaller, replay_timeout, allow_env, network)
            same = not check.ok and describe_crash(kind, check.stdout, check.stderr, root, harness).signature == info.signature
            if same:
                data, minimized = smaller.read_bytes(), True
    stored, new = store.save_crash(fuzz_dir, run.harness, run.generated, info, data)
    return FoundCrash(stored, new, minimized)


def _run_evidence(run: HarnessRun, version: str) -> Evidence:
    stats = run.stats
    summary = (
        f"fuzzed {run.harness}{' (generated)' if run.generated else ''} for {run.fuzzed_s:.0f} s of a {run.budget_s} s budget: "
        f"{stats.execs} executions, {stats.exec_per_s:.0f} exec/s, cov {stats.cov}, ft {stats.ft}, corpus {stats.corpus_units}; "
        f"ended: {run.status}{' (' + run.kind + ')' if run.kind else ''}{': ' + run.note if run.note else ''}"
        + (
            f"; recorded in the harness process: {run.probe.executions} executions, {len(run.probe.functions)} product function(s) reached, "
            f"entry points called: {', '.join(run.probe.entries) or 'none'}"
            + (f"; start-up {run.probe.startup_s:.1f} s (grace {run.grace_s:g} s)" if run.probe.startup_s is not None else f"; start-up grace {run.grace_s:g} s")
            if run.probe is not None
            else "; nothing was recorded in the harness process (the probe did not run)"
        )
    )
    return Evidence(
        provenance=Provenance.EXECUTED,
        summary=summary,
        tool="atheris",
        tool_version=version,
        argv=run.argv,
        exit_code=run.exit_code,
        duration_s=run.duration_s,
        stderr_tail=None if run.status == "ok" else "\n".join((run.stdout.strip() + "\n" + run.stderr.strip()).strip().splitlines()[-20:]),
    )


class FuzzRunner:
    """The shared run of the fuzzing campaign (executed once per scan)."""

    key = "fuzz-run"

    def execute(self, context: Any) -> FuzzCampaign:
        """Run the campaign on the scan's target with the scan's configuration."""
        fuzz_dir = fuzz_dir_for(context.root, context.config, context.work_dir)
        return run_campaign(root=context.root, python=context.python, config=context.config, fuzz_dir=fuzz_dir, progress=context.progress)


FUZZ_RUN = FuzzRunner()
