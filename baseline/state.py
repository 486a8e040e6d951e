"""Where the toolkit keeps its own state: never inside the scanned tree.

- **Caches** (static-analysis results, the OSV index) live under the user's cache folder:
  ``$BASELINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/baseline``, else ``~/.cache/baseline``. Every entry
  is JSON, keyed by content and tool set-up, and authenticated with an HMAC made with a key that
  lives beside them (``cache.key``, mode 0600): a planted or edited entry is ignored.
- **Work files and history** (per-scan artifacts, the fuzzing corpora and crash store, the history
  database) live under the user's data folder, one folder per project: ``$BASELINE_DATA_DIR``, else
  ``$XDG_DATA_HOME/baseline``, else ``~/.local/share/baseline``, then ``projects/<name>-<digest>``,
  or under the folder the operator names with ``--work-dir``.

A ``.baseline/`` folder inside a target is the project's own data (its accepted-findings file): it
is read as input, never written by a scan, and never trusted as a cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from baseline.parsing import json_loads

MAC_SIZE = 32


def _base(variable: str, xdg: str, fallback: str) -> Path:
    named = os.environ.get(variable)
    if named:
        return Path(named).expanduser()
    xdg_home = os.environ.get(xdg)
    if xdg_home and Path(xdg_home).is_absolute():
        return Path(xdg_home) / "baseline"
    return Path.home() / fallback / "baseline"


def cache_home() -> Path:
    """The user's cache folder for the toolkit."""
    return _base("BASELINE_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def data_home() -> Path:
    """The user's data folder for the toolkit (history, work files)."""
    return _base("BASELINE_DATA_DIR", "XDG_DATA_HOME", ".local/share")


def project_id(root: Path) -> str:
    """A stable folder name for one project: its folder name and a digest of its absolute path."""
    resolved = root.resolve()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", resolved.name)[:40].strip("._") or "project"
    return f"{name}-{hashlib.sha256(str(resolved).encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def project_dir(root: Path, work_dir: str | None = None) -> Path:
    """The project's work folder: ``work_dir`` when the operator named one, else the data folder's."""
    if work_dir:
        return Path(work_dir).expanduser().resolve()
    return data_home() / "projects" / project_id(root)


def history_db(root: Path, configured: str | None = None) -> Path:
    """The history database: the operator's ``--history-db``, else the project's in the data folder."""
    if configured:
        return Path(configured).expanduser().resolve()
    return data_home() / "projects" / project_id(root) / "history.db"


def inside(root: Path, path: Path) -> bool:
    """True when ``path`` (absolute or relative) is ``root`` or below it once symlinks are resolved."""
    try:
        base = root.resolve()
        target = (path if path.is_absolute() else base / path).resolve()
    except (OSError, RuntimeError):
        return False
    return target == base or base in target.parents


def writes_into(root: Path, path: Path) -> bool:
    """True when writing ``path`` would write into the scanned tree ``root``."""
    return inside(root, path)


# -- authenticated JSON cache entries -----------------------------------------------------------

def cache_key(folder: Path | None = None) -> bytes:
    """This user's key for authenticating cache entries (created on first use, mode 0600)."""
    home = folder or cache_home()
    key_file = home / "cache.key"
    try:
        key = key_file.read_bytes()
        if len(key) == MAC_SIZE:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(MAC_SIZE)
    try:
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home, 0o700)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
    except OSError:
        pass  # an unwritable cache folder: entries written in this process verify only within it
    return key


def sign(payload: bytes, key: bytes | None = None) -> bytes:
    """``payload`` prefixed with its HMAC-SHA256."""
    return hmac.new(key or cache_key(), payload, hashlib.sha256).digest() + payload


def verified(blob: bytes, key: bytes | None = None) -> bytes | None:
    """The payload when its HMAC was made with our key, else None."""
    mac, payload = blob[:MAC_SIZE], blob[MAC_SIZE:]
    expected = hmac.new(key or cache_key(), payload, hashlib.sha256).digest()
    return payload if len(mac) == MAC_SIZE and hmac.compare_digest(mac, expected) else None


def read_entry(path: Path, key: bytes | None = None) -> Any | None:
    """A cache entry's JSON value, or None when it is missing, forged or damaged."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    payload = verified(blob, key)
    if payload is None:
        return None
    try:
        return json_loads(payload)
    except ValueError:
        return None


def write_entry(path: Path, value: Any, key: bytes | None = None) -> bool:
    """Write one authenticated JSON entry atomically; False when the cache folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
        temporary.write_bytes(sign(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8"), key))
        temporary.replace(path)
        return True
    except OSError:
        return False
