"""Plumbing shared by the self-fuzzing harnesses in this folder (it is not a harness itself).

Each harness feeds bytes to one of the toolkit's own input readers. The reader's documented
errors (the ones the CLI turns into a clear exit-2 message, or that an adapter turns into an
``error`` result) are expected and must say what is wrong; any other exception is a crash.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
DICTS = HERE / "dicts"
_PREFIX = "baseline-selffuzz-"


def documented(exc: BaseException) -> None:
    """An expected error must carry a message: the user has to learn what is wrong."""
    if not str(exc).strip():
        raise AssertionError(f"{type(exc).__name__} raised without a message") from exc


def fuzz_argv(name: str, argv: list[str]) -> list[str]:
    """``argv`` plus this harness's dictionary and seed corpus when libFuzzer is about to fuzz.

    libFuzzer writes new inputs into the first corpus folder, so the committed seeds are only
    ever added after a writable one (a scratch folder when none was given). When the arguments
    name files (replaying a crash, ``-minimize_crash``) or merge corpora, nothing is added.
    """
    seeds = CORPUS / name
    dictionary = DICTS / f"{name}.dict"
    options = [arg for arg in argv[1:] if arg.startswith("-")]
    positional = [arg for arg in argv[1:] if not arg.startswith("-")]
    if any(arg.startswith(("-merge", "-minimize_crash", "-cleanse_crash")) for arg in options):
        return argv
    if not all(os.path.isdir(arg) for arg in positional):
        return argv
    extra = [f"-dict={dictionary}"] if dictionary.is_file() and not any(arg.startswith("-dict=") for arg in options) else []
    if not seeds.is_dir():
        return [argv[0], *extra, *argv[1:]]
    if not positional:
        return [argv[0], *extra, *argv[1:], str(scratch(name) / "corpus"), str(seeds)]
    return [argv[0], *extra, *argv[1:], str(seeds)]


def scratch(name: str) -> Path:
    """A private folder for this process; folders left by processes that are gone are removed.

    libFuzzer ends the process from C, so Python's exit handlers never run: the next run tidies up.
    """
    if name in _SCRATCH:
        return _SCRATCH[name]
    base = Path(tempfile.gettempdir())
    # Process ids cannot tell folders apart: under the toolkit's sandbox every harness runs in its
    # own PID namespace, where two concurrent runs can both be process 3. A random name can, and
    # folders untouched for a day are the leftovers of runs that ended.
    for stale in base.glob(f"{_PREFIX}{name}-*"):
        try:
            if time.time() - stale.stat().st_mtime > _STALE_S:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            continue
    folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{name}-", dir=base))
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    _SCRATCH[name] = folder
    return folder


_SCRATCH: dict[str, Path] = {}
_STALE_S = 24 * 3600


def put(folder: Path, name: str, data: bytes, others: Iterable[str] = ()) -> Path:
    """Write ``data`` as ``folder/name`` and remove the ``others`` (so exactly one input is present)."""
    for other in others:
        if other != name:
            (folder / other).unlink(missing_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def assert_finite(values: Any, where: str) -> None:
    """No NaN or infinity may pass validation: every later comparison with them is false."""
    if isinstance(values, float) and not math.isfinite(values):
        raise AssertionError(f"{where}: a non-finite number ({values!r}) passed validation")
    if isinstance(values, dict):
        for key, value in values.items():
            assert_finite(value, f"{where}.{key}")
    elif isinstance(values, (list, tuple)):
        for index, value in enumerate(values):
            assert_finite(value, f"{where}[{index}]")
