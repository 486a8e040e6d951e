"""Replay the fuzzing subsystem's stored crash reproducers against the current code.

The crash store is ``<project folder>/fuzz/crashes/<crash-id>/`` (see :mod:`baseline.state`) with an
``input`` file and a ``meta.json`` naming the harness (a path relative to the target root). A
replay runs ``<target python> <harness> <input>`` in the sandbox with a timeout: exit code 0 means
the crash is fixed; any other ending (exception, signal, timeout) means it still reproduces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline import sandbox, state
from baseline.fuzz.runner import ensure_atheris, harness_env, harness_readable
from baseline.model import Evidence, Provenance
from baseline.tools.test_records import redact


@dataclass(frozen=True)
class Replay:
    """The replay of one stored crash. ``status``: fixed, crashes, hangs or unreplayable."""

    crash_id: str
    harness: str
    status: str
    detail: str
    kind: str = ""
    exception: str = ""
    evidence: Evidence | None = None


@dataclass(frozen=True)
class ReplayRun:
    """All replays of a scan; ``store`` is None when no crash store exists."""

    store: str | None
    replays: tuple[Replay, ...] = ()


def crash_store(root: Path, work_dir: str | None) -> Path:
    """Where the fuzzing subsystem keeps the project's crashes (outside the scanned tree)."""
    return state.project_dir(root, work_dir) / "fuzz" / "crashes"


def replay_one(root: Path, python: str, folder: Path, timeout_s: float, network: bool = False) -> Replay:
    """Replay one stored crash."""
    crash_id = folder.name
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Replay(crash_id, "", "unreplayable", f"meta.json unreadable: {exc}")
    if not isinstance(meta, dict):
        return Replay(crash_id, "", "unreplayable", "meta.json is not an object")
    harness = str(meta.get("harness") or "")
    kind, exception = str(meta.get("kind") or ""), str(meta.get("exception") or "")
    harness_path = (root / harness).resolve()
    # the project's own harnesses, or the ones the toolkit generated into its fuzz store beside the crashes
    allowed = (root.resolve(), (folder.parent.parent / "generated").resolve())
    if not harness or not harness_path.is_file() or not any(base in harness_path.parents for base in allowed):
        return Replay(crash_id, harness, "unreplayable", f"harness {harness or '(none)'} not found in the project", kind, exception)
    data = folder / "input"
    if not data.is_file():
        return Replay(crash_id, harness, "unreplayable", "input file missing", kind, exception)
    ensure_atheris(python, root)  # the harness imports atheris: from the toolkit's overlay when the environment lacks it
    process = sandbox.run(
        [python, str(harness_path), str(data.resolve())],
        cwd=root,
        limits=sandbox.Limits(timeout_s=timeout_s, memory_mb=4096),
        confine=sandbox.Confine(project=root, readable=(data.resolve(), harness_path, *harness_readable(python)), network=network),
        extra_env=harness_env(root, python),
    )
    evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"replayed crash {crash_id} with {harness}",
        tool="python",
        argv=process.argv,
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        stderr_tail=redact(process.stderr_tail(8)) if not process.ok else None,
    )
    if process.start_error:
        return Replay(crash_id, harness, "unreplayable", process.describe(), kind, exception, evidence)
    if process.timed_out:
        return Replay(crash_id, harness, "hangs", f"still hangs: {process.describe()}", kind, exception, evidence)
    if process.ok:
        return Replay(crash_id, harness, "fixed", "the input no longer crashes (exit code 0)", kind, exception, evidence)
    return Replay(crash_id, harness, "crashes", f"still crashes: {process.describe()}: {redact(process.stderr_tail(1))}", kind, exception, evidence)


def replay_all(root: Path, python: str, work_dir: str | None, timeout_s: float, network: bool = False) -> ReplayRun:
    """Replay every stored crash, in crash-id order."""
    store = crash_store(root, work_dir)
    if not store.is_dir():
        return ReplayRun(store=None)
    folders = sorted(path for path in store.iterdir() if path.is_dir())
    return ReplayRun(store=str(store), replays=tuple(replay_one(root, python, folder, timeout_s, network) for folder in folders))


class ReplayRunner:
    """The shared run that replays stored crashes once per scan."""

    key = "fuzz-crash-replay"

    def execute(self, context: Any) -> ReplayRun:
        """Replay with ``regression.replay_timeout`` per crash."""
        return replay_all(
            context.root,
            context.python,
            context.config.get("work_dir"),
            float(context.config.get("regression.replay_timeout")),
            bool(context.config.get("network")),
        )


REPLAY_RUN = ReplayRunner()
