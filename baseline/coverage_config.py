"""The project's own coverage.py configuration, read without running anything.

coverage.py reads ``.coveragerc``, then ``setup.cfg`` / ``tox.ini`` (``[coverage:...]`` sections),
then ``pyproject.toml`` (``[tool.coverage...]``). The toolkit keeps what makes measurement work the
way the project's CI does it (``parallel``, ``concurrency``, ``plugins``, ``[paths]``...) and takes
over what decides *what* is measured (``source``, ``include``, ``omit``): those are the toolkit's
terms, and the project's ``omit`` / ``exclude_lines`` / ``pragma: no cover`` are shown and counted.
"""

from __future__ import annotations

import configparser
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline.parsing import toml_loads

# [run] keys decided by the toolkit; every other key of the project's [run] is kept.
TOOLKIT_RUN_KEYS = frozenset({"source", "source_pkgs", "source_dirs", "include", "omit", "data_file", "branch", "command_line", "debug", "debug_file"})
# coverage.py's default exclusion ("# pragma: no cover"), used to show what the project hides by it.
DEFAULT_EXCLUDE = r"#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)"


@dataclass(frozen=True)
class ProjectCoverage:
    """What the project configures for coverage.py, and where."""

    file: str | None = None  # the configuration file read (relative), None when there is none
    run: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, list[str]] = field(default_factory=dict)

    @property
    def fail_under(self) -> float | None:
        """The project's own threshold (``[report] fail_under``), when it sets one."""
        value = self.report.get("fail_under")
        try:
            return None if value in (None, "") else float(value)
        except (TypeError, ValueError):
            return None

    def _list(self, section: dict[str, Any], key: str) -> list[str]:
        value = section.get(key)
        if isinstance(value, list):
            return [str(item) for item in value if str(item).strip()]
        if isinstance(value, str):
            return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()] if key != "exclude_lines" and key != "exclude_also" else [line.strip() for line in value.splitlines() if line.strip()]
        return []

    @property
    def source(self) -> list[str]:
        """``[run] source`` plus ``source_pkgs``."""
        return self._list(self.run, "source") + self._list(self.run, "source_pkgs")

    @property
    def omit(self) -> list[str]:
        """File patterns the project leaves out (``[run] omit`` and ``[report] omit``)."""
        return self._list(self.run, "omit") + self._list(self.report, "omit")

    @property
    def include(self) -> list[str]:
        """``[run] include`` / ``[report] include``: the only files the project measures, when set."""
        return self._list(self.run, "include") + self._list(self.report, "include")

    @property
    def exclude(self) -> list[str]:
        """Line patterns the project excludes (its ``exclude_lines`` replace the default pragma)."""
        lines = self._list(self.report, "exclude_lines")
        return (lines or [DEFAULT_EXCLUDE]) + self._list(self.report, "exclude_also")

    @property
    def parallel(self) -> bool:
        """``[run] parallel``."""
        return str(self.run.get("parallel", "")).lower() in ("true", "1", "yes", "on")


def _ini_sections(path: Path, prefix: str) -> dict[str, dict[str, Any]] | None:
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except (configparser.Error, OSError):
        return None
    found: dict[str, dict[str, Any]] = {}
    for section in parser.sections():
        if section.startswith(prefix):
            found[section[len(prefix) :]] = dict(parser[section])
    return found or None


def read_project_coverage(root: Path) -> ProjectCoverage:
    """The project's coverage.py configuration, in coverage.py's own order of precedence."""
    candidates: list[tuple[str, str]] = [(".coveragerc", ""), ("setup.cfg", "coverage:"), ("tox.ini", "coverage:")]
    for name, prefix in candidates:
        path = root / name
        if path.is_file() and not path.is_symlink():
            sections = _ini_sections(path, prefix)
            if sections:
                return _build(name, sections)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = toml_loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
            return ProjectCoverage()
        tool = data.get("tool", {}).get("coverage") if isinstance(data.get("tool"), dict) else None
        if isinstance(tool, dict):
            return _build("pyproject.toml", {key: value for key, value in tool.items() if isinstance(value, dict)})
    return ProjectCoverage()


def _build(name: str, sections: dict[str, dict[str, Any]]) -> ProjectCoverage:
    paths: dict[str, list[str]] = {}
    for key, value in sections.get("paths", {}).items():
        if isinstance(value, list):
            paths[key] = [str(item) for item in value]
        elif isinstance(value, str):
            paths[key] = [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]
    return ProjectCoverage(file=name, run=dict(sections.get("run", {})), report=dict(sections.get("report", {})), paths=paths)


def _ini_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n" + "\n".join(f"    {item}" for item in value)
    return str(value).replace("\n", "\n    ")


def write_rcfile(path: Path, project: ProjectCoverage, *, source: list[str], data_file: Path, exclude: list[str] | None) -> None:
    """An rcfile on the toolkit's terms: the project's run mechanics, the toolkit's source and no omit.

    ``exclude`` None keeps no line exclusion at all (every statement counts, ``pragma: no cover``
    included); a list sets ``exclude_lines`` to it.
    """
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    run = {key: value for key, value in project.run.items() if key not in TOOLKIT_RUN_KEYS}
    run["branch"] = True
    run["data_file"] = str(data_file)
    if source:
        run["source"] = source
    parser["run"] = {key: _ini_value(value) for key, value in run.items()}
    parser["report"] = {"exclude_lines": _ini_value(exclude or [])} if exclude else {"exclude_lines": ""}
    if project.paths:
        parser["paths"] = {key: _ini_value(value) for key, value in project.paths.items()}
    with path.open("w", encoding="utf-8") as handle:
        parser.write(handle)
