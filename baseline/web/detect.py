"""Find a project's web surface: frameworks in its dependencies and imports, and app objects.

Everything here reads files (AST and TOML); nothing is imported or executed.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from baseline.parsing import parse_python, toml_loads
from baseline.target import excluded, product_sources

# Distribution (or top-level import) name -> framework label.
FRAMEWORKS: dict[str, str] = {
    "flask": "Flask",
    "quart": "Quart",
    "django": "Django",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "aiohttp": "aiohttp",
    "tornado": "Tornado",
    "bottle": "Bottle",
    "pyramid": "Pyramid",
    "falcon": "Falcon",
    "sanic": "Sanic",
    "cherrypy": "CherryPy",
}
# Constructors whose result is an app object, and how to serve it.
_APP_CONSTRUCTORS: dict[str, tuple[str, str]] = {
    "Flask": ("Flask", "wsgi"),
    "Bottle": ("Bottle", "wsgi"),
    "FastAPI": ("FastAPI", "asgi"),
    "Starlette": ("Starlette", "asgi"),
    "Quart": ("Quart", "asgi"),
}
# Standard-library HTTP servers: a server class constructed in a module that speaks HTTP.
_STDLIB_SERVERS = frozenset({"HTTPServer", "ThreadingHTTPServer", "TCPServer", "ThreadingTCPServer", "ForkingTCPServer", "WSGIServer"})
_HTTP_HANDLERS = frozenset({"BaseHTTPRequestHandler", "SimpleHTTPRequestHandler", "CGIHTTPRequestHandler", "WSGIRequestHandler"})
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class FrameworkHit:
    """One reason to believe the project uses a web framework."""

    framework: str
    source: str  # "dependency" | "import"
    where: str  # file (relative) and what was seen


@dataclass(frozen=True)
class AppCandidate:
    """An app object (or Django project) that can be served."""

    target: str  # "package.module:attribute" or, for Django, the settings module
    framework: str
    kind: str  # "wsgi" | "asgi" | "django" | "script" (a module that starts its own server when run)
    path: str  # relative file
    line: int


@dataclass(frozen=True)
class WebSurface:
    """What detection found."""

    frameworks: tuple[FrameworkHit, ...]
    apps: tuple[AppCandidate, ...]
    files_scanned: int
    ports: tuple[int, ...] = ()  # port numbers the product's code names (where a fixed-port app may listen)

    @property
    def present(self) -> bool:
        """True when there is any sign of a web surface."""
        return bool(self.frameworks or self.apps)

    def names(self) -> tuple[str, ...]:
        """Distinct framework names, in order of first sight."""
        seen: list[str] = []
        for hit in self.frameworks:
            if hit.framework not in seen:
                seen.append(hit.framework)
        return tuple(seen)


def python_files(root: Path, exclude: Iterable[str] = ()) -> Iterator[Path]:
    """The product's Python files (packages and top-level modules), plus manage.py; ``exclude`` globs skipped."""
    patterns = tuple(exclude)
    for source in product_sources(root):
        candidates = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for path in candidates:
            if "__pycache__" in path.parts or not _importable(root, path):
                continue
            if patterns and excluded(path.relative_to(root).as_posix(), patterns):
                continue
            yield path
    if (root / "manage.py").is_file():
        yield root / "manage.py"


def _importable(root: Path, path: Path) -> bool:
    """Whether the file can be imported as a module: every part of its dotted name is an identifier.

    Files such as a rule pack's ``code-injection.py`` test targets are data shipped beside the code;
    an app defined there cannot be served by import, so it is not part of the web surface.
    """
    return all(part.isidentifier() for part in module_name(root, path).split("."))


def parse_file(path: Path) -> ast.Module | None:
    """Parse a Python file, or None when it cannot be read or parsed."""
    try:
        return parse_python(path.read_text(encoding="utf-8", errors="replace"), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return None


def module_name(root: Path, path: Path) -> str:
    """The dotted import name of a product file."""
    base = root / "src" if (root / "src").is_dir() and root / "src" in path.parents else root
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Extras and requirement files that equip the project's own development, not its product.
DEVELOPMENT_EXTRAS = frozenset({"dev", "develop", "development", "test", "tests", "testing", "doc", "docs", "lint", "typing", "ci", "bench"})


def declared_dependencies(root: Path) -> list[tuple[str, str]]:
    """(normalised name, where) of dependencies in pyproject.toml and requirements*.txt."""
    found: list[tuple[str, str]] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = toml_loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
            data = {}
        project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
        requirements = list(project.get("dependencies", []) or [])
        for extra_name, extra in (project.get("optional-dependencies", {}) or {}).items():
            if str(extra_name).lower() not in DEVELOPMENT_EXTRAS:  # a test-only Flask is no web service
                requirements.extend(extra or [])
        poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
        requirements.extend(poetry.keys() if isinstance(poetry, dict) else [])
        for requirement in requirements:
            match = _REQ_NAME.match(str(requirement))
            if match:
                found.append((match.group(1).lower().replace("_", "-"), "pyproject.toml"))
    for path in sorted(root.glob("requirements*.txt")):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            match = _REQ_NAME.match(line)
            if match and not line.lstrip().startswith(("#", "-")):
                found.append((match.group(1).lower().replace("_", "-"), path.name))
    return found


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _is_wsgi_function(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    names = [arg.arg for arg in node.args.args]
    return names[:2] == ["environ", "start_response"]


def _is_asgi_function(node: ast.AST) -> bool:
    if not isinstance(node, ast.AsyncFunctionDef):
        return False
    return [arg.arg for arg in node.args.args][:3] == ["scope", "receive", "send"]


def stdlib_server(tree: ast.Module) -> int | None:
    """The line where a module builds a standard-library HTTP server (http.server, socketserver with an
    HTTP request handler, wsgiref), or None. Such a module is served by running it."""
    speaks_http = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "") in ("http.server", "wsgiref.simple_server"):
            speaks_http = True
        elif isinstance(node, ast.Import) and any(alias.name in ("http.server", "wsgiref.simple_server") for alias in node.names):
            speaks_http = True
        elif isinstance(node, ast.ClassDef) and any(_call_name(base) in _HTTP_HANDLERS for base in node.bases):
            speaks_http = True
    if not speaks_http:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (_call_name(node) in _STDLIB_SERVERS or _call_name(node) == "make_server"):
            return node.lineno
    return None


def named_ports(tree: ast.Module) -> list[int]:
    """Port numbers a module names: ``port=NNNN``, ``("host", NNNN)``, ``PORT = NNNN``, ``.run(..., NNNN)``."""
    found: list[int] = []

    def add(node: ast.AST | None) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool) and 1 <= node.value <= 65535:
            if node.value not in found:
                found.append(node.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and "port" in node.arg.lower():
            add(node.value)
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant) and isinstance(node.elts[0].value, str):
            add(node.elts[1])
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and "port" in t.id.lower() for t in node.targets):
            add(node.value)
        elif isinstance(node, ast.Call) and _call_name(node) in ("run", "run_simple", "make_server") and len(node.args) >= 2:
            add(node.args[1])
    return found


def scan_module(tree: ast.Module, module: str, relative: str) -> tuple[list[FrameworkHit], list[AppCandidate]]:
    """Framework imports and app objects defined at module level in one parsed file."""
    hits: list[FrameworkHit] = []
    apps: list[AppCandidate] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            top = name.split(".")[0].lower()
            if top in FRAMEWORKS:
                hits.append(FrameworkHit(FRAMEWORKS[top], "import", f"{relative}:{getattr(node, 'lineno', 0)} imports {name}"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            constructor = _call_name(node.value) if isinstance(node.value, ast.Call) else ""
            if constructor in _APP_CONSTRUCTORS:
                framework, kind = _APP_CONSTRUCTORS[constructor]
                apps.append(AppCandidate(f"{module}:{node.targets[0].id}", framework, kind, relative, node.lineno))
            elif constructor == "get_wsgi_application":
                hits.append(FrameworkHit("Django", "import", f"{relative}:{node.lineno} builds a Django WSGI app"))
        elif isinstance(node, ast.FunctionDef) and _is_wsgi_function(node):
            apps.append(AppCandidate(f"{module}:{node.name}", "WSGI", "wsgi", relative, node.lineno))
            hits.append(FrameworkHit("WSGI", "import", f"{relative}:{node.lineno} defines WSGI callable {node.name}"))
        elif isinstance(node, ast.AsyncFunctionDef) and _is_asgi_function(node):
            apps.append(AppCandidate(f"{module}:{node.name}", "ASGI", "asgi", relative, node.lineno))
            hits.append(FrameworkHit("ASGI", "import", f"{relative}:{node.lineno} defines ASGI callable {node.name}"))
    line = stdlib_server(tree)
    if line is not None:
        hits.append(FrameworkHit("http.server", "import", f"{relative}:{line} builds a standard-library HTTP server"))
        if runnable(tree):
            apps.append(AppCandidate(module, "http.server", "script", relative, line))
    return hits, apps


def runnable(tree: ast.Module) -> bool:
    """Whether running the module starts something: an ``if __name__ == "__main__":`` block, a
    module-level ``main()``, or a server built at module level. A module that only defines a server
    class or a function building one (a library's component) is a listener, not an app to start."""
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__":
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main":
            return True
        if isinstance(node, (ast.Expr, ast.Assign, ast.With)):
            for child in ast.walk(node):
                if isinstance(child, ast.Call) and (_call_name(child) in _STDLIB_SERVERS or _call_name(child) == "make_server"):
                    return True
    return False


def _django_settings(root: Path) -> AppCandidate | None:
    manage = root / "manage.py"
    if not manage.is_file():
        return None
    text = manage.read_text(encoding="utf-8", errors="replace")
    match = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", text)
    if not match:
        return None
    return AppCandidate(match.group(1), "Django", "django", "manage.py", text[: match.start()].count("\n") + 1)


def detect(root: Path, exclude: Iterable[str] = ()) -> WebSurface:
    """Detect the web surface of the project at ``root`` (files matching ``exclude`` globs are not product)."""
    hits: list[FrameworkHit] = []
    apps: list[AppCandidate] = []
    for name, where in declared_dependencies(root):
        if name in FRAMEWORKS:
            hits.append(FrameworkHit(FRAMEWORKS[name], "dependency", f"{where} declares {name}"))
    count = 0
    ports: list[int] = []
    for path in python_files(root, exclude):
        tree = parse_file(path)
        count += 1
        if tree is None:
            continue
        relative = path.relative_to(root).as_posix()
        more_hits, more_apps = scan_module(tree, module_name(root, path), relative)
        hits.extend(more_hits)
        apps.extend(more_apps)
        ports.extend(port for port in named_ports(tree) if port not in ports)
    django = _django_settings(root)
    if django is not None:
        apps.append(django)
    return WebSurface(frameworks=tuple(hits), apps=tuple(apps), files_scanned=count, ports=tuple(ports[:20]))
