"""Extract a project's attack surface from its code (AST only; nothing is imported or run).

Entry points: HTTP routes, console scripts from ``[project.scripts]``, argparse sub-commands and
click/typer commands, network listeners. Sinks and sources: deserialisers and parsers of
external data, subprocess and file sinks, secrets and credentials handling.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from baseline.parsing import toml_loads
from baseline.web.detect import parse_file, python_files
from baseline.web.routes import extract_routes

ENTRY_KINDS = ("http-route", "cli-script", "cli-command", "network-listener")

_DESERIALISERS = {
    ("pickle", "load"): True, ("pickle", "loads"): True, ("cPickle", "loads"): True, ("marshal", "loads"): True,
    ("marshal", "load"): True, ("dill", "loads"): True, ("dill", "load"): True, ("shelve", "open"): True,
    ("jsonpickle", "decode"): True, ("yaml", "load"): True, ("yaml", "unsafe_load"): True, ("yaml", "full_load"): True,
    ("yaml", "safe_load"): False, ("json", "load"): False, ("json", "loads"): False, ("tomllib", "load"): False,
    ("tomllib", "loads"): False, ("toml", "loads"): False, ("ET", "parse"): False, ("ET", "fromstring"): False,
    ("ElementTree", "parse"): False, ("ElementTree", "fromstring"): False, ("etree", "parse"): False,
    ("etree", "fromstring"): False, ("minidom", "parseString"): False, ("minidom", "parse"): False,
    ("csv", "reader"): False, ("csv", "DictReader"): False, ("configparser", "read"): False,
}
_SUBPROCESS = {
    ("subprocess", name) for name in ("run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput")
} | {("os", name) for name in ("system", "popen", "execv", "execve", "execvp", "execl", "spawnv", "spawnl", "posix_spawn")}
_DYNAMIC = {"eval", "exec", "compile", "__import__"}
_LISTENERS = {"bind", "listen", "serve_forever", "start_server", "create_server", "run_simple", "make_server"}
_SERVER_CLASSES = re.compile(r"(HTTPServer|TCPServer|UDPServer|ThreadingHTTPServer|WSGIServer)$")
_SECRET_NAME = re.compile(r"(PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.IGNORECASE)
_FILE_WRITERS = {"write_text", "write_bytes", "rmtree", "move", "copyfile", "copy", "copy2", "unlink", "remove", "extractall"}


@dataclass(frozen=True)
class SurfaceItem:
    """One element of the attack surface."""

    kind: str  # http-route | cli-script | cli-command | network-listener | deserialiser | subprocess | file-sink | secret
    name: str
    file: str
    line: int
    detail: str = ""
    risky: bool = False

    @property
    def is_entry_point(self) -> bool:
        """Entry points must be named by the threat model."""
        return self.kind in ENTRY_KINDS


@dataclass(frozen=True)
class AttackSurface:
    """Everything extracted, and how many files were read."""

    items: tuple[SurfaceItem, ...]
    files_scanned: int

    def entry_points(self) -> tuple[SurfaceItem, ...]:
        """HTTP routes, console scripts, CLI commands and network listeners."""
        return tuple(item for item in self.items if item.is_entry_point)

    def of_kind(self, kind: str) -> tuple[SurfaceItem, ...]:
        """Items of one kind."""
        return tuple(item for item in self.items if item.kind == kind)


def _dotted(node: ast.AST) -> tuple[str, str]:
    """(owner, attribute) of a call target: ``pickle.loads`` -> ("pickle", "loads"), ``open`` -> ("", "open")."""
    if isinstance(node, ast.Attribute):
        owner = node.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
        return owner_name, node.attr
    if isinstance(node, ast.Name):
        return "", node.id
    return "", ""


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    for keyword in call.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return keyword.value.value
    return None


def _open_mode(call: ast.Call) -> str:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r"


def scan_tree(tree: ast.Module, relative: str) -> list[SurfaceItem]:
    """Surface items of one parsed module (routes excepted; see baseline.web.routes)."""
    items: list[SurfaceItem] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                target = call.func if call else decorator
                owner, attr = _dotted(target)
                if attr in ("command", "group") and owner not in ("", "self"):
                    name = (_first_string(call) if call else None) or node.name.replace("_", "-")
                    items.append(SurfaceItem("cli-command", name, relative, node.lineno, f"@{owner}.{attr} on {node.name}"))
        if not isinstance(node, ast.Call):
            continue
        owner, attr = _dotted(node.func)
        line = node.lineno
        if attr == "add_parser" and owner:
            command = _first_string(node)
            if command:
                items.append(SurfaceItem("cli-command", command, relative, line, "argparse sub-command"))
        elif (owner, attr) in _DESERIALISERS:
            risky = _DESERIALISERS[(owner, attr)]
            if (owner, attr) == ("yaml", "load") and any("Safe" in ast.unparse(k.value) for k in node.keywords):
                risky = False
            items.append(SurfaceItem("deserialiser", f"{owner}.{attr}", relative, line, "parses external data", risky))
        elif (owner, attr) in _SUBPROCESS:
            shell = any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords)
            items.append(SurfaceItem("subprocess", f"{owner}.{attr}", relative, line, "shell=True" if shell else "", shell or owner == "os"))
        elif owner == "" and attr in _DYNAMIC:
            items.append(SurfaceItem("subprocess", attr, relative, line, "dynamic code execution", True))
        elif attr in _LISTENERS or _SERVER_CLASSES.search(attr):
            items.append(SurfaceItem("network-listener", f"{owner + '.' if owner else ''}{attr}", relative, line, "listens for connections"))
        elif owner == "" and attr == "open" and any(flag in _open_mode(node) for flag in "wax+"):
            items.append(SurfaceItem("file-sink", "open", relative, line, f"mode {_open_mode(node)!r}"))
        elif attr in _FILE_WRITERS and owner not in ("", "self"):
            items.append(SurfaceItem("file-sink", f"{owner}.{attr}", relative, line, "writes or removes files"))
        elif (owner, attr) in (("os", "getenv"), ("environ", "get"), ("keyring", "get_password"), ("getpass", "getpass")):
            name = _first_string(node) or ""
            if attr in ("get_password", "getpass") or _SECRET_NAME.search(name):
                items.append(SurfaceItem("secret", name or f"{owner}.{attr}", relative, line, f"reads a credential via {owner}.{attr}"))
        if isinstance(node, ast.Call) and attr == "run" and owner in ("uvicorn", "app", "web"):
            items.append(SurfaceItem("network-listener", f"{owner}.run", relative, line, "serves HTTP"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "environ":
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and _SECRET_NAME.search(key.value):
                items.append(SurfaceItem("secret", key.value, relative, node.lineno, "reads a credential from the environment"))
    return items


def console_scripts(root: Path) -> list[SurfaceItem]:
    """``[project.scripts]`` (and gui-scripts) of pyproject.toml."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return []
    try:
        data = toml_loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return []
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    items: list[SurfaceItem] = []
    for table in ("scripts", "gui-scripts"):
        for name, target in (project.get(table) or {}).items():
            items.append(SurfaceItem("cli-script", str(name), "pyproject.toml", 0, str(target)))
    return items


def extract_surface(root: Path, exclude: Iterable[str] = ()) -> AttackSurface:
    """The project's attack surface (files matching the ``exclude`` globs are not product)."""
    items: list[SurfaceItem] = console_scripts(root)
    items += [
        SurfaceItem("http-route", route.path, route.file, route.line, f"{'/'.join(route.methods)} -> {route.function}")
        for route in extract_routes(root, exclude)
    ]
    count = 0
    for path in python_files(root, exclude):
        count += 1
        tree = parse_file(path)
        if tree is not None:
            items.extend(scan_tree(tree, path.relative_to(root).as_posix()))
    unique = tuple(dict.fromkeys(items))
    return AttackSurface(items=unique, files_scanned=count)
