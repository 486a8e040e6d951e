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
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, cast
from baseline.parsing import parse_python

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
# stdlib http.server: a handler's do_GET/do_POST/... reads the request from these attributes of self.
HANDLER_METHOD = re.compile(r"^do_[A-Z]+$")
HANDLER_ATTRS = frozenset({"path", "headers", "rfile", "requestline"})
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
    # (class or "", function, expression as written): slices of request data inside that function
    # and comprehensions over it (semgrep CE drops taint at both), rendered as extra sources.
    slices: set[tuple[str, str, str]] = field(default_factory=set)
    # (class or "", function, expression as written): values that cannot be reached or are constants
    # (a branch on a local constant that is never taken, a name bound once to a constant of a tuple),
    # rendered as extra sanitisers.
    inert: set[tuple[str, str, str, str]] = field(default_factory=set)  # (class, function, expression, inside)

    def digest(self) -> str:
        text = "\n".join(
            sorted(self.functions) + ["--"] + sorted(self.methods) + ["--"] + sorted(f"{c}.{f}" for c, f in self.fields)
            + ["--"] + sorted(f"{r}:{n}:{i}:{m}" for r, n, i, m in self.sinks)
            + ["--"] + sorted(json.dumps(item) for item in self.slices) + ["--"] + sorted(json.dumps(item) for item in self.inert)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def empty(self) -> bool:
        return not (self.functions or self.methods or self.fields or self.sinks or self.slices or self.inert)


def _is_request_base(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in REQUEST_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr == "request" or _is_request_base(node.value)
    return False


# Facts: what each function of a file says, read once from its AST into plain JSON-able lists, so
# they can be cached per file content and the fixed point over the project only intersects sets.
FACTS_FORMAT = "facts-2"


def _names(node: ast.AST) -> tuple[bool, list[str], list[str], list[str], list[str]]:
    """(reads request data, names, called function names, called method names, self attributes)."""
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
    return request, sorted(names), sorted(functions), sorted(methods), sorted(self_attrs)


def _targets(target: ast.AST) -> Iterable[ast.AST]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for item in target.elts:
            yield from _targets(item)
    else:
        yield target


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


def _carried(node: ast.AST) -> list[str]:
    """The names ``node`` carries: every name in it except those inside a neutralising call."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Name):
            found.add(item.id)
        elif isinstance(item, ast.Call) and _callee(item) in NEUTRALISERS:
            continue
        else:
            stack.extend(ast.iter_child_nodes(item))
    return sorted(found)


def _shell_true(call: ast.Call) -> bool:
    return any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def _function_facts(node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None) -> dict[str, Any]:
    steps: list[list[Any]] = []  # [facts of a value, bound local names or None (a return), self fields set]
    assigns: list[list[Any]] = []  # [carried names, bound local names]
    calls: list[list[Any]] = []  # [callee, shell=True, [carried names of each positional argument]]
    interesting: list[ast.AST] = []  # slices and comprehensions, where semgrep CE drops taint
    sole_arguments: dict[int, ast.Call] = {}  # a generator that is a call's only argument -> the call
    maybe_inert = False  # a branch or a tuple assignment: worth looking for constants
    for sub in ast.walk(node):
        if (isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Slice)) or isinstance(sub, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            interesting.append(sub)
        elif isinstance(sub, ast.Call) and len(sub.args) == 1 and not sub.keywords and isinstance(sub.args[0], ast.GeneratorExp):
            sole_arguments[id(sub.args[0])] = sub
        elif isinstance(sub, (ast.If, ast.IfExp)) or (isinstance(sub, ast.Assign) and isinstance(sub.targets[0], (ast.Tuple, ast.List))):
            maybe_inert = True
        if isinstance(sub, ast.Return) and sub.value is not None:
            steps.append([list(_names(sub.value)), None, []])
            continue
        if isinstance(sub, ast.Call):
            arguments: list[list[str]] = []
            for argument in sub.args:
                if isinstance(argument, ast.Starred):
                    break
                arguments.append(_carried(argument))
            calls.append([_callee(sub), _shell_true(sub), arguments])
            continue
        if isinstance(sub, (ast.With, ast.AsyncWith)):
            assigns.extend([_carried(i.context_expr), [i.optional_vars.id]] for i in sub.items if isinstance(i.optional_vars, ast.Name))
            continue
        if isinstance(sub, ast.Assign):
            value, targets = sub.value, list(sub.targets)
        elif isinstance(sub, (ast.AnnAssign, ast.AugAssign)) and sub.value is not None:
            value, targets = sub.value, [sub.target]
        else:
            continue
        names: list[str] = []
        fields: list[str] = []
        for target in targets:
            for item in _targets(target):
                if isinstance(item, ast.Name):
                    names.append(item.id)
                elif isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name) and item.value.id == "self":
                    fields.append(item.attr)
        steps.append([list(_names(value)), names, fields])
        assigns.append([_carried(value), names])
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    slices: list[list[Any]] = []
    handler = owner is not None and HANDLER_METHOD.match(node.name) is not None
    for sub in interesting:
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Slice):
            base = sub.value
            if isinstance(base, ast.Call) and _callee(base) in NEUTRALISERS:
                continue
            segment = _segment(sub)
            if segment is not None:
                base_facts = list(_names(base))
                if handler and any(isinstance(n, ast.Attribute) and n.attr in HANDLER_ATTRS and isinstance(n.value, ast.Name)
                                   and n.value.id == "self" for n in ast.walk(base)):
                    base_facts[0] = True
                slices.append([segment, base_facts])
        elif isinstance(sub, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            # semgrep CE also drops taint where a comprehension's element calls something on its variable.
            bound = {n.id for g in sub.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            if bound.isdisjoint(_carried(sub.elt)) or not any(isinstance(n, ast.Call) for n in ast.walk(sub.elt)):
                continue  # every use goes through a conversion (int(), shlex.quote(), ...), or no call: semgrep follows it
            # A generator that is a call's only argument is written without its parentheses: the call is the pattern.
            call = sole_arguments.get(id(sub))
            segment = _segment(sub)
            if call is not None and segment is not None:
                func = _segment(call.func)
                segment = None if func is None else f"{func}({segment[1:-1]})"
            if segment is not None:
                merged = [_names(g.iter) for g in sub.generators]
                combined: list[Any] = [any(m[0] for m in merged)]
                for position in range(1, 5):
                    combined.append(sorted({x for m in merged for x in cast(list[str], m[position])}))
                slices.append([segment, combined])
    return {
        "name": node.name,
        "owner": owner,
        "route": any(ROUTE_DECORATOR.search(ast.unparse(d).split("(")[0]) for d in node.decorator_list),
        "params": params,
        "steps": steps,
        "assigns": assigns,
        "calls": calls,
        "slices": slices,
        "inert": _inert(node) if maybe_inert else [],
    }


MAX_SEGMENT = 200


def _segment(node: ast.AST) -> str | None:
    """An expression as a one-line semgrep pattern (None when it cannot be one safely)."""
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):
        return None
    if len(text) > MAX_SEGMENT or "\n" in text or "$" in text or "..." in text or not text.isprintable():
        return None
    return text


def _bound_without_name_node(node: ast.AST) -> str | None:
    """The name an ``except ... as x`` or a match capture (``case x``, ``case [*x]``, ``case {**x}``)
    binds: bindings the AST writes as a plain string, not as a stored ``ast.Name``."""
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _local_constants(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[dict[str, Any], set[str]]:
    """(names bound exactly once in the function, to a literal: name -> value; those bound in a tuple).

    A name bound once holds that literal wherever it is read (reading it before the binding raises).
    Parameters, ``global``/``nonlocal`` names and any second binding (loop, ``with``, walrus,
    augmented assignment, import, nested function, ``except ... as``, a match capture) disqualify a name.
    """
    counts: dict[str, int] = {}
    excluded: set[str] = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    values: dict[str, Any] = {}
    in_tuple: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            counts[sub.id] = counts.get(sub.id, 0) + 1
        elif (bound := _bound_without_name_node(sub)) is not None:
            counts[bound] = counts.get(bound, 0) + 1
        elif isinstance(sub, (ast.Global, ast.Nonlocal)):
            excluded.update(sub.names)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            excluded.update((a.asname or a.name).split(".")[0] for a in sub.names)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub is not node:
            excluded.add(sub.name)
        elif isinstance(sub, ast.Assign) and len(sub.targets) == 1:
            target, value = sub.targets[0], sub.value
            if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
                values[target.id] = value.value
            elif (isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List))
                  and len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in value.elts)):
                for item, element in zip(target.elts, value.elts):
                    if isinstance(item, ast.Name) and isinstance(element, ast.Constant):
                        values[item.id] = element.value
                        in_tuple.add(item.id)
    constants = {name: value for name, value in values.items() if counts.get(name) == 1 and name not in excluded}
    return constants, in_tuple & set(constants)


_UNKNOWN = object()
_COMPARE = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
}


def _value(node: ast.AST, constants: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_value(e, constants) for e in node.elts]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else tuple(items)
    return _UNKNOWN


def _evaluate(test: ast.AST, constants: dict[str, Any]) -> bool | None:
    """The truth of a test made of local constants and literals, None when it depends on anything else."""
    try:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = _evaluate(test.operand, constants)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            results = [_evaluate(v, constants) for v in test.values]
            if isinstance(test.op, ast.And):
                return False if False in results else (True if all(r is True for r in results) else None)
            return True if True in results else (False if all(r is False for r in results) else None)
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _COMPARE:
            left, right = _value(test.left, constants), _value(test.comparators[0], constants)
            if left is _UNKNOWN or right is _UNKNOWN:
                return None
            return bool(_COMPARE[type(test.ops[0])](left, right))
        value = _value(test, constants)
        return None if value is _UNKNOWN else bool(value)
    except (TypeError, ValueError, ArithmeticError):
        return None


def _inert(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[list[str]]:
    """Expressions of the function that never carry data at run time: [as written, enclosing pattern or ""].

    - the values assigned in a branch that a test on local constants never takes (and the operand
      of a conditional expression that is never chosen), when the same expression does not also
      appear in the reachable code; matched only inside that ``if`` (or conditional expression);
    - names bound once to a constant element of a tuple (``tool, arg = "ls", request.args["a"]``).
    """
    constants, in_tuple = _local_constants(node)
    found: list[list[str]] = [[name, ""] for name in sorted(in_tuple)]
    if not constants:
        return found
    dead: list[tuple[ast.AST, str]] = []
    for sub in ast.walk(node):
        if isinstance(sub, (ast.If, ast.IfExp)):
            truth = _evaluate(sub.test, constants)
            if truth is None:
                continue
            if isinstance(sub, ast.If):
                test = _segment(sub.test)
                if test is not None:
                    dead.extend((item, f"if {test}:\n  ...") for item in (sub.orelse if truth else sub.body))
            else:
                whole = _segment(sub)
                if whole is not None:
                    dead.append((sub.orelse if truth else sub.body, whole))
    if not dead:
        return found
    dead_ids = {id(n) for item, _ in dead for n in ast.walk(item)}
    live = {ast.dump(n) for n in ast.walk(node) if id(n) not in dead_ids and isinstance(n, ast.expr)}
    candidates: list[tuple[ast.AST, str]] = []
    for item, inside in dead:
        if isinstance(item, ast.expr):
            candidates.append((item, inside))
            continue
        for sub in ast.walk(item):
            if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)) and sub.value is not None:
                candidates.append((sub.value, inside))
    for value, inside in candidates:
        if isinstance(value, ast.Constant) or ast.dump(value) in live:
            continue
        segment = _segment(value)
        if segment is not None and [segment, inside] not in found:
            found.append([segment, inside])
    return found


def file_facts(text: str) -> list[dict[str, Any]] | None:
    """The facts of every function and method of one file (None when it does not parse here)."""
    try:
        tree = parse_python(text)
        facts = []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                facts.append(_function_facts(node, None))
            elif isinstance(node, ast.ClassDef):
                facts.extend(_function_facts(item, node.name) for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))
        return facts
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@dataclass(frozen=True)
class _Facts:
    request: bool
    names: frozenset[str]
    functions: frozenset[str]
    methods: frozenset[str]
    self_attrs: frozenset[str]


class _Function:
    """One function's facts, as sets (built from :func:`file_facts`' output, cached or fresh)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.name = str(data["name"])
        owner = data["owner"]
        self.owner = str(owner) if owner is not None else None
        self.route = bool(data["route"])
        params = [str(p) for p in data["params"]]
        self.is_method = bool(self.owner) and bool(params) and params[0] in ("self", "cls")
        self.params = params[1:] if self.is_method else params
        # Parameters that are request data, as in the pack's sources: every parameter of a route,
        # those after (root, info) of a GraphQL resolve_*, those after the request of a view.
        if self.route:
            seeds = list(self.params)
        elif self.name.startswith("resolve_") and len(self.params) >= 3:
            seeds = self.params[2:]
        elif self.params and self.params[0] in REQUEST_NAMES:
            seeds = self.params[1:]
        else:
            seeds = list[str]()
        self.seeds = set(seeds) - REQUEST_NAMES
        self.steps: list[tuple[_Facts, list[str] | None, list[str]]] = [
            (_Facts(bool(f[0]), frozenset(f[1]), frozenset(f[2]), frozenset(f[3]), frozenset(f[4])),
             None if names is None else [str(n) for n in names], [str(n) for n in fields])
            for f, names, fields in data["steps"]
        ]
        self.assigns = [(frozenset(carried), [str(n) for n in names]) for carried, names in data["assigns"]]
        self.calls = [(str(callee), bool(shell), [frozenset(a) for a in arguments]) for callee, shell, arguments in data["calls"]]
        self.slices = [(str(text), _Facts(bool(f[0]), frozenset(f[1]), frozenset(f[2]), frozenset(f[3]), frozenset(f[4])))
                       for text, f in data.get("slices", ())]
        self.inert = [(str(text), str(inside)) for text, inside in data.get("inert", ())]


def _tainted(facts: _Facts, local: set[str], summary: Summary, owner: str | None) -> bool:
    return (
        facts.request
        or not facts.names.isdisjoint(local)
        or not facts.functions.isdisjoint(summary.functions)
        or not facts.methods.isdisjoint(summary.methods)
        or (bool(owner) and any((owner, attr) in summary.fields for attr in facts.self_attrs))
    )


def _locals(function: _Function, summary: Summary, seed: set[str]) -> set[str]:
    """The local names that carry request data, starting from ``seed``."""
    local = set(seed)
    for facts, names, _ in function.steps:
        if names is not None and _tainted(facts, local, summary, function.owner):
            local.update(names)
    return local


def _visit(function: _Function, summary: Summary) -> bool:
    """Update ``summary``'s sources from one function; True when something was added."""
    local: set[str] = set()
    changed = False
    returns = False
    owner = function.owner
    for facts, names, fields in function.steps:
        if names is None:
            returns = returns or _tainted(facts, local, summary, owner)
            continue
        if not _tainted(facts, local, summary, owner):
            continue
        local.update(names)
        for name in fields:
            if owner and IDENTIFIER.match(name) and (owner, name) not in summary.fields and len(summary.fields) < MAX_ITEMS:
                summary.fields.add((owner, name))
                changed = True
    if function.slices and function.seeds:
        # The parameters of a route, of a view taking the request first and of a GraphQL resolver
        # are request data (as in the pack's sources): only for the slices, not for the summaries above.
        local = _locals(function, summary, function.seeds)
    if IDENTIFIER.match(function.name) and (owner is None or IDENTIFIER.match(owner)):
        for text, facts in function.slices:
            key = (owner or "", function.name, text)
            if key not in summary.slices and len(summary.slices) < MAX_ITEMS and _tainted(facts, local, summary, owner):
                summary.slices.add(key)
                changed = True
    if returns and not function.route and IDENTIFIER.match(function.name) and function.name not in AMBIGUOUS:
        bucket = summary.methods if function.owner else summary.functions
        if function.name not in bucket and len(bucket) < MAX_ITEMS:
            bucket.add(function.name)
            changed = True
    return changed


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


def _call_sinks(callee: str, shell: bool, helpers: Helpers) -> list[tuple[str, int]]:
    """(rule, argument index) of every sink a call of ``callee`` is: a table sink or a known sink helper."""
    if not callee:
        return []
    method = "." + callee.rsplit(".", 1)[-1]
    found = [(rule, position) for key in {callee, method} for rule, position, needs_shell in SINK_INDEX.get(key, ()) if shell or not needs_shell]
    found.extend(helpers.get(method, ()))
    if "." not in callee:
        found.extend(helpers.get(callee, ()))
    return found


def _visit_sinks(function: _Function, summary: Summary, helpers: Helpers) -> bool:
    """Add the parameters of ``function`` that reach a sink; True when something was added."""
    if function.route or not IDENTIFIER.match(function.name) or function.name in AMBIGUOUS:
        return False
    sinks = [(arguments, found) for callee, shell, arguments in function.calls for found in [_call_sinks(callee, shell, helpers)] if found]
    if not sinks:
        return False
    changed = False
    for index, param in enumerate(function.params):
        if param in REQUEST_NAMES or not IDENTIFIER.match(param):
            continue
        names = {param}
        for _ in range(2):  # assignments in any order, twice: enough for straight-line helpers
            for carried, targets in function.assigns:
                if targets and not names.issuperset(targets) and not carried.isdisjoint(names):
                    names.update(targets)
        for arguments, found in sinks:
            for rule, position in found:
                key = (rule, function.name, index, function.is_method)
                if position < len(arguments) and key not in summary.sinks and len(summary.sinks) < MAX_ITEMS and not arguments[position].isdisjoint(names):
                    summary.sinks.add(key)
                    changed = True
    return changed


def summarise_facts(per_file: Iterable[list[dict[str, Any]] | None]) -> Summary:
    """The project's summary from its files' facts (:func:`file_facts`; None for a file that did not parse)."""
    functions: list[_Function] = []
    for facts in per_file:
        for item in facts or ():
            try:
                functions.append(_Function(item))
            except (KeyError, TypeError, ValueError, IndexError):
                continue  # a malformed entry (never written by file_facts): the function is left out
    summary = Summary()
    for _ in range(MAX_ROUNDS):
        changed = False
        helpers = _helper_index(summary)
        for function in functions:
            changed = _visit(function, summary) or changed
            changed = _visit_sinks(function, summary, helpers) or changed
        if not changed:
            break
    # Sanitisers only where request data is read: elsewhere they would only slow semgrep down.
    for function in functions:
        if not function.inert or not IDENTIFIER.match(function.name) or not (function.owner is None or IDENTIFIER.match(function.owner)):
            continue
        if function.route or function.seeds or any(_tainted(facts, set(), summary, function.owner) for facts, _, _ in function.steps):
            for text, inside in function.inert:
                if len(summary.inert) < MAX_ITEMS:
                    summary.inert.add((function.owner or "", function.name, text, inside))
    return summary


def summarise(texts: Iterable[str]) -> Summary:
    """The project's summary from its files' texts (files that do not parse here are skipped)."""
    return summarise_facts(file_facts(text) for text in texts)


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
    lines.extend(_scoped({(owner, name, text, "") for owner, name, text in summary.slices}))
    return "\n".join(lines) + ("\n" if lines else "")


def _scoped(items: set[tuple[str, str, str, str]]) -> list[str]:
    """YAML items matching each expression only inside its function (and class, and enclosing
    pattern when one is given), grouped by function and enclosing pattern."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for owner, name, text, inside in sorted(items):
        groups.setdefault((owner, name, inside), []).append(text)
    lines: list[str] = []
    for (owner, name, inside), texts in sorted(groups.items()):
        lines.append("  - patterns:")
        if owner:
            lines.extend(["    - pattern-inside: |", f"        class {owner}(...):", "          ..."])
        if inside:
            lines.append(f"    - pattern-inside: {json.dumps(inside, ensure_ascii=False)}")
        lines.extend([
            "    - pattern-either:",
            "      - pattern-inside: |", f"          def {name}(...):", "            ...",
            "      - pattern-inside: |", f"          async def {name}(...):", "            ...",
            "    - pattern-either:",
        ])
        lines.extend(f"      - pattern: {json.dumps(text, ensure_ascii=False)}" for text in texts)
    return lines


def render_sanitisers(summary: Summary) -> str:
    """The summary's inert values as YAML ``pattern-sanitizers`` items."""
    lines = _scoped(summary.inert)
    return "\n".join(lines) + ("\n" if lines else "")


def render_sinks(summary: Summary, rule: str) -> str:
    """The sink helpers of ``rule`` as YAML ``pattern-sinks`` items: the argument at the call is the sink.

    Helpers are grouped by argument position and kind (function or method), one pattern per group
    with the names in a regex, so a project with hundreds of helpers adds a handful of patterns.
    """
    groups: dict[tuple[int, bool], list[str]] = {}
    for _, name, index, is_method in sorted(s for s in summary.sinks if s[0] == rule):
        groups.setdefault((index, is_method), []).append(name)
    lines: list[str] = []
    for (index, is_method), names in sorted(groups.items()):
        arguments = ", ".join(f"$A{i}" for i in range(index + 1))
        lines.append("  - patterns:")
        lines.append(f"    - pattern: {'$OBJ.' if is_method else ''}$HELPER({arguments}, ...)")
        lines.append("    - metavariable-regex:")
        lines.append("        metavariable: $HELPER")
        lines.append(f"        regex: ^({'|'.join(names)})$")
        lines.append(f"    - focus-metavariable: $A{index}")
    return "\n".join(lines) + ("\n" if lines else "")


SOURCES_ANCHOR = "  pattern-sources:\n"
SINKS_ANCHOR = "  pattern-sinks:\n"
SANITISERS_ANCHOR = "  pattern-sanitizers:\n"


def project_pack(pack: Path, summary: Summary, folder: Path) -> Path:
    """A copy of the rule pack in ``folder`` with the summary's sources added to every taint rule and
    its sink helpers to the rule whose sink they reach."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = render_sources(summary)
    for path in sorted(pack.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if extra and "mode: taint" in text and SOURCES_ANCHOR in text:
            text = text.replace(SOURCES_ANCHOR, SOURCES_ANCHOR + extra, 1)
        sanitisers = render_sanitisers(summary)
        if sanitisers and "mode: taint" in text and text.count(SINKS_ANCHOR) == 1:
            if text.count(SANITISERS_ANCHOR) == 1:
                text = text.replace(SANITISERS_ANCHOR, SANITISERS_ANCHOR + sanitisers, 1)
            else:
                text = text.replace(SINKS_ANCHOR, SANITISERS_ANCHOR + sanitisers + SINKS_ANCHOR, 1)
        sinks = render_sinks(summary, path.stem)
        if sinks and "mode: taint" in text and text.count(SINKS_ANCHOR) == 1:
            text = text.replace(SINKS_ANCHOR, SINKS_ANCHOR + sinks, 1)
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder
