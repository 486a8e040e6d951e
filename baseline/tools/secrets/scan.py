"""The shared secrets run: the working tree, then (when asked) the git history."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline import __version__
from baseline.model import Evidence, Provenance
from baseline.tools.secrets.engine import Detection
from baseline.tools.secrets.history import HistoryScan, scan_history
from baseline.tools.secrets.parallel import scan_paths
from baseline.tools.secrets.rules import ALL_RULE_IDS
from baseline.tools.secrets.walk import walk

TOOL = "baseline-secrets"
_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD", "CIRCLECI", "TRAVIS", "BITBUCKET_BUILD_NUMBER")


@dataclass(frozen=True)
class TreeHit:
    """A secret in a file of the working tree."""

    path: str
    detection: Detection


@dataclass(frozen=True)
class SecretsScan:
    """Everything the secrets run found."""

    status: str  # ok | error
    message: str
    tree: tuple[TreeHit, ...]
    files_scanned: int
    bytes_scanned: int
    skipped: tuple[tuple[str, str], ...]  # (path, reason)
    duration_s: float
    history: HistoryScan | None
    history_reason: str
    evidence: tuple[Evidence, ...]
    skipped_dirs: tuple[tuple[str, str], ...] = ()  # (folder/, reason): every folder left out, counted


def in_ci(environ: dict[str, str] | None = None) -> bool:
    """True when a CI system's marker variable is set."""
    env = os.environ if environ is None else environ
    return any(env.get(name, "").lower() not in ("", "0", "false") for name in _CI_VARIABLES)


def history_wanted(mode: str, environ: dict[str, str] | None = None) -> tuple[bool, str]:
    """Whether to scan history for the ``secrets.history`` mode, and why."""
    if mode == "on":
        return True, "secrets.history = on"
    if mode == "off":
        return False, "secrets.history = off"
    if in_ci(environ):
        return True, "secrets.history = auto and a CI environment was detected"
    return False, "secrets.history = auto outside CI (use --secrets-history on to scan the git history)"


def scan_target(root: Path, *, history: bool, history_reason: str, max_bytes: int, workers: int = 0, timeout: float = 900.0) -> SecretsScan:
    """Scan the working tree of ``root`` and, when ``history`` is true, its git history."""
    started = time.monotonic()
    tree = walk(root)
    items = scan_paths(root, tree.files, max_bytes, workers, tree.sizes)
    hits = tuple(TreeHit(item.label, detection) for item in items for detection in item.detections)
    skipped = tuple(tree.skipped_files) + tuple((item.label, item.skipped) for item in items if item.skipped)
    scanned = sum(1 for item in items if not item.skipped)
    total = sum(item.size for item in items if not item.skipped)
    tree_seconds = time.monotonic() - started
    evidence = [
        Evidence(
            provenance=Provenance.EXECUTED,
            summary=f"secrets engine ({len(ALL_RULE_IDS)} rules) scanned {scanned} files "
            f"({total / 1e6:.2f} MB) of the working tree in {tree_seconds:.2f} s; {len(skipped)} files and "
            f"{len(tree.skipped_dirs)} folders skipped",
            tool=TOOL,
            tool_version=__version__,
            duration_s=round(tree_seconds, 3),
        )
    ]
    history_scan: HistoryScan | None = None
    if history:
        history_scan = scan_history(root, max_bytes=max_bytes, timeout=timeout, workers=workers)
        evidence.extend(history_scan.evidence)
    message = f"{len(hits)} secrets in {len(items)} files"
    return SecretsScan(
        "ok", message, hits, scanned, total, skipped, round(time.monotonic() - started, 3), history_scan, history_reason,
        tuple(evidence), tuple(tree.skipped_dirs),
    )


class SecretsRun:
    """The shared run asked for by the T04 check (executed once per scan)."""

    key = "secrets.scan"

    def execute(self, context: Any) -> SecretsScan:
        """Read the configuration and scan the target."""
        config = context.config
        wanted, reason = history_wanted(config.get("secrets.history"))
        return scan_target(
            context.root,
            history=wanted,
            history_reason=reason,
            max_bytes=int(config.get("secrets.max_file_kb")) * 1024,
            workers=int(config.get("secrets.workers")),
            timeout=float(config.get("secrets.history_timeout")),
        )


SECRETS_RUN = SecretsRun()
