"""Crash triage: classify, describe, de-duplicate and minimise a crash input.

A crash is a Python exception that escaped the harness, a native crash (deadly signal), an
input that ran past the per-input timeout, or an out-of-memory. Crashes are de-duplicated by
kind, exception type and the top frames of the project's own code (the harness's frames and
library frames do not count), so one bug found through two inputs is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from baseline import sandbox
from baseline.fuzz.runner import harness_env, harness_readable
from baseline.fuzz.surface import EntryPoint

_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)(?:, in (.+)| in (.+))?$')
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration|[A-Z]\w*)):?(.*)$")
TOP_FRAMES = 3


@dataclass(frozen=True)
class CrashInfo:
    """What triage learnt about one crash."""

    kind: str  # exception | native | timeout | oom
    exception: str  # "KeyError: 'flags'" (or a description for native/timeout/oom)
    top_frames: tuple[str, ...]  # "pkg/mod.py:12 in func", project code only, innermost first
    traceback: str
    signature: str  # de-duplication key


def _python_traceback(text: str) -> str:
    """The uncaught-exception block atheris prints, or the last traceback in ``text``."""
    marker = text.rfind("=== Uncaught Python exception: ===")
    if marker >= 0:
        return text[marker:].split("\n\n", 1)[0].strip() if "\n\n" in text[marker:] else text[marker:].strip()
    start = text.rfind("Traceback (most recent call last):")
    return text[start:].strip() if start >= 0 else ""


def _frames(text: str) -> list[tuple[str, int, str]]:
    frames: list[tuple[str, int, str]] = []
    for line in text.splitlines():
        match = _FRAME.match(line)
        if match:
            frames.append((match.group(1), int(match.group(2)), (match.group(3) or match.group(4) or "?").strip()))
    return frames


def project_frames(frames: list[tuple[str, int, str]], root: Path, harness: Path, innermost_first: bool) -> tuple[str, ...]:
    """Frames inside the project (not the harness, not the toolkit's folder), innermost first."""
    ordered = frames if innermost_first else list(reversed(frames))
    picked: list[str] = []
    in_harness: list[str] = []
    root_text = str(root.resolve())
    harness_text = str(harness.resolve())
    for filename, line, func in ordered:
        resolved = os.path.realpath(filename)
        if resolved == harness_text:
            in_harness.append(f"{Path(os.path.relpath(resolved, root_text)).as_posix()}:{line} in {func}")
            continue
        if not resolved.startswith(root_text + os.sep):
            continue
        relative = os.path.relpath(resolved, root_text)
        if relative.startswith((".baseline" + os.sep, ".venv" + os.sep)) or "site-packages" in relative:
            continue
        picked.append(f"{Path(relative).as_posix()}:{line} in {func}")
        if len(picked) == TOP_FRAMES:
            break
    # A crash inside the harness itself is described by the harness's frames.
    return tuple(picked or in_harness[:TOP_FRAMES])


def describe_crash(kind: str, stdout: str, stderr: str, root: Path, harness: Path) -> CrashInfo:
    """Build the CrashInfo of a crash from the fuzzer's (or a replay's) output."""
    traceback = ""
    exception = ""
    frames: tuple[str, ...] = ()
    if kind == "exception":
        traceback = _python_traceback(stdout + "\n" + stderr)
        lines = [line for line in traceback.splitlines() if line.strip()]
        for line in reversed(lines):
            if not line.startswith((" ", "\t", "Traceback", "===")) and _EXCEPTION_LINE.match(line):
                exception = line.strip()
                break
        frames = project_frames(_frames(traceback), root, harness, innermost_first=False)
    elif kind in ("timeout", "native"):
        # faulthandler / libFuzzer's alarm print "most recent call first".
        block = stderr[stderr.find("most recent call first") :] if "most recent call first" in stderr else ""
        traceback = block.strip()[:4000]
        frames = project_frames(_frames(block), root, harness, innermost_first=True)
        if kind == "timeout":
            exception = "Timeout: an input ran past the per-input time limit"
        else:
            signal = re.search(r"(Fatal Python error: [^\n]+|deadly signal)", stderr)
            exception = f"NativeCrash: {signal.group(1) if signal else 'the interpreter died'}"
    else:
        oom = re.search(r"out-of-memory \(([^)]*)\)", stderr)
        exception = f"OutOfMemory: {oom.group(1) if oom else 'rss limit exceeded'}"
        traceback = "\n".join(line for line in stderr.splitlines() if "out-of-memory" in line or "malloc" in line)[:2000]
    if not exception:
        exception = "UnknownError: the harness failed without a Python traceback"
    exception_type = exception.split(":", 1)[0]
    key = "\n".join([kind, exception_type, *frames] if frames else [kind, exception_type, harness.name])
    signature = hashlib.sha256(key.encode()).hexdigest()[:16]
    # Paths in the stored traceback are relative to the target, so reproducers can move.
    for prefix in {str(root.resolve()) + os.sep, str(root) + os.sep}:
        traceback = traceback.replace(prefix, "")
    return CrashInfo(kind=kind, exception=exception[:500], top_frames=frames, traceback=traceback[:20000], signature=signature)


def replay_with_faulthandler(
    python: str, root: Path, harness: Path, data_file: Path, timeout_s: float, allow_env: list[str], network: bool = False
) -> sandbox.ProcessResult:
    """Re-run one input with faulthandler on, to get the Python stack of a native crash."""
    return sandbox.run(
        [python, "-X", "faulthandler", str(harness), str(data_file)],
        cwd=root,
        limits=sandbox.Limits(timeout_s=timeout_s),
        confine=sandbox.Confine(project=root, readable=(harness, data_file, *harness_readable(python)), network=network),
        allow_env=allow_env,
        extra_env=harness_env(root, python),
    )


_LAUNCHER = (
    "import os, sys\n"
    "h = sys.argv[1]\n"
    "sys.argv = [os.environ['BASELINE_FUZZ_ARGV0']] + sys.argv[2:]\n"
    "sys.path.insert(0, os.path.dirname(os.path.abspath(h)))\n"
    "g = {'__name__': '__main__', '__file__': h, '__builtins__': __builtins__}\n"
    "exec(compile(open(h, 'rb').read(), h, 'exec'), g)\n"
)


def minimize(
    *, python: str, root: Path, harness: Path, crash_input: Path, out_dir: Path, seconds: int, allow_env: list[str], network: bool = False
) -> Path | None:
    """Shrink an exception-crash input with libFuzzer's ``-minimize_crash``; None when it did not help.

    libFuzzer re-executes ``argv[0]`` for each step, which for a Python harness is not
    executable: a small launcher script stands in for it.
    """
    if seconds <= 0:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    launcher = out_dir / "launcher.py"
    launcher.write_text(_LAUNCHER, encoding="utf-8")
    wrapper = out_dir / "run-harness.sh"
    wrapper.write_text(f'#!/bin/sh\nexec "{python}" "{launcher}" "{harness}" "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    result_file = out_dir / f"min-{crash_input.name}"
    result_file.unlink(missing_ok=True)
    env = harness_env(root, python) | {"BASELINE_FUZZ_ARGV0": str(wrapper)}
    sandbox.run(
        [str(wrapper), "-minimize_crash=1", "-runs=100000", f"-max_total_time={seconds}", f"-exact_artifact_path={result_file}", str(crash_input)],
        cwd=root,
        limits=sandbox.Limits(timeout_s=seconds + 20),
        confine=sandbox.Confine(project=root, writable=(out_dir,), readable=(harness, crash_input, *harness_readable(python)), network=network),
        allow_env=allow_env,
        extra_env=env,
    )
    if result_file.is_file() and result_file.stat().st_size < crash_input.stat().st_size:
        return result_file
    return None


def documented_behaviour(info: CrashInfo, entries: tuple[EntryPoint, ...] | list[EntryPoint]) -> str | None:
    """Which entry point's documented behaviour an exception crash is (None: it is a crash).

    The false-crash guard behind every harness, the project's own included: an exception an entry
    point documents or the project defines (its ``expected``) raised while that entry point was on
    the stack, or one its own ``raise`` statements name (its ``raised_here``) raised by its own
    frame, is its behaviour, not a bug.
    """
    if info.kind != "exception" or not info.exception:
        return None
    name = info.exception.split(":", 1)[0].rsplit(".", 1)[-1]
    stack = [(filename, func) for filename, _line, func in _frames(info.traceback)]  # outermost first
    if not stack:
        return None
    for entry in entries:
        function = entry.qualname.rsplit(".", 1)[-1]

        def here(filename: str, func: str) -> bool:
            return func == function and (filename == entry.path or filename.endswith("/" + entry.path))

        if any(name == accepted for _module, accepted in entry.expected) and any(here(*frame) for frame in stack):
            return entry.id
        if any(name == accepted for _module, accepted in entry.raised_here) and here(*stack[-1]):
            return entry.id
    return None
