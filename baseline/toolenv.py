"""Isolated environments for external tools whose dependencies clash with the toolkit's.

wapiti3 pins old versions of libraries (httpx, typing-extensions, protobuf...) that semgrep and
pydantic need newer, so it cannot share an environment with them. ``baseline tools install
wapiti`` creates a private virtual environment for it under the tools folder
(``$BASELINE_TOOLS_DIR``, default ``~/.cache/baseline/tools``); adapters find the executable
there first.

Installs never break each other or a scan in progress: an install holds a lock file
(``<tool>.lock``) for its whole duration, builds a fresh environment in its own folder
(``<tool>.envs/<timestamp>-<random>``) and only then points ``<tool>`` at it by replacing a symbolic
link atomically. The environment it replaced is kept (a scan may still be running from it) and
older ones are removed. A failed install leaves the working one in place.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import time
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
        _repair_mode(tools_dir() / name)
        for candidate in (tools_dir() / name / "bin" / executable, Path(sys.executable).parent / executable):
            if candidate.is_file():
                return str(candidate)
        return shutil.which(executable)
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte: no such tool
        return None


def _repair_mode(home: Path) -> None:
    """An environment made 0700 (by an earlier version) is opened to the unprivileged user that runs it confined."""
    try:
        env = home.resolve()
        if env.is_dir() and env.stat().st_uid == os.getuid() and not env.stat().st_mode & 0o005:
            env.chmod(0o755)
    except OSError:
        pass


@dataclass(frozen=True)
class InstallResult:
    """What ``install_tool`` did."""

    ok: bool
    executable: str | None
    message: str


def _point_at(home: Path, env: Path) -> Path | None:
    """Make ``home`` a symlink to ``env`` atomically; the folder it replaced (to delete), if any."""
    previous: Path | None = None
    if home.is_symlink():
        previous = home.resolve()
    elif home.exists():  # an environment made in place by an earlier version: moved aside first
        previous = home.with_name(f".{home.name}.old-{os.getpid()}")
        home.rename(previous)
    link = home.with_name(f".{home.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(env)
    os.replace(link, home)
    return previous if previous != env.resolve() else None


def install_tool(name: str, timeout_s: float = 900.0) -> InstallResult:
    """Create a fresh private environment of an isolated tool, install it there and switch to it."""
    if name not in ISOLATED_TOOLS:
        return InstallResult(False, None, f"unknown tool {name!r}; known: {', '.join(sorted(ISOLATED_TOOLS))}")
    requirement, executable = ISOLATED_TOOLS[name]
    base = tools_dir()
    base.mkdir(parents=True, exist_ok=True)
    home = base / name
    with open(base / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second install waits; released when the file closes
        envs = base / f"{name}.envs"
        envs.mkdir(exist_ok=True)
        env = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d%H%M%S-"), dir=envs))
        # mkdtemp makes the folder 0700; the tool runs confined as an unprivileged user, who must reach it.
        env.chmod(0o755)
        limits = sandbox.Limits(timeout_s=timeout_s)
        made = sandbox.run([sys.executable, "-m", "venv", str(env)], cwd=base, limits=limits, scrub=False)
        if not made.ok:
            shutil.rmtree(env, ignore_errors=True)
            return InstallResult(False, None, f"could not create {env}: {made.describe()}: {made.stderr_tail(5)}")
        pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", requirement]
        # Package-index settings (PIP_INDEX_URL, proxies) must reach pip: not a target, so no scrubbing.
        installed = sandbox.run(pip, cwd=base, limits=limits, scrub=False)
        if not installed.ok:
            shutil.rmtree(env, ignore_errors=True)
            return InstallResult(False, None, f"pip install {requirement} failed: {installed.describe()}: {installed.stderr_tail(8)}")
        if not (env / "bin" / executable).is_file():
            shutil.rmtree(env, ignore_errors=True)
            return InstallResult(False, None, f"{requirement} installed but {env / 'bin' / executable} is missing")
        previous = _point_at(home, env)
        if previous is not None and previous.parent != envs:
            shutil.rmtree(previous, ignore_errors=True)  # an in-place environment, broken by the move
        for old in envs.iterdir():
            if old not in (env, previous):
                shutil.rmtree(old, ignore_errors=True)
    return InstallResult(True, str(home / "bin" / executable), f"installed {requirement} into {env} ({home})")
