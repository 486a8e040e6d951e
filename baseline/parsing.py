"""JSON, TOML, YAML and Python readers for untrusted input that fail with their format's own error.

The standard parsers recurse per nesting level: ``[[[[...`` a few thousand deep raises
RecursionError, which no caller expects. These wrappers turn it into the format's decode error
(a ValueError), so every reader can keep catching one documented class.
"""

from __future__ import annotations

import ast
import json
import threading
import tomllib
from typing import Any

TOO_DEEP = "nested too deeply"


def json_loads(data: str | bytes) -> Any:
    """``json.loads``; raises json.JSONDecodeError (a ValueError) for any malformed document."""
    try:
        return json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, "", 0) from None


def toml_loads(text: str) -> dict[str, Any]:
    """``tomllib.loads``; raises tomllib.TOMLDecodeError (a ValueError) for any malformed document."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(TOO_DEEP) from None


def yaml_safe_load(data: bytes | str) -> Any:
    """PyYAML's safe loader (the C one when built); raises ValueError for any malformed document."""
    import yaml

    try:
        return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # nosec B506 -- a safe loader, C or pure Python
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ValueError(f"not valid YAML: {TOO_DEEP}") from None


# CPython 3.11's AST construction keeps its recursion counter in shared module state: two threads
# building ASTs at once can corrupt it ("SystemError: AST constructor recursion depth mismatch", then
# every later parse in the process may fail). The checks run in threads, so every parse of the
# toolkit goes through this lock.
_AST_LOCK = threading.Lock()


def parse_python(source: str | bytes, filename: str = "<unknown>", mode: str = "exec", **options: Any) -> Any:
    """``ast.parse`` under the toolkit's one AST lock (same arguments).

    Raises SyntaxError for any source that is not valid Python, including source nested deeper than
    the parser can build (``ast.parse`` itself fails with RecursionError for ``a+a+...`` and MemoryError
    for ``------...1`` a few hundred thousand long, which no caller expects from a file of the project).
    """
    with _AST_LOCK:
        try:
            return ast.parse(source, filename, mode, **options)
        except (RecursionError, MemoryError):
            raise SyntaxError(f"{TOO_DEEP} to parse", (filename, 1, 1, None)) from None
