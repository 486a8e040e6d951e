"""A recording reverse proxy on loopback that supervises the app during a scan.

The scanner talks to the proxy, the proxy to the app. Every request is recorded (the URLs crawled
are evidence). When a request finds the app dead or not answering, the proxy records a crash with
that request, keeps its path out of the rest of the scan, restarts the app through a callback and
lets the scan continue, so that one crash does not turn the rest of the scan into "no findings".
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit

from baseline.web.app import probe

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade"}
ENDPOINT_PREFIX = "/__baseline_endpoint__/"


@dataclass(frozen=True)
class Crash:
    """The app died or stopped answering; ``request`` is what preceded it."""

    method: str
    path: str
    request: str  # request line and headers as sent (redact before reporting)
    reason: str
    restarted: bool
    log_tail: str = ""


class Supervisor:
    """Holds the current upstream port and what was seen; restarts the app on demand."""

    def __init__(self, upstream_port: int, restart: Callable[[], tuple[int | None, str]], max_restarts: int, upstream_timeout_s: float = 20.0) -> None:
        self.upstream_port = upstream_port
        self._restart = restart
        self.max_restarts = max_restarts
        self.upstream_timeout_s = upstream_timeout_s
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, int]] = []  # (method, path with query, status)
        self.crashes: list[Crash] = []
        self.excluded: set[str] = set()
        self.endpoint_hits: list[str] = []
        self.down = False
        self.generation = 0

    def record(self, method: str, path: str, status: int) -> None:
        """Remember one proxied request."""
        with self.lock:
            self.requests.append((method, path, status))

    def handle_failure(self, generation: int, method: str, path: str, request: str, error: str, culprit: bool = True) -> None:
        """The upstream failed for this request: decide whether the app is down, and restart it.

        ``culprit`` is False when the request never reached the app (connection refused): the app is
        restarted, but that path is not blamed or excluded.
        """
        with self.lock:
            if generation != self.generation or self.down:
                return  # another request already handled this outage
            if probe(f"http://127.0.0.1:{self.upstream_port}/", timeout_s=3.0) is not None:
                return  # the app still answers: a one-off connection problem or one slow page
            if culprit:
                self.excluded.add(urlsplit(path).path)
            else:
                error += " (refused: this request never reached the app; the one that took it down was not identified)"
            restarted = False
            tail = ""
            if len(self.crashes) < self.max_restarts:
                port, tail = self._restart()
                if port is not None:
                    self.upstream_port = port
                    restarted = True
            else:
                tail = "restart limit reached; the rest of the scan saw the app down"
            self.generation += 1
            self.down = not restarted
            self.crashes.append(Crash(method, path, request, error, restarted, tail))


def make_handler(supervisor: Supervisor) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``supervisor``."""

    class ProxyHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms a request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            return

        def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None:
            self.send_response(status)
            for name, value in headers or [("Content-Type", "text/plain")]:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else None
            path = self.path
            if path.startswith(ENDPOINT_PREFIX):
                supervisor.endpoint_hits.append(path)
                self._reply(404, b"")
                return
            bare = urlsplit(path).path
            if supervisor.down or bare in supervisor.excluded:
                supervisor.record(self.command, path, 503 if supervisor.down else 404)
                self._reply(503 if supervisor.down else 404, b"excluded by baseline after it took the app down")
                return
            headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP}
            generation = supervisor.generation
            connection = http.client.HTTPConnection("127.0.0.1", supervisor.upstream_port, timeout=supervisor.upstream_timeout_s)
            try:
                connection.connect()
                if connection.sock is not None:
                    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                connection.request(self.command, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                sent = f"{self.command} {path} HTTP/1.1\n" + "".join(f"{k}: {v}\n" for k, v in headers.items())
                reached = not isinstance(exc, ConnectionRefusedError)
                if not reached:
                    # Refused: this request never reached the app, so it cannot be what took it down. Give the
                    # request that did (its failure arrives as a reset or disconnect) the first word.
                    time.sleep(1.0)
                supervisor.handle_failure(
                    generation, self.command, path, sent, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, culprit=reached
                )
                supervisor.record(self.command, path, 502)
                self._reply(502, b"the app did not answer")
                return
            finally:
                connection.close()
            supervisor.record(self.command, path, response.status)
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"]
            self._reply(response.status, data, kept)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _forward

    return ProxyHandler


class SupervisingProxy:
    """Runs the proxy server in a thread; a context manager that always shuts it down."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(supervisor))
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    def __enter__(self) -> SupervisingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
