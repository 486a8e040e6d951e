"""The type checker the project configures (mypy or pyright), run once per scan in the sandbox.

Detection reads the project's configuration only: ``[tool.mypy]`` in pyproject.toml, ``mypy.ini``,
``.mypy.ini``, ``[mypy]`` in setup.cfg, ``[tool.pyright]`` or ``pyrightconfig.json``. mypy is run
from the target's interpreter when it is installed there (so it sees the project's dependencies),
else from baseline's own interpreter pointed at the target's with ``--python-executable``. Its
cache goes to the scan's work folder, never into the project.
"""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline import sandbox
from baseline.model import Evidence, Provenance
from baseline.parsing import json_loads, toml_loads
from baseline.provision import overlay, overlay_boot
from baseline.target import product_sources
from baseline.tools.test_records import redact

# mypy before 1.11 has no ``-O json``: its text lines are read instead (the only text parsing left).
# A text diagnostic, with or without a line number (configuration messages have none).
_MYPY_TEXT_LINE = re.compile(r"^(?P<file>[^:\n{]+):(?:(?P<line>\d+)(?::\d+)?:)? (?P<level>error|note|warning): (?P<message>.*)$")
_MYPY_LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+)(?::\d+)?: (?P<level>error|note|warning): (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$", re.MULTILINE)


@dataclass(frozen=True)
class TypeError_:
    """One diagnostic of the type checker."""

    path: str
    line: int | None
    message: str
    code: str = ""


@dataclass(frozen=True)
class TypeCheckRun:
    """The type checker's verdict. ``status``: ok, not-configured, missing or error."""

    status: str
    message: str
    tool: str | None = None
    configured_in: str | None = None
    errors: tuple[TypeError_, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    files_checked: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def detect(root: Path) -> tuple[str, str] | None:
    """(tool, file that configures it) or None when the project configures no type checker."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            tools = toml_loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
            tools = {}
        if isinstance(tools, dict) and "mypy" in tools:
            return "mypy", "pyproject.toml [tool.mypy]"
        if isinstance(tools, dict) and ("pyright" in tools or "basedpyright" in tools):
            return "pyright", "pyproject.toml [tool.pyright]"
    for name in ("mypy.ini", ".mypy.ini"):
        if (root / name).is_file():
            return "mypy", name
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file() and re.search(r"^\[mypy\]", setup_cfg.read_text(encoding="utf-8", errors="replace"), re.MULTILINE):
        return "mypy", "setup.cfg [mypy]"
    if (root / "pyrightconfig.json").is_file():
        return "pyright", "pyrightconfig.json"
    return None


def _has_module(python: str, root: Path, module: str) -> bool:
    probe = sandbox.run([python, "-c", f"import importlib.util,sys; sys.exit(importlib.util.find_spec('{module}') is None)"], cwd=root, limits=sandbox.Limits(timeout_s=60), confine=sandbox.Confine(readable=(root,)))
    return probe.ok


_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def declared_requirements(root: Path, tool: str) -> tuple[list[str], str] | None:
    """(the requirements of the group that declares ``tool``, where) from the project's metadata.

    A project keeps its type checker in a dependency group or an extra (``typing``, ``lint``, ``dev``)
    with the stubs it needs: the whole group is what its CI installs to run it. None when the
    project declares no such group. Nothing is executed.
    """
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = toml_loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError, ValueError):
        return None
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    own = re.sub(r"[-_.]+", "-", str(project.get("name") or "")).lower()
    tables: list[tuple[str, dict[str, Any]]] = []
    if isinstance(data.get("dependency-groups"), dict):
        tables.append(("[dependency-groups]", data["dependency-groups"]))
    if isinstance(project.get("optional-dependencies"), dict):
        tables.append(("[project.optional-dependencies]", project["optional-dependencies"]))
    for where, table in tables:
        for name in sorted(table, key=lambda key: (key != tool, key)):
            entries = table[name]
            if not isinstance(entries, list):
                continue
            strings = [entry.strip() for entry in entries if isinstance(entry, str) and entry.strip()]
            names = [re.sub(r"[-_.]+", "-", match.group(1)).lower() for match in map(_REQ_NAME.match, strings) if match]
            if tool in names:
                kept = [entry for entry, req in zip(strings, names) if req != own and not entry.startswith("-")]
                return kept, f"{where} {name}"
    return None


def _configures_files(root: Path) -> bool:
    """Whether the mypy configuration mypy itself would read names ``files`` to check.

    mypy reads the first of mypy.ini, .mypy.ini, pyproject.toml ([tool.mypy]) and setup.cfg ([mypy])
    that configures it; only that file's mypy section counts (``files =`` of another tool's section,
    bumpversion's in setup.cfg say, does not).
    """
    import configparser

    for name in ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg"):
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if name == "pyproject.toml":
            try:
                table = toml_loads(text).get("tool", {}).get("mypy")
            except ValueError:
                continue
            if isinstance(table, dict):
                return bool(table.get("files"))
            continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            if name in ("mypy.ini", ".mypy.ini"):
                return False
            continue
        if parser.has_section("mypy"):
            return bool(parser.get("mypy", "files", fallback="").strip())
        if name in ("mypy.ini", ".mypy.ini"):
            return False  # mypy uses this file even without the section
    return False


MYPY_JSON = ("-O", "json")


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            pass
    return path


def parse_mypy_json(output: str, root: Path) -> list[TypeError_]:
    """Errors from ``mypy -O json`` (one JSON object per line; notes are context, not errors).

    mypy writes messages about its configuration as text even then (``setup.cfg: note: unused
    section(s)...``): a text diagnostic line is read as text. ValueError for any other line.
    """
    errors: list[TypeError_] = []
    for line in output.splitlines():
        if not line.strip():
            continue
        text = _MYPY_TEXT_LINE.match(line)
        if text and not line.lstrip().startswith("{"):
            if text.group("level") == "error":
                number = text.group("line")
                errors.append(TypeError_(_relative(text.group("file"), root), int(number) if number else None, redact(text.group("message").strip()), ""))
            continue
        item = json_loads(line)
        if not isinstance(item, dict) or not isinstance(item.get("file"), str) or "severity" not in item:
            raise ValueError("not a mypy JSON diagnostic (an object with file and severity)")
        if item["severity"] != "error":
            continue
        number = item.get("line")
        message = str(item.get("message", ""))
        if item.get("hint"):
            message += f" ({item['hint']})"
        errors.append(TypeError_(_relative(item["file"], root), number if isinstance(number, int) and number > 0 else None, redact(message.strip()), str(item.get("code") or "")))
    return errors


def parse_mypy(output: str, root: Path) -> list[TypeError_]:
    """Errors from mypy's text output (mypy before 1.11, which has no JSON output)."""
    errors: list[TypeError_] = []
    for match in _MYPY_LINE.finditer(output):
        if match.group("level") != "error":
            continue
        errors.append(TypeError_(_relative(match.group("file"), root), int(match.group("line")), redact(match.group("message").strip()), match.group("code") or ""))
    return errors


def _no_json_output(process: Any) -> bool:
    """mypy older than 1.11 refusing ``-O json`` (a usage error naming the option)."""
    return bool(process.exit_code == 2 and ("unrecognized arguments" in process.stderr or "argument -O" in process.stderr))


def parse_pyright(output: str) -> list[TypeError_]:
    """Errors from ``pyright --outputjson``; ValueError when the output is not pyright's JSON."""
    data = json_loads(output)
    if not isinstance(data, dict) or not isinstance(data.get("generalDiagnostics", []), list):
        raise ValueError("not pyright's JSON report (an object with a generalDiagnostics list)")
    errors: list[TypeError_] = []
    for diagnostic in data.get("generalDiagnostics", []):
        if not isinstance(diagnostic, dict) or diagnostic.get("severity") != "error":
            continue
        where = diagnostic.get("range")
        start = where.get("start") if isinstance(where, dict) else None
        line = start.get("line") if isinstance(start, dict) else None
        errors.append(TypeError_(str(diagnostic.get("file", "")), line + 1 if isinstance(line, int) else None, str(diagnostic.get("message", "")), str(diagnostic.get("rule", ""))))
    return errors


def run_typecheck(*, root: Path, python: str, work_dir: Path, command: list[str], timeout_s: float) -> TypeCheckRun:
    """Run the configured type checker; never raises for tool failures."""
    found = detect(root)
    if found is None and not command:
        return TypeCheckRun("not-configured", "the project configures no type checker (no [tool.mypy], mypy.ini, setup.cfg [mypy], [tool.pyright] or pyrightconfig.json)")
    tool, configured_in = found if found else (command[0], "typecheck.command")
    env: dict[str, str] | None = None
    shown: tuple[Path, ...] = ()
    how = ""
    sources = [path.relative_to(root).as_posix() for path in product_sources(root)]
    if command:
        argv = list(command)
        if Path(argv[0]).name.startswith("mypy") and shutil.which(argv[0]) is None:
            argv = [python, "-m", "mypy", *argv[1:]]
    elif tool == "mypy":
        declared = declared_requirements(root, "mypy")
        if _has_module(python, root, "mypy"):
            argv = [python, "-m", "mypy"]
        elif declared is not None and (folder := overlay(python, None, declared[0])) is not None:
            # The project's own mypy and stubs, from the group its CI installs, in the toolkit's overlay.
            boot = overlay_boot(folder)
            env = {"PYTHONPATH": str(boot)}
            shown = (boot, folder)
            how = f"; mypy and its group from {declared[1]} added in the toolkit's overlay"
            argv = [python, "-m", "mypy"]
        elif _has_module(sys.executable, root, "mypy"):
            argv = [sys.executable, "-m", "mypy", f"--python-executable={python}"]
        else:
            return TypeCheckRun("missing", f"mypy is configured ({configured_in}) but installed neither in the target interpreter {python} nor beside baseline", tool, configured_in)
        argv += [*MYPY_JSON, "--no-color-output", "--show-error-codes", "--no-error-summary", f"--cache-dir={work_dir / 'mypy-cache'}"]
        if not _configures_files(root):
            argv += sources
    else:
        executable = shutil.which("pyright") or shutil.which("basedpyright")
        if executable is None:
            return TypeCheckRun("missing", f"pyright is configured ({configured_in}) but no pyright executable is on PATH", tool, configured_in)
        argv = [executable, "--outputjson", "--pythonpath", python]
    if tool == "mypy" and not command and not sources and not _configures_files(root):
        return TypeCheckRun("error", "mypy is configured but the project has no product modules to check", tool, configured_in)
    # Type checkers load the project's plugins (mypy plugins, stubs): target code.
    # The target's interpreter is shown too: the toolkit's mypy inspects it (--python-executable).
    confine = sandbox.Confine(project=root, writable=(work_dir,), readable=(*shown, Path(python)))
    process = sandbox.run(argv, cwd=root, limits=sandbox.Limits(timeout_s=timeout_s), confine=confine, extra_env=env)
    json_output = tool == "mypy" and not command
    if json_output and _no_json_output(process):
        argv = [item for item in argv if item not in MYPY_JSON]
        process = sandbox.run(argv, cwd=root, limits=sandbox.Limits(timeout_s=timeout_s), confine=confine, extra_env=env)
        json_output = False
    evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"ran {tool} as configured in {configured_in}{how}",
        tool=tool,
        argv=process.argv,
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        stderr_tail=process.stderr_tail(10) if not process.ok else None,
    )
    if process.start_error or process.timed_out or process.signal_name:
        return TypeCheckRun("error", f"{tool} did not complete: {process.describe()}", tool, configured_in, evidence=(evidence,))
    try:
        if tool.endswith("pyright"):
            errors = parse_pyright(process.stdout)
        elif json_output:
            errors = parse_mypy_json(process.stdout, root)
        else:
            errors = parse_mypy(process.stdout, root)
    except ValueError as exc:
        return TypeCheckRun("error", f"{tool} output could not be read: {exc}", tool, configured_in, evidence=(evidence,))
    # mypy: exit 0 clean, 1 type errors, 2 crash or usage error. pyright: 0 clean, 1 errors, >1 fatal.
    if process.exit_code not in (0, 1) or (process.exit_code == 1 and not errors):
        return TypeCheckRun("error", f"{tool} failed ({process.describe()}): {process.stderr_tail(3)}", tool, configured_in, evidence=(evidence,))
    message = f"{tool}: {len(errors)} type error(s)"
    return TypeCheckRun("ok", message, tool, configured_in, tuple(errors), (evidence,))


class TypeCheckRunner:
    """The shared run of the project's configured type checker."""

    key = "typecheck"

    def execute(self, context: Any) -> TypeCheckRun:
        """Run the type checker once per scan."""
        return run_typecheck(
            root=context.root,
            python=context.python,
            work_dir=context.artifact_dir("typecheck"),
            command=list(context.config.get("typecheck.command")),
            timeout_s=float(context.config.get("typecheck.timeout")),
        )


TYPECHECK_RUN = TypeCheckRunner()
