"""Fuzz the readers of the static-analysis tools' native JSON reports (semgrep and bandit).

Entry points: ``baseline.tools.semgrep.parse_semgrep_report`` and
``baseline.tools.bandit.parse_bandit_report``, called on the JSON the tools write. The toolkit
reads no SARIF (it only writes it); these are its only tool-report readers for T03. Documented
error: ``ValueError`` (the adapter returns an ``error`` result with the reason), the same class
a JSON syntax error raises. The first input byte picks the tool.
"""

import json
import sys
from pathlib import Path

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline.tools.bandit import parse_bandit_report
    from baseline.tools.semgrep import parse_semgrep_report

EXPECTED = (ValueError,)
ROOT = Path("/project")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    try:
        report = json.loads(data[1:])
        if data[0] & 1:
            findings, notes = parse_bandit_report(report, ROOT)
        else:
            findings, notes, _fatal = parse_semgrep_report(report, ROOT)
    except EXPECTED as exc:
        _support.documented(exc)
        return
    for finding in findings:
        if finding.start_line > finding.end_line:
            raise AssertionError(f"finding ends before it starts: {finding}")


def main() -> None:
    atheris.Setup(_support.fuzz_argv("tool_output", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
