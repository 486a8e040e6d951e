"""The OSV matcher against a second, independent implementation, on real advisory records.

The reference below is written from the OSV schema's evaluation algorithm (sort the events of a
range by version and walk them), with the tie-break that events of equal versions close an
interval before they open the next one. The product's matcher reads each range as the union of
the intervals its events describe. The two agree everywhere except where a record's intervals
overlap (a version sort walks over an overlap and closes it early): each difference must be of that
kind, and is then counted as explained.

A third implementation, univers (a dev dependency), evaluates the same records through its vers
ranges; it differs from the product only where a bound is not a PEP 440 version (univers cannot
order it; the product keeps such a version affected).

The comparison runs on a subset of the PyPA advisory database shipped in tests/data (so it runs on
a fresh clone) and, when the shared snapshot is present, on all of its records.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import InvalidVersion, Version

from baseline.tools.osv import Advisory, intervals, parse_record, range_affects
from tests.conftest import REPO_ROOT, SHARED

SUBSET = REPO_ROOT / "tests" / "data" / "osv_subset"
SNAPSHOT = SHARED / "data" / "advisory-database" / "vulns"


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def reference_affected(version: Version, events: tuple[tuple[str, str], ...]) -> bool:
    """The OSV schema's evaluation: sort the events by version ('0' first), then walk them."""
    order = {"fixed": 0, "last_affected": 1, "introduced": 2}  # at equal versions: close, then open

    def key(event: tuple[str, str]) -> tuple[int, Version, int]:
        kind, value = event
        if value == "0":
            return (0, Version("0"), order[kind])
        parsed = _version(value)
        return (1, parsed if parsed is not None else Version("0"), order[kind])

    affected = False
    for kind, value in sorted((e for e in events if e[1] == "0" or _version(e[1]) is not None), key=key):
        bound = Version("0") if value == "0" else Version(value)
        if kind == "introduced" and (value == "0" or version >= bound):
            affected = True
        elif kind == "fixed" and version >= bound:
            affected = False
        elif kind == "last_affected" and version > bound:
            affected = False
    return affected


def _overlapping(events: tuple[tuple[str, str], ...]) -> bool:
    """True when two intervals of the range overlap (the case a version sort cannot represent)."""
    spans = []
    for start, end, _kind in intervals(events):
        low = Version("0") if start == "0" else _version(start)
        high = _version(end) if end is not None else None
        if low is None:
            continue
        spans.append((low, high))
    spans.sort(key=lambda span: span[0])
    for (_, high), (next_low, _) in zip(spans, spans[1:]):
        if high is None or next_low < high:
            return True
    return False


def _probe_versions(advisory: Advisory) -> set[Version]:
    """Every boundary a record names, and the versions just around each."""
    out: set[Version] = set()
    for events in advisory.ranges:
        for _kind, value in events:
            parsed = _version(value) if value != "0" else Version("0")
            if parsed is None:
                continue
            out.add(parsed)
            release = parsed.release
            out.add(Version(".".join(map(str, release)) + ".post1"))
            out.add(Version(".".join(map(str, (*release[:-1], release[-1] + 1)))))
            if release[-1] > 0:
                out.add(Version(".".join(map(str, (*release[:-1], release[-1] - 1)))))
            out.add(Version(".".join(map(str, release)) + "rc1"))
    return out


def univers_ranges(record: dict[str, object], package: str) -> list[object] | None:
    """The record's ECOSYSTEM ranges for ``package`` as univers ``PypiVersionRange`` objects, read from the raw record.

    A third implementation, independent of both the product and the sorted walk above: the events
    are read from the record itself, each introduced is paired with the next closing event in the
    record's order, and containment is univers's vers-constraint evaluation. ``None`` when univers
    is not installed.
    """
    try:
        from univers.version_range import PypiVersionRange
    except ImportError:
        return None
    from packaging.utils import canonicalize_name

    out: list[object] = []
    for affected in record.get("affected") or []:  # type: ignore[attr-defined]
        pkg = affected.get("package") or {}
        if pkg.get("ecosystem") != "PyPI" or canonicalize_name(str(pkg.get("name", ""))) != package:
            continue
        for range_ in affected.get("ranges") or []:
            if range_.get("type") != "ECOSYSTEM":
                continue
            opened: str | None = None
            spans: list[tuple[str, str | None, str]] = []
            for event in range_.get("events") or []:
                ((kind, value),) = event.items()
                value = str(value)
                if kind == "introduced":
                    opened = value if opened is None else opened
                elif kind in ("fixed", "last_affected"):
                    spans.append((opened or "0", value, kind))
                    opened = None
            if opened is not None:
                spans.append((opened, None, ""))
            for low, high, kind in spans:
                if (low != "0" and _version(low) is None) or (high is not None and _version(high) is None):
                    continue  # not PEP 440: univers cannot order it (the sorted walk skips it too)
                parts = [] if low == "0" else [f">={low}"]
                if high is not None:
                    parts.append(("<" if kind == "fixed" else "<=") + high)
                out.append(PypiVersionRange.from_string("vers:pypi/" + ("|".join(parts) or "*")))
    return out


def _univers_affected(version: Version, ranges: list[object]) -> bool:
    from univers.versions import PypiVersion

    probe = PypiVersion(str(version))
    return any(probe in r for r in ranges)  # type: ignore[operator]


def compare_univers(folder: Path) -> tuple[int, int, list[str], list[str]] | None:
    """(records, version checks, explained, unexplained differences) between the product's matcher and univers.

    Explained: the range has a bound that is not a PEP 440 version. univers cannot order it and the
    reference drops that interval; the product keeps the version affected, because a bound it cannot
    read cannot clear a version. ``None`` without univers.
    """
    import yaml

    if univers_ranges({}, "") is None:
        return None
    records = checks = 0
    explained: list[str] = []
    unexplained: list[str] = []
    for path in sorted(folder.rglob("*.yaml")):
        raw = path.read_bytes()
        _record, advisories = parse_record(path.name, raw)
        record = yaml.safe_load(raw)
        records += 1
        for advisory in advisories:
            ranges = univers_ranges(record, advisory.package) or []
            for version in sorted(_probe_versions(advisory)):
                checks += 1
                ours = any(range_affects(version, events) for events in advisory.ranges)
                if ours != _univers_affected(version, ranges):
                    label = f"{advisory.id} {advisory.package} {version}: ours={ours} univers={not ours}"
                    unreadable = any(value != "0" and _version(value) is None for events in advisory.ranges for _kind, value in events)
                    (explained if unreadable else unexplained).append(label)
    return records, checks, explained, unexplained


def _listed_affected(advisory: Advisory, version: Version) -> bool:
    """Whether the record's explicit list of affected versions names ``version`` (released versions only)."""
    return any(_version(v) == version for v in advisory.versions)


def compare(folder: Path) -> tuple[int, int, list[str], list[str]]:
    """(records, version checks, explained differences, unexplained differences) over a folder."""
    records = checks = 0
    explained: list[str] = []
    unexplained: list[str] = []
    for path in sorted(folder.rglob("*.yaml")):
        _record, advisories = parse_record(path.name, path.read_bytes())
        records += 1
        for advisory in advisories:
            for version in sorted(_probe_versions(advisory)):
                checks += 1
                ours = any(range_affects(version, events) for events in advisory.ranges)
                theirs = any(reference_affected(version, events) for events in advisory.ranges)
                if ours != theirs:
                    label = f"{advisory.id} {advisory.package} {version}: ours={ours} reference={theirs}"
                    # Explained only where the intervals overlap (a version sort cannot represent the
                    # union) and the record's own list of affected versions does not contradict ours.
                    overlap = any(_overlapping(e) for e in advisory.ranges)
                    contradicted = _listed_affected(advisory, version) and not ours
                    (explained if overlap and not contradicted else unexplained).append(label)
    return records, checks, explained, unexplained


def test_adjacent_intervals_stay_affected() -> None:
    """PYSEC-2023-72 lists [0, 3.1.1), [3.2.0, 3.2.2), [3.1.1, 3.2.0): one span up to 3.2.2."""
    path = SUBSET / "pyspark" / "PYSEC-2023-72.yaml"
    _record, advisories = parse_record(path.name, path.read_bytes())
    (advisory,) = advisories
    for version in ("0.9", "3.1.1", "3.1.9", "3.2.0", "3.2.1"):
        assert advisory.affects(version), version
    assert not advisory.affects("3.2.2")


def test_matcher_agrees_with_reference_on_shipped_subset() -> None:
    records, checks, _explained, unexplained = compare(SUBSET)
    assert records >= 60 and checks > 500
    assert unexplained == []


@pytest.mark.skipif(not SNAPSHOT.is_dir(), reason="the shared advisory snapshot is not present")
def test_matcher_agrees_with_reference_on_whole_snapshot() -> None:
    records, checks, explained, unexplained = compare(SNAPSHOT)
    assert records > 2000 and checks > 20000
    assert unexplained == [], unexplained[:10]


def test_matcher_agrees_with_univers_on_shipped_subset() -> None:
    pytest.importorskip("univers")
    outcome = compare_univers(SUBSET)
    assert outcome is not None
    records, checks, _explained, unexplained = outcome
    assert records >= 60 and checks > 500
    assert unexplained == []


@pytest.mark.skipif(not SNAPSHOT.is_dir(), reason="the shared advisory snapshot is not present")
def test_matcher_agrees_with_univers_on_whole_snapshot() -> None:
    pytest.importorskip("univers")
    outcome = compare_univers(SNAPSHOT)
    assert outcome is not None
    records, checks, _explained, unexplained = outcome
    assert records > 2000 and checks > 20000
    assert unexplained == [], unexplained[:10]


@pytest.mark.parametrize(
    "events",
    [
        (("introduced", "0"), ("fixed", "1.0"), ("introduced", "1.0"), ("fixed", "2.0")),  # close, then reopen at 1.0
        (("introduced", "1.0"), ("fixed", "2.0"), ("introduced", "0"), ("fixed", "1.0")),  # the same, listed in another order
    ],
)
def test_equal_version_events_close_before_they_open(events: tuple[tuple[str, str], ...]) -> None:
    """At one version a 'fixed' sorts before an 'introduced': the span after it stays affected."""
    for version, affected in (("0.5", True), ("1.0", True), ("1.5", True), ("2.0", False)):
        assert range_affects(Version(version), events) is affected, version
        assert reference_affected(Version(version), events) is affected, version
