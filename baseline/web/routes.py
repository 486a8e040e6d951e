"""Extract HTTP routes from source (AST): Flask/Quart/Bottle/FastAPI decorators, Django urlpatterns,
aiohttp router calls, with the query parameters each view reads, so that pages no link points to
are still scanned. The app launcher adds the routes a live Flask ``url_map`` reports.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from baseline.web.detect import parse_file, python_files

_HTTP_METHODS = ("get", "post", "put", "delete", "patch", "head", "options")
_ROUTE_DECORATORS = {"route", "api_route", "websocket", *_HTTP_METHODS}
_DJANGO_CALLS = {"path", "re_path", "url"}
_AIOHTTP_CALLS = {f"add_{method}": method.upper() for method in _HTTP_METHODS} | {"add_route": "*"}
_PARAM_SOURCES = {"args": "GET", "values": "GET", "form": "POST", "GET": "GET", "POST": "POST", "query_params": "GET", "query": "GET"}
_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>|\{([^{}:]+)(?::[^{}]*)?\}")


@dataclass(frozen=True)
class Route:
    """One HTTP route found in the code (or reported by the live app)."""

    path: str
    methods: tuple[str, ...]
    function: str
    file: str
    line: int
    query_params: tuple[str, ...] = ()
    source: str = "ast"  # "ast" | "url_map"
    form_params: tuple[str, ...] = ()  # names read from the posted form (request.form, request.POST)

    def sample_url_path(self) -> str | None:
        """A concrete path (placeholders replaced by 1) with its GET parameters, or None for regexes."""
        path = _PLACEHOLDER.sub("1", self.path)
        if any(char in path for char in "^$()[]*+?\\|"):
            return None
        if not path.startswith("/"):
            path = "/" + path
        if self.query_params:
            path += "?" + "&".join(f"{name}=1" for name in self.query_params)
        return path


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _methods_keyword(call: ast.Call, default: tuple[str, ...]) -> tuple[str, ...]:
    for keyword in call.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple, ast.Set)):
            values = [_string(item) for item in keyword.value.elts]
            return tuple(value.upper() for value in values if value)
    return default


def _read_names(function: ast.AST, where: str) -> list[str]:
    """Names a view reads from the request's ``where`` ("GET" or "POST") containers, in order
    (``request.args.get('x')``, ``request.form['x']``, ``request.POST['x']``...)."""
    found: list[str] = []
    for node in ast.walk(function):
        container: ast.AST | None = None
        name: str | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getlist", "get_all") and node.args:
            container, name = node.func.value, _string(node.args[0])
        elif isinstance(node, ast.Subscript):
            container, name = node.value, _string(node.slice)
        if name and isinstance(container, ast.Attribute) and _PARAM_SOURCES.get(container.attr) == where and name not in found:
            found.append(name)
    return found


def form_params(function: ast.AST) -> tuple[str, ...]:
    """Names of posted form fields a view reads (request.form['x'], request.form.get('x'), request.POST['x'])."""
    return tuple(_read_names(function, "POST"))


def _query_params(function: ast.AST, path: str) -> tuple[str, ...]:
    """Names of request parameters a view reads (request.args.get('x'), request.GET['x'], FastAPI args)."""
    found = _read_names(function, "GET")
    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        placeholders = {match.group(1) or match.group(2) for match in _PLACEHOLDER.finditer(path)}
        decorated_fastapi = any(
            isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in _HTTP_METHODS
            for dec in function.decorator_list
        )
        if decorated_fastapi:
            for arg in function.args.args:
                annotation = ast.unparse(arg.annotation) if arg.annotation else ""
                if arg.arg not in placeholders and arg.arg not in ("self", "request") and annotation in ("", "str", "int", "float", "bool", "str | None", "int | None", "Optional[str]", "Optional[int]"):
                    if arg.arg not in found:
                        found.append(arg.arg)
    return tuple(found)


def routes_in_module(tree: ast.Module, relative: str) -> list[Route]:
    """Routes declared in one parsed module."""
    routes: list[Route] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, (ast.Attribute, ast.Name))):
                    continue
                attr = decorator.func.attr if isinstance(decorator.func, ast.Attribute) else decorator.func.id
                path = _string(decorator.args[0]) if decorator.args else None
                if path is None:
                    for keyword in decorator.keywords:
                        if keyword.arg in ("path", "rule"):
                            path = _string(keyword.value)
                if attr not in _ROUTE_DECORATORS or path is None or not path.startswith("/"):
                    continue
                default = ("GET",) if attr in ("route", "api_route", "websocket") else (attr.upper(),)
                methods = _methods_keyword(decorator, default)
                routes.append(Route(path, methods, node.name, relative, node.lineno, _query_params(node, path), form_params=form_params(node)))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            path = _string(node.args[0]) if node.args else None
            if path is None:
                continue
            if name in _DJANGO_CALLS and len(node.args) >= 2:
                view = ast.unparse(node.args[1])
                routes.append(Route("/" + path.lstrip("^/").rstrip("$"), ("GET",), view, relative, node.lineno))
            elif name in _AIOHTTP_CALLS and path.startswith("/") and len(node.args) >= 2:
                method = _AIOHTTP_CALLS[name]
                if method == "*" and len(node.args) >= 3:
                    method = (_string(node.args[0]) or "GET").upper()
                    path = _string(node.args[1]) or path
                routes.append(Route(path, (method,), ast.unparse(node.args[-1]), relative, node.lineno))
    return routes


def extract_routes(root: Path, exclude: Iterable[str] = ()) -> list[Route]:
    """Every route declared in the project's product code, in file order (``exclude`` globs skipped)."""
    routes: list[Route] = []
    for path in python_files(root, exclude):
        tree = parse_file(path)
        if tree is not None:
            routes.extend(routes_in_module(tree, path.relative_to(root).as_posix()))
    return routes


def merge_url_map(routes: list[Route], rules: Iterable[dict[str, object]]) -> list[Route]:
    """Add rules reported by a live Flask url_map that the AST did not see (static files excluded)."""
    known = {route.path for route in routes}
    merged = list(routes)
    for rule in rules:
        path = str(rule.get("rule", ""))
        endpoint = str(rule.get("endpoint", ""))
        if not path or path in known or endpoint == "static":
            continue
        methods = tuple(sorted(str(m) for m in rule.get("methods", []) if m not in ("HEAD", "OPTIONS")))  # type: ignore[attr-defined]
        # A blueprint's rule is its code's route under a prefix: it keeps that route's parameters and place.
        function = endpoint.rsplit(".", 1)[-1]
        code = next((route for route in routes if route.function == function and route.path != "/" and path.endswith(route.path)), None)
        if code is not None:
            merged.append(Route(path, methods or code.methods, endpoint, code.file, code.line, code.query_params, "url_map", code.form_params))
        else:
            merged.append(Route(path, methods or ("GET",), endpoint, "", 0, (), "url_map"))
        known.add(path)
    return merged


def seed_page(routes: Iterable[Route]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(an HTML page with a form for each route that takes posted fields, the (method, path) of those
    forms), so a crawler attacks them although no page of the app links to them (placeholders filled with 1)."""
    import html

    forms: list[str] = []
    seen: set[tuple[str, str]] = set()
    for route in routes:
        posted = [method for method in route.methods if method in ("POST", "PUT", "PATCH")]
        target = route.sample_url_path()
        if not posted or target is None or not route.form_params:
            continue
        action = target.split("?", 1)[0]
        if (action, posted[0]) in seen:
            continue
        seen.add((action, posted[0]))
        fields = "".join(f'<input type="text" name="{html.escape(name)}" value="1">' for name in route.form_params)
        forms.append(f'<form method="post" action="{html.escape(action)}">{fields}<input type="submit" value="send"></form>')
    page = "<!doctype html><html><head><title>routes</title></head><body>" + "\n".join(forms) + "</body></html>"
    return page, tuple(sorted((method, action) for action, method in seen))
