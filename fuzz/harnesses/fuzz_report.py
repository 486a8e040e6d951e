"""Fuzz the JSON report reader behind ``baseline diff`` and ``baseline accept``.

Entry point: ``baseline.reports.load.load_report(path)``, then the ``diff`` command on what it
read (both ways against a real report, text and JSON output). Documented error: ``UsageError``
(exit 2: "not a baseline report: ..."). A report that loads must be usable by every command
that reads reports: any other exception is a crash.
"""

import argparse
import contextlib
import io
import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline.commands import diff as diff_command
    from baseline.errors import UsageError
    from baseline.reports.load import load_report

EXPECTED = (UsageError,)
WORK = _support.scratch("report")
GOLDEN = _support.CORPUS / "report" / "golden.json"


def TestOneInput(data: bytes) -> None:
    path = _support.put(WORK, "report.json", data)
    try:
        load_report(path)
    except EXPECTED as exc:
        _support.documented(exc)
        return
    as_json = bool(data[-1] & 1)
    for old, new in ((GOLDEN, path), (path, GOLDEN)):
        args = argparse.Namespace(old=str(old), new=str(new), json=as_json, fail_on_new=True)
        with contextlib.redirect_stdout(io.StringIO()):
            diff_command.run(args)


def main() -> None:
    atheris.Setup(_support.fuzz_argv("report", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
