"""Every piece of evidence that names a tool carries its version (looked up when the adapter had none)."""

from __future__ import annotations

import sys
from dataclasses import replace
from importlib.metadata import version


from baseline.model import Evidence, Provenance
from baseline.reports.versions import _lookup, complete_tool_versions
from tests.unit.reports_synthetic import make_report


def _with(*evidence: Evidence):
    report = make_report()
    first = replace(report.results[0], evidence=report.results[0].evidence + evidence)
    return replace(report, results=(first,) + report.results[1:])


def test_missing_versions_are_filled_once_per_tool() -> None:
    asked: list[str] = []

    def lookup(evidence: Evidence) -> str | None:
        asked.append(evidence.tool or "")
        return {"pip-audit": "2.10.1", "git": "2.43.0"}.get(evidence.tool or "")

    report = _with(
        Evidence(Provenance.EXECUTED, "a", tool="pip-audit"),
        Evidence(Provenance.EXECUTED, "b", tool="pip-audit"),
        Evidence(Provenance.EXECUTED, "c", tool="git", argv=("git", "log")),
        Evidence(Provenance.EXECUTED, "d", tool="pytest", tool_version="8.0"),
        Evidence(Provenance.EXECUTED, "e", tool="nothing-known"),
    )
    done = complete_tool_versions(report, lookup)
    versions = {(e.summary, e.tool_version) for e in done.results[0].evidence if e.summary in "abcde"}
    assert versions == {("a", "2.10.1"), ("b", "2.10.1"), ("c", "2.43.0"), ("d", "8.0"), ("e", None)}
    assert asked.count("pip-audit") == 1 and "pytest" not in asked


def test_real_lookups_for_the_tools_that_had_none() -> None:
    assert _lookup(Evidence(Provenance.EXECUTED, "x", tool="mypy", argv=(sys.executable, "-m", "mypy"))) == version("mypy")
    assert _lookup(Evidence(Provenance.EXECUTED, "x", tool="pip-audit")) == version("pip-audit")
    # The history is read with dulwich, not a git program: its version is dulwich's.
    assert _lookup(Evidence(Provenance.EXECUTED, "x", tool="git", argv=("git", "log"))) == version("dulwich")
