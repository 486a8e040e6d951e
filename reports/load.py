"""Read a canonical JSON report back into the typed Report record.

The inverse of :func:`baseline.reports.json_report.report_to_dict`: ``baseline verify`` and
``baseline diff`` read reports with it. Unknown keys (e.g. the derived ``suppressed`` flag) are
ignored; missing optional fields take their defaults, so older reports of the same major schema
version still load.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import math
import json
import types
import typing
from pathlib import Path
from typing import Any, Mapping

from baseline import model
from baseline.errors import UsageError
from baseline.model import Report
from baseline.parsing import json_loads

_NAMESPACE = {name: getattr(model, name) for name in dir(model)}
_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, globalns=_NAMESPACE)
    return _HINTS[cls]


def _convert(value: Any, hint: Any, where: str) -> Any:
    """Convert plain JSON data to the type ``hint`` names (dataclass, enum, tuple, optional...).

    Raises ValueError naming the field (``where``) when the data has another type.
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        non_none = [arg for arg in args if arg is not type(None)]
        return _convert(value, non_none[0], where) if len(non_none) == 1 else value
    if origin is tuple:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
        item = args[0] if args else Any
        return tuple(_convert(element, item, f"{where}[{index}]") for index, element in enumerate(value))
    if origin in (Mapping, collections.abc.Mapping, dict) or hint is Mapping:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
        return dict(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except (ValueError, TypeError):
            raise ValueError(f"{where}: {str(value)[:40]!r} is not one of {', '.join(str(m.value) for m in hint)}") from None
    if hint in (int, float, str, bool):
        wanted = (int, float) if hint is float else hint
        if isinstance(value, bool) is not (hint is bool) or not isinstance(value, wanted):
            raise ValueError(f"{where}: expected {hint.__name__}, got {type(value).__name__}")
        if hint is float:
            if not math.isfinite(value):
                raise ValueError(f"{where}: expected a finite number, got {value!r}")
            return float(value)
    return value


def _build(cls: type, data: Any, where: str = "") -> Any:
    where = where or cls.__name__
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ValueError(f"{where}: missing field {field.name!r}")
            continue
        kwargs[field.name] = _convert(data[field.name], hints[field.name], f"{where}.{field.name}")
    return cls(**kwargs)


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """Build a Report from canonical JSON data; raises ValueError naming the bad field."""
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] != "1":
        raise ValueError(f"unsupported report schema version {version!r}")
    report = _build(Report, dict(data))
    if not isinstance(report, Report):
        raise ValueError("the document is not a report")
    return report


def load_report(path: str | Path) -> Report:
    """Read a canonical JSON report file; raises UsageError when it is missing or malformed."""
    try:
        data = json_loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"report {path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"report {path}: not a readable JSON report: {exc}") from None
    try:
        return report_from_dict(data)
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"report {path}: not a baseline report: {exc}") from None
