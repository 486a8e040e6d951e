"""Records and reference tables shared by the static-analysis adapters (bandit, semgrep).

The adapters turn each tool's native output into :class:`RawFinding` and :class:`FileNote`
records; normalisation (CWE mapping, de-duplication, inline suppressions) lives in
``static_normalise.py``.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from baseline.model import Confidence, Evidence, Severity


@dataclass(frozen=True)
class RawFinding:
    """One tool result, already parsed, with a path relative to the target root."""

    tool: str
    rule_id: str
    path: str
    start_line: int
    end_line: int
    severity: Severity
    confidence: Confidence
    cwe: tuple[int, ...]
    message: str
    owasp: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (for the per-file cache)."""
        return {
            "tool": self.tool,
            "rule_id": self.rule_id,
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "cwe": list(self.cwe),
            "message": self.message,
            "owasp": list(self.owasp),
            "properties": dict(self.properties),
        }

    @staticmethod
    def from_json(data: Mapping[str, Any], path: str) -> RawFinding:
        """Rebuild a record from :meth:`to_json` output, re-attached to ``path``."""
        return RawFinding(
            tool=str(data["tool"]),
            rule_id=str(data["rule_id"]),
            path=path,
            start_line=int(data["start_line"]),
            end_line=int(data["end_line"]),
            severity=Severity(data["severity"]),
            confidence=Confidence(data["confidence"]),
            cwe=tuple(int(item) for item in data["cwe"]),
            message=str(data["message"]),
            owasp=tuple(data.get("owasp", ())),
            properties=dict(data.get("properties", {})),
        )


@dataclass(frozen=True)
class FileNote:
    """A file that a tool (or the pre-screen) did not analyse, and why."""

    path: str
    tool: str  # "bandit", "semgrep" or "prescreen"
    reason: str


@dataclass(frozen=True)
class ToolRun:
    """One tool's run over the files that were not answered from the cache."""

    tool: str
    status: str  # "ok", "error" or "cached" (nothing to run: every file came from the cache)
    message: str
    version: str | None
    files_requested: int
    findings: tuple[RawFinding, ...] = ()
    notes: tuple[FileNote, ...] = ()
    evidence: Evidence | None = None


# CWE Top 25 Most Dangerous Software Weaknesses, 2024 edition (MITRE), in rank order.
CWE_TOP25_2024: tuple[int, ...] = (
    79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200, 863, 918, 119,
    476, 798, 190, 400, 306,
)

# bandit test id -> the most specific CWE by MITRE's definitions. bandit's own tags are coarse or
# wrong for several (weak hashes tagged 327, XML parsers tagged 20, exec tagged 78, flask debug 94).
# The parent class (CWE_CLASS) is added to each finding. The standard library's XML parsers do not
# resolve external entities (Python 3.7.1+): their weakness is entity expansion (776), not 611; lxml
# resolves entities by default (611). Import-only tests (BANDIT_IMPORT_TESTS) carry no CWE.
BANDIT_CWE: dict[str, int] = {
    "B101": 703, "B102": 95, "B103": 732, "B104": 1327, "B105": 259, "B106": 259, "B107": 259,
    "B108": 377, "B110": 390, "B112": 390, "B113": 1088, "B201": 489, "B202": 22,
    "B301": 502, "B302": 502, "B303": 328, "B304": 327, "B305": 327, "B306": 377, "B307": 95,
    "B308": 79, "B310": 918, "B311": 338, "B312": 319, "B313": 776, "B314": 776, "B315": 776,
    "B316": 776, "B317": 776, "B318": 776, "B319": 776, "B320": 611, "B321": 319, "B323": 295,
    "B324": 328, "B412": 807, "B501": 295, "B502": 327, "B503": 327, "B504": 327, "B505": 326, "B506": 502,
    "B507": 295, "B508": 319, "B509": 319, "B601": 78, "B602": 78, "B603": 78, "B604": 78,
    "B605": 78, "B606": 78, "B607": 426, "B608": 89, "B609": 155, "B610": 89, "B611": 89,
    "B612": 94, "B613": 1007, "B614": 502, "B615": 494, "B701": 79, "B702": 79, "B703": 79,
    "B704": 79,
}

# Specific CWE -> its parent class (MITRE's ChildOf, the class a reader or a tool may file it under).
# Both go into a finding's CWE list (specific first), so SARIF consumers see the taxon and its class.
CWE_CLASS: dict[int, int] = {
    338: 330, 95: 94, 1336: 94, 328: 327, 611: 610, 776: 405, 643: 91, 90: 943, 113: 93, 78: 77, 89: 943,
    79: 74, 22: 706, 918: 441, 601: 610, 502: 913, 259: 798, 321: 798, 295: 287,
}


def with_class(cwes: tuple[int, ...]) -> tuple[int, ...]:
    """``cwes`` followed by the parent class of each (no duplicates)."""
    return tuple(dict.fromkeys([*cwes, *(CWE_CLASS[c] for c in cwes if c in CWE_CLASS)]))


# bandit tests that report a mere import: no weakness CWE (an import is not a weakness).
BANDIT_IMPORT_TESTS: frozenset[str] = frozenset(
    {"B401", "B402", "B403", "B404", "B405", "B406", "B407", "B408", "B409", "B410", "B411", "B413", "B415"}
)

# Hard-coded credentials are judged by T04 (secrets); T03 does not run these tests.
BANDIT_SKIPPED_TESTS: tuple[str, ...] = ("B105", "B106", "B107")

# bandit tests that only note an import or an audit point: kept, but at info severity.
BANDIT_AUDIT_ONLY: frozenset[str] = frozenset(
    {"B401", "B402", "B403", "B404", "B405", "B406", "B407", "B408", "B409", "B410", "B411", "B413", "B415"}
)

# Weakness classes that need a data flow to be real: a bandit hit without a confirming taint
# finding from our rule pack is capped at medium (it cannot tell a constant from user input).
TAINT_CWES: frozenset[int] = frozenset({22, 78, 79, 89, 90, 94, 95, 113, 601, 611, 643, 918})

OWASP_BY_CWE: dict[int, str] = {
    22: "A01:2021", 601: "A01:2021", 1327: "A05:2021", 489: "A05:2021", 611: "A05:2021",
    78: "A03:2021", 79: "A03:2021", 89: "A03:2021", 90: "A03:2021", 94: "A03:2021", 95: "A03:2021",
    113: "A03:2021", 643: "A03:2021", 327: "A02:2021", 328: "A02:2021", 326: "A02:2021",
    330: "A02:2021", 338: "A02:2021", 295: "A07:2021", 347: "A02:2021", 319: "A02:2021",
    502: "A08:2021", 494: "A08:2021", 918: "A10:2021", 377: "A01:2021", 732: "A01:2021",
    614: "A05:2021", 1004: "A05:2021", 501: "A04:2021", 1104: "A06:2021",
}

SEVERITY_FROM_TOOL: dict[str, Severity] = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "ERROR": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "WARNING": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "INFO": Severity.LOW,
    "INVENTORY": Severity.INFO,
    "EXPERIMENT": Severity.INFO,
    "UNDEFINED": Severity.LOW,
}

CONFIDENCE_FROM_TOOL: dict[str, Confidence] = {
    "HIGH": Confidence.HIGH,
    "MEDIUM": Confidence.MEDIUM,
    "LOW": Confidence.LOW,
    "UNDEFINED": Confidence.MEDIUM,
}


def parse_severity(value: Any, default: Severity = Severity.MEDIUM) -> Severity:
    """Map a tool's severity word onto the one scale (case-insensitive)."""
    text = str(value or "").strip()
    try:
        return Severity(text.lower())
    except ValueError:
        return SEVERITY_FROM_TOOL.get(text.upper(), default)


def parse_confidence(value: Any, default: Confidence = Confidence.MEDIUM) -> Confidence:
    """Map a tool's confidence word onto ours (case-insensitive)."""
    return CONFIDENCE_FROM_TOOL.get(str(value or "").strip().upper(), default)


def parse_cwe(value: Any) -> tuple[int, ...]:
    """CWE numbers from ``"CWE-89: ..."``, ``89``, ``{"id": 89}`` or a list of those."""
    items = value if isinstance(value, (list, tuple)) else [value]
    found: list[int] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("id")
        if isinstance(item, int) and not isinstance(item, bool):
            found.append(item)
            continue
        text = str(item or "").upper().replace("CWE-", "").split(":")[0].strip()
        if text.isascii() and text.isdigit() and len(text) < 10:
            found.append(int(text))
    return tuple(dict.fromkeys(found))


def report_object(value: Any, where: str) -> Mapping[str, Any]:
    """A JSON object of a tool's report (absent or null: empty); raises ValueError otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} is not an object but {type(value).__name__}")
    return value


def report_list(value: Any, where: str) -> list[Any]:
    """A JSON array of a tool's report (absent or null: empty); raises ValueError otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where} is not a list but {type(value).__name__}")
    return value


def line_number(value: Any, default: int, where: str) -> int:
    """A 1-based line number of a tool's report (absent: ``default``); raises ValueError otherwise."""
    if value is None or value == "" or value == 0:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isascii() or not str(value).strip().isdigit():
        raise ValueError(f"{where} is not a line number: {str(value)[:40]!r}")
    return max(1, int(value))


def relative_path(path: str, root: Path) -> str:
    """A tool's path made relative to the target root (POSIX separators)."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            try:
                return candidate.relative_to(root).as_posix()
            except ValueError:
                return candidate.as_posix()
    return candidate.as_posix()


def find_executable(name: str) -> str | None:
    """An executable installed beside this interpreter (venv, then base install), else on PATH."""
    try:
        for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent), str(Path(sys.base_prefix) / "bin")):
            candidate = Path(folder) / name
            if candidate.is_file():
                return str(candidate)
        return shutil.which(name)
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte
        return None


def package_version(name: str) -> str | None:
    """The installed version of a distribution, without starting a process."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except (PackageNotFoundError, ValueError, OSError):  # unknown, empty or impossible names
        return None
