"""Fuzz the lookups of tools and settings that take a name from configuration or the command line.

Entry points: ``baseline.toolenv.find_tool`` (a tool name, or a configured path such as
``--semgrep``), ``baseline.tools.wapiti.find_wapiti`` and ``wapiti_version``,
``baseline.tools.schemathesis.find_schemathesis`` and ``schemathesis_version``,
``baseline.tools.static_common.find_executable`` and ``package_version``,
``baseline.target.sandbox_which``, ``baseline.discovery.find_entry_points`` (a plugin group) and
``baseline.tools.secrets.scan.history_wanted`` (the ``secrets.history`` mode). Documented: a
lookup of a name that cannot exist (too long for the file system, a NUL byte, a path into
nowhere) answers "not found" (None), never an exception; the version probes are only given paths
under a folder that does not exist, so no program is ever started by this harness.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):

    from baseline.discovery import find_entry_points
    from baseline.target import sandbox_which
    from baseline.toolenv import find_tool

    from baseline.tools.schemathesis import find_schemathesis, schemathesis_version
    from baseline.tools.secrets.scan import history_wanted
    from baseline.tools.static_common import find_executable, package_version
    from baseline.tools.wapiti import find_wapiti, wapiti_version

NOWHERE = "/nonexistent-baseline-fuzz-tool-lookup/"


def TestOneInput(data: bytes) -> None:
    name = data.decode("utf-8", errors="replace")
    for found in (find_tool(name), find_tool("wapiti", configured=name), find_wapiti(name), find_schemathesis(name)):
        if found is not None and not isinstance(found, str):
            raise AssertionError(f"a lookup returned {found!r}")
    sandbox_which(name)
    find_executable(name)
    package_version(name)
    find_entry_points(name)
    wanted, why = history_wanted(name, {})
    if not isinstance(wanted, bool) or not why:
        raise AssertionError("history_wanted must say yes or no, and why")
    probe_path = NOWHERE + name.replace("\x00", "").replace("/", "_")[:200]
    if wapiti_version(probe_path) is not None or schemathesis_version(probe_path) is not None:
        raise AssertionError("a version was read from a program that does not exist")


def main() -> None:
    atheris.Setup(_support.fuzz_argv("tool_lookup", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
