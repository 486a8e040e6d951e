"""Isolated environments for external tools whose dependencies clash with the toolkit's.

wapiti3 pins old versions of libraries (httpx, typing-extensions, protobuf...) that semgrep and
pydantic need newer, so it cannot share an environment with them. ``baseline tools install
wapiti`` creates a private virtual environment for it under the tools folder
(``$BASELINE_TOOLS_DIR``, default ``~/.cache/baseline/tools``); adapters find the executable
there first.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from baseline import sandbox

# tool name -> (requirement pinned to the version the adapters were written against, executable)
ISOLATED_TOOLS: dict[str, tuple[str, str]] = {
    "wapiti": ("wapiti3==3.2.3", "wapiti"),
    # schemathesis installs beside the toolkit (the `web` extra); a private environment is the way out
    # when a project's own pins clash with it.
    "schemathesis": ("schemathesis==4.32.5", "schemathesis"),
}


def tools_dir() -> Path:
    """The folder that holds one virtual environment per isolated tool."""
    configured = os.environ.get("BASELINE_TOOLS_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "baseline" / "tools"


def find_tool(name: str, configured: str | None = None) -> str | None:
    """An executable for ``name``: the configured path, its isolated environment, beside this interpreter, PATH."""
    try:
        if configured:
            return configured if Path(configured).is_file() else None
        executable = ISOLATED_TOOLS.get(name, (name, name))[1]
        for candidate in (tools_dir() / name / "bin" / executable, Path(sys.executable).parent / executable):
            if candidate.is_file():
                return str(candidate)
        return shutil.which(executable)
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte: no such tool
        return None


@dataclass(frozen=True)
class InstallResult:
    """What ``install_tool`` did."""

    ok: bool
    executable: str | None
    message: str


def install_tool(name: str, timeout_s: float = 900.0) -> InstallResult:
    """Create (or refresh) the private environment of an isolated tool and install it there."""
    if name not in ISOLATED_TOOLS:
        return InstallResult(False, None, f"unknown tool {name!r}; known: {', '.join(sorted(ISOLATED_TOOLS))}")
    requirement, executable = ISOLATED_TOOLS[name]
    home = tools_dir() / name
    home.parent.mkdir(parents=True, exist_ok=True)
    limits = sandbox.Limits(timeout_s=timeout_s)
    made = sandbox.run([sys.executable, "-m", "venv", "--clear", str(home)], cwd=home.parent, limits=limits, scrub=False)
    if not made.ok:
        return InstallResult(False, None, f"could not create {home}: {made.describe()}: {made.stderr_tail(5)}")
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", requirement]
    # Package-index settings (PIP_INDEX_URL, proxies) must reach pip: not a target, so no scrubbing.
    installed = sandbox.run(pip, cwd=home.parent, limits=limits, scrub=False)
    if not installed.ok:
        return InstallResult(False, None, f"pip install {requirement} failed: {installed.describe()}: {installed.stderr_tail(8)}")
    path = home / "bin" / executable
    if not path.is_file():
        return InstallResult(False, None, f"{requirement} installed but {path} is missing")
    return InstallResult(True, str(path), f"installed {requirement} into {home}")
