"""Shared test helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHARED = REPO_ROOT.parent / "shared"

# Fixture projects and corpora are data, not tests of this repository.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session", autouse=True)
def toolkit_state_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The toolkit's caches and data (history, work files) go to folders of this test session, not the user's."""
    import os

    for variable, name in (("BASELINE_CACHE_DIR", "cache"), ("BASELINE_DATA_DIR", "data")):
        if not os.environ.get(variable):
            os.environ[variable] = str(tmp_path_factory.mktemp(f"toolkit-{name}"))


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of fixture projects."""
    return FIXTURES


def baseline_argv(*args: str) -> list[str]:
    """The command line that runs the installed toolkit."""
    return [sys.executable, "-m", "baseline", *args]
