"""Start the target's web app on loopback in the sandbox, wait until it answers, always stop it.

An app is given as ``package.module:attribute`` (served by a small launcher in the target's own
interpreter: werkzeug or wsgiref for WSGI, uvicorn for ASGI), as a Django settings module
(``manage.py runserver``), or as a command plus URL. The launcher also reports a live Flask
``url_map`` so that routes built at run time are scanned too.
"""

from __future__ import annotations

import http.client
import json
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


@dataclass(frozen=True)
class AppSpec:
    """How to start the app: argv builder inputs, not yet bound to a port."""

    kind: str  # "wsgi" | "asgi" | "django" | "command"
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

    def __init__(self, spec: AppSpec, *, python: str, root: Path, work_dir: Path, index: int, allow_env: list[str]) -> None:
        self.spec = spec
        self.port = free_port()
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
            limits=sandbox.Limits(timeout_s=None),
            # The scanners reach the app on the host's loopback: its own network namespace would hide it.
            confine=sandbox.Confine(project=root, writable=(work_dir,), network=True),
            allow_env=allow_env,
            extra_env={"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "FLASK_DEBUG": "0"},
        )

    def _argv(self, python: str, work_dir: Path) -> list[str]:
        if self.spec.kind == "command":
            command = self.spec.target.replace("{port}", str(self.port)).replace("{python}", python)
            return shlex.split(command)
        if self.spec.kind == "django":
            return [python, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        launcher = work_dir / "launch_app.py"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        return [python, str(launcher), self.spec.target, self.spec.kind, str(self.port), str(self.routes_file)]

    def start(self, timeout_s: float) -> str | None:
        """Start and wait until the app answers; returns None when ready, else why not."""
        self.process.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.process.alive():
                return f"the app exited during start-up (exit code {self.process.process.returncode if self.process.process else None})"
            if probe(self.url, timeout_s=2.0) is not None:
                return None
            time.sleep(0.2)
        return f"the app did not answer on {self.url} within {timeout_s:g} s (wrong port, or it never became ready)"

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
