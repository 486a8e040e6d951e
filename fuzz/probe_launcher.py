"""Run an atheris harness and record, inside its process, what the fuzzing really reached.

Usage (by the campaign, in the sandbox, on the target's interpreter)::

    python probe_launcher.py HARNESS [libFuzzer arguments...]

This file runs in the target's interpreter: it imports only the standard library (atheris is
imported from the harness's environment). Before the harness runs, ``atheris.Setup`` is wrapped so
that the harness's test-one-input callback is counted, and for a sample of the executions (every
one of the first 200, then one in 128) a profile hook notes every product function that starts:
the project's fuzzable entry points among them are the ones the fuzzing *called*, whatever the
harness's text says. The record is a JSON file, rewritten atomically as it grows (libFuzzer ends
the process without running Python's exit handlers):
``{"executions": N, "sampled": M, "entries": [...], "functions": [...], "setup": bool}``.

Configuration comes from the environment, which the launcher removes before the harness runs:
``BASELINE_FUZZ_PROBE`` (the record file), ``BASELINE_FUZZ_ENTRIES`` (JSON list of
``[id, path relative to the project, qualname]``) and ``BASELINE_FUZZ_PRODUCT`` (JSON list of
product paths relative to the project).
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import sys
import time
from typing import Any, Callable

_OUT = os.environ.pop("BASELINE_FUZZ_PROBE", "")
_ENTRIES: list[list[str]] = json.loads(os.environ.pop("BASELINE_FUZZ_ENTRIES", "[]") or "[]")
_PRODUCT: list[str] = json.loads(os.environ.pop("BASELINE_FUZZ_PRODUCT", "[]") or "[]")
_ROOT = os.getcwd()
_FULL_SAMPLES = 200
_EVERY = 128
_MAX_FUNCTIONS = 5000

_by_place = {(path, qualname): entry_id for entry_id, path, qualname in _ENTRIES}
_state: dict[str, Any] = {"executions": 0, "sampled": 0, "setup": False, "written": 0.0, "dirty": False, "runs": 0}
_entries: set[str] = set()
_functions: set[str] = set()
_seen: set[Any] = set()
_relative_cache: dict[str, str | None] = {}


def _product_path(filename: str) -> str | None:
    """The project-relative path of a product file, or None."""
    cached = _relative_cache.get(filename, "")
    if cached != "":
        return cached
    relative: str | None = None
    if filename and not filename.startswith("<"):
        try:
            candidate = os.path.relpath(os.path.realpath(filename), os.path.realpath(_ROOT)).replace(os.sep, "/")
        except ValueError:
            candidate = ""
        if candidate and not candidate.startswith("..") and any(candidate == p or candidate.startswith(p.rstrip("/") + "/") for p in _PRODUCT):
            relative = candidate
    _relative_cache[filename] = relative
    return relative


def _profile(frame: Any, event: str, _arg: Any) -> None:
    if event != "call":
        return
    code = frame.f_code
    if code in _seen:
        return
    _seen.add(code)
    relative = _product_path(code.co_filename)
    if relative is None:
        return
    qualname = getattr(code, "co_qualname", code.co_name)
    if len(_functions) < _MAX_FUNCTIONS:
        _functions.add(f"{relative}:{qualname}")
    entry = _by_place.get((relative, qualname))
    if entry is not None:
        _entries.add(entry)
    _state["dirty"] = True


def _write(force: bool = False) -> None:
    if not _OUT:
        return
    now = time.monotonic()
    if not force and not _state["dirty"] and now - _state["written"] < 2.0:
        return
    record = {
        "executions": _state["executions"],
        "sampled": _state["sampled"],
        "setup": _state["setup"],
        "entries": sorted(_entries),
        "functions": sorted(_functions),
    }
    temporary = f"{_OUT}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(temporary, _OUT)
    except OSError:
        return
    _state["written"] = now
    _state["dirty"] = False


def _wrap(callback: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def test_one_input(data: bytes) -> Any:
        count = _state["executions"] = _state["executions"] + 1
        sample = count <= _FULL_SAMPLES or count % _EVERY == 0
        previous = sys.getprofile() if sample else None
        if sample:
            _state["sampled"] += 1
            sys.setprofile(_profile)
        try:
            return callback(data)
        except BaseException:
            if sample:
                sys.setprofile(previous)
            _write(force=True)
            raise
        finally:
            if sample:
                sys.setprofile(previous)
            # libFuzzer ends the process without Python's exit handlers: the record is written at
            # powers of two, every 4096 executions (at most every 2 s), and at the last of -runs.
            if count & (count - 1) == 0 or count == _state["runs"]:
                _write(force=True)
            elif count % 4096 == 0:
                _write()

    return test_one_input


def main() -> None:
    """Wrap atheris.Setup, then run the harness as ``__main__`` with the libFuzzer arguments."""
    if len(sys.argv) < 2:
        print("usage: probe_launcher.py HARNESS [libFuzzer arguments...]", file=sys.stderr)
        raise SystemExit(2)
    harness = sys.argv[1]
    sys.argv = [harness, *sys.argv[2:]]
    for argument in sys.argv[1:]:
        if argument.startswith("-runs=") and argument[6:].isdigit():
            _state["runs"] = int(argument[6:])
    # The harness's folder, not this file's, is the first import location (as when run directly).
    sys.path[0] = os.path.dirname(os.path.abspath(harness))
    atheris: Any = None
    try:
        # imported by name: this file is not a harness, and must not look like one to discovery
        atheris = importlib.import_module("atheris")
    except ImportError:
        pass
    if atheris is not None:
        original = atheris.Setup

        def setup(args: Any, test_one_input: Callable[[bytes], Any], *rest: Any, **options: Any) -> Any:
            _state["setup"] = True
            _write(force=True)
            return original(args, _wrap(test_one_input), *rest, **options)

        atheris.Setup = setup
    _write(force=True)
    runpy.run_path(harness, run_name="__main__")
    _write(force=True)


if __name__ == "__main__":
    main()
