from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from baseline import sandbox


def test_scrubbing_drops_credentials_and_keeps_the_rest() -> None:
    env = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "GITHUB_TOKEN": "ghp_x",
        "AWS_ACCESS_KEY_ID": "AKIA",
        "MY_API_KEY": "k",
        "DB_PASSWORD": "p",
        "CI_JOB_TOKEN": "t",
        "NPM_TOKEN": "n",
        "LANG": "C.UTF-8",
        "PYTHONPATH": "x",
        "KEEP_ME_SECRET": "s",
    }
    kept, dropped = sandbox.scrub_environment(env, allow=["KEEP_ME_SECRET"])
    assert set(dropped) == {"GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "MY_API_KEY", "DB_PASSWORD", "CI_JOB_TOKEN", "NPM_TOKEN"}
    assert kept["PATH"] == "/usr/bin" and kept["LANG"] == "C.UTF-8" and kept["KEEP_ME_SECRET"] == "s"


def test_child_does_not_see_a_token_from_the_caller() -> None:
    result = sandbox.run(
        [sys.executable, "-c", "import os; print(os.environ.get('GITHUB_TOKEN', 'absent'))"],
        cwd=".",
        base_env={**os.environ, "GITHUB_TOKEN": "ghp_visible_if_leaked"},
    )
    assert result.ok
    assert result.stdout.strip() == "absent"
    assert "GITHUB_TOKEN" in result.env_dropped


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(marker)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    result = sandbox.run([sys.executable, "-c", script], cwd=tmp_path, limits=sandbox.Limits(timeout_s=2))
    elapsed = time.monotonic() - started
    assert result.timed_out
    assert elapsed < 10
    assert "timeout" in result.describe()
    grandchild = int(marker.read_text())
    time.sleep(0.2)
    assert not _alive(grandchild), "the grandchild outlived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (reaped later by init) is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_output_is_capped_not_lost_silently() -> None:
    result = sandbox.run(
        [sys.executable, "-c", "import sys; sys.stdout.write('x' * 300000)"],
        cwd=".",
        limits=sandbox.Limits(timeout_s=30, output_cap=1000),
    )
    assert result.ok
    assert len(result.stdout) == 1000
    assert result.stdout_truncated


def test_missing_executable_is_a_result_not_an_exception() -> None:
    result = sandbox.run(["/nonexistent/tool", "--version"], cwd=".")
    assert not result.ok
    assert result.start_error and "could not start" in result.describe()


def test_memory_limit_holds() -> None:
    result = sandbox.run(
        [sys.executable, "-c", "b = bytearray(800 * 1024 * 1024); print('allocated')"],
        cwd=".",
        limits=sandbox.Limits(timeout_s=30, memory_mb=300),
    )
    assert not result.ok
    assert "MemoryError" in result.stderr


def test_crash_reports_the_signal() -> None:
    result = sandbox.run([sys.executable, "-c", "import os; os.abort()"], cwd=".")
    assert result.signal_name == "SIGABRT"
    assert "SIGABRT" in result.describe()


def test_background_process_is_always_stopped(tmp_path: Path) -> None:
    with sandbox.Background([sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"], cwd=tmp_path, log_path=tmp_path / "log.txt") as child:
        deadline = time.monotonic() + 10
        while "up" not in (tmp_path / "log.txt").read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert child.alive()
        pid = child.process.pid  # type: ignore[union-attr]
    assert not child.alive()
    assert not _alive(pid)


def test_network_isolation_keeps_loopback_and_blocks_the_rest() -> None:
    if sandbox.network_isolation_prefix() is None:
        import pytest

        pytest.skip("this platform offers no network namespace")
    script = (
        "import socket\n"
        "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen()\n"
        "socket.create_connection(server.getsockname(), timeout=2).close()\n"
        "print(','.join(sorted(name for _, name in socket.if_nameindex())))\n"
    )
    result = sandbox.run([sys.executable, "-c", script], cwd=".", limits=sandbox.Limits(timeout_s=30, network=False))
    assert result.ok, result.stderr
    assert result.network_isolated
    # Only the loopback interface exists: no route out, proven without sending anything anywhere.
    assert result.stdout.strip() == "lo"


def test_a_password_in_a_url_is_scrubbed_whatever_the_name() -> None:
    kept, dropped = sandbox.scrub_environment(
        {"DATABASE_URL": "postgres://app:pw@db/app", "HTTP_PROXY": "http://proxy:3128", "DOCS": "https://example.com/a:b@c"}
    )
    assert dropped == ("DATABASE_URL",)
    assert kept == {"HTTP_PROXY": "http://proxy:3128", "DOCS": "https://example.com/a:b@c"}


def _needs_pid_namespace(network: bool) -> None:
    found = sandbox.confinement(network=network)
    if found is None or not found.own_pid_namespace:
        import pytest

        pytest.skip("this platform offers no PID namespace")


def test_contained_run_reports_exit_codes_signals_and_start_errors() -> None:
    _needs_pid_namespace(network=True)
    limits = sandbox.Limits(timeout_s=30, contain=True)
    assert sandbox.run([sys.executable, "-c", "raise SystemExit(3)"], cwd=".", limits=limits).exit_code == 3
    crashed = sandbox.run([sys.executable, "-c", "import os; os.abort()"], cwd=".", limits=limits)
    assert crashed.signal_name == "SIGABRT" and crashed.own_pid_namespace and not crashed.network_isolated
    missing = sandbox.run(["/nonexistent/tool"], cwd=".", limits=limits)
    assert missing.start_error and "could not start" in missing.describe()


def test_a_daemonised_child_does_not_outlive_a_contained_run(tmp_path: Path) -> None:
    _needs_pid_namespace(network=True)
    marker = f"daemon-marker-{os.getpid()}-{time.monotonic_ns()}"
    script = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}])\n"
        "    os._exit(0)\n"
        "time.sleep(0.5)\n"
        "print(len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
    )
    result = sandbox.run([sys.executable, "-c", script], cwd=tmp_path, limits=sandbox.Limits(timeout_s=30, contain=True))
    assert result.ok, result.stderr
    # init, the script, its exited child (a zombie) and the daemon: none of the caller's processes
    assert int(result.stdout.strip()) <= 4
    deadline = time.monotonic() + 3
    while _with_marker(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _with_marker(marker), "the daemon outlived the run"


def _with_marker(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
