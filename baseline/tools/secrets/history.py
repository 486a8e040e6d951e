"""Git history: every blob reachable from any ref, scanned once (de-duplicated by blob id).

``git rev-list --all --objects`` lists the reachable objects, ``git cat-file --batch-check`` keeps
the blobs and their sizes, and ``git cat-file --batch`` streams their contents in batches. For each
secret found, one ``git log --raw`` pass names the commit that introduced it and its author date;
``git ls-tree -r HEAD`` says whether it is still present at HEAD. All git processes run through the
sandbox; a target that is not a git repository, or a shallow or corrupt one, degrades with a note.
"""

from __future__ import annotations

import secrets as _random
import time
from dataclasses import dataclass
from pathlib import Path

from baseline import sandbox
from baseline.model import Evidence, Provenance
from baseline.tools.secrets.engine import Detection
from baseline.tools.secrets.parallel import scan_contents

BATCH_BYTES = 32 * 1024 * 1024
BIG_OUTPUT = 512 * 1024 * 1024


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


def _git(root: Path, args: list[str], timeout: float, stdin: bytes | None = None, cap: int = 16 * 1024 * 1024) -> sandbox.ProcessResult:
    return sandbox.run(["git", "-c", "core.quotepath=off", *args], cwd=root, limits=sandbox.Limits(timeout_s=timeout, output_cap=cap), stdin_data=stdin)


def _failure(result: sandbox.ProcessResult, what: str, started: float, notes: list[str]) -> HistoryScan:
    evidence = Evidence(
        provenance=Provenance.EXECUTED, summary=f"git {what} failed: {result.describe()}", tool="git",
        argv=result.argv, exit_code=result.exit_code, duration_s=round(result.duration_s, 3), stderr_tail=result.stderr_tail(),
    )
    truncated = " (output over the size cap)" if result.stdout_truncated else ""
    return HistoryScan("error", f"git {what} failed: {result.describe()}{truncated}", duration_s=time.monotonic() - started, notes=tuple(notes), evidence=(evidence,))


def read_blobs(root: Path, shas: list[str], timeout: float) -> tuple[dict[str, bytes], list[str]]:
    """Contents of ``shas`` via ``git cat-file --batch``; framing uses a random marker per call."""
    marker = "@@" + _random.token_hex(12)
    result = _git(root, ["cat-file", f"--batch={marker} %(objectname) %(objecttype) %(objectsize)"], timeout, ("\n".join(shas) + "\n").encode(), cap=BIG_OUTPUT)
    if not result.ok or result.stdout_truncated:
        return {}, [f"git cat-file --batch failed for {len(shas)} blobs: {result.describe()}"]
    contents: dict[str, bytes] = {}
    for piece in result.stdout.split(marker + " ")[1:]:
        header, _, body = piece.partition("\n")
        fields = header.split()
        if len(fields) >= 2 and fields[1] == "blob":
            contents[fields[0]] = body[:-1].encode("utf-8", "surrogateescape") if body.endswith("\n") else body.encode("utf-8", "surrogateescape")
    return contents, []


def introductions(root: Path, blobs: set[str], timeout: float) -> dict[str, tuple[str, str, str]]:
    """blob -> (commit, author date, path) of the oldest commit that added that blob."""
    result = _git(root, ["log", "--all", "--reverse", "--no-renames", "--raw", "--no-abbrev", "--format=@@C %H %aI"], timeout, cap=BIG_OUTPUT)
    found: dict[str, tuple[str, str, str]] = {}
    if not result.ok:
        return found
    commit = date = ""
    for line in result.stdout.splitlines():
        if line.startswith("@@C "):
            _, commit, date = (line.split(" ", 2) + ["", ""])[:3]
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) >= 4 and fields[3] in blobs and fields[3] not in found:
                found[fields[3]] = (commit, date, path)
    return found


def scan_history(root: Path, *, max_bytes: int, timeout: float = 900.0, workers: int = 0) -> HistoryScan:
    """Scan every reachable blob of the repository at ``root`` once."""
    started = time.monotonic()
    notes: list[str] = []
    probe = _git(root, ["rev-parse", "--is-inside-work-tree", "--is-shallow-repository"], 60)
    if probe.start_error:
        return HistoryScan("skipped", f"git is not available: {probe.start_error}", notes=(f"history not scanned: {probe.start_error}",))
    if not probe.ok:
        return HistoryScan("skipped", "the target is not a git repository: history not scanned", notes=("not a git repository",))
    shallow = probe.stdout.split()[-1:] == ["true"]
    if shallow:
        notes.append("shallow clone: commits before the shallow boundary are not scanned")
    count = _git(root, ["rev-list", "--all", "--count"], timeout)
    if not count.ok:
        return _failure(count, "rev-list --count", started, notes)
    commits = int(count.stdout.strip() or 0)
    if commits == 0:
        return HistoryScan("skipped", "the repository has no commits", shallow=shallow, notes=tuple(notes + ["no commits"]))
    listing = _git(root, ["rev-list", "--all", "--objects"], timeout, cap=BIG_OUTPUT)
    if not listing.ok and not listing.timed_out and "missing" in listing.stderr:
        # a corrupt or partial repository: list what is there and say so
        notes.append("objects missing from the repository: " + listing.stderr_tail(2).replace("\n", " "))
        listing = _git(root, ["rev-list", "--all", "--objects", "--missing=allow-any"], timeout, cap=BIG_OUTPUT)
    if not listing.ok or listing.stdout_truncated:
        return _failure(listing, "rev-list --objects", started, notes)
    paths: dict[str, str] = {}
    for line in listing.stdout.splitlines():
        sha, _, path = line.partition(" ")
        if sha and sha not in paths:
            paths[sha] = path
    check = _git(root, ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], timeout, ("\n".join(paths) + "\n").encode(), cap=BIG_OUTPUT)
    if not check.ok:
        return _failure(check, "cat-file --batch-check", started, notes)
    wanted: list[tuple[str, int]] = []
    oversized = missing = 0
    for line in check.stdout.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1] == "missing":
            missing += 1
        elif len(fields) == 3 and fields[1] == "blob":
            if int(fields[2]) > max_bytes:
                oversized += 1
            else:
                wanted.append((fields[0], int(fields[2])))
    if oversized:
        notes.append(f"{oversized} blobs over {max_bytes} bytes not scanned")
    if missing:
        notes.append(f"{missing} objects missing from the object store (corrupt or partial clone)")
    hits: dict[str, list[Detection]] = {}
    scanned = total_bytes = binary = 0
    batch: list[str] = []
    batch_bytes = 0
    for index, (sha, size) in enumerate(wanted):
        batch.append(sha)
        batch_bytes += size
        if batch_bytes < BATCH_BYTES and index + 1 < len(wanted):
            continue
        contents, problems = read_blobs(root, batch, timeout)
        notes.extend(problems)
        items = [(sha_, paths.get(sha_, ""), data) for sha_, data in contents.items()]
        for item in scan_contents(items, workers):
            scanned += 1
            total_bytes += item.size
            binary += item.skipped == "binary"
            if item.detections:
                hits[item.label] = list(item.detections)
        batch, batch_bytes = [], 0
    if binary:
        notes.append(f"{binary} binary blobs skipped")
    return _assemble(root, hits, paths, timeout, started, commits, len(wanted) + oversized, scanned, total_bytes, shallow, notes)


def _assemble(root: Path, hits: dict[str, list[Detection]], paths: dict[str, str], timeout: float, started: float,
              commits: int, blobs_total: int, scanned: int, total_bytes: int, shallow: bool, notes: list[str]) -> HistoryScan:
    head_blobs: set[str] = set()
    tree = _git(root, ["ls-tree", "-r", "HEAD"], timeout, cap=BIG_OUTPUT)
    if tree.ok:
        head_blobs = {line.split()[2] for line in tree.stdout.splitlines() if len(line.split()) >= 3}
    else:
        notes.append("HEAD could not be listed: presence at HEAD unknown")
    at_head = {(d.rule_id, d.secret_sha256) for blob, found in hits.items() if blob in head_blobs for d in found}
    origin = introductions(root, set(hits), timeout) if hits else {}
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
        summary=f"git history scanned: {commits} commits, {scanned} distinct blobs ({total_bytes} bytes) from all refs",
        tool="git", argv=("git", "rev-list", "--all", "--objects"), exit_code=0, duration_s=round(time.monotonic() - started, 3),
    )
    ordered = tuple(sorted(grouped.values(), key=lambda hit: (hit.path, hit.detection.start_line, hit.detection.rule_id)))
    return HistoryScan("ok", f"{len(ordered)} distinct secrets in the history of {commits} commits", ordered, commits, blobs_total,
                       scanned, total_bytes, shallow, round(time.monotonic() - started, 3), tuple(notes), (evidence,))
