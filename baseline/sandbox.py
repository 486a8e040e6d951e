"""The one module that starts processes.

Target code (tests, fuzzers, web apps) and external tools all run through :func:`run` or
:func:`start`: each child gets its own session (process group), a wall-clock timeout that kills
the whole group, optional CPU and memory limits, a scrubbed environment and captured output with
a size cap. No other module imports ``subprocess``.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess  # nosec B404 -- running tools and target code in a controlled way is this module's purpose
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Mapping, Sequence

from baseline.errors import SandboxError

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


# PID 1 of a contained run: starts the command, reaps orphans, reports the command's wait status on
# a pipe and exits with it; when PID 1 exits, the kernel kills every process left in the namespace
# (daemonised children included). Runs on the toolkit's interpreter, isolated from the target's.
_INIT = r"""
import os, signal, sys
status_fd = int(sys.argv[1])
argv = sys.argv[2:]
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
            os.write(status_fd, ("error %s: %s\n" % (type(exc).__name__, exc)).encode())
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
    argv = [*prefix, "-1", "true"] if init else [*prefix, "true"]
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
        return (*found.prefix, str(-1 if status_fd is None else status_fd), *argv), found
    return (*found.prefix, *argv), found


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


def kill_group(pid: int, grace_s: float = 2.0) -> None:
    """Terminate a whole process group: SIGTERM, a grace period, then SIGKILL."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except (ProcessLookupError, PermissionError):
            return
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
) -> ProcessResult:
    """Run ``argv`` to completion under the sandbox rules and return what happened.

    Never raises for a failing child: a missing executable, a timeout or a crash are reported in
    the returned ProcessResult.
    """
    argv = tuple(str(part) for part in argv)
    env, dropped = build_environment(scrub=scrub, allow=allow_env, extra=extra_env, base=base_env)
    status_read, status_write = os.pipe()  # the init of a PID namespace reports the command's wait status here
    # The result reports argv; the confinement prefix is the sandbox's own.
    command, confined = _confine(argv, limits, status_write)
    started = time.monotonic()
    try:
        process = subprocess.Popen(  # noqa: S603  # nosec B603 -- this is the sandbox; argv is a list, never a shell string
            command,
            cwd=str(cwd),
            env=env,
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=lambda: _limit_child(limits),  # noqa: PLW1509 - only async-signal-safe calls
            close_fds=True,
            pass_fds=(status_write,) if confined is not None and confined.own_pid_namespace else (),
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
        kill_group(process.pid)
        process.wait()
    finally:
        # Whatever the child left behind in its group goes too: a scan leaves no processes.
        kill_group(process.pid, grace_s=0.5)
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
        network_isolated=confined is not None and confined.network_isolated,
        own_pid_namespace=confined is not None and confined.own_pid_namespace,
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
    ) -> None:
        self.argv = tuple(str(part) for part in argv)
        self.command, self.confinement = _confine(self.argv, limits, None)
        self.cwd = str(cwd)
        self.log_path = Path(log_path)
        self.limits = limits
        self.env, self.env_dropped = build_environment(scrub=scrub, allow=allow_env, extra=extra_env)
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        """Start the child; raises SandboxError when it cannot be started at all."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        limits = self.limits
        try:
            self.process = subprocess.Popen(  # noqa: S603  # nosec B603 -- the sandbox's background runner; argv is a list, no shell
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=lambda: _limit_child(limits),  # noqa: PLW1509
                close_fds=True,
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
        kill_group(self.process.pid)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self._log is not None:
            self._log.close()
        return self.process.returncode

    def __enter__(self) -> Background:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
