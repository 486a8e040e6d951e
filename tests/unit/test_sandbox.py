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


# --- bubblewrap confinement -----------------------------------------------------------------------


def _needs_bubblewrap() -> None:
    if sandbox.bubblewrap() is None:
        import pytest

        pytest.skip(f"bubblewrap cannot run here: {sandbox.unavailable_reason()}")


_FS_PROBE = (
    "import json, os, sys\n"
    "out = {'uid': os.getuid(), 'home': os.environ['HOME'], 'env': sorted(os.environ)}\n"
    "def attempt(path, text='x'):\n"
    "    try:\n"
    "        with open(path, 'a') as handle:\n"
    "            handle.write(text)\n"
    "        return 'wrote'\n"
    "    except OSError as exc:\n"
    "        return type(exc).__name__\n"
    "for key, path in json.loads(sys.argv[1]).items():\n"
    "    out[key] = attempt(path)\n"
    "out['secret_visible'] = os.path.exists(sys.argv[2])\n"
    "out['home_listing'] = os.listdir(os.environ['HOME'])\n"
    "print(json.dumps(out))\n"
)


def test_confined_code_writes_only_its_scratch_copy_and_its_own_folder(tmp_path: Path) -> None:
    import json

    _needs_bubblewrap()
    project, work, secret_dir = tmp_path / "project", tmp_path / "work", tmp_path / "keys"
    project.mkdir()
    (project / "module.py").write_text("original\n")
    secret_dir.mkdir()
    (secret_dir / "signing.pem").write_text("PRIVATE")
    (tmp_path / "a-signing.key").write_text("PRIVATE")  # a hidden file beside the project (regression: its parent became untraversable)
    (tmp_path / "out").mkdir()
    sandbox.configure(hidden=[secret_dir, tmp_path / "a-signing.key", tmp_path / "out", tmp_path / "bundle.zip"])
    try:
        targets = {
            "project_file": str(project / "module.py"),
            "work_file": str(work / "out.txt"),
            "host_file": str(tmp_path / "outside.txt"),
            "etc": "/etc/baseline-probe",
            "toolkit": str(Path(sandbox.__file__)),
        }
        result = sandbox.run(
            [sys.executable, "-c", _FS_PROBE, json.dumps(targets), str(secret_dir / "signing.pem")],
            cwd=project,
            base_env={**os.environ, "GITHUB_TOKEN": "ghp_x", "DB_PASS": "hunter2", "MY_SETTING": "1"},
            confine=sandbox.Confine(project=project, writable=(work,)),
        )
    finally:
        sandbox.configure(hidden=[])
    assert result.ok and result.confined, result.stderr
    seen = json.loads(result.stdout)
    assert seen["project_file"] == "wrote" and seen["work_file"] == "wrote"
    assert seen["host_file"] != "wrote" and seen["etc"] != "wrote" and seen["toolkit"] != "wrote"
    assert not seen["secret_visible"]
    assert seen["home"] == sandbox.FAKE_HOME and seen["home_listing"] == []
    # The project's own tree is untouched; the write went to the scratch copy (mounted at the same path).
    assert (project / "module.py").read_text() == "original\n"
    assert (sandbox.scratch_copy(project) / "module.py").read_text() == "original\nx"
    assert (work / "out.txt").read_text() == "x"
    assert not (tmp_path / "outside.txt").exists()
    # The environment is an allow-list: no credential, no unknown variable.
    assert "GITHUB_TOKEN" not in seen["env"] and "DB_PASS" not in seen["env"] and "MY_SETTING" not in seen["env"]
    assert {"DB_PASS", "GITHUB_TOKEN", "MY_SETTING"} <= set(result.env_dropped)
    if os.geteuid() == 0:
        assert seen["uid"] == sandbox.UNPRIVILEGED[0]


def test_allow_env_passes_a_named_variable_and_nothing_else() -> None:
    _needs_bubblewrap()
    env, dropped = sandbox.confined_environment(["DB_PASS"], {"PYTHONPATH": "/x"}, base={"DB_PASS": "p", "MYSQL_PWD": "q", "PATH": "/bin", "LC_ALL": "C"})
    assert env["DB_PASS"] == "p" and env["PATH"] == "/bin" and env["LC_ALL"] == "C" and env["PYTHONPATH"] == "/x"
    assert "MYSQL_PWD" not in env and dropped == ("MYSQL_PWD",)


def test_the_sandbox_enforces_the_operator_timeout_cap(tmp_path: Path) -> None:
    sandbox.configure(timeout_cap_s=1.0)
    try:
        started = time.monotonic()
        result = sandbox.run([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path, limits=sandbox.Limits(timeout_s=1e300))
    finally:
        sandbox.configure(timeout_cap_s=None)
    assert result.timed_out and time.monotonic() - started < 10


def test_without_bubblewrap_target_code_is_refused_unless_unconfined(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    monkeypatch.setattr(sandbox, "_BWRAP", ["bubblewrap (bwrap) is not installed"])
    with pytest.raises(sandbox.ConfinementUnavailable, match="--unconfined"):
        sandbox.run([sys.executable, "-c", "pass"], cwd=tmp_path, confine=sandbox.Confine())
    sandbox.configure(unconfined=True)
    try:
        result = sandbox.run([sys.executable, "-c", "pass"], cwd=tmp_path, confine=sandbox.Confine())
        assert result.ok and not result.confined
        assert sandbox.describe_confinement(False)["filesystem_confined"] is False
    finally:
        sandbox.configure(unconfined=False)


def test_terminate_all_kills_running_sandboxes(tmp_path: Path) -> None:
    import threading

    _needs_bubblewrap()
    results: list[sandbox.ProcessResult] = []
    worker = threading.Thread(
        target=lambda: results.append(
            sandbox.run([sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path, confine=sandbox.Confine(readable=(tmp_path,)))
        )
    )
    worker.start()
    deadline = time.monotonic() + 10
    while sandbox.live_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.terminate_all(grace_s=0.5) >= 1
    worker.join(timeout=10)
    assert results and not results[0].ok and results[0].duration_s < 30, results


def test_a_shared_network_namespace_joins_the_toolkit_thread_and_its_children() -> None:
    """A listener opened by a child started inside the namespace is reached from a thread that joined
    it, and not from the host's loopback; the namespace has loopback only."""
    import socket as socket_module

    import pytest

    network, why = sandbox.open_shared_network()
    if network is None:
        pytest.skip(why)
    try:
        def inside() -> tuple[str, int, str]:
            with socket_module.socket() as server:
                server.bind(("127.0.0.1", 0))
                server.listen()
                port = server.getsockname()[1]
                child = sandbox.run(
                    [sys.executable, "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5).close(); print('reached')"],
                    cwd="/", limits=sandbox.Limits(timeout_s=60),
                )
                assert sandbox.current_network() is network
                return child.stdout.strip(), port, child.describe()

        said, port, how = network.call(inside)
        assert said == "reached", how
        with pytest.raises(OSError):
            socket_module.create_connection(("127.0.0.1", port), timeout=2).close()
        assert sandbox.current_network() is None
        with pytest.raises(RuntimeError, match="raised inside"):
            network.call(lambda: (_ for _ in ()).throw(RuntimeError("raised inside")))
    finally:
        network.close()
    assert network.holder.poll() is not None


def test_the_scan_caps_every_process_whatever_the_project_asks(tmp_path: Path) -> None:
    """A project that asks for tests.timeout = 1e300 gets the operator's limit, and the sandbox's own cap
    (set from the configuration) is finite and above every legitimate run."""
    from baseline.cli import timeout_cap
    from baseline.config import load_config

    (tmp_path / "pyproject.toml").write_text("[tool.baseline.tests]\ntimeout = 1e300\n[tool.baseline.web]\ntime = 1e300\n")
    config = load_config(tmp_path)
    assert float(config.get("tests.timeout")) == 900.0 and any("tests.timeout" in item for item in map(str, config.ignored))
    cap = timeout_cap(config)
    assert 2 * 900.0 < cap < 10_000
    operator = load_config(tmp_path, {"tests.timeout": 3000.0})
    assert timeout_cap(operator) >= 6000


def test_kill_group_does_not_wait_out_its_grace_on_exited_members() -> None:
    """A leader that exited on SIGTERM stays in its group as a zombie until waited for: the group is
    gone as soon as no member runs, not after the whole grace period."""
    import subprocess

    leader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        time.sleep(0.2)
        started = time.monotonic()
        sandbox.kill_group(leader.pid, grace_s=5.0, leader=leader)
        assert time.monotonic() - started < 2.0
        assert leader.poll() is not None
    finally:
        leader.kill()
        leader.wait()


def test_kill_group_still_waits_for_a_running_member() -> None:
    import subprocess

    # The leader ignores SIGTERM: the group stays alive until SIGKILL at the end of the grace.
    leader = subprocess.Popen(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"],
        start_new_session=True, stdout=subprocess.PIPE,
    )
    try:
        assert leader.stdout is not None and leader.stdout.readline().strip() == b"ready"
        started = time.monotonic()
        sandbox.kill_group(leader.pid, grace_s=0.6, leader=leader)
        assert time.monotonic() - started >= 0.5
        assert leader.wait(timeout=5) == -9
    finally:
        leader.kill()
        leader.wait()
        if leader.stdout is not None:
            leader.stdout.close()
