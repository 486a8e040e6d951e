"""Accounts for the pytest session and leaves out network tests (loaded with ``-p baseline_session_guard``).

Runs inside the *target's* interpreter (standard library and pytest only). It writes
``session-guard.json`` into ``BASELINE_RECORD_DIR`` at the end of the session: how many items were
selected, how many ran to the end of their protocol, why the session stopped early (``-x``,
``--maxfail``), whether it was interrupted or hit an internal error, and its exit status. With
``BASELINE_NETWORK_MARKERS`` set (comma-separated marker names), items carrying one of those markers
are deselected, and listed, because the sandbox gives the tests loopback only.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

# Its own variable: the recorder takes BASELINE_RECORD_DIR out of the environment when it loads.
_DIR = os.environ.get("BASELINE_GUARD_DIR", "") or os.environ.get("BASELINE_RECORD_DIR", "")
_MARKERS = frozenset(name.strip() for name in os.environ.get("BASELINE_NETWORK_MARKERS", "").split(",") if name.strip())
_STATE: dict[str, Any] = {
    "selected": None,
    "finished": 0,
    "deselected": 0,
    "collect_errors": 0,
    "network_deselected": [],
    "internal_error": None,
    "interrupted": None,
    "exit_status": None,
    "stop_reason": None,
}


def _dump() -> None:
    if not _DIR:
        return
    try:
        with open(os.path.join(_DIR, "session-guard.json"), "w", encoding="utf-8") as handle:
            json.dump(_STATE, handle, default=str)
    except OSError:
        pass


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    """Deselect the tests the project marks as needing the network."""
    if not _MARKERS:
        return
    keep: list[Any] = []
    dropped: list[Any] = []
    for item in items:
        (dropped if any(mark.name in _MARKERS for mark in item.iter_markers()) else keep).append(item)
    if dropped:
        items[:] = keep
        config.hook.pytest_deselected(items=dropped)
        _STATE["network_deselected"] = [item.nodeid for item in dropped][:5000]


def pytest_deselected(items: list[Any]) -> None:
    """Count every deselection (``-m``, ``-k``, the project's own plugins, ours)."""
    _STATE["deselected"] += len(items)


def pytest_collectreport(report: Any) -> None:
    """A module that could not be collected is the project's failure, not an aborted session."""
    if report.failed:
        _STATE["collect_errors"] += 1


def pytest_collection_finish(session: Any) -> None:
    """The final selection, after every deselection."""
    _STATE["selected"] = len(session.items)


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    """One more item ran its whole protocol."""
    _STATE["finished"] += 1


def pytest_internalerror(excrepr: Any, excinfo: Any) -> None:
    """pytest itself failed."""
    _STATE["internal_error"] = str(excrepr)[-2000:]
    _dump()


def pytest_keyboard_interrupt(excinfo: Any) -> None:
    """The session was interrupted (Ctrl-C, ``pytest.exit``, a signal turned into KeyboardInterrupt)."""
    _STATE["interrupted"] = str(getattr(excinfo, "value", ""))[-500:] or "interrupted"
    _dump()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    """Write the account of the session."""
    _STATE["exit_status"] = int(exitstatus)
    reason = getattr(session, "shouldstop", False) or getattr(session, "shouldfail", False)
    _STATE["stop_reason"] = str(reason) if reason else None
    _dump()
