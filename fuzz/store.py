"""The crash store: reproducers that other code (regression tests, T08) reads.

Layout (a contract)::

    <project folder>/fuzz/crashes/<crash-id>/input       the raw bytes that crash the harness
    <project folder>/fuzz/crashes/<crash-id>/meta.json   {"harness", "kind", "exception", "top_frames",
                                                   "traceback", "found", "generated_harness"}

The project folder lives outside the scanned tree (see ``baseline.state``: the user's data folder,
or ``--work-dir``). ``harness`` is relative to the target root. Replay = ``python <harness> <input>`` in the sandbox;
exit 0 means the input no longer crashes.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline import sandbox
from baseline.fuzz.runner import harness_env, harness_readable
from baseline.fuzz.triage import CrashInfo

KINDS = ("exception", "native", "timeout", "oom")


@dataclass(frozen=True)
class StoredCrash:
    """One reproducer in the store."""

    crash_id: str
    folder: Path
    harness: str
    kind: str
    exception: str
    top_frames: tuple[str, ...]
    traceback: str
    found: str
    generated_harness: bool

    @property
    def input_path(self) -> Path:
        """The raw crash input."""
        return self.folder / "input"


def crashes_dir(fuzz_dir: Path) -> Path:
    """``<work>/fuzz/crashes``."""
    return fuzz_dir / "crashes"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_crash(fuzz_dir: Path, harness: str, generated: bool, info: CrashInfo, data: bytes) -> tuple[StoredCrash, bool]:
    """Store a crash under its signature; returns (record, is_new). A smaller input replaces a known one."""
    crash_id = f"{info.kind}-{info.signature}"
    folder = crashes_dir(fuzz_dir) / crash_id
    existing = load_crash(folder)
    is_new = existing is None
    folder.mkdir(parents=True, exist_ok=True)
    if existing is None or len(data) < existing.input_path.stat().st_size:
        _write_atomic(folder / "input", data)
    meta = {
        "harness": harness,
        "kind": info.kind,
        "exception": info.exception,
        "top_frames": list(info.top_frames),
        "traceback": info.traceback,
        "found": existing.found if existing else _now(),
        "generated_harness": generated,
    }
    _write_atomic(folder / "meta.json", (json.dumps(meta, indent=2) + "\n").encode())
    stored = load_crash(folder)
    if stored is None:
        raise OSError(f"the crash just written to {folder} cannot be read back")
    return stored, is_new


def load_crash(folder: Path) -> StoredCrash | None:
    """Read one crash folder; None when it is incomplete or unreadable."""
    meta_file = folder / "meta.json"
    if not meta_file.is_file() or not (folder / "input").is_file():
        return None
    try:
        meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return StoredCrash(
        crash_id=folder.name,
        folder=folder,
        harness=str(meta.get("harness", "")),
        kind=str(meta.get("kind", "exception")),
        exception=str(meta.get("exception", "")),
        top_frames=tuple(meta.get("top_frames", ())),
        traceback=str(meta.get("traceback", "")),
        found=str(meta.get("found", "")),
        generated_harness=bool(meta.get("generated_harness", False)),
    )


def list_crashes(fuzz_dir: Path) -> list[StoredCrash]:
    """Every readable crash in the store, oldest first."""
    folder = crashes_dir(fuzz_dir)
    if not folder.is_dir():
        return []
    found = [load_crash(child) for child in sorted(folder.iterdir()) if child.is_dir()]
    return sorted((crash for crash in found if crash is not None), key=lambda crash: (crash.found, crash.crash_id))


def replay(
    python: str, root: Path, harness: Path, data_file: Path, timeout_s: float, allow_env: tuple[str, ...] | list[str] = (), network: bool = False
) -> sandbox.ProcessResult:
    """Run ``python <harness> <input>`` in the sandbox; exit 0 means it no longer crashes."""
    return sandbox.run(
        [python, str(harness), str(data_file)],
        cwd=root,
        limits=sandbox.Limits(timeout_s=timeout_s),
        confine=sandbox.Confine(project=root, readable=(harness, data_file, *harness_readable(python)), network=network),
        allow_env=list(allow_env),
        extra_env=harness_env(root, python),
    )
