"""Find the app's OpenAPI (or Swagger) specification.

In order: ``web.openapi`` (a path the app serves, or a file of the project); then what the running
app serves at the usual paths (FastAPI's ``/openapi.json`` or its ``openapi_url=``, flasgger's
``/apispec_1.json``...); then a specification file in the project. What the app serves wins over
a file because it describes the app that is running; a file may describe another service.
"""

from __future__ import annotations

import ast
import http.client
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from baseline.web.app import is_loopback_url
from baseline.web.detect import parse_file, python_files

SERVED_PATHS = ("/openapi.json", "/openapi.yaml", "/swagger.json", "/apispec_1.json", "/api/openapi.json", "/api/schema/", "/v3/api-docs")
SPEC_NAMES = ("openapi", "swagger")
SPEC_FOLDERS = (".", "docs", "api", "spec", "specs", "openapi", "schema", "schemas")
_SUFFIXES = (".json", ".yaml", ".yml")
_YAML_SPEC = re.compile(r"^(?:openapi|swagger)\s*:\s*['\"]?\d", re.MULTILINE)
_YAML_PATHS = re.compile(r"^paths\s*:", re.MULTILINE)
_MAX_SPEC_BYTES = 20_000_000


@dataclass(frozen=True)
class SpecSource:
    """Where the specification is: a path the app serves, or a file."""

    kind: str  # "served" | "file"
    location: str  # URL path on the app ("/openapi.json") or absolute file path
    label: str


@dataclass(frozen=True)
class SpecSearch:
    """The outcome of the search: a source, what was tried, or why the configured one is unusable."""

    source: SpecSource | None
    looked_at: tuple[str, ...]
    problem: str | None = None


def looks_like_spec(text: str) -> bool:
    """True when ``text`` is an OpenAPI 3 or Swagger 2 document (JSON or YAML) with paths."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return False
        return isinstance(data, dict) and bool({"openapi", "swagger"} & set(data)) and isinstance(data.get("paths"), dict)
    return bool(_YAML_SPEC.search(text) and _YAML_PATHS.search(text))


def fetch(base_url: str, path: str, timeout_s: float = 10.0) -> tuple[int | None, str]:
    """GET ``path`` from the app at ``base_url`` (loopback only): status and text, or (None, why)."""
    if not is_loopback_url(base_url):
        return None, "not a loopback address"
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout_s)
    try:
        connection.request("GET", path, headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1"})
        response = connection.getresponse()
        return response.status, response.read(_MAX_SPEC_BYTES).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def declared_openapi_urls(root: Path) -> list[str]:
    """``openapi_url="..."`` given to an app constructor in the product's code (FastAPI)."""
    found: list[str] = []
    for path in python_files(root):
        tree = parse_file(path)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "openapi_url" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                        if keyword.value.value.startswith("/"):
                            found.append(keyword.value.value)
    return list(dict.fromkeys(found))


def spec_files(root: Path) -> list[Path]:
    """Specification files in the usual places of the project (not its tests or dependencies)."""
    found: list[Path] = []
    for folder in SPEC_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.is_file() and path.suffix in _SUFFIXES and path.stem.lower().startswith(SPEC_NAMES):
                try:
                    if path.stat().st_size <= _MAX_SPEC_BYTES and looks_like_spec(path.read_text(encoding="utf-8", errors="replace")):
                        found.append(path)
                except OSError:
                    continue
    return found


def find_spec(root: Path, app_url: str, configured: str | None) -> SpecSearch:
    """Search as the module docstring says; ``app_url`` is the running app's base URL."""
    base = app_url.rstrip("/")
    if configured:
        if configured.startswith(("http://", "https://")):
            if not is_loopback_url(configured):
                return SpecSearch(None, (configured,), f"web.openapi {configured} is not a loopback address")
            configured = urlsplit(configured).path or "/"
        if configured.startswith("/"):
            status, text = fetch(base, configured)
            if status == 200 and looks_like_spec(text):
                return SpecSearch(SpecSource("served", configured, f"served by the app at {configured} (web.openapi)"), (configured,))
            return SpecSearch(None, (configured,), f"web.openapi {configured}: the app answered {status or text} without an OpenAPI document")
        path = (root / configured).resolve()
        if not path.is_file():
            return SpecSearch(None, (configured,), f"web.openapi {configured}: no such file in the project")
        text = path.read_text(encoding="utf-8", errors="replace")
        if not looks_like_spec(text):
            return SpecSearch(None, (configured,), f"web.openapi {configured} is not an OpenAPI or Swagger document with paths")
        return SpecSearch(SpecSource("file", str(path), f"file {configured} (web.openapi)"), (configured,))
    looked: list[str] = []
    for candidate in dict.fromkeys(declared_openapi_urls(root) + list(SERVED_PATHS)):
        status, text = fetch(base, candidate)
        looked.append(f"{candidate} ({status if status is not None else 'no answer'})")
        if status == 200 and looks_like_spec(text):
            return SpecSearch(SpecSource("served", candidate, f"served by the app at {candidate}"), tuple(looked))
    files = spec_files(root)
    looked.append("files " + ", ".join(f"{folder}/{{openapi,swagger}}*.{{json,yaml,yml}}" for folder in SPEC_FOLDERS))
    if files:
        relative = files[0].relative_to(root).as_posix()
        return SpecSearch(SpecSource("file", str(files[0]), f"file {relative}"), tuple(looked))
    return SpecSearch(None, tuple(looked))
