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


@dataclass(frozen=True)
class _Facts:
    """What an expression mentions, read once: the rounds of the fixed point only intersect sets."""

    request: bool
    names: frozenset[str]
    functions: frozenset[str]
    methods: frozenset[str]
    self_attrs: frozenset[str]


def _facts(node: ast.AST) -> _Facts:
    request = False
    names: set[str] = set()
    functions: set[str] = set()
    methods: set[str] = set()
    self_attrs: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            if sub.attr in REQUEST_ATTRS and _is_request_base(sub.value):
                request = True
            if isinstance(sub.value, ast.Name) and sub.value.id == "self":
                self_attrs.add(sub.attr)
        elif isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name):
                functions.add(func.id)
            elif isinstance(func, ast.Attribute):
                methods.add(func.attr)
    return _Facts(request, frozenset(names), frozenset(functions), frozenset(methods), frozenset(self_attrs))


def _tainted(facts: _Facts, local: set[str], summary: Summary, owner: str | None) -> bool:
    return (
        facts.request
        or not facts.names.isdisjoint(local)
        or not facts.functions.isdisjoint(summary.functions)
        or not facts.methods.isdisjoint(summary.methods)
        or (bool(owner) and any((owner, attr) in summary.fields for attr in facts.self_attrs))
    )


def _targets(target: ast.AST) -> Iterable[ast.AST]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for item in target.elts:
            yield from _targets(item)
    else:
        yield target


# One step of a function, in ast.walk order: (facts of the value, local names bound, self fields set),
# or (facts of a returned value, None, None).
_Step = tuple[_Facts, "list[str] | None", "list[str] | None"]


def _steps(function: _Function) -> list[_Step]:
    cached: list[_Step] | None = getattr(function, "_steps", None)
    if cached is not None:
        return cached
    steps: list[_Step] = []
    for node in ast.walk(function.node):
        if isinstance(node, ast.Return) and node.value is not None:
            steps.append((_facts(node.value), None, None))
            continue
        if isinstance(node, ast.Assign):
            value, targets = node.value, list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            value, targets = node.value, [node.target]
        else:
            continue
        names: list[str] = []
        fields: list[str] = []
        for target in targets:
            for item in _targets(target):
                if isinstance(item, ast.Name):
                    names.append(item.id)
                elif isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name) and item.value.id == "self" and IDENTIFIER.match(item.attr):
                    fields.append(item.attr)
        steps.append((_facts(value), names, fields))
    function._steps = steps  # type: ignore[attr-defined]
    return steps


def _visit(function: _Function, summary: Summary) -> bool:
    """Update ``summary`` from one function; True when something was added."""
    local: set[str] = set()
    changed = False
    returns = False
    owner = function.owner
    for facts, names, fields in _steps(function):
        if names is None:
            returns = returns or _tainted(facts, local, summary, owner)
            continue
        if not _tainted(facts, local, summary, owner):
            continue
        local.update(names)
        for name in fields or ():
            if owner and (owner, name) not in summary.fields and len(summary.fields) < MAX_ITEMS:
                summary.fields.add((owner, name))
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


def _sink_index() -> dict[str, list[tuple[str, int, bool]]]:
    """``SINKS`` by callee: name -> [(rule, argument index, needs shell=True)]."""
    index: dict[str, list[tuple[str, int, bool]]] = {}
    for rule, sinks in SINKS.items():
        for target, position in sinks:
            name, _, condition = target.partition(":")
            index.setdefault(name, []).append((rule, position, condition == "shell"))
    return index


SINK_INDEX = _sink_index()
Helpers = dict[str, list[tuple[str, int]]]  # "name" or ".name" (a method) -> [(rule, argument index)]


def _helper_index(summary: Summary) -> Helpers:
    index: Helpers = {}
    for rule, name, position, is_method in summary.sinks:
        index.setdefault(("." if is_method else "") + name, []).append((rule, position))
    return index


def _call_sinks(call: ast.Call, callee: str, helpers: Helpers) -> list[tuple[str, int]]:
    """(rule, argument index) of every sink ``call`` (whose callee is ``callee``) is: a table sink or a known sink helper."""
    if not callee:
        return []
    method = "." + callee.rsplit(".", 1)[-1]
    found = [(rule, position) for key in {callee, method} for rule, position, shell in SINK_INDEX.get(key, ()) if not shell or _shell_true(call)]
    found.extend(helpers.get(method, ()))
    if "." not in callee:
        found.extend(helpers.get(callee, ()))
    return found


def _body(function: _Function) -> tuple[list[tuple[ast.AST, list[str]]], list[tuple[ast.Call, str]]]:
    """The function's assignments (value, target names) and calls, read once."""
    cached = getattr(function, "_body", None)
    if cached is not None:
        return cached
    assigns: list[tuple[ast.AST, list[str]]] = []
    calls: list[tuple[ast.Call, str]] = []
    for sub in ast.walk(function.node):
        if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and sub.value is not None:
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            assigns.append((sub.value, [n.id for target in targets for n in _targets(target) if isinstance(n, ast.Name)]))
        elif isinstance(sub, (ast.With, ast.AsyncWith)):
            assigns.extend((item.context_expr, [item.optional_vars.id]) for item in sub.items if isinstance(item.optional_vars, ast.Name))
        elif isinstance(sub, ast.Call):
            calls.append((sub, _callee(sub)))
    function._body = (assigns, calls)  # type: ignore[attr-defined]
    return assigns, calls


def _visit_sinks(function: _Function, summary: Summary, helpers: Helpers) -> bool:
    """Add the parameters of ``function`` that reach a sink; True when something was added."""
    node = function.node
    if function.route or not IDENTIFIER.match(function.name) or function.name in AMBIGUOUS:
        return False
    assigns, calls = _body(function)
    sinks = [(call, found) for call, callee in calls for found in [_call_sinks(call, callee, helpers)] if found]
    if not sinks:
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
            for value, targets in assigns:
                if targets and not names.issuperset(targets) and _carries(value, names):
                    names.update(targets)
        for call, found in sinks:
            for rule, position in found:
                argument = _argument(call, position, None)
                key = (rule, function.name, index, is_method)
                if argument is not None and key not in summary.sinks and len(summary.sinks) < MAX_ITEMS and _carries(argument, names):
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
        helpers = _helper_index(summary)
        for function in functions:
            try:
                changed = _visit(function, summary) or changed
                changed = _visit_sinks(function, summary, helpers) or changed
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
