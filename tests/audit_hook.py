"""A runtime audit hook: a process started by the toolkit from anywhere but ``baseline/sandbox.py`` is a defect.

Installed in the test process by ``tests/conftest.py`` and, through ``tests/audit_site/sitecustomize.py``
(on PYTHONPATH when ``BASELINE_AUDIT_LOG`` is set), in every ``baseline`` CLI process the e2e and
hostile suites start. Each violation is appended to the log as one JSON line naming the event and
the toolkit frame that started it; the conftest fails the test that caused it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGES = tuple(str(REPO / name) + os.sep for name in ("baseline", "checks", "reports", "fuzz"))
SANDBOX = str(REPO / "baseline" / "sandbox.py")
EVENTS = frozenset({"subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.fork", "os.forkpty", "pty.spawn"})

violations: list[dict[str, Any]] = []


def _culprit() -> str | None:
    """The innermost frame of the toolkit's own code, unless the sandbox is on the stack."""
    frame = sys._getframe(2)
    first: str | None = None
    while frame is not None:
        name = frame.f_code.co_filename
        if name == SANDBOX:
            return None
        if first is None and name.startswith(PACKAGES):
            first = f"{name}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return first


def install(log: str | None = None) -> None:
    """Add the hook to this interpreter (it cannot be removed: audit hooks are permanent)."""

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in EVENTS:
            return
        culprit = _culprit()
        if culprit is None:
            return
        record = {"event": event, "where": culprit, "argv": repr(args[:2])[:300], "pid": os.getpid()}
        violations.append(record)
        if log:
            try:
                with open(log, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record) + "\n")
            except OSError:  # inside a sandbox the log is out of reach
                pass

    sys.addaudithook(hook)
