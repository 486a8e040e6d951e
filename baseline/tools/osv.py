"""An offline OSV matcher for PyPI packages.

Loads a local OSV database (a folder of OSV JSON or YAML records, searched recursively, or an
osv.dev ``all.zip``), indexes the PyPI entries by canonical package name and answers "which
advisories affect this name and version" with ``packaging.version``: ECOSYSTEM ranges
(introduced / fixed / last_affected), explicit version lists, withdrawn records skipped and
aliases kept so that CVE, GHSA and PYSEC ids of one weakness merge into one finding.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from baseline import state
from baseline.model import Severity
from baseline.parsing import json_loads, yaml_safe_load

INDEX_FORMAT = 4  # bump when the cached index's JSON layout (or its signed envelope) changes


@dataclass(frozen=True)
class Advisory:
    """One OSV record as it applies to one PyPI package."""

    id: str
    aliases: tuple[str, ...]
    package: str  # canonical name
    summary: str
    severity: Severity
    cvss_vector: str | None
    cvss_score: float | None
    fixed: tuple[str, ...]
    ranges: tuple[tuple[tuple[str, str], ...], ...]  # ECOSYSTEM ranges as (event, version) lists
    versions: frozenset[str]
    cwes: tuple[int, ...]
    modified: str
    references: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The id and every alias."""
        return (self.id, *self.aliases)

    def affects(self, version: str) -> bool:
        """True when ``version`` is affected (explicit list or any ECOSYSTEM range)."""
        if version in self.versions:
            return True
        try:
            parsed = Version(version)
        except InvalidVersion:
            return False
        return any(range_affects(parsed, events) for events in self.ranges)


def range_affects(version: Version, events: tuple[tuple[str, str], ...]) -> bool:
    """Evaluate one ECOSYSTEM range as the union of the intervals its events describe.

    Each ``introduced`` opens an interval that the next ``fixed`` (exclusive) or ``last_affected``
    (inclusive) in the record's own order closes; an interval never closed is open-ended. Reading
    the intervals in the order the record gives them, rather than sorting every event by version,
    keeps adjacent intervals intact: ``[0, 3.1.1)``, ``[3.2.0, 3.2.2)`` and ``[3.1.1, 3.2.0)`` listed
    in that order are one affected span, which a version sort of the events splits at 3.2.0 when
    ``introduced 3.2.0`` happens to sort before ``fixed 3.2.0``.
    """
    return any(_in_interval(version, start, end, kind) for start, end, kind in intervals(events))


def intervals(events: tuple[tuple[str, str], ...]) -> list[tuple[str, str | None, str | None]]:
    """(introduced, closing version or None, "fixed"/"last_affected" or None) for each interval."""
    out: list[tuple[str, str | None, str | None]] = []
    start: str | None = None
    for kind, value in events:
        if kind == "introduced":
            if start is not None:  # two openings in a row: the first stays open until the next close
                continue
            start = value
        elif start is not None:
            out.append((start, value, kind))
            start = None
        else:
            # A close with no opening before it: the record starts affected from the beginning.
            out.append(("0", value, kind))
    if start is not None:
        out.append((start, None, None))
    return out


def _in_interval(version: Version, start: str, end: str | None, kind: str | None) -> bool:
    if start != "0":
        low = _version_or_none(start)
        if low is None or version < low:
            return False
    if end is None:
        return True
    high = _version_or_none(end)
    if high is None:
        return True  # a closing bound that is not a PEP 440 version cannot clear any version
    return version < high if kind == "fixed" else version <= high


def _version_or_none(value: str) -> Version | None:
    try:
        return Version(value)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class DatabaseInfo:
    """Where the advisory data came from, so that a verdict can be reproduced."""

    source: str
    records: int
    pypi_records: int
    newest_modified: str | None
    digest: str
    skipped: tuple[str, ...] = ()


@dataclass
class OsvDatabase:
    """An index of PyPI advisories by canonical package name."""

    info: DatabaseInfo
    by_package: dict[str, list[Advisory]] = field(default_factory=dict)

    def match(self, name: str, version: str) -> list[Advisory]:
        """Advisories that affect ``name`` at ``version``."""
        return [advisory for advisory in self.by_package.get(canonicalize_name(name), []) if advisory.affects(version)]

    def for_package(self, name: str) -> list[Advisory]:
        """Every advisory recorded for ``name``."""
        return list(self.by_package.get(canonicalize_name(name), []))


def _list(value: Any, where: str) -> list[Any]:
    """A JSON array field (absent or null: empty); anything else is not an OSV record."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list, got {type(value).__name__}")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    """A JSON object field (absent or null: empty); anything else is not an OSV record."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object, got {type(value).__name__}")
    return value


_CWE = re.compile(r"CWE-([0-9]{1,9})", re.IGNORECASE)


def severity_from_record(record: Mapping[str, Any]) -> tuple[Severity, str | None, float | None]:
    """Severity from CVSS vectors (v4, then v3) via the ``cvss`` library, else database_specific, else medium.

    Raises ValueError when ``severity`` or ``database_specific`` has the wrong shape.
    """
    for index, entry in enumerate(_list(record.get("severity"), "severity")):
        entry = _object(entry, f"severity[{index}]")
        vector = str(entry.get("score", ""))
        kind = str(entry.get("type", ""))
        score = _cvss_score(kind, vector)
        if score is not None:
            return _severity_from_score(score), vector, score
    label = str(_object(record.get("database_specific"), "database_specific").get("severity", "")).lower()
    mapping = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "moderate": Severity.MEDIUM, "medium": Severity.MEDIUM, "low": Severity.LOW}
    return mapping.get(label, Severity.MEDIUM), None, None


def _cvss_score(kind: str, vector: str) -> float | None:
    try:
        if kind == "CVSS_V4" or vector.startswith("CVSS:4"):
            from cvss import CVSS4

            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V3" or vector.startswith("CVSS:3"):
            from cvss import CVSS3

            return float(CVSS3(vector).scores()[0])
    except Exception:  # an unparsable vector falls back to the next source of severity
        return None
    return None


def _severity_from_score(score: float) -> Severity:
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


def advisories_from_record(record: Mapping[str, Any]) -> list[Advisory]:
    """The PyPI advisories one OSV record describes (none when withdrawn or for other ecosystems).

    Raises ValueError naming the field when the record does not have the OSV shape.
    """
    if record.get("withdrawn"):
        return []
    record_id = str(record.get("id", "")).strip()
    if not record_id:
        raise ValueError("record without an id")
    severity, vector, score = severity_from_record(record)
    cwe_ids = _list(_object(record.get("database_specific"), "database_specific").get("cwe_ids"), "database_specific.cwe_ids")
    cwes = tuple(sorted({int(match.group(1)) for cwe in cwe_ids if isinstance(cwe, str) and (match := _CWE.fullmatch(cwe.strip()))}))
    summary = str(record.get("summary") or record.get("details") or "").strip().splitlines()[0:1]
    aliases = tuple(str(alias) for alias in _list(record.get("aliases"), "aliases"))
    references = tuple(
        str(ref.get("url")) for ref in (_object(ref, "references[]") for ref in _list(record.get("references"), "references")[:5]) if ref.get("url")
    )
    out: list[Advisory] = []
    for index, affected in enumerate(_list(record.get("affected"), "affected")):
        where = f"affected[{index}]"
        affected = _object(affected, where)
        package = _object(affected.get("package"), f"{where}.package")
        if str(package.get("ecosystem", "")).lower() != "pypi" or not package.get("name"):
            continue
        ranges: list[tuple[tuple[str, str], ...]] = []
        fixed: list[str] = []
        for range_index, range_ in enumerate(_list(affected.get("ranges"), f"{where}.ranges")):
            range_ = _object(range_, f"{where}.ranges[{range_index}]")
            if range_.get("type") != "ECOSYSTEM":
                continue
            events: list[tuple[str, str]] = []
            for event in _list(range_.get("events"), f"{where}.ranges[{range_index}].events"):
                event = _object(event, f"{where}.ranges[{range_index}].events[]")
                for kind in ("introduced", "fixed", "last_affected"):
                    if kind in event:
                        events.append((kind, str(event[kind])))
                        if kind == "fixed":
                            fixed.append(str(event[kind]))
            if events:
                ranges.append(tuple(events))
        out.append(
            Advisory(
                id=record_id,
                aliases=aliases,
                package=canonicalize_name(str(package["name"])),
                summary=summary[0][:300] if summary else "",
                severity=severity,
                cvss_vector=vector,
                cvss_score=score,
                fixed=tuple(dict.fromkeys(fixed)),
                ranges=tuple(ranges),
                versions=frozenset(str(version) for version in _list(affected.get("versions"), f"{where}.versions")),
                cwes=cwes,
                modified=iso_text(record.get("modified")),
                references=references,
            )
        )
    return out


def iso_text(value: Any) -> str:
    """A timestamp as ISO 8601 text (YAML parses them into datetimes)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat()).replace("+00:00", "Z")
    return str(value)


def _iter_folder(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".json", ".yaml", ".yml"):
            yield str(path.relative_to(root)), path.read_bytes()


def _iter_zip(path: Path) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.lower().endswith((".json", ".yaml", ".yml")):
                yield name, archive.read(name)


def _parse(name: str, data: bytes) -> Any:
    if name.lower().endswith(".json"):
        return json_loads(data)
    return yaml_safe_load(data)


def parse_record(name: str, data: bytes) -> tuple[dict[str, Any], list[Advisory]]:
    """(the record, its PyPI advisories) of one OSV file: JSON, or YAML by the name's suffix.

    Raises ValueError when the file is not a readable OSV record.
    """
    record = _parse(name, data)
    if not isinstance(record, dict):
        raise ValueError("not an OSV object")
    return record, advisories_from_record(record)


def _source_digest(path: Path) -> str:
    """A cheap digest of the database's file list, sizes and times (for the index cache)."""
    digest = hashlib.sha256(str(path.resolve()).encode())
    if path.is_file():
        stat = path.stat()
        digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    else:
        for item in sorted(path.rglob("*")):
            if item.is_file():
                stat = item.stat()
                digest.update(f"{item.relative_to(path)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _index_to_json(database: OsvDatabase) -> dict[str, Any]:
    """The index as plain JSON data (the cache never holds anything that could run code when read)."""
    info = database.info
    return {
        "format": INDEX_FORMAT,
        "info": {"source": info.source, "records": info.records, "pypi_records": info.pypi_records,
                 "newest_modified": info.newest_modified, "digest": info.digest, "skipped": list(info.skipped)},
        "by_package": {
            name: [
                {"id": a.id, "aliases": list(a.aliases), "package": a.package, "summary": a.summary, "severity": a.severity.value,
                 "cvss_vector": a.cvss_vector, "cvss_score": a.cvss_score, "fixed": list(a.fixed),
                 "ranges": [[list(event) for event in events] for events in a.ranges], "versions": sorted(a.versions),
                 "cwes": list(a.cwes), "modified": a.modified, "references": list(a.references)}
                for a in advisories
            ]
            for name, advisories in database.by_package.items()
        },
    }


def _index_from_json(data: Any) -> OsvDatabase | None:
    """The index back from :func:`_index_to_json`, or None when the data is not one."""
    try:
        if data.get("format") != INDEX_FORMAT:
            return None
        info = data["info"]
        by_package = {
            str(name): [
                Advisory(
                    id=str(a["id"]), aliases=tuple(str(x) for x in a["aliases"]), package=str(a["package"]), summary=str(a["summary"]),
                    severity=Severity(a["severity"]), cvss_vector=a["cvss_vector"], cvss_score=a["cvss_score"],
                    fixed=tuple(str(x) for x in a["fixed"]),
                    ranges=tuple(tuple((str(kind), str(value)) for kind, value in events) for events in a["ranges"]),
                    versions=frozenset(str(x) for x in a["versions"]), cwes=tuple(int(x) for x in a["cwes"]),
                    modified=str(a["modified"]), references=tuple(str(x) for x in a["references"]),
                )
                for a in advisories
            ]
            for name, advisories in data["by_package"].items()
        }
        return OsvDatabase(
            info=DatabaseInfo(source=str(info["source"]), records=int(info["records"]), pypi_records=int(info["pypi_records"]),
                              newest_modified=info["newest_modified"], digest=str(info["digest"]), skipped=tuple(str(x) for x in info["skipped"])),
            by_package=by_package,
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def load_database(path: str | Path, cache_dir: Path | None = None) -> OsvDatabase:
    """Load and index a local OSV database; corrupt records are skipped and listed in ``info.skipped``.

    Raises ValueError when the path is missing, is not a folder or zip, or holds no records.
    """
    source = Path(path).expanduser()
    if not source.exists():
        raise ValueError(f"OSV database {source} does not exist")
    if not (source.is_dir() or zipfile.is_zipfile(source)):
        raise ValueError(f"OSV database {source} is neither a folder of OSV records nor a zip of them")
    digest = _source_digest(source)
    cache_file = cache_dir / f"osv-index-{INDEX_FORMAT}-{digest[:24]}.json" if cache_dir else None
    if cache_file is not None and cache_file.is_file():
        cached = _index_from_json(state.read_entry(cache_file))
        if cached is not None:
            return cached
        # forged, foreign or damaged: rebuilt (and overwritten) below
    entries: Iterable[tuple[str, bytes]] = _iter_folder(source) if source.is_dir() else _iter_zip(source)
    by_package: dict[str, list[Advisory]] = {}
    records = pypi_records = 0
    newest: str | None = None
    skipped: list[str] = []
    try:
        for name, data in entries:
            try:
                record, advisories = parse_record(name, data)
            except ValueError as exc:  # one corrupt record must not hide the rest
                skipped.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
                continue
            records += 1
            modified = iso_text(record.get("modified")) or None
            if modified and (newest is None or modified > newest):
                newest = modified
            if advisories:
                pypi_records += 1
            for advisory in advisories:
                by_package.setdefault(advisory.package, []).append(advisory)
    except zipfile.BadZipFile as exc:
        raise ValueError(f"OSV database {source} is a corrupt zip: {exc}") from None
    if records == 0:
        raise ValueError(f"OSV database {source} holds no readable OSV records" + (f" ({len(skipped)} unreadable)" if skipped else ""))
    database = OsvDatabase(
        info=DatabaseInfo(
            source=str(source), records=records, pypi_records=pypi_records, newest_modified=newest,
            digest="sha256:" + digest, skipped=tuple(skipped),
        ),
        by_package=by_package,
    )
    if cache_file is not None:
        state.write_entry(cache_file, _index_to_json(database))
    return database
