"""Git history: every blob reachable from any ref, scanned once (de-duplicated by blob id).

The repository is read with :mod:`baseline.gitrepo` (a library: no git process, so nothing its
configuration names can run). Every object reachable from any ref is listed, the blobs are read
pack by pack and scanned in batches; for each secret found, one pass over the commits names the one
that introduced it and its author date, and HEAD's tree says whether it is still present. A target
that is not in a git repository, or a shallow or corrupt one, degrades with a note.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from pathlib import Path

from baseline import gitrepo
from baseline.model import Evidence, Provenance
from baseline.tools.secrets.engine import Detection
from baseline.tools.secrets.parallel import scan_contents

BATCH_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class HistoryHit:
    """One distinct secret (rule + value fingerprint) found in the history."""

    detection: Detection
    blob: str
    path: str  # the path of the blob in the commit that introduced it (or first seen)
    commit: str | None
    author_date: str | None
    present_at_head: bool


@dataclass(frozen=True)
class HistoryScan:
    """The outcome of the history scan."""

    status: str  # ok | skipped | error
    message: str
    hits: tuple[HistoryHit, ...] = ()
    commits: int = 0
    blobs_total: int = 0
    blobs_scanned: int = 0
    bytes_scanned: int = 0
    shallow: bool = False
    duration_s: float = 0.0
    notes: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


def scan_history(root: Path, *, max_bytes: int, timeout: float = 900.0, workers: int = 0) -> HistoryScan:
    """Scan every reachable blob of the repository enclosing ``root`` once.

    ``timeout`` bounds the whole read: past it the blobs read so far are scanned and the rest noted.
    """
    started = time.monotonic()
    notes: list[str] = []
    repository = gitrepo.find_repository(root)
    if repository is None:
        return HistoryScan("skipped", "the target is not a git repository: history not scanned", notes=("not a git repository",))
    shallow = repository.is_shallow()
    if shallow:
        notes.append("shallow clone: commits before the shallow boundary are not scanned")
    try:
        commits, paths, problems = repository.reachable()
    except gitrepo.READ_ERRORS + (gitrepo.GitReadError,) as exc:
        return _failure(f"the object store could not be walked (corrupt or partial repository): {type(exc).__name__}: {str(exc)[:200]}", started, notes)
    notes.extend(problems)
    if commits == 0:
        return HistoryScan("skipped", "the repository has no commits", shallow=shallow, notes=tuple(notes + ["no commits"]))
    hits: dict[str, list[Detection]] = {}
    scanned = total_bytes = binary = oversized = missing = 0
    batch: list[tuple[str, str, bytes]] = []
    batch_bytes = 0
    timed_out = False

    def flush() -> None:
        nonlocal scanned, total_bytes, binary
        for item in scan_contents(batch, workers):
            scanned += 1
            total_bytes += item.size
            binary += item.skipped == "binary"
            if item.detections:
                hits[item.label] = list(item.detections)

    try:
        for sha, data in repository.read_blobs(list(paths), max_bytes):
            if isinstance(data, str):
                oversized += data == "oversized"
                missing += data == "missing"
                continue
            batch.append((sha, paths.get(sha, ""), data))
            batch_bytes += len(data)
            if batch_bytes >= BATCH_BYTES:
                flush()
                batch, batch_bytes = [], 0
            if time.monotonic() - started > timeout:
                timed_out = True
                break
    except gitrepo.READ_ERRORS as exc:
        notes.append(f"reading the object store stopped early: {type(exc).__name__}: {str(exc)[:200]}")
    flush()
    if timed_out:
        notes.append(f"history read stopped after {timeout:g} s (secrets.history_timeout): {len(paths) - scanned - oversized} blobs not scanned")
    if oversized:
        notes.append(f"{oversized} blobs over {max_bytes} bytes not scanned")
    if missing:
        notes.append(f"{missing} blobs missing from the object store or unreadable (corrupt or partial clone)")
    if binary:
        notes.append(f"{binary} binary blobs skipped")
    return _assemble(repository, hits, paths, started, commits, len(paths), scanned, total_bytes, shallow, notes)


def _failure(message: str, started: float, notes: list[str]) -> HistoryScan:
    evidence = Evidence(provenance=Provenance.INSPECTED, summary=f"git history scan failed: {message}", tool="git")
    return HistoryScan("error", message, duration_s=time.monotonic() - started, notes=tuple(notes), evidence=(evidence,))


def _assemble(repository: gitrepo.Repository, hits: dict[str, list[Detection]], paths: dict[str, str], started: float,
              commits: int, blobs_total: int, scanned: int, total_bytes: int, shallow: bool, notes: list[str]) -> HistoryScan:
    head_blobs: set[str] = set()
    try:
        head_blobs = repository.head_blobs()
    except gitrepo.READ_ERRORS + (gitrepo.GitReadError,):
        notes.append("HEAD could not be listed: presence at HEAD unknown")
    at_head = {(d.rule_id, d.secret_sha256) for blob, found in hits.items() if blob in head_blobs for d in found}
    origin: dict[str, tuple[str, str, str]] = {}
    if hits:
        try:
            origin = {blob: (commit, _iso(when), path) for blob, (commit, when, path) in repository.introductions(set(hits)).items()}
        except gitrepo.READ_ERRORS + (gitrepo.GitReadError,):
            notes.append("the commits that introduced the secrets could not be named")
    grouped: dict[tuple[str, str], HistoryHit] = {}
    for blob, found in hits.items():
        commit, date, path = origin.get(blob, (None, None, paths.get(blob, "")))
        for detection in found:
            key = (detection.rule_id, detection.secret_sha256)
            current = grouped.get(key)
            if current is None or (date and (current.author_date is None or date < current.author_date)):
                grouped[key] = HistoryHit(detection, blob, path, commit, date, key in at_head)
    evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"git history scanned: {commits} commits, {scanned} distinct blobs ({total_bytes} bytes) from all refs "
        "(object store read directly, no git process)",
        tool="git", duration_s=round(time.monotonic() - started, 3),
    )
    ordered = tuple(sorted(grouped.values(), key=lambda hit: (hit.path, hit.detection.start_line, hit.detection.rule_id)))
    return HistoryScan("ok", f"{len(ordered)} distinct secrets in the history of {commits} commits", ordered, commits, blobs_total,
                       scanned, total_bytes, shallow, round(time.monotonic() - started, 3), tuple(notes), (evidence,))


def _iso(epoch: int) -> str:
    """An author time as git's ``%aI`` shows it (UTC)."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).isoformat()
