"""Find ``assert`` statements in product code that guard security-relevant logic.

``python -O`` strips every assert, so an assert that is the only thing standing between a caller
and an action (an authorisation check, input validation, a state precondition) disappears in an
optimised deployment. This scanner reads the project's own modules (never its tests) with ``ast``
and classifies each assert by what it tests.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from baseline.target import is_test_path, iter_files
from baseline.tools.test_records import redact
from baseline.parsing import parse_python

_AUTH = re.compile(
    r"(admin|auth|permission|perm(s)?\b|allow|owner|role|privilege|staff|superuser|logged|login|access|grant|"
    r"token|signature|signed|verify|verified|csrf|acl|is_member|can_[a-z]+|may_[a-z]+)",
    re.IGNORECASE,
)
_STATE = re.compile(r"(state|status|open|closed|locked|initiali[sz]ed|ready|active|connected|started|running|valid)", re.IGNORECASE)


@dataclass(frozen=True)
class AssertGuard:
    """One assert in product code that guards something that matters."""

    path: str  # relative to the target root
    line: int
    kind: str  # "authorisation", "validation" or "state"
    function: str
    snippet: str


def _names(node: ast.AST) -> list[str]:
    found: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.append(child.id)
        elif isinstance(child, ast.Attribute):
            found.append(child.attr)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append(child.value)
    return found


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    every = args.posonlyargs + args.args + args.kwonlyargs
    names = {arg.arg for arg in every}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    return names - {"self", "cls"}


def _is_type_narrowing(test: ast.expr) -> bool:
    """``assert x is not None`` and ``assert isinstance(x, T)``: usually for the type checker."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        comparator = test.comparators[0]
        return isinstance(comparator, ast.Constant) and comparator.value is None
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance":
        return True
    return False


def classify(test: ast.expr, message: ast.expr | None, parameters: set[str]) -> str | None:
    """The kind of guard an assert is, or None when it looks like an internal invariant."""
    if isinstance(test, ast.Constant):
        return None  # assert False / assert True: unreachable markers, not guards
    words = _names(test) + (_names(message) if message is not None else [])
    if any(_AUTH.search(word) for word in words):
        return "authorisation"
    if _is_type_narrowing(test):
        return None
    referenced = {child.id for child in ast.walk(test) if isinstance(child, ast.Name)}
    if referenced & parameters:
        return "validation"
    if any(isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name) and child.value.id == "self" for child in ast.walk(test)):
        if any(_STATE.search(word) for word in words):
            return "state"
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.stack: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.found: list[AssertGuard] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if not self.stack:
            return  # module-level asserts run at import time: configuration, not request handling
        function = self.stack[-1]
        kind = classify(node.test, node.msg, _parameters(function))
        if kind is not None:
            snippet = self.lines[node.lineno - 1].strip() if node.lineno - 1 < len(self.lines) else ""
            self.found.append(AssertGuard(self.path, node.lineno, kind, function.name, redact(snippet[:200])))


def scan_source(source: str, path: str) -> list[AssertGuard]:
    """Guards in one module's source (raises SyntaxError for invalid Python)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes etc. are the dev-mode check's business
        tree = parse_python(source, filename=path)
    visitor = _Visitor(path, source.splitlines())
    visitor.visit(tree)
    return visitor.found


def scan_project(root: Path, sources: list[Path]) -> tuple[list[AssertGuard], int, list[str]]:
    """(guards, modules scanned, modules that could not be parsed) over the product sources."""
    guards: list[AssertGuard] = []
    scanned = 0
    unparsable: list[str] = []
    for source in sources:
        files = [source] if source.is_file() else [path for path in iter_files(source) if path.suffix == ".py"]
        for path in files:
            relative = path.relative_to(root).as_posix()
            if is_test_path(relative):
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
                guards.extend(scan_source(text, relative))
                scanned += 1
            except (SyntaxError, ValueError, OSError):
                unparsable.append(relative)
    return guards, scanned, unparsable
