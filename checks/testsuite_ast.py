"""Reading the project's test functions: what they drive, whether they expect failure, what they cite.

Shared by the black-box (T06) and regression (T08) checks. The shared test run says which tests
ran and how they ended (with markers and docstrings from the recorder plugin); this module reads
each test function's source with ``ast`` to tell what kind of test it is. Nothing is executed.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from baseline.parsing import parse_python

if TYPE_CHECKING:  # the tool modules are imported when a check runs (docs/writing-checks.md, "Start-up")
    from baseline.tools.pytest_run import TestRun
    from baseline.tools.test_records import TestDetail

_SUBPROCESS = {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"}
_HTTP_CLIENTS = {"TestClient", "AsyncClient", "Client", "CliRunner", "test_client", "FlaskClient", "APIClient", "WebTestApp", "TestApp"}
_STATUS_ATTRS = {"returncode", "exit_code", "status_code", "status", "code"}
REFERENCE = re.compile(
    r"(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|PYSEC-\d{4}-\d+|OSV-\d{4}-\d+|"
    r"\bregression\b|\bbpo-?\d+|\bgh-?\d+\b|\bissue[\s_#-]*\d+|\bbug[\s_#-]*\d+|(?<![\w&])#\d{2,}\b|/issues/\d+|/pull/\d+)",
    re.IGNORECASE,
)
_NAME_REFERENCE = re.compile(r"(regression|issue_?\d+|gh_?\d+|bug_?\d+|cve_?\d{4}|ghsa|pysec|bpo_?\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class TestShape:
    """What reading one test function showed."""

    __test__ = False

    found: bool
    negative: bool = False
    drives_process: bool = False
    drives_client: bool = False
    property_based: bool = False
    calls_public: bool = False
    references: tuple[str, ...] = ()


def suite_problem(run: TestRun) -> str | None:
    """Why the shared test run cannot be judged (the run failed or nothing could be collected)."""
    if run.status == "error":
        return f"the test suite could not be run: {run.message}"
    if run.counts.errors and run.counts.passed + run.counts.failed == 0:
        first = next((case.message for case in run.cases if case.outcome == "error" and case.message), "")
        return f"the test suite could not be collected ({run.counts.errors} error(s)){': ' + first if first else ''}"
    return None


def details_of(run: TestRun) -> tuple[TestDetail, ...]:
    """Per-test details from the recorder plugin, else a reduced view built from the JUnit cases."""
    if run.details:
        return run.details
    from baseline.tools.test_records import TestDetail

    return tuple(
        TestDetail(
            nodeid=f"{case.file}::{case.name}" if case.file else case.nodeid,
            file=case.file or "",
            line=case.line,
            name=case.name.split("[", 1)[0],
            markers=(),
            doc="",
            hypothesis=False,
            outcome=case.outcome,
        )
        for case in run.cases
    )


@lru_cache(maxsize=512)
def _parse(path: str) -> tuple[ast.Module | None, tuple[str, ...]]:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return parse_python(text), tuple(text.splitlines())
    except (SyntaxError, ValueError, OSError):
        return None, ()


@dataclass
class _ModuleIndex:
    """Per-file facts computed once: functions by name (with enclosing classes) and helpers."""

    functions: dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[str, ...]]]]
    helpers: tuple[set[str], set[str], set[str]]
    product_names: dict[frozenset[str], set[str]]


def _index_functions(tree: ast.Module) -> dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[str, ...]]]]:
    found: dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[str, ...]]]] = {}

    def visit(node: ast.AST, classes: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, classes + (child.name,))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(child.name, []).append((child, classes))
                visit(child, classes)
            else:
                visit(child, classes)

    visit(tree, ())
    return found


@lru_cache(maxsize=512)
def _index(path: str) -> _ModuleIndex | None:
    tree, _ = _parse(path)
    if tree is None:
        return None
    return _ModuleIndex(_index_functions(tree), _helpers(tree), {})


def _find_function(index: _ModuleIndex, name: str, line: int | None, classes: list[str]) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    candidates = index.functions.get(name, [])
    if classes:
        candidates = [item for item in candidates if item[1][-len(classes):] == tuple(classes)] or candidates
    if not candidates:
        return None
    if line is not None:
        for node, _ in candidates:
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            if first <= line <= node.lineno:
                return node
    return candidates[0][0]


def _imported_product_names(tree: ast.Module, packages: frozenset[str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in packages:
            names.update(alias.asname or alias.name for alias in node.names if not alias.name.startswith("_"))
        elif isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name.split(".")[0] in packages)
    return names


def _is_nonzero_expectation(node: ast.Compare) -> bool:
    """``p.returncode != 0``, ``r.status_code == 404``, ``result.exit_code == 2``..."""
    sides = [node.left, *node.comparators]
    if not any(isinstance(side, ast.Attribute) and side.attr in _STATUS_ATTRS for side in sides):
        return False
    constants = [side.value for side in sides if isinstance(side, ast.Constant) and isinstance(side.value, int) and not isinstance(side.value, bool)]
    op = node.ops[0]
    if isinstance(op, (ast.NotEq, ast.Gt, ast.GtE)) and constants == [0]:
        return True
    if isinstance(op, ast.Eq) and constants and constants[0] != 0 and constants[0] != 200 and not 200 <= constants[0] < 300:
        return True
    if isinstance(op, ast.GtE) and constants and constants[0] >= 400:
        return True
    if isinstance(op, (ast.In, ast.NotIn)):
        return False
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_subprocess_call(node: ast.Call, from_subprocess: set[str]) -> bool:
    """``subprocess.run(...)`` or a name imported from subprocess (``from subprocess import run``)."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _SUBPROCESS and isinstance(func.value, ast.Name) and func.value.id == "subprocess":
        return True
    return isinstance(func, ast.Name) and func.id in from_subprocess


def _helpers(tree: ast.Module) -> tuple[set[str], set[str], set[str]]:
    """(module functions that start a process, that drive a client, names imported from subprocess)."""
    from_subprocess = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "subprocess"
        for alias in node.names
        if alias.name in _SUBPROCESS
    }
    process: set[str] = set()
    client: set[str] = set()
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("test"):
            continue
        calls = [child for child in ast.walk(node) if isinstance(child, ast.Call)]
        if any(_is_subprocess_call(call, from_subprocess) for call in calls):
            process.add(node.name)
        elif any(_call_name(call) in _HTTP_CLIENTS or _call_name(call) == "invoke" for call in calls):
            client.add(node.name)
    return process, client, from_subprocess


def shape_of(detail: TestDetail, root: Path, packages: frozenset[str]) -> TestShape:
    """Read one test's function and classify it."""
    if not detail.file:
        return TestShape(found=False)
    path = str((root / detail.file).resolve())
    tree, lines = _parse(path)
    index = _index(path)
    if tree is None or index is None:
        return TestShape(found=False)
    classes = [part for part in detail.nodeid.split("::")[1:-1] if part and part[0].isupper()]
    function = _find_function(index, detail.name, detail.line, classes)
    if function is None:
        return TestShape(found=False)
    negative = drives_process = drives_client = property_based = calls_public = False
    if packages not in index.product_names:
        index.product_names[packages] = _imported_product_names(tree, packages)
    product_names = index.product_names[packages]
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Name) and target.id == "given") or (isinstance(target, ast.Attribute) and target.attr == "given"):
            property_based = True
    process_helpers, client_helpers, from_subprocess = index.helpers
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in ("raises", "assertRaises", "assertRaisesRegex", "assertWarns"):
                negative = True
            elif _is_subprocess_call(node, from_subprocess) or (isinstance(node.func, ast.Name) and name in process_helpers):
                drives_process = True
            elif name in _HTTP_CLIENTS or name == "invoke" or (isinstance(node.func, ast.Name) and name in client_helpers):
                drives_client = True
            if isinstance(node.func, ast.Name) and node.func.id in product_names and not node.func.id.startswith("_"):
                calls_public = True
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id in product_names and not node.func.attr.startswith("_"):
                calls_public = True
        elif isinstance(node, ast.Compare) and _is_nonzero_expectation(node):
            negative = True
        elif isinstance(node, ast.Try) and any(isinstance(stmt, ast.Expr) or isinstance(stmt, ast.Assert) for handler in node.handlers for stmt in handler.body):
            negative = negative or any(handler.type is not None for handler in node.handlers)
    first = min([function.lineno] + [decorator.lineno for decorator in function.decorator_list])
    start = first - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1  # comments right above the test belong to it
    end = getattr(function, "end_lineno", None) or function.lineno
    comments = " ".join(line.split("#", 1)[1] for line in lines[start:end] if "#" in line)
    docstring = ast.get_docstring(function) or ""
    references = {match.group(0) for match in REFERENCE.finditer(f"{comments}\n{docstring}\n{detail.doc}")}
    references.update(match.group(0) for match in _NAME_REFERENCE.finditer(detail.name))
    for marker in detail.markers:
        if marker.name.lower() in ("regression", "issue", "bug", "cve", "ghsa", "security_regression"):
            references.add(f"@{marker.name}" + (f"({', '.join(marker.args)})" if marker.args else ""))
    return TestShape(
        found=True,
        negative=negative,
        drives_process=drives_process,
        drives_client=drives_client,
        property_based=property_based or detail.hypothesis,
        calls_public=calls_public,
        references=tuple(sorted(references)),
    )


def clear_cache() -> None:
    """Forget parsed test files (between scans in one process)."""
    _parse.cache_clear()
    _index.cache_clear()
