"""The canonical JSON report: a direct, versioned rendering of the Report record.

The schema is published as reports/schema/report.schema.json. Every other format derives from
the same Report; this one is what evidence bundles and ``baseline verify`` read back.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Any

from baseline.model import Report
from baseline.scoring import fix_first_for


def to_jsonable(value: Any) -> Any:
    """Convert model records (dataclasses, enums, tuples, mappings) to plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {field.name: to_jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
        if hasattr(value, "suppressed") and "suppression" in data:
            data["suppressed"] = value.suppressed
        return data
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON data."""
    data = to_jsonable(report)
    if not isinstance(data, dict):  # unreachable: a Report is a dataclass
        raise TypeError("a report must serialise to a JSON object")
    data["fix_first"] = to_jsonable(fix_first_for(report.breakdown, report.results))  # derived; ignored when read back
    return data


def format_report(report: Report) -> str:
    """Render the canonical JSON report (stable key order, two-space indent)."""
    return json.dumps(report_to_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
