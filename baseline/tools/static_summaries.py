"""Cross-function taint summaries: an AST pre-pass over the project that feeds semgrep.

semgrep CE's taint analysis stays inside one function. This pass reads every Python file of the
project (with :mod:`ast`, never importing or running it) and computes, by name:

- *source helpers*: functions and methods whose return value carries request data (directly, via
  a local variable, a tainted ``self`` field or another source helper);
- *tainted fields*: ``self.<field>`` of a class that some method sets from request data.

It iterates to a fixed point (bounded), then renders them as extra ``pattern-sources`` that are
added to every taint rule of a per-project copy of the rule pack. The summary's digest is part of
the semgrep cache key: a change that alters a summary re-analyses the files it may affect. Names are
Python identifiers (checked), so the generated YAML cannot be steered by the target's code.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

# Attributes of a request object that hold client-controlled data (Flask, Django, Starlette/FastAPI,
# aiohttp, http.server) and request methods that return it.
REQUEST_ATTRS = frozenset({
    "args", "form", "values", "json", "data", "files", "cookies", "headers", "GET", "POST", "COOKIES", "META",
    "FILES", "body", "query_params", "path_params", "match_info", "query", "rel_url", "url", "path", "rfile",
    "get_json", "get_data", "getlist", "read",
})
REQUEST_NAMES = frozenset({"request", "req", "flask_request"})
# Method names too common to be summarised by name alone (views, mapping and string methods).
AMBIGUOUS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "dispatch", "setup", "__init__", "__call__", "pop",
    "items", "keys", "values", "strip", "split", "join", "format", "read", "readline", "copy", "update", "lower",
    "upper", "replace", "decode", "encode", "render", "run", "main", "handle", "process", "call", "load", "loads",
})
ROUTE_DECORATOR = re.compile(r"(route|get|post|put|patch|delete|api_route|websocket|field|mutation)$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,80}$")
MAX_ITEMS = 300
MAX_ROUNDS = 6


@dataclass
class Summary:
    """What the pre-pass found, by name."""

    functions: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    fields: set[tuple[str, str]] = field(default_factory=set)  # (class, field)

    def digest(self) -> str:
        text = "\n".join(sorted(self.functions) + ["--"] + sorted(self.methods) + ["--"] + sorted(f"{c}.{f}" for c, f in self.fields))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def empty(self) -> bool:
        return not (self.functions or self.methods or self.fields)


def _is_request_base(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in REQUEST_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr == "request" or _is_request_base(node.value)
    return False


class _Function:
    def __init__(self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None) -> None:
        self.node = node
        self.owner = owner
        self.name = node.name
        self.route = any(ROUTE_DECORATOR.search(ast.unparse(d).split("(")[0]) for d in node.decorator_list)


def _functions(tree: ast.Module) -> Iterable[_Function]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield _Function(node, None)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield _Function(item, node.name)


def _tainted(node: ast.AST, local: set[str], summary: Summary, owner: str | None) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            if sub.attr in REQUEST_ATTRS and _is_request_base(sub.value):
                return True
            if owner and isinstance(sub.value, ast.Name) and sub.value.id == "self" and (owner, sub.attr) in summary.fields:
                return True
        elif isinstance(sub, ast.Name) and sub.id in local:
            return True
        elif isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name) and func.id in summary.functions:
                return True
            if isinstance(func, ast.Attribute) and func.attr in summary.methods:
                return True
    return False


def _targets(target: ast.AST) -> Iterable[ast.AST]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for item in target.elts:
            yield from _targets(item)
    else:
        yield target


def _visit(function: _Function, summary: Summary) -> bool:
    """Update ``summary`` from one function; True when something was added."""
    local: set[str] = set()
    changed = False
    returns = False
    for node in ast.walk(function.node):
        value: ast.AST | None = None
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            value, targets = node.value, list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            value, targets = node.value, [node.target]
        elif isinstance(node, ast.Return) and node.value is not None:
            returns = returns or _tainted(node.value, local, summary, function.owner)
            continue
        if value is None or not _tainted(value, local, summary, function.owner):
            continue
        for target in targets:
            for item in _targets(target):
                if isinstance(item, ast.Name):
                    local.add(item.id)
                elif (
                    function.owner and isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name)
                    and item.value.id == "self" and IDENTIFIER.match(item.attr) and (function.owner, item.attr) not in summary.fields
                    and len(summary.fields) < MAX_ITEMS
                ):
                    summary.fields.add((function.owner, item.attr))
                    changed = True
    if returns and not function.route and IDENTIFIER.match(function.name) and function.name not in AMBIGUOUS:
        bucket = summary.methods if function.owner else summary.functions
        if function.name not in bucket and len(bucket) < MAX_ITEMS:
            bucket.add(function.name)
            changed = True
    return changed


def summarise(texts: Iterable[str]) -> Summary:
    """The project's summary from its files' texts (files that do not parse here are skipped)."""
    functions: list[_Function] = []
    for text in texts:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        functions.extend(_functions(tree))
    summary = Summary()
    for _ in range(MAX_ROUNDS):
        changed = False
        for function in functions:
            try:
                changed = _visit(function, summary) or changed
            except RecursionError:
                continue
        if not changed:
            break
    return summary


def render_sources(summary: Summary) -> str:
    """The summary as YAML ``pattern-sources`` items (indented for the pack's taint rules)."""
    lines: list[str] = []
    calls = [f"{name}(...)" for name in sorted(summary.functions)] + [f"$OBJ.{name}(...)" for name in sorted(summary.methods)]
    if calls:
        lines.append("  - pattern-either:")
        lines.extend(f"    - pattern: {call}" for call in calls)
    by_class: dict[str, list[str]] = {}
    for owner, name in sorted(summary.fields):
        by_class.setdefault(owner, []).append(name)
    for owner, names in sorted(by_class.items()):
        lines.append("  - patterns:")
        lines.append("    - pattern-inside: |")
        lines.append(f"        class {owner}(...):")
        lines.append("          ...")
        lines.append("    - pattern-either:")
        lines.extend(f"      - pattern: self.{name}" for name in names)
    return "\n".join(lines) + ("\n" if lines else "")


SOURCES_ANCHOR = "  pattern-sources:\n"


def project_pack(pack: Path, summary: Summary, folder: Path) -> Path:
    """A copy of the rule pack in ``folder`` with the summary's sources added to every taint rule."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = render_sources(summary)
    for path in sorted(pack.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if extra and "mode: taint" in text and SOURCES_ANCHOR in text:
            text = text.replace(SOURCES_ANCHOR, SOURCES_ANCHOR + extra, 1)
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder
