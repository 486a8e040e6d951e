"""Cross-function taint summaries: an AST pre-pass over the project that feeds semgrep.

semgrep CE's taint analysis stays inside one function. This pass reads every Python file of the
project (with :mod:`ast`, never importing or running it) and computes, by name:

- *source helpers*: functions and methods whose return value carries request data (directly, via
  a local variable, a tainted ``self`` field or another source helper);
- *tainted fields*: ``self.<field>`` of a class that some method sets from request data;
- *sink helpers*: functions and methods one of whose parameters reaches a sink of a taint rule
  (directly, through local variables, or through another sink helper), unless it passes through a
  conversion that neutralises it (``int()``, ``shlex.quote()``, ``os.path.basename()``, ...) first.

It iterates to a fixed point (bounded), then renders sources as extra ``pattern-sources`` added to
every taint rule of a per-project copy of the rule pack, and sink helpers as extra
``pattern-sinks`` of the rule whose sink the parameter reaches (the argument at the call site is the
sink). Sinks are recognised by a small table (``SINKS``) that mirrors the pack's main sinks. The summary's digest is part of
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

# rule file stem -> (callee, index of the argument that is the sink). A callee is a dotted name as
# written at the call (``subprocess.check_output``), or ``.name`` for a method of any object.
# ``shell`` marks subprocess calls that are sinks only with ``shell=True``.
SINKS: dict[str, tuple[tuple[str, int], ...]] = {
    "sql-injection": (
        (".execute", 0), (".executemany", 0), (".executescript", 0), (".exec_driver_sql", 0), (".raw", 0),
        ("sqlalchemy.text", 0), ("text", 0), ("pandas.read_sql", 0), ("pd.read_sql", 0), ("pandas.read_sql_query", 0),
    ),
    "command-injection": (
        ("os.system", 0), ("os.popen", 0), ("subprocess.getoutput", 0), ("subprocess.getstatusoutput", 0),
        ("subprocess.run:shell", 0), ("subprocess.call:shell", 0), ("subprocess.check_call:shell", 0),
        ("subprocess.check_output:shell", 0), ("subprocess.Popen:shell", 0), ("asyncio.create_subprocess_shell", 0),
    ),
    "code-injection": (("eval", 0), ("exec", 0)),
    "path-traversal": (
        ("open", 0), ("io.open", 0), ("codecs.open", 0), ("os.remove", 0), ("os.unlink", 0), ("os.rmdir", 0),
        ("os.listdir", 0), ("shutil.rmtree", 0), ("send_file", 0), ("flask.send_file", 0), ("tarfile.open", 0),
        ("zipfile.ZipFile", 0),
    ),
    "ssrf": tuple(
        [(f"requests.{verb}", 0) for verb in ("get", "post", "put", "patch", "delete", "head", "options")]
        + [(f"httpx.{verb}", 0) for verb in ("get", "post", "put", "patch", "delete", "head", "options")]
        + [("requests.request", 1), ("urlopen", 0), ("urllib.request.urlopen", 0), ("urllib.request.Request", 0)]
    ),
    "template-injection": (("render_template_string", 0), ("flask.render_template_string", 0), ("jinja2.Template", 0)),
    "unsafe-deserialisation": (("pickle.loads", 0), ("pickle.load", 0), ("marshal.loads", 0)),
    "open-redirect": (("redirect", 0), ("flask.redirect", 0), ("HttpResponseRedirect", 0)),
}
# Calls whose result no longer carries the parameter as written (conversions and escaping).
NEUTRALISERS = frozenset({
    "int", "float", "bool", "len", "hash", "shlex.quote", "quote", "pipes.quote", "os.path.basename", "basename",
    "secure_filename", "werkzeug.utils.secure_filename", "escape", "html.escape", "markupsafe.escape",
    "uuid.UUID", "urllib.parse.quote", "re.escape",
})


@dataclass
class Summary:
    """What the pre-pass found, by name."""

    functions: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    fields: set[tuple[str, str]] = field(default_factory=set)  # (class, field)
    sinks: set[tuple[str, str, int, bool]] = field(default_factory=set)  # (rule, name, argument index, method)

    def digest(self) -> str:
        text = "\n".join(
            sorted(self.functions) + ["--"] + sorted(self.methods) + ["--"] + sorted(f"{c}.{f}" for c, f in self.fields)
            + ["--"] + sorted(f"{r}:{n}:{i}:{m}" for r, n, i, m in self.sinks)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def empty(self) -> bool:
        return not (self.functions or self.methods or self.fields or self.sinks)


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


def _callee(node: ast.Call) -> str:
    """The dotted name of a call's target as written (``a.b.c``), ``.name`` for other receivers, else ""."""
    parts: list[str] = []
    func: ast.AST = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
        return ".".join(reversed(parts))
    return "." + parts[0] if parts else ""


def _carries(node: ast.AST, names: set[str]) -> bool:
    """True when ``node`` contains one of ``names`` other than inside a neutralising call."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Call) and _callee(node) in NEUTRALISERS:
        return False
    return any(_carries(child, names) for child in ast.iter_child_nodes(node))


def _argument(call: ast.Call, index: int, keyword: str | None) -> ast.AST | None:
    if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    for item in call.keywords:
        if keyword is not None and item.arg == keyword:
            return item.value
    return None


def _shell_true(call: ast.Call) -> bool:
    return any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def _sink_rules(call: ast.Call, names: set[str], summary: Summary) -> set[str]:
    """The rules whose sink ``call`` is, with one of ``names`` in the sink argument."""
    callee = _callee(call)
    rules: set[str] = set()
    method = "." + callee.rsplit(".", 1)[-1] if callee else ""
    for rule, sinks in SINKS.items():
        for target, index in sinks:
            name, _, condition = target.partition(":")
            if name != callee and name != method:
                continue
            if condition == "shell" and not _shell_true(call):
                continue
            argument = _argument(call, index, None)
            if argument is not None and _carries(argument, names):
                rules.add(rule)
    for rule, helper, index, is_method in summary.sinks:
        if (is_method and callee.endswith("." + helper)) or (not is_method and callee == helper):
            argument = _argument(call, index, None)
            if argument is not None and _carries(argument, names):
                rules.add(rule)
    return rules


def _visit_sinks(function: _Function, summary: Summary) -> bool:
    """Add the parameters of ``function`` that reach a sink; True when something was added."""
    node = function.node
    if function.route or not IDENTIFIER.match(function.name) or function.name in AMBIGUOUS:
        return False
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    is_method = bool(function.owner) and bool(params) and params[0] in ("self", "cls")
    if is_method:
        params = params[1:]
    changed = False
    for index, param in enumerate(params):
        if param in REQUEST_NAMES or not IDENTIFIER.match(param):
            continue
        names = {param}
        for _ in range(2):  # assignments in any order, twice: enough for straight-line helpers
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and sub.value is not None and _carries(sub.value, names):
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    names.update(t.id for target in targets for t in _targets(target) if isinstance(t, ast.Name))
                elif isinstance(sub, (ast.With, ast.AsyncWith)):
                    for item in sub.items:
                        if isinstance(item.optional_vars, ast.Name) and _carries(item.context_expr, names):
                            names.add(item.optional_vars.id)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                for rule in _sink_rules(sub, names, summary):
                    key = (rule, function.name, index, is_method)
                    if key not in summary.sinks and len(summary.sinks) < MAX_ITEMS:
                        summary.sinks.add(key)
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
                changed = _visit_sinks(function, summary) or changed
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


def render_sinks(summary: Summary, rule: str) -> str:
    """The sink helpers of ``rule`` as YAML ``pattern-sinks`` items: the argument at the call is the sink."""
    lines: list[str] = []
    for _, name, index, is_method in sorted(s for s in summary.sinks if s[0] == rule):
        receiver = "$OBJ." if is_method else ""
        arguments = ", ".join(f"$A{i}" for i in range(index + 1))
        lines.append("  - patterns:")
        lines.append(f"    - pattern: {receiver}{name}({arguments}, ...)")
        lines.append(f"    - focus-metavariable: $A{index}")
    return "\n".join(lines) + ("\n" if lines else "")


SOURCES_ANCHOR = "  pattern-sources:\n"
SINKS_ANCHOR = "  pattern-sinks:\n"


def project_pack(pack: Path, summary: Summary, folder: Path) -> Path:
    """A copy of the rule pack in ``folder`` with the summary's sources added to every taint rule and
    its sink helpers to the rule whose sink they reach."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = render_sources(summary)
    for path in sorted(pack.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if extra and "mode: taint" in text and SOURCES_ANCHOR in text:
            text = text.replace(SOURCES_ANCHOR, SOURCES_ANCHOR + extra, 1)
        sinks = render_sinks(summary, path.stem)
        if sinks and "mode: taint" in text and text.count(SINKS_ANCHOR) == 1:
            text = text.replace(SINKS_ANCHOR, SINKS_ANCHOR + sinks, 1)
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder
