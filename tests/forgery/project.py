"""The project the vendor-forgery corpus scans: small, real, and with something to hide.

Two failing tests, a high-severity static finding (a shell command built from input) and a
hard-coded token: an honest scan scores it low, which is what a dishonest vendor wants to hide.
The token is assembled at run time so that this file holds no secret of its own.
"""

from __future__ import annotations

import hashlib
import string
import subprocess
from pathlib import Path


def _token() -> str:
    alphabet = string.ascii_letters + string.digits
    seed = hashlib.sha256(b"baseline forgery corpus").digest()
    return "ghp_" + "".join(alphabet[byte % len(alphabet)] for byte in seed[:36])


FILES = {
    "pyproject.toml": '[project]\nname = "ledgerkit"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n',
    "ledgerkit/__init__.py": '"""A tiny ledger."""\n',
    "ledgerkit/core.py": (
        "import subprocess\n\n\n"
        "def add(a: int, b: int) -> int:\n    return a + b\n\n\n"
        "def balance(entries: list[int]) -> int:\n    return sum(entries)\n\n\n"
        "def export(name: str) -> int:\n    return subprocess.call('tar czf ' + name + '.tgz ledger', shell=True)\n"
    ),
    "ledgerkit/settings.py": 'API_TOKEN = "{token}"\n',
    "tests/test_core.py": (
        "from ledgerkit.core import add, balance\n\n\n"
        "def test_add():\n    assert add(2, 2) == 4\n\n\n"
        "def test_balance():\n    assert balance([1, 2]) == 3\n\n\n"
        "def test_add_negative():\n    assert add(-1, -1) == -3\n\n\n"
        "def test_balance_empty():\n    assert balance([]) == 1\n"
    ),
}


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user or system configuration."""
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        ["git", "-c", "user.name=Vendor", "-c", "user.email=vendor@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    return done.stdout


def make_repository(root: Path) -> Path:
    """Write the project into ``root`` as a git repository with one commit."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{token}", _token()), encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Ledger with tests")
    return root


def fresh_clone(repository: Path, into: Path) -> Path:
    """What an auditor checks out: a new clone of the vendor's repository."""
    git(into.parent, "clone", "-q", str(repository), str(into))
    return into
