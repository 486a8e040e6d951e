"""Shared test helpers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHARED = REPO_ROOT.parent / "shared"

# Scans of fixture projects use this interpreter unless a test asks for a provisioned environment
# (building one per fixture copy would need the package index and time).
os.environ.setdefault("BASELINE_PROVISION", "0")

# Fixture projects and corpora are data, not tests of this repository.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of fixture projects."""
    return FIXTURES


def baseline_argv(*args: str) -> list[str]:
    """The command line that runs the installed toolkit."""
    return [sys.executable, "-m", "baseline", *args]
