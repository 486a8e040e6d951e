"""Fuzz the accepted-findings file reader (``.baseline/accepted.toml``, written by ``baseline accept``).

Entry point: ``baseline.accepted.load_accepted(path)``. Documented error: ``ConfigError`` (exit 2
naming the entry). Every entry that loads must be usable by the matcher: its occurrence index
and expiry date are read on every scan.
"""

import datetime
import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline", "tomllib"]):
    from baseline.accepted import dump_accepted, load_accepted
    from baseline.errors import ConfigError

EXPECTED = (ConfigError,)
WORK = _support.scratch("accepted")
TODAY = datetime.date(2026, 1, 1)


def TestOneInput(data: bytes) -> None:
    path = _support.put(WORK, "accepted.toml", data)
    try:
        entries = load_accepted(path)
    except EXPECTED as exc:
        _support.documented(exc)
        return
    for entry in entries:
        entry.base, entry.occurrence, entry.expired(TODAY)
    # What `baseline accept` writes back must read again as the same entries.
    path.write_text(dump_accepted(entries), encoding="utf-8")
    again = load_accepted(path)
    if set(again) != set(entries):
        raise AssertionError(f"accepted entries do not survive a write and read: {entries} -> {again}")


def main() -> None:
    atheris.Setup(_support.fuzz_argv("accepted", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
