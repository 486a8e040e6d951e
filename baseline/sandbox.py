"""The one module that starts processes.

Target code (tests, fuzzers, web apps) and external tools all run through :func:`run` or
:class:`Background`: each child gets its own session (process group), a wall-clock timeout that
kills the whole group, optional CPU and memory limits, a scrubbed environment and captured output
with a size cap. No other module imports ``subprocess``.

Everything the scanned project controls runs *confined*: the call site passes a :class:`Confine`
that says what the process needs (the project, folders it writes, read-only extras, network or
not) and this module builds the bubblewrap command line: the host read-only, a scratch copy of the
project (made once per scan, mounted at the project's own path so that every path a report
carries is unchanged) and the run's own folders writable, a fresh empty HOME and /tmp, the
operator's home, the toolkit's caches, keys and output folders out of sight, PID, IPC, UTS and
(unless allowed) network namespaces, and an unprivileged user. Where bubblewrap cannot run, a
confined run is refused (:class:`ConfinementUnavailable`) unless the operator passed
``--unconfined``.
"""

from __future__ import annotations

import atexit
import os
import re
import resource
import shutil
import signal
import subprocess  # nosec B404 -- running tools and target code in a controlled way is this module's purpose
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Mapping, Sequence

from baseline.errors import SandboxError, UsageError

DEFAULT_OUTPUT_CAP = 4 * 1024 * 1024  # bytes kept per stream; the rest is counted, not stored

# Names that look like credentials. Matched case-insensitively against the whole variable name.
_SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|CREDENTIAL|API_?KEY|PRIVATE|_KEY$|^KEY$|_KEY_|AUTH|COOKIE|SESSION)",
    re.IGNORECASE,
)
# Whole families of CI and cloud variables that carry credentials or identify the caller.
_SECRET_PREFIXES = (
    "AWS_",
    "AZURE_",
    "ARM_",
    "GOOGLE_",
    "GCP_",
    "GCLOUD_",
    "CLOUDSDK_",
    "GITHUB_",
    "ACTIONS_",
    "GITLAB_",
    "CI_JOB_",
    "CI_REGISTRY",
    "BITBUCKET_",
    "CIRCLE_",
    "TRAVIS_",
    "BUILDKITE_",
    "JENKINS_",
    "DOCKER_",
    "NPM_",
    "PYPI_",
    "TWINE_",
    "VAULT_",
    "HEROKU_",
    "DIGITALOCEAN_",
    "SNYK_",
    "SONAR_",
    "CODECOV_",
    "SLACK_",
    "OPENAI_",
    "ANTHROPIC_",
    "HF_",
    "HUGGING",
    "KUBECONFIG",
    "SSH_AUTH_SOCK",
    "SSH_AGENT",
    "GPG_",
    "GNUPG",
)
# Harmless variables whose names happen to match the patterns above.
_ALWAYS_KEEP = frozenset({"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "TMPDIR", "USER", "LOGNAME", "SHELL"})


# A URL that carries a password (``scheme://user:password@host``): a credential whatever the name.
_PASSWORD_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@", re.IGNORECASE)


def is_sensitive_name(name: str) -> bool:
    """True when an environment variable name looks like it carries a credential."""
    if name in _ALWAYS_KEEP:
        return False
    upper = name.upper()
    return upper.startswith(_SECRET_PREFIXES) or bool(_SECRET_NAME.search(upper))


def scrub_environment(
    environ: Mapping[str, str], allow: Iterable[str] = ()
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Return (kept variables, names dropped). Names in ``allow`` are kept even if sensitive."""
    allowed = set(allow)
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in environ.items():
        if name not in allowed and (is_sensitive_name(name) or _PASSWORD_IN_URL.search(value)):
            dropped.append(name)
        else:
            kept[name] = value
    return kept, tuple(sorted(dropped))


@dataclass(frozen=True)
class Limits:
    """Resource limits for one child process (None = no limit)."""

    timeout_s: float | None = 600.0
    cpu_s: int | None = None
    memory_mb: int | None = None
    output_cap: int = DEFAULT_OUTPUT_CAP
    network: bool = True  # False: run in a new network namespace with loopback only, where possible
    contain: bool = False  # True (the target's code): a PID namespace of its own, where possible


# PID 1 of a contained run (under unshare, or bubblewrap --as-pid-1): drops to the
# unprivileged user when asked ("uid:gid"), starts the command, reaps orphans, reports the command's wait status on
# a pipe and exits with it; when PID 1 exits, the kernel kills every process left in the namespace
# (daemonised children included). Runs on the toolkit's interpreter, isolated from the target's.
_INIT = r"""
import os, signal, sys
status_fd = int(sys.argv[1])
drop = sys.argv[2]
argv = sys.argv[3:]
if drop != "-":
    uid, gid = (int(part) for part in drop.split(":"))
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
signal.signal(signal.SIGINT, signal.SIG_IGN)
child = os.fork()
if child == 0:
    for number in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(number, signal.SIG_DFL)
    if status_fd >= 0:
        os.set_inheritable(status_fd, False)
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        if status_fd >= 0:
            who = " as uid %d" % os.getuid() if drop != "-" else ""
            os.write(status_fd, ("error %s: %s: %s%s\n" % (type(exc).__name__, exc.strerror or exc, argv[0], who)).encode())
        os._exit(127)
status = 0
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    if pid == child:
        break
if status_fd >= 0:
    os.write(status_fd, b"status %d\n" % status)
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


@dataclass(frozen=True)
class Confinement:
    """How target code is confined on this platform: the argv prefix and what it provides."""

    prefix: tuple[str, ...]
    network_isolated: bool
    own_pid_namespace: bool


_CONFINEMENTS: dict[bool, Confinement | None] = {}
_ISOLATION_LOCK = threading.Lock()


def _probe(prefix: tuple[str, ...], init: bool) -> bool:
    argv = [*prefix, "-1", "-", "true"] if init else [*prefix, "true"]
    try:
        probe = subprocess.run(argv, capture_output=True, timeout=10, check=False)  # noqa: S603  # nosec B603 -- a fixed argv probing unshare, no shell
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def confinement(network: bool) -> Confinement | None:
    """The strongest confinement this platform offers for target code, or None. Probed once.

    Linux namespaces through ``unshare`` (with a user namespace when not root): a PID namespace
    with its own /proc, so that the target sees none of the caller's processes (nor their
    environment) and no process it starts outlives the run; and, unless ``network`` is allowed, a
    network namespace with only the loopback interface, brought up so that tests can still talk to
    local servers. Falls back to the network namespace alone, then to nothing.
    """
    with _ISOLATION_LOCK:
        if network in _CONFINEMENTS:
            return _CONFINEMENTS[network]
        found: Confinement | None = None
        unshare = shutil.which("unshare")
        if unshare is not None and sys.platform.startswith("linux"):
            user = () if os.geteuid() == 0 else ("-r",)
            ip = shutil.which("ip") or "ip"
            lo_up = ("/bin/sh", "-c", f'{ip} link set lo up 2>/dev/null; exec "$@"', "sandbox")
            init = (sys.executable, "-I", "-S", "-c", _INIT)
            pid_flags = ("-p", "-f", "-m", "--mount-proc", "--kill-child")
            if network:
                candidates = [(Confinement((unshare, *user, *pid_flags, "--", *init), False, True), True)]
            else:
                candidates = [
                    (Confinement((unshare, *user, "-n", *pid_flags, "--", *lo_up, *init), True, True), True),
                    (Confinement((unshare, *user, "-n", "--", *lo_up), True, False), False),
                ]
            for candidate, uses_init in candidates:
                if _probe(candidate.prefix, uses_init):
                    found = candidate
                    break
        _CONFINEMENTS[network] = found
        return found


def network_isolation_prefix() -> tuple[str, ...] | None:
    """The argv prefix that runs a command without network access (loopback only), or None."""
    found = confinement(network=False)
    return found.prefix if found is not None else None


def _confine(argv: tuple[str, ...], limits: Limits, status_fd: int | None) -> tuple[tuple[str, ...], Confinement | None]:
    """The command line that runs ``argv`` under the confinement ``limits`` ask for."""
    if limits.network and not limits.contain:
        return argv, None
    found = confinement(network=limits.network)
    if found is None:
        return argv, None
    if found.own_pid_namespace:
        return (*found.prefix, str(-1 if status_fd is None else status_fd), "-", *argv), found
    return (*found.prefix, *argv), found


# --- Filesystem confinement (bubblewrap) ---------------------------------------------------------

FAKE_HOME = "/tmp/home"  # nosec B108 -- the confined process's HOME: empty, inside its own private /tmp (a tmpfs)
UNPRIVILEGED = (65534, 65534)  # nobody:nogroup, the host user confined code runs as when the toolkit is root
# Variables confined code gets from the caller (besides what the toolkit sets and --allow-env).
_ALLOWED_ENV = frozenset({"PATH", "LANG", "LANGUAGE", "TZ", "TERM"})
_MASKED_ALWAYS = ("/root", "/home")  # every home folder: the operator's and other users'
# Empty, writable, private to the run. /run holds the host's sockets (the session bus, ssh and gpg
# agents, docker, a local database): a socket on a read-only mount still accepts connections.
_FRESH = ("/tmp", "/var/tmp", "/dev/shm", "/run")  # nosec B108 -- mount points of fresh tmpfs, private to each run
_RESOLVER = "/run/systemd/resolve"  # shown again when the network is allowed (/etc/resolv.conf points there)


class ConfinementUnavailable(UsageError):
    """Target code was to run confined, bubblewrap cannot run here and ``--unconfined`` was not given."""


@dataclass(frozen=True)
class Confine:
    """What a confined process needs; the sandbox builds the mounts from it.

    ``project``: the scanned project; its scratch copy is mounted writable at the project's own
    path (so that file names in reports, coverage data and tracebacks are the project's).
    ``writable``: the run's own folders (created when missing). ``readable``: extra paths shown
    read-only (the project itself for an analyser that only reads it, a tool's environment).
    ``network``: False = a network namespace with loopback only.
    """

    project: Path | str | None = None
    writable: tuple[Path | str, ...] = ()
    readable: tuple[Path | str, ...] = ()
    network: bool = False


@dataclass(frozen=True)
class Policy:
    """The operator's confinement policy for this process (set once by the CLI)."""

    unconfined: bool = False  # --unconfined: run target code without filesystem confinement
    allow_env: tuple[str, ...] = ()  # --allow-env: extra variable names passed to confined code
    hidden: tuple[str, ...] = ()  # the operator's paths confined code must not see (keys, outputs, caches)
    exclude: tuple[str, ...] = ()  # folders left out of the scratch copy (the scan's own work folder)
    timeout_cap_s: float | None = None  # no run lasts longer, whatever the caller asks


_POLICY = Policy()
_POLICY_LOCK = threading.Lock()


def configure(**changes: Any) -> Policy:
    """Change the process's confinement policy (the CLI calls this from the operator's flags)."""
    global _POLICY
    with _POLICY_LOCK:
        for name in ("allow_env", "hidden", "exclude"):
            if name in changes:
                changes[name] = tuple(str(item) for item in changes[name])
        _POLICY = replace(_POLICY, **changes)
        return _POLICY


def policy() -> Policy:
    """The current confinement policy."""
    return _POLICY


@dataclass(frozen=True)
class Bubblewrap:
    """bubblewrap as it runs on this machine."""

    path: str
    version: str
    privileged: bool  # the toolkit runs as root: bwrap mounts as root, the code drops to UNPRIVILEGED
    fresh_proc: bool = True  # False inside another sandbox, where a new /proc cannot be mounted: its /proc is shown read-only


_BWRAP: list[Bubblewrap | str] = []  # [found] or [reason it is unavailable], probed once
_BWRAP_LOCK = threading.Lock()


def bubblewrap() -> Bubblewrap | None:
    """bubblewrap, when it can build a sandbox here (probed once), else None (see :func:`unavailable_reason`)."""
    with _BWRAP_LOCK:
        if not _BWRAP:
            _BWRAP.append(_probe_bubblewrap())
        found = _BWRAP[0]
    return found if isinstance(found, Bubblewrap) else None


def unavailable_reason() -> str | None:
    """Why confinement is unavailable, or None when bubblewrap works."""
    if bubblewrap() is not None:
        return None
    reason = _BWRAP[0]
    return reason if isinstance(reason, str) else "unknown"


def _probe_bubblewrap() -> Bubblewrap | str:
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    path = os.environ.get("BASELINE_BWRAP") or shutil.which("bwrap")
    if not path or not os.access(path, os.X_OK):
        return "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    privileged = os.geteuid() == 0
    user = () if privileged else ("--unshare-user",)
    argv = [path, "--die-with-parent", "--unshare-pid", "--unshare-net", *user, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp", "true"]  # nosec B108 -- a tmpfs of the probe's own
    try:
        probe = subprocess.run(argv, capture_output=True, timeout=20, check=False)  # noqa: S603  # nosec B603 -- a fixed argv probing bwrap, no shell
        # The operator's own bubblewrap (BASELINE_BWRAP or PATH), asked for its version: an argument list, no shell.
        version = subprocess.run(  # nosemgrep: command-injection -- the operator names this program, never the scanned project
            [path, "--version"], capture_output=True, timeout=20, check=False, text=True  # noqa: S603  # nosec B603 -- no shell
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap cannot be started: {exc}"
    fresh_proc = True
    if probe.returncode != 0 and b"mount proc" in probe.stderr:
        # Inside another sandbox (the toolkit scanning itself, a container) the kernel refuses a new
        # /proc; the enclosing one is shown read-only instead. The PID namespace stays the sandbox's own.
        nested = [*argv[: argv.index("--proc")], "--ro-bind", "/proc", "/proc", *argv[argv.index("--proc") + 2 :]]
        try:
            probe = subprocess.run(nested, capture_output=True, timeout=20, check=False)  # noqa: S603  # nosec B603 -- the same fixed argv, /proc bound
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap cannot be started: {exc}"
        fresh_proc = False
    if probe.returncode != 0:
        detail = probe.stderr.decode("utf-8", errors="replace").strip().splitlines()
        return f"bubblewrap cannot create a sandbox here (user namespaces disabled?): {detail[-1] if detail else f'exit {probe.returncode}'}"
    return Bubblewrap(path=path, version=version.stdout.strip().rpartition(" ")[2] or "unknown", privileged=privileged, fresh_proc=fresh_proc)


def require_confinement() -> None:
    """Raise ConfinementUnavailable unless target code can run confined (or --unconfined was given)."""
    if policy().unconfined:
        return
    reason = unavailable_reason()
    if reason is not None:
        raise ConfinementUnavailable(
            f"cannot confine the project's code: {reason}. Install bubblewrap, or pass --unconfined to run it "
            "WITHOUT filesystem confinement (the report will say so)"
        )


def describe_confinement(network: bool) -> dict[str, Any]:
    """What confines target code in this process (recorded in the report's ``sandbox`` record)."""
    found = None if policy().unconfined else bubblewrap()
    if found is None:
        return {"filesystem_confined": False, "mode": "unconfined", "reason": "--unconfined" if policy().unconfined else unavailable_reason()}
    user = f"host user nobody ({UNPRIVILEGED[0]}), privileges dropped" if found.privileged else f"user namespace, uid {os.getuid()}"
    return {
        "filesystem_confined": True,
        "mode": f"bubblewrap {found.version}",
        "filesystem": "host read-only; writable: a scratch copy of the project mounted at its own path and the run's own "
        "folders; fresh empty HOME and /tmp; every home folder, the toolkit's caches, keys and output folders hidden",
        "user": user,
        "processes": "own PID namespace (the caller's processes and their /proc are invisible); the sandbox dies with the toolkit"
        if found.fresh_proc
        else "own PID namespace inside an enclosing sandbox, whose /proc is shown read-only (a new one cannot be mounted there); "
        "the sandbox dies with the toolkit",
        "network": "allowed by configuration" if network else "loopback only (own network namespace)",
        "environment": "allow-list: PATH, locale, TZ, TERM, the fake HOME, the toolkit's own variables and --allow-env names",
    }


def _homes() -> list[str]:
    found = set(_MASKED_ALWAYS)
    for candidate in (os.environ.get("HOME"), str(Path.home())):
        if candidate and os.path.isabs(candidate) and os.path.realpath(candidate) != "/":
            found.add(os.path.realpath(candidate))
    return sorted(found)


def _under(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor.rstrip("/") + "/")


def _python_environment(executable: str) -> list[str]:
    """The folders an interpreter (or a tool's script) needs to be visible: its venv and base install."""
    found: list[str] = []
    for candidate in {executable, os.path.realpath(executable)}:
        path = Path(candidate)
        for parent in list(path.parents)[:3]:
            config = parent / "pyvenv.cfg"
            try:
                is_venv = config.is_file()
            except OSError:  # a folder this user may not read (the toolkit run as another user)
                is_venv = False
            if is_venv:
                found.append(str(parent))
                try:
                    for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
                        key, _, value = line.partition("=")
                        if key.strip() == "home" and value.strip():
                            found.append(str(Path(value.strip()).parent))
                except OSError:
                    pass
                break
        else:
            if candidate != os.path.realpath(executable):
                continue  # a link to an interpreter: its environment is the real one's, found above
            found.append(str(path.parent.parent if path.parent.name == "bin" else path.parent))
    return found


def _toolkit_paths() -> list[str]:
    """The toolkit's installation: its interpreter's prefixes, its packages, its tools' environments."""
    import importlib.util

    paths = {sys.prefix, sys.exec_prefix, sys.base_prefix, *_python_environment(sys.executable)}
    # The subpackages by their installed names: checks/, reports/ and fuzz/ are mapped into the
    # package from folders of their own (an editable install leaves them where they are).
    for name in ("baseline", "baseline.checks", "baseline.reports", "baseline.fuzz"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        for location in (spec.submodule_search_locations or []) if spec is not None else []:
            paths.add(os.path.realpath(location))
    for entry in sys.path:  # site-packages and the standard library, never the current folder
        if entry and os.path.isdir(entry) and (entry.rstrip("/").endswith(("site-packages", "dist-packages")) or any(_under(entry, prefix) for prefix in (sys.prefix, sys.base_prefix))):
            paths.add(os.path.realpath(entry))
    tools = os.environ.get("BASELINE_TOOLS_DIR")
    paths.add(str(Path(tools).expanduser()) if tools else str(Path.home() / ".cache" / "baseline" / "tools"))
    tops = (*_homes(), *_FRESH)
    # Never a folder that holds a hidden or fresh one (that would show it again).
    return sorted(path for path in paths if path and path != "/" and not any(_under(top, path) for top in tops))


# --- the scratch copy of the project ---

@dataclass
class _Scratch:
    base: Path  # the temporary folder (removed at exit)
    tree: Path  # the copy, mounted at the project's path
    in_place: tuple[str, ...]  # folders not copied but shown read-only at their place (.git, virtual environments)
    skipped: tuple[str, ...]  # folders left out (the scan's work folder)


_SCRATCH: dict[str, _Scratch] = {}
_SCRATCH_LOCK = threading.Lock()


def scratch_copy(project: Path | str) -> Path:
    """The scratch copy of ``project`` confined runs write to (made once per process)."""
    return _scratch(os.path.realpath(project)).tree


def _scratch(root: str) -> _Scratch:
    with _SCRATCH_LOCK:
        found = _SCRATCH.get(root)
        if found is None:
            found = _make_scratch(root)
            _SCRATCH[root] = found
        return found


def _owner() -> tuple[int, int] | None:
    found = bubblewrap()
    return UNPRIVILEGED if found is not None and found.privileged else None


def _chown(path: str, owner: tuple[int, int] | None) -> None:
    if owner is not None:
        try:
            os.lchown(path, *owner)
        except OSError:
            pass


def _make_scratch(root: str) -> _Scratch:
    """Copy the project: regular files, folders and links (FIFOs, sockets and devices are left out)."""
    base = Path(tempfile.mkdtemp(prefix="baseline-sandbox-"))
    owner = _owner()
    _chown(str(base), owner)
    tree = base / "tree"
    skip = {os.path.realpath(path) for path in policy().exclude}
    in_place: list[str] = []
    skipped: list[str] = []
    tree.mkdir()
    _chown(str(tree), owner)
    stack = [(root, str(tree))]
    while stack:
        source, destination = stack.pop()
        try:
            entries = list(os.scandir(source))
        except OSError:
            continue
        for entry in entries:
            target = os.path.join(destination, entry.name)
            try:
                if entry.is_symlink():
                    os.symlink(os.readlink(entry.path), target)
                    _chown(target, owner)
                elif entry.is_dir(follow_symlinks=False):
                    os.mkdir(target)
                    _chown(target, owner)
                    if entry.path in skip:
                        skipped.append(entry.path)
                    elif (source == root and entry.name == ".git") or os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")):
                        in_place.append(entry.path)
                    else:
                        stack.append((entry.path, target))
                elif entry.is_file(follow_symlinks=False):
                    shutil.copy2(entry.path, target, follow_symlinks=False)
                    _chown(target, owner)
            except OSError:
                continue
    return _Scratch(base=base, tree=tree, in_place=tuple(in_place), skipped=tuple(skipped))


def cleanup() -> None:
    """Remove the scratch copies (at exit, and from the CLI's signal handlers)."""
    with _SCRATCH_LOCK:
        for scratch in _SCRATCH.values():
            shutil.rmtree(scratch.base, ignore_errors=True)
        _SCRATCH.clear()


def _mask(path: str) -> list[str]:
    if os.path.isdir(path):
        return ["--tmpfs", path]
    if os.path.lexists(path):
        return ["--ro-bind", "/dev/null", path]
    return []


def _bwrap_command(found: Bubblewrap, argv: tuple[str, ...], cwd: str, confine: Confine, status_fd: int | None) -> list[str]:
    """The bubblewrap command line that runs ``argv`` with what ``confine`` asks for, nothing more."""
    command = [found.path, "--die-with-parent", "--as-pid-1", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if not confine.network:
        command.append("--unshare-net")
    if not found.privileged:
        command += ["--unshare-user", "--uid", str(os.getuid()), "--gid", str(os.getgid())]
    command += ["--ro-bind", "/", "/", "--dev", "/dev", *(["--proc", "/proc"] if found.fresh_proc else ["--ro-bind", "/proc", "/proc"])]
    for fresh in _FRESH:
        if os.path.isdir(fresh):
            command += ["--perms", "1777", "--tmpfs", fresh]
    hidden = sorted({os.path.abspath(os.path.expanduser(path)) for path in policy().hidden})
    homes = _homes()
    # Hidden paths under a fresh or home folder are out of sight already; masking them there would
    # make bubblewrap create their parents (mode 0700), which the unprivileged user could not pass.
    masked = [*homes, *(path for path in hidden if not any(_under(path, top) for top in (*_FRESH, *homes)))]
    for path in masked:
        if path not in ("/", *_FRESH):
            command += _mask(path)
    covered = [*masked, *_FRESH]
    # Read-only again: what the run needs from under a hidden or fresh folder.
    readable = set(_toolkit_paths())
    if confine.network and os.path.isdir(_RESOLVER):
        readable.add(_RESOLVER)
    extras: set[str] = set()
    for item in (*confine.readable, argv[0] if os.path.isabs(argv[0]) else ""):
        if item:
            extras.add(os.path.abspath(str(item)))
            if os.path.isfile(str(item)) and os.access(str(item), os.X_OK):
                readable.update(_python_environment(str(item)))
    shown: list[str] = []
    made: set[str] = set()

    def mount(kind: str, source: str, path: str) -> None:
        # bubblewrap creates missing mount points 0700: the unprivileged user could not pass them.
        top = next((top for top in covered if _under(path, top)), None)
        if top is not None:
            missing = []
            for ancestor in Path(path).parents:
                if not _under(str(ancestor), top) or str(ancestor) == top:
                    break
                missing.append(str(ancestor))
            for folder in reversed(missing):
                if folder not in made:
                    command.extend(["--perms", "0755", "--dir", folder])
                    made.add(folder)
        command.extend([kind, source, path])
        shown.append(path)

    for path in sorted(readable):
        if os.path.exists(path) and any(_under(path, top) for top in covered) and not any(_under(path, done) for done in shown):
            mount("--ro-bind", path, path)
    owner = _owner()
    project: str | None = None
    in_place: tuple[str, ...] = ()
    if confine.project is not None:
        project = os.path.realpath(confine.project)
        scratch = _scratch(project)
        mount("--bind", str(scratch.tree), project)
        in_place = scratch.in_place
        for path in in_place:
            command += ["--ro-bind", path, path]
    # The caller's read-only extras go over the scratch copy (a harness generated after the copy was made).
    for path in sorted(extras):
        inside = project is not None and _under(path, project) and path != project
        if inside and any(_under(path, shown_in_place) for shown_in_place in in_place):
            continue  # already visible where it is (the project's .venv, .git)
        hidden_now = any(_under(path, top) for top in covered) and not any(_under(path, done) for done in shown)
        if os.path.exists(path) and (inside or hidden_now):
            if os.path.islink(path) and not inside:
                # A link (``--python bin/py`` -> a venv's python) stays a link: the interpreter finds its
                # environment as it does outside, and the folder holding the link is not exposed.
                mount("--symlink", os.path.realpath(path), path)
            else:
                mount("--ro-bind", path, path)
    for item in confine.writable:
        path = os.path.abspath(str(item))
        os.makedirs(path, exist_ok=True)
        if owner is not None:
            for folder, names, files in os.walk(path):
                _chown(folder, owner)
                for name in (*names, *files):
                    _chown(os.path.join(folder, name), owner)
        mount("--bind", path, path)
    # A hidden path inside something shown again (a key inside the output folder, a cache inside a work folder).
    for path in hidden:
        if any(_under(path, top) and path != top for top in shown):
            command += _mask(path)
    command += ["--perms", "0777", "--dir", FAKE_HOME, "--chdir", cwd]
    drop = f"{UNPRIVILEGED[0]}:{UNPRIVILEGED[1]}" if found.privileged else "-"
    command += ["--", sys.executable, "-I", "-S", "-c", _INIT, str(-1 if status_fd is None else status_fd), drop, *argv]
    return command


def confined_environment(
    allow: Iterable[str] = (), extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The environment of confined code: an allow-list, the fake HOME, ``extra`` (the toolkit's own)."""
    source = dict(os.environ if base is None else base)
    allowed = set(allow) | set(policy().allow_env)
    env = {name: value for name, value in source.items() if name in _ALLOWED_ENV or name.startswith("LC_") or name in allowed}
    env["HOME"] = FAKE_HOME
    env["TMPDIR"] = "/tmp"  # nosec B108 -- the sandbox's own, empty /tmp
    dropped = tuple(sorted(name for name in source if name not in env))
    if extra:
        env.update(extra)
    return env, dropped


@dataclass(frozen=True)
class _Prepared:
    command: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    dropped: tuple[str, ...]
    legacy: Confinement | None  # the unshare namespaces of an unconfined or uncontained run
    confined: bool  # under bubblewrap
    network_isolated: bool
    own_pid_namespace: bool
    pass_status: bool


def _prepare(
    argv: tuple[str, ...],
    cwd: str,
    limits: Limits,
    confine: Confine | None,
    *,
    scrub: bool,
    allow_env: Iterable[str],
    extra_env: Mapping[str, str] | None,
    base_env: Mapping[str, str] | None,
    status_fd: int | None,
) -> _Prepared:
    """Decide how one command runs: under bubblewrap, under the namespaces of ``limits``, or plain."""
    if confine is None and limits.contain:
        confine = Confine(readable=(cwd,), network=limits.network)  # target code from a call site that names no needs
    if confine is not None and not policy().unconfined:
        require_confinement()
        found = bubblewrap()
        assert found is not None  # nosec B101 -- require_confinement raised otherwise
        env, dropped = confined_environment(allow_env, extra_env, base_env)
        wrapped = _bwrap_command(found, argv, cwd, confine, status_fd)
        isolated = not confine.network or current_network() is not None  # a shared namespace is loopback-only too
        return _Prepared(tuple(wrapped), "/", env, dropped, None, True, isolated, True, status_fd is not None)
    if confine is not None:  # --unconfined: the namespaces unshare offers, the deny-list scrub
        limits = replace(limits, contain=True, network=confine.network)
        allow_env = (*allow_env, *policy().allow_env)
    env, dropped = build_environment(scrub=scrub, allow=allow_env, extra=extra_env, base=base_env)
    command, legacy = _confine(argv, limits, status_fd)
    return _Prepared(
        command,
        cwd,
        env,
        dropped,
        legacy,
        False,
        legacy is not None and legacy.network_isolated,
        legacy is not None and legacy.own_pid_namespace,
        legacy is not None and legacy.own_pid_namespace and status_fd is not None,
    )


# --- lifetime: one long-lived thread starts every child; a registry kills them on the way out ---

_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")
_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


# --- a network namespace shared by several runs and the toolkit's own threads --------------------------------------

_CLONE_NEWNET = 0x40000000
# The holder of a shared namespace: brings loopback up (SIOCGIFFLAGS/SIOCSIFFLAGS), says so, and lives until its
# standard input closes (the toolkit closed it, or died).
_HOLDER = r"""
import fcntl, socket, struct, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH14s", fcntl.ioctl(sock, 0x8913, struct.pack("16sH14s", b"lo", 0, b"")))[1]
fcntl.ioctl(sock, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))
sock.close()
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.read()
"""
_NETWORKS: dict[int, NetworkNamespace] = {}  # namespace inode -> the shared namespace
_NETWORKS_LOCK = threading.Lock()


def _netns_inode(path: str = "/proc/thread-self/ns/net") -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _setns(fd: int) -> None:
    import ctypes  # noqa: PLC0415 - only where a namespace is joined

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


class NetworkNamespace:
    """A loopback-only network namespace that several processes and the toolkit's own threads share.

    A web scan needs the app, the toolkit's supervising proxy, wapiti and schemathesis to reach each
    other on loopback and nothing else. The namespace is held by a small process; :meth:`call` runs a
    function in a thread that joined it (``setns`` changes the calling thread only), so every socket
    that function and the threads it starts open lives there, and every process it starts through
    this module is spawned from a thread inside it (bubblewrap then shares it instead of making its
    own). Joining needs root (CAP_SYS_ADMIN over the namespace): :func:`shared_network` says why when
    it cannot be had.
    """

    def __init__(self, holder: subprocess.Popen[bytes], path: str, inode: int) -> None:
        self.holder = holder
        self.path = path
        self.inode = inode
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self.spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-netns-spawner", initializer=self._enter)

    def _enter(self) -> None:
        _setns(self._fd)

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in a thread inside the namespace; its result, or its exception."""
        outcome: dict[str, Any] = {}

        def body() -> None:
            try:
                self._enter()
                outcome["value"] = function(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=body, name="sandbox-netns", daemon=True)
        worker.start()
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def close(self) -> None:
        """Stop the holder; the namespace goes when its last process does."""
        with _NETWORKS_LOCK:
            _NETWORKS.pop(self.inode, None)
        self.spawner.shutdown(wait=True)
        os.close(self._fd)
        if self.holder.stdin is not None:
            self.holder.stdin.close()
        try:
            self.holder.wait(timeout=5)
        except subprocess.TimeoutExpired:
            kill_group(self.holder.pid, leader=self.holder)
            self.holder.wait()
        _forget(self.holder)


def _discard(holder: subprocess.Popen[bytes]) -> bytes:
    """Kill a namespace holder that is of no use; what it printed on stderr."""
    holder.kill()
    try:
        _, err = holder.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError):
        err = b""
    _forget(holder)
    return err or b""


def open_shared_network() -> tuple[NetworkNamespace | None, str]:
    """A new shared loopback-only network namespace, or None and why it cannot be had here."""
    if not sys.platform.startswith("linux"):
        return None, "network namespaces are Linux-only"
    if os.geteuid() != 0:
        return None, "joining a network namespace needs root; the run stays on the host's loopback"
    unshare = shutil.which("unshare")
    if unshare is None:
        return None, "unshare (util-linux) is not installed"
    try:
        holder = _spawn(
            lambda: subprocess.Popen(  # noqa: S603  # nosec B603 -- fixed argv, no shell
                [unshare, "--net", "--", sys.executable, "-I", "-S", "-c", _HOLDER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                close_fds=True,
            )
        )
    except OSError as exc:
        return None, f"could not start the namespace holder: {exc}"
    assert holder.stdout is not None  # nosec B101 -- a pipe
    line = holder.stdout.readline()
    if line.strip() != b"ready":
        err = _discard(holder)
        return None, f"could not make a network namespace: {err.decode('utf-8', 'replace').strip()[-300:] or 'no reason given'}"
    path = f"/proc/{holder.pid}/ns/net"
    inode = _netns_inode(path)
    if inode is None or inode == _netns_inode("/proc/self/ns/net"):
        _discard(holder)
        return None, "the namespace holder did not get a network namespace of its own"
    try:
        network = NetworkNamespace(holder, path, inode)
        network.call(lambda: None)  # joining works
    except OSError as exc:
        _discard(holder)
        return None, f"could not join the network namespace: {exc}"
    with _NETWORKS_LOCK:
        _NETWORKS[inode] = network
    return network, "a network namespace of its own, loopback only"


def current_network() -> NetworkNamespace | None:
    """The shared namespace the calling thread is in, if any."""
    inode = _netns_inode()
    with _NETWORKS_LOCK:
        return _NETWORKS.get(inode) if inode is not None else None


def _spawner() -> ThreadPoolExecutor:
    """The spawner of the calling thread's network namespace: children start where the caller is."""
    network = current_network()
    return network.spawner if network is not None else _SPAWNER


def _spawn(factory: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """Start a child from the spawner thread, which lives as long as the process.

    bubblewrap's ``--die-with-parent`` (PR_SET_PDEATHSIG) fires when the *thread* that forked it
    exits: a check's worker thread would take its sandboxes with it, a short-lived thread would
    not protect anything. The spawner thread ends only with the toolkit.
    """
    process = _spawner().submit(factory).result()
    with _LIVE_LOCK:
        _LIVE.add(process)
    return process


def _forget(process: subprocess.Popen[bytes]) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(process)


def live_count() -> int:
    """How many children of the sandbox are running now."""
    with _LIVE_LOCK:
        return sum(process.poll() is None for process in _LIVE)


def terminate_all(grace_s: float = 1.0) -> int:
    """Kill every running child (its whole process group; its namespace dies with it). Returns how many."""
    with _LIVE_LOCK:
        running = [process for process in _LIVE if process.poll() is None]
    for process in running:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + grace_s
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return len(running)


def _at_exit() -> None:
    terminate_all(grace_s=0.5)
    cleanup()


atexit.register(_at_exit)


def _capped(timeout_s: float | None) -> float | None:
    cap = policy().timeout_cap_s
    if cap is None:
        return timeout_s
    return cap if timeout_s is None else min(timeout_s, cap)


@dataclass(frozen=True)
class ProcessResult:
    """What happened to one child process."""

    argv: tuple[str, ...]
    cwd: str
    exit_code: int | None
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool
    signal_name: str | None
    stdout_truncated: bool
    stderr_truncated: bool
    env_dropped: tuple[str, ...] = ()
    start_error: str | None = None
    network_isolated: bool = False
    own_pid_namespace: bool = False
    confined: bool = False  # under bubblewrap: host read-only, scratch copy, no home, unprivileged user

    @property
    def ok(self) -> bool:
        """Started, finished in time and exited 0."""
        return self.start_error is None and not self.timed_out and self.exit_code == 0

    def describe(self) -> str:
        """A one-line account of how the process ended, for messages."""
        if self.start_error:
            return f"could not start: {self.start_error}"
        if self.timed_out:
            return f"killed after the {self.duration_s:.0f} s timeout"
        if self.signal_name:
            return f"killed by {self.signal_name}"
        return f"exit code {self.exit_code}"

    def stderr_tail(self, lines: int = 20) -> str:
        """The last lines of stderr (or stdout when stderr is empty)."""
        text = self.stderr.strip() or self.stdout.strip()
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class _Capture:
    cap: int
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    truncated: bool = False

    def pump(self, stream: IO[bytes]) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            if self.size < self.cap:
                keep = chunk[: self.cap - self.size]
                self.chunks.append(keep)
                self.size += len(keep)
                if len(keep) < len(chunk):
                    self.truncated = True
            else:
                self.truncated = True
        stream.close()

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def _limit_child(limits: Limits) -> None:
    """Runs in the child between fork and exec: resource limits only (the session is set by Popen)."""
    if limits.cpu_s is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 5))
    if limits.memory_mb is not None:
        size = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def build_environment(
    *,
    scrub: bool = True,
    allow: Iterable[str] = (),
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The environment for a child: the caller's (or ``base``), scrubbed, plus ``extra``."""
    source = dict(os.environ if base is None else base)
    if scrub:
        env, dropped = scrub_environment(source, allow)
    else:
        env, dropped = source, ()
    if extra:
        env.update(extra)
    return env, dropped


def process_stats() -> dict[int, list[str]] | None:
    """Every process /proc shows: pid -> the fields of its ``stat`` after the command name (state,
    parent, process group, ...); None when /proc cannot be read."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    stats: dict[int, list[str]] = {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stats[int(entry)] = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
    return stats


def _only_zombies(group: int) -> bool:
    """True when every process of ``group`` that /proc shows has exited (a zombie); False when one
    runs, or when /proc cannot be read."""
    stats = process_stats()
    if stats is None:
        return False
    members = [fields for fields in stats.values() if len(fields) > 2 and fields[2] == str(group)]
    return bool(members) and all(fields[0] == "Z" for fields in members)


def kill_group(pid: int, grace_s: float = 2.0, leader: subprocess.Popen[bytes] | None = None) -> None:
    """Terminate a whole process group: SIGTERM, a grace period, then SIGKILL.

    ``leader``: the group leader when it is our child. It is reaped while waiting: a leader that
    exited but was not waited for stays in its group as a zombie, and the group would look alive for
    the whole grace period.
    """
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if leader is not None:
            leader.poll()
        try:
            os.killpg(pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        if _only_zombies(pid):
            return  # every member has exited; orphans wait for the system's init to reap them
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(
    argv: Sequence[str],
    *,
    cwd: str | Path,
    limits: Limits = Limits(),
    scrub: bool = True,
    allow_env: Iterable[str] = (),
    extra_env: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
    stdin_data: bytes | None = None,
    confine: Confine | None = None,
) -> ProcessResult:
    """Run ``argv`` to completion under the sandbox rules and return what happened.

    Never raises for a failing child: a missing executable, a timeout or a crash are reported in
    the returned ProcessResult. ``confine`` (or ``limits.contain``) marks target code: it runs
    under bubblewrap, and raises :class:`ConfinementUnavailable` when that cannot be done and
    the operator did not pass ``--unconfined``.
    """
    argv = tuple(str(part) for part in argv)
    limits = replace(limits, timeout_s=_capped(limits.timeout_s))
    status_read, status_write = os.pipe()  # the init of a PID namespace reports the command's wait status here
    try:
        prepared = _prepare(
            argv, str(cwd), limits, confine, scrub=scrub, allow_env=allow_env, extra_env=extra_env, base_env=base_env, status_fd=status_write
        )
    except BaseException:
        os.close(status_read)
        os.close(status_write)
        raise
    dropped = prepared.dropped
    # The result reports argv; the confinement prefix is the sandbox's own.
    started = time.monotonic()
    try:
        process = _spawn(
            lambda: subprocess.Popen(  # noqa: S603  # nosec B603 -- this is the sandbox; argv is a list, never a shell string
                prepared.command,
                cwd=prepared.cwd,
                env=prepared.env,
                stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=lambda: _limit_child(limits),  # noqa: PLW1509 - only async-signal-safe calls
                close_fds=True,
                pass_fds=(status_write,) if prepared.pass_status else (),
            )
        )
    except (OSError, ValueError) as exc:
        os.close(status_read)
        os.close(status_write)
        return ProcessResult(
            argv=argv,
            cwd=str(cwd),
            exit_code=None,
            stdout="",
            stderr="",
            duration_s=time.monotonic() - started,
            timed_out=False,
            signal_name=None,
            stdout_truncated=False,
            stderr_truncated=False,
            env_dropped=dropped,
            start_error=f"{type(exc).__name__}: {exc}",
        )
    out, err = _Capture(limits.output_cap), _Capture(limits.output_cap)
    if process.stdout is None or process.stderr is None:  # unreachable: both are pipes
        raise RuntimeError("the child process has no output pipes")
    pumps = [
        threading.Thread(target=out.pump, args=(process.stdout,), daemon=True),
        threading.Thread(target=err.pump, args=(process.stderr,), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    if stdin_data is not None and process.stdin is not None:
        try:
            process.stdin.write(stdin_data)
            process.stdin.close()
        except BrokenPipeError:
            pass
    timed_out = False
    try:
        process.wait(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(process.pid, leader=process)
        process.wait()
    finally:
        # Whatever the child left behind in its group goes too: a scan leaves no processes.
        kill_group(process.pid, grace_s=0.5)
        _forget(process)
    for pump in pumps:
        pump.join(timeout=5)
    os.close(status_write)
    code = process.returncode
    start_error, reported = _read_status(status_read)
    if reported is not None:
        code = reported
    signal_name = None
    if code is not None and code < 0:
        try:
            signal_name = signal.Signals(-code).name
        except ValueError:
            signal_name = f"signal {-code}"
    return ProcessResult(
        argv=argv,
        cwd=str(cwd),
        exit_code=code,
        stdout=out.text(),
        stderr=err.text(),
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        signal_name=None if timed_out else signal_name,
        stdout_truncated=out.truncated,
        stderr_truncated=err.truncated,
        env_dropped=dropped,
        start_error=start_error,
        network_isolated=prepared.network_isolated,
        own_pid_namespace=prepared.own_pid_namespace,
        confined=prepared.confined,
    )


def _read_status(fd: int) -> tuple[str | None, int | None]:
    """(start error, returncode) as reported by a PID namespace's init, if it reported anything."""
    os.set_blocking(fd, False)
    try:
        text = os.read(fd, 4096).decode("utf-8", errors="replace")
    except (BlockingIOError, OSError):
        text = ""
    finally:
        os.close(fd)
    start_error: str | None = None
    code: int | None = None
    for line in text.splitlines():
        kind, _, value = line.partition(" ")
        if kind == "error":
            start_error = value
        elif kind == "status" and value.strip().lstrip("-").isdigit():
            code = os.waitstatus_to_exitcode(int(value))
    return start_error, None if start_error else code


class Background:
    """A long-running child (e.g. a web app under test). Use as a context manager; always stopped."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str | Path,
        log_path: str | Path,
        limits: Limits = Limits(timeout_s=None),
        scrub: bool = True,
        allow_env: Iterable[str] = (),
        extra_env: Mapping[str, str] | None = None,
        confine: Confine | None = None,
    ) -> None:
        self.argv = tuple(str(part) for part in argv)
        self.cwd = str(cwd)
        prepared = _prepare(self.argv, self.cwd, limits, confine, scrub=scrub, allow_env=allow_env, extra_env=extra_env, base_env=None, status_fd=None)
        self.command = prepared.command
        self.confinement = prepared.legacy
        self.confined = prepared.confined
        self._cwd = prepared.cwd
        self.log_path = Path(log_path)
        self.limits = limits
        self.env, self.env_dropped = prepared.env, prepared.dropped
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        """Start the child; raises SandboxError when it cannot be started at all."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        limits = self.limits
        log = self._log
        try:
            self.process = _spawn(
                lambda: subprocess.Popen(  # noqa: S603  # nosec B603 -- the sandbox's background runner; argv is a list, no shell
                    self.command,
                    cwd=self._cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=lambda: _limit_child(limits),  # noqa: PLW1509
                    close_fds=True,
                )
            )
        except (OSError, ValueError) as exc:
            self._log.close()
            raise SandboxError(f"cannot start {self.argv[0]}: {exc}") from exc

    def alive(self) -> bool:
        """True while the child runs."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int | None:
        """Stop the whole process group and return the exit code."""
        if self.process is None:
            return None
        kill_group(self.process.pid, leader=self.process)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _forget(self.process)
        if self._log is not None:
            self._log.close()
        return self.process.returncode

    def __enter__(self) -> Background:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_in_workers(function: Callable[..., list[Any]], calls: Sequence[tuple[Any, ...]], workers: int) -> list[Any]:
    """``function(*args)`` for each of ``calls`` in a pool of ``workers`` forked copies of the
    toolkit, results concatenated in call order.

    For the toolkit's own CPU-bound work on the target's files (the secrets detector): the workers
    run only the toolkit's code, never the target's, and they are started here so that every
    process the toolkit creates starts in this module.
    """
    from concurrent.futures import ProcessPoolExecutor

    results: list[Any] = []
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(function, *args) for args in calls]
        for future in futures:
            results.extend(future.result())
    return results
