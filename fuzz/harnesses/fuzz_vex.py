"""Fuzz the VEX reader: CycloneDX VEX (``vulnerabilities[].analysis``) and OpenVEX (``statements``).

Entry point: ``baseline.tools.vex.read_vex(path)``, called on every VEX file a project ships.
Documented error: ``ValueError`` naming the file (reported as a VEX problem of T11). Statements
that load are matched against every advisory of the scan, so they must answer ``applies``.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline.tools.vex import read_vex

EXPECTED = (ValueError,)
WORK = _support.scratch("vex")


def TestOneInput(data: bytes) -> None:
    path = _support.put(WORK, "input.vex.json", data)
    try:
        statements = read_vex(path)
    except EXPECTED as exc:
        _support.documented(exc)
        return
    for statement in statements:
        statement.applies([statement.vulnerability, "CVE-2024-0001"], "requests")
        statement.applies(["GHSA-aaaa-bbbb-cccc"], "Demo_Pkg")
        statement.suppresses


def main() -> None:
    atheris.Setup(_support.fuzz_argv("vex", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
