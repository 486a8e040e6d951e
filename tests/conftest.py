"""Shared test helpers."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests import audit_hook

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHARED = REPO_ROOT.parent / "shared"

# Scans of fixture projects use this interpreter unless a test asks for a provisioned environment
# (building one per fixture copy would need the package index and time).
os.environ.setdefault("BASELINE_PROVISION", "0")

# Fixture projects and corpora are data, not tests of this repository.
collect_ignore_glob = ["fixtures/*"]

# Only baseline/sandbox.py may start processes: an audit hook watches this process, and (through
# tests/audit_site/sitecustomize.py on PYTHONPATH) every CLI process the suites start.
AUDIT_LOG = Path(tempfile.mkdtemp(prefix="baseline-audit-")) / "violations.jsonl"
os.environ["BASELINE_AUDIT_LOG"] = str(AUDIT_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(part for part in (str(REPO_ROOT / "tests" / "audit_site"), os.environ.get("PYTHONPATH", "")) if part)
audit_hook.install(str(AUDIT_LOG))


def _logged() -> list[dict[str, str]]:
    try:
        return [json.loads(line) for line in AUDIT_LOG.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return []


@pytest.fixture(autouse=True)
def _no_process_outside_the_sandbox() -> Iterator[None]:
    """Fail the test during which the toolkit started a process from outside baseline/sandbox.py."""
    before = len(_logged())
    yield
    fresh = _logged()[before:]
    assert not fresh, "a process was started outside baseline/sandbox.py: " + "; ".join(f"{item['event']} at {item['where']}" for item in fresh)


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
