"""Tool versions for evidence whose adapter did not record one (mypy, pip-audit, atheris, git, ...).

The bundle's ``tools.json`` and every report name the tool and version behind each piece of
evidence; a version of "unknown" makes a scan impossible to reproduce. After the checks ran, each
tool still without a version is looked up once: a Python distribution installed beside the
toolkit from its metadata (no process), a tool that ran from another interpreter (the target's
mypy) asked for ``--version`` through the sandbox; git evidence names dulwich, which reads the history.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

from baseline import __version__, sandbox
from baseline.model import Evidence, Report

_VERSION = re.compile(r"(\d+(?:\.\d+)+[\w.+-]*)")
# Tool names of the evidence that are distributions of another name, or the toolkit itself.
_DISTRIBUTION = {"baseline": None, "baseline-osv-matcher": None, "python": None}


def _distribution_version(name: str) -> str | None:
    try:
        return version(name)
    except (PackageNotFoundError, ValueError, OSError):
        return None


def _asked_version(argv: list[str]) -> str | None:
    # The target's interpreter is the target's code: it runs contained, like everything of the target.
    result = sandbox.run(argv, cwd=Path.cwd(), limits=sandbox.Limits(timeout_s=30, network=False, contain=True))
    if not result.ok:
        return None
    found = _VERSION.search(result.stdout or result.stderr)
    return found.group(1) if found else None


def _lookup(evidence: Evidence) -> str | None:
    tool = evidence.tool or ""
    if tool in _DISTRIBUTION:
        return __version__ if tool.startswith("baseline") else f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    argv = list(evidence.argv)
    if len(argv) >= 3 and argv[1] == "-m" and argv[2] == tool and argv[0] != sys.executable:
        return _asked_version([argv[0], "-m", tool, "--version"])  # the tool as the target's interpreter has it
    if tool == "git":  # the target's history is read with dulwich; no git program runs
        return _distribution_version("dulwich")
    return _distribution_version(tool)


def complete_tool_versions(report: Report, lookup: Callable[[Evidence], str | None] = _lookup) -> Report:
    """``report`` with a version on every piece of evidence that names a tool (looked up once per tool and command)."""
    cache: dict[tuple[str, str], str | None] = {}

    def fill(evidence: Evidence) -> Evidence:
        if not evidence.tool or evidence.tool_version:
            return evidence
        key = (evidence.tool, evidence.argv[0] if evidence.argv else "")
        if key not in cache:
            cache[key] = lookup(evidence)
        return replace(evidence, tool_version=cache[key]) if cache[key] else evidence

    results = tuple(replace(result, evidence=tuple(fill(item) for item in result.evidence)) for result in report.results)
    return replace(report, results=results)
