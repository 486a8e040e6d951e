"""Scanning many files or blobs, in a process pool when the volume makes it pay off."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from baseline import sandbox
from baseline.tools.secrets.engine import Detection, scan_blob

PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, starting workers costs more than it saves
CHUNK_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ScannedItem:
    """The outcome for one file or blob."""

    label: str  # relative path, or blob id for history
    size: int
    detections: tuple[Detection, ...]
    skipped: str | None = None  # binary | oversized | unreadable: ...


def scan_path(root: str, relative: str, max_bytes: int) -> ScannedItem:
    """Read one file once and scan it; oversized and unreadable files are skipped with a reason."""
    try:
        with open(os.path.join(root, relative), "rb") as handle:  # os.path: pathlib costs more than the scan on small files
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                return ScannedItem(relative, size, (), f"oversized ({size} bytes > {max_bytes})")
            data = handle.read()
    except OSError as exc:
        return ScannedItem(relative, 0, (), f"unreadable: {exc.strerror or exc}")
    detections, skipped = scan_blob(data, relative)
    return ScannedItem(relative, len(data), tuple(detections), skipped)


def _scan_path_chunk(root: str, relatives: Sequence[str], max_bytes: int) -> list[ScannedItem]:
    return [scan_path(root, relative, max_bytes) for relative in relatives]


def _scan_content_chunk(items: Sequence[tuple[str, str, bytes]]) -> list[ScannedItem]:
    out = []
    for label, path, data in items:
        detections, skipped = scan_blob(data, path)
        out.append(ScannedItem(label, len(data), tuple(detections), skipped))
    return out


def _own_cgroups(proc_cgroup: str) -> dict[str, str]:
    """This process's cgroup path per controller (``""`` for the v2 unified hierarchy), from /proc."""
    paths: dict[str, str] = {}
    try:
        with open(proc_cgroup, encoding="utf-8") as handle:
            for line in handle:
                _, _, rest = line.strip().partition(":")
                controllers, _, path = rest.partition(":")
                for controller in controllers.split(",") if controllers else [""]:
                    paths.setdefault(controller, path or "/")
    except OSError:
        pass
    return paths


def _with_ancestors(base: str, path: str) -> list[str]:
    """``base/path`` and every folder above it up to ``base``: a quota anywhere above applies too."""
    parts = [part for part in path.split("/") if part and part not in (".", "..")]
    return [os.path.join(base, *parts[:depth]) for depth in range(len(parts), -1, -1)]


def _read_cpu_max(folder: str) -> float | None:
    try:
        with open(os.path.join(folder, "cpu.max"), encoding="ascii") as handle:
            quota, _, period = handle.read().strip().partition(" ")
        if quota != "max" and float(period or 100000) > 0:
            return float(quota) / float(period or 100000)
    except (OSError, ValueError):
        pass
    return None


def _read_cfs_quota(folder: str) -> float | None:
    try:
        with open(os.path.join(folder, "cpu.cfs_quota_us"), encoding="ascii") as handle:
            quota_us = float(handle.read().strip())
        with open(os.path.join(folder, "cpu.cfs_period_us"), encoding="ascii") as handle:
            period_us = float(handle.read().strip())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def cgroup_cpu_limit(root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup") -> float | None:
    """CPUs allowed by the tightest cgroup quota over this process's cgroup and its ancestors (v2
    ``cpu.max``, v1 ``cpu.cfs_quota_us``); None without a quota. The process's cgroup is read from
    ``proc_cgroup``; a path that does not exist under ``root`` (a container's own mount) leaves the root.
    """
    own = _own_cgroups(proc_cgroup)
    limits = [limit for folder in _with_ancestors(root, own.get("", "/")) if (limit := _read_cpu_max(folder)) is not None]
    v1_root = os.path.join(root, "cpu")
    limits += [limit for folder in _with_ancestors(v1_root, own.get("cpu", "/")) if (limit := _read_cfs_quota(folder)) is not None]
    return min(limits) if limits else None


def available_cpus(cgroup_root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup") -> int:
    """CPUs this process may use: its affinity mask, capped by the cgroup CPU quota (rounded down, at least 1)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    limit = cgroup_cpu_limit(cgroup_root, proc_cgroup)
    if limit is not None:
        count = min(count, max(1, int(limit)))
    return max(1, count)


def default_workers(requested: int = 0) -> int:
    """``requested`` when positive, else the CPUs available to this process (at most 8)."""
    return requested if requested > 0 else max(1, min(8, available_cpus()))


def _chunks(sizes: Sequence[int]) -> list[tuple[int, int]]:
    bounds, start, total = [], 0, 0
    for index, size in enumerate(sizes):
        total += size
        if total >= CHUNK_BYTES:
            bounds.append((start, index + 1))
            start, total = index + 1, 0
    if start < len(sizes):
        bounds.append((start, len(sizes)))
    return bounds


def scan_paths(
    root: Path, relatives: Sequence[str], max_bytes: int, workers: int = 0, sizes: Sequence[int] | None = None
) -> list[ScannedItem]:
    """Scan files of a tree (paths relative to ``root``), in parallel for large trees.

    ``sizes`` (bytes of each file, as the walk saw them) spares a second ``stat`` of every file to
    plan the work; they only decide how files are shared between workers.
    """
    jobs = default_workers(workers)
    if jobs == 1:
        return _scan_path_chunk(str(root), relatives, max_bytes)
    base = str(root)
    if sizes is not None and len(sizes) == len(relatives):
        sizes = [min(size, max_bytes) for size in sizes]
    else:
        sizes = []
        for relative in relatives:
            try:
                sizes.append(min(os.stat(os.path.join(base, relative)).st_size, max_bytes))
            except OSError:
                sizes.append(0)
    if sum(sizes) < PARALLEL_MIN_BYTES:
        return _scan_path_chunk(base, relatives, max_bytes)
    return sandbox.run_in_workers(_scan_path_chunk, [(str(root), relatives[a:b], max_bytes) for a, b in _chunks(sizes)], jobs)


def scan_contents(items: Sequence[tuple[str, str, bytes]], workers: int = 0) -> list[ScannedItem]:
    """Scan in-memory contents given as (label, path used for syntax rules, bytes)."""
    sizes = [len(data) for _, _, data in items]
    jobs = default_workers(workers)
    if jobs == 1 or sum(sizes) < PARALLEL_MIN_BYTES:
        return _scan_content_chunk(items)
    return sandbox.run_in_workers(_scan_content_chunk, [(items[a:b],) for a, b in _chunks(sizes)], jobs)
