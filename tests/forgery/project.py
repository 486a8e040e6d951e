"""The project the vendor-forgery corpus scans: small, real, and with something to hide.

Three failing tests, a high-severity static finding (a shell command built from input) and a
hard-coded token: an honest scan scores it low, which is what a dishonest vendor wants to hide.
The token is assembled at run time so that this file holds no secret of its own.

It also gives every other check figures to judge, so that verify's re-derivation of each one runs
on a real result: a threat model missing one element whose mitigation test fails (T01), end-to-end
tests with a negative case and a failure (T06), an assert that validates input (T05), and two
fix commits, one with its regression test and one without (T08).
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
    "THREAT_MODEL.md": (
        "# Threat model of ledgerkit\n\n"
        "## Assets\n\nThe ledger entries and the exported archives.\n\n"
        "## Entry points\n\nThe library functions add, balance and export, called by the host application.\n\n"
        "## Threats\n\n"
        "- `subprocess.call` in ledgerkit/core.py: a hostile archive name injects shell commands into the export; "
        "the mitigation is that names are checked by the caller, verified by test_add_negative.\n\n"
        "## Mitigations\n\nInputs are validated by the host application before they reach the ledger.\n"
    ),
    "ledgerkit/__init__.py": '"""A tiny ledger."""\n',
    "ledgerkit/core.py": (
        "import subprocess\n\n\n"
        "def add(a: int, b: int) -> int:\n    return a + b\n\n\n"
        "def balance(entries: list[int]) -> int:\n    return sum(entries)\n\n\n"
        "def export(name: str) -> int:\n    return subprocess.call('tar czf ' + name + '.tgz ledger', shell=True)\n\n\n"
        "def withdraw(total: int, amount: int) -> int:\n    assert amount >= 0, 'amount must not be negative'\n    return total - amount\n\n\n"
        "def label(entry: int) -> str:\n    return entry\n"
    ),
    "tests/test_e2e_ledger.py": (
        "import pytest\n\nfrom ledgerkit.core import add\n\n\n"
        "def test_e2e_add():\n    assert add(1, 2) == 3\n\n\n"
        "def test_e2e_add_rejects_text():\n    with pytest.raises(TypeError):\n        add('a', 1)  # type: ignore[arg-type]\n\n\n"
        "def test_e2e_add_large():\n    assert add(10**6, 1) == 10**6\n"
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
    # A bug fix in product code that comes with its regression test.
    core = root / "ledgerkit" / "core.py"
    core.write_text(core.read_text(encoding="utf-8").replace("    return total - amount\n", "    return max(0, total - amount)\n"), encoding="utf-8")
    (root / "tests" / "test_withdraw.py").write_text(
        "from ledgerkit.core import withdraw\n\n\ndef test_withdraw_never_below_zero():\n    assert withdraw(1, 5) == 0\n", encoding="utf-8"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Fix withdraw going below zero")
    core.write_text(core.read_text(encoding="utf-8").replace("    return entry\n", "    return entry  # the label is the entry itself\n"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Fix label of ledger entries")
    return root


def fresh_clone(repository: Path, into: Path) -> Path:
    """What an auditor checks out: a new clone of the vendor's repository."""
    git(into.parent, "clone", "-q", str(repository), str(into))
    return into
