"""Start the target's web app on loopback in the sandbox, wait until it answers, always stop it.

An app is given as ``package.module:attribute`` (served by a small launcher in the target's own
interpreter: werkzeug or wsgiref for WSGI, uvicorn for ASGI), as a Django settings module
(``manage.py runserver``), or as a command plus URL. The launcher also reports a live Flask
``url_map`` so that routes built at run time are scanned too.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from baseline import sandbox
from baseline.errors import SandboxError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

LAUNCHER = r'''
import importlib, json, os, sys
target, kind, port, routes_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for folder in (os.path.join(os.getcwd(), "src"), os.getcwd()):
    if os.path.isdir(folder):
        sys.path.insert(0, folder)
module_name, _, attribute = target.partition(":")
obj = importlib.import_module(module_name)
for part in (attribute or "app").split("."):
    obj = getattr(obj, part)
if callable(obj) and not hasattr(obj, "wsgi_app") and not hasattr(obj, "router") and getattr(obj, "__name__", "") in ("create_app", "make_app"):
    obj = obj()
url_map = getattr(obj, "url_map", None)
rules = []
if url_map is not None:
    for rule in url_map.iter_rules():
        rules.append({"rule": rule.rule, "endpoint": rule.endpoint, "methods": sorted(rule.methods or [])})
for route in getattr(obj, "routes", []) or []:
    path = getattr(route, "path", None)
    if isinstance(path, str):
        rules.append({"rule": path, "endpoint": getattr(route, "name", ""), "methods": sorted(getattr(route, "methods", None) or ["GET"])})
with open(routes_file, "w", encoding="utf-8") as handle:
    json.dump(rules, handle)
if kind == "asgi":
    import uvicorn
    uvicorn.run(obj, host="127.0.0.1", port=port, log_level="info")
else:
    try:
        from werkzeug.serving import make_server
        server = make_server("127.0.0.1", port, obj, threaded=True)
    except ImportError:
        import socketserver
        from wsgiref.simple_server import WSGIServer, make_server as wsgiref_server
        class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
            daemon_threads = True
        server = wsgiref_server("127.0.0.1", port, obj, server_class=ThreadingServer)
    print("serving on 127.0.0.1:%d" % port, flush=True)
    server.serve_forever()
'''

# A module that starts its own server when run (a standard-library http.server app): run as __main__,
# then, if that returned without serving, its main().
SCRIPT_LAUNCHER = r'''
import importlib, os, runpy, sys
target = sys.argv[1]
for folder in (os.path.join(os.getcwd(), "src"), os.getcwd()):
    if os.path.isdir(folder):
        sys.path.insert(0, folder)
sys.argv = [target]
namespace = runpy.run_module(target, run_name="__main__", alter_sys=True)
main = namespace.get("main")
if callable(main):
    main()
'''

# "Running on http://127.0.0.1:5000", "Uvicorn running on http://0.0.0.0:8000", "serving on 127.0.0.1:8000",
# "Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...", "Listening at: http://127.0.0.1:8000".
_SERVING_LINE = re.compile(r"^.*\b(?:running on|serving|listening)\b.*$", re.IGNORECASE | re.MULTILINE)
_LOG_PORT = re.compile(r"(?:https?://)?(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]|::)[:\s]+(?:port\s+)?(\d{2,5})\b", re.IGNORECASE)


def serving_line(log: str) -> str | None:
    """The app's own "Running on ..." line (the last one), or None."""
    lines = _SERVING_LINE.findall(log)
    return lines[-1].strip()[:200] if lines else None


def log_ports(log: str) -> list[int]:
    """Ports the app's log says it serves on, last first."""
    found: list[int] = []
    for line in reversed(_SERVING_LINE.findall(log)):
        for match in _LOG_PORT.finditer(line):
            port = int(match.group(1))
            if 0 < port < 65536 and port not in found:
                found.append(port)
    return found


def _descendants(pid: int) -> set[int]:
    """``pid`` and every process below it, from /proc (empty where /proc cannot be read)."""
    stats = sandbox.process_stats()
    if stats is None:
        return set()
    parents: dict[int, int] = {}
    for child, fields in stats.items():
        try:
            parents[child] = int(fields[1])
        except (IndexError, ValueError):
            continue
    found = {pid}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                grew = True
    return found


def listening_ports(pid: int) -> list[int] | None:
    """TCP ports the process tree under ``pid`` listens on, or None when that cannot be read here."""
    inodes: set[str] = set()
    readable = False
    for member in _descendants(pid):
        try:
            links = os.listdir(f"/proc/{member}/fd")
        except OSError:
            continue
        readable = True
        for link in links:
            try:
                target = os.readlink(f"/proc/{member}/fd/{link}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    if not readable:
        return None
    ports: list[int] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                port = int(fields[1].rsplit(":", 1)[1], 16)
                if port not in ports:
                    ports.append(port)
    return ports


@dataclass(frozen=True)
class AppSpec:
    """How to start the app: argv builder inputs, not yet bound to a port."""

    kind: str  # "wsgi" | "asgi" | "django" | "script" | "command"
    target: str  # "module:attr", settings module, or the command line
    url_template: str = "http://127.0.0.1:{port}/"
    label: str = ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def is_loopback_url(url: str) -> bool:
    """True when ``url`` is http(s) on a loopback host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and (host in LOOPBACK_HOSTS or host.startswith("127."))


class RunningApp:
    """One started instance of the app; a context manager that always stops it."""

    def __init__(
        self, spec: AppSpec, *, python: str, root: Path, work_dir: Path, index: int, allow_env: list[str], code_ports: tuple[int, ...] = (),
        memory_mb: int | None = None,
    ) -> None:
        self.spec = spec
        self.code_ports = code_ports
        self.note = ""  # how the app was found when it did not listen where it was asked to
        self.port = free_port()
        self.asked_port = self.port
        self.url = spec.url_template.replace("{port}", str(self.port))
        if not is_loopback_url(self.url):
            raise SandboxError(f"refusing to target {self.url}: only loopback addresses may be scanned")
        work_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = work_dir / f"app-{index}.log"
        self.routes_file = work_dir / f"routes-{index}.json"
        self.routes_file.unlink(missing_ok=True)
        self.argv = self._argv(python, work_dir)
        self.process = sandbox.Background(
            self.argv,
            cwd=root,
            log_path=self.log_path,
            # A request that exhausts memory kills the app (a finding), not the machine.
            limits=sandbox.Limits(timeout_s=None, memory_mb=memory_mb),
            # The network the web scan runs in (sandbox.open_shared_network: loopback only, shared with the
            # proxy and the scanners); a namespace of the app's own would hide it from them.
            confine=sandbox.Confine(project=root, writable=(work_dir,), network=True),
            allow_env=allow_env,
            extra_env={"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "FLASK_DEBUG": "0", "PORT": str(self.port)},
        )

    def _argv(self, python: str, work_dir: Path) -> list[str]:
        if self.spec.kind == "command":
            command = self.spec.target.replace("{port}", str(self.port)).replace("{python}", python)
            return shlex.split(command)
        if self.spec.kind == "django":
            return [python, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        if self.spec.kind == "script":
            launcher = work_dir / "launch_script.py"
            launcher.write_text(SCRIPT_LAUNCHER, encoding="utf-8")
            return [python, str(launcher), self.spec.target]
        launcher = work_dir / "launch_app.py"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        return [python, str(launcher), self.spec.target, self.spec.kind, str(self.port), str(self.routes_file)]

    def start(self, timeout_s: float) -> str | None:
        """Start and wait until the app answers; returns None when ready, else why not.

        An app that ignores the port it was given (a fixed port in its code, ``app.run()`` when its
        module is imported) is looked for where it really listens: the ports its process tree has
        open, the port its own "Running on ..." line names, then the ports its code names.
        """
        self.process.start()
        deadline = time.monotonic() + timeout_s
        checked = 0.0
        while time.monotonic() < deadline:
            if not self.process.alive():
                code = self.process.process.returncode if self.process.process else None
                line = serving_line(self.log_tail(200))
                said = f"; its log says {line!r}" if line else ""
                return f"the app exited during start-up (exit code {code}){said}"
            if probe(self.url, timeout_s=2.0) is not None:
                return None
            if time.monotonic() - checked > 0.2:  # an app on a port of its own is looked for soon after it binds
                checked = time.monotonic()
                if self._find_port():
                    return None
            time.sleep(0.05)  # refused connections return at once: a short pause finds a ready app sooner
        line = serving_line(self.log_tail(200))
        said = f"; its log says {line!r} but nothing answered there" if line else ""
        return f"the app did not answer on {self.url} within {timeout_s:g} s (wrong port, or it never became ready){said}"

    def _find_port(self) -> bool:
        """Look for the app on a port it chose itself; True (and url, port, note set) when found."""
        log = self.log_tail(200)
        owned = listening_ports(self.process.process.pid) if self.process.process is not None else None
        said = log_ports(log)
        # The sockets the app's own processes hold are the proof (a port the code names may be another
        # service's); while they show none, the port the app's own log names; where they cannot be read
        # at all, that port, then the ports its code names.
        if owned:
            candidates = owned
        elif owned is not None:
            candidates = said
        else:
            candidates = said + [port for port in self.code_ports if port not in said]
        for port in candidates:
            if port == self.port:
                continue
            url = self.url.replace(f":{self.port}", f":{port}", 1)
            if is_loopback_url(url) and probe(url, timeout_s=1.0) is not None:
                line = serving_line(log)
                started_at_import = self.spec.kind in ("wsgi", "asgi") and not self.routes_file.is_file()
                how = (
                    "the app starts serving when its module is imported (app.run() at import time), on a port of its own"
                    if started_at_import else "the app ignores the port it was given and listens on a fixed port"
                )
                self.note = f"{how}: asked for {self.asked_port}, found on {port}" + (f" (its log: {line!r})" if line else "")
                self.port, self.url = port, url
                return True
        return False

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the app's captured output."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def live_rules(self) -> list[dict[str, object]]:
        """Routes reported by the launcher (Flask url_map, Starlette routes), if any."""
        try:
            data = json.loads(self.routes_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def stop(self) -> int | None:
        """Stop the app's whole process group."""
        return self.process.stop()

    def __enter__(self) -> RunningApp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def probe(url: str, timeout_s: float = 3.0) -> int | None:
    """GET ``url`` once; the status code, or None when nothing answered in time."""
    parts = urlsplit(url)
    if not is_loopback_url(url):
        return None
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout_s)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
