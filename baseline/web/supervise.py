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


@dataclass(frozen=True)
class Pending:
    """A request in flight through the proxy (kept to name, and replay, the one that killed the app)."""

    started: float
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None

    def text(self) -> str:
        """Request line and headers, as sent."""
        return f"{self.method} {self.path} HTTP/1.1\n" + "".join(f"{k}: {v}\n" for k, v in self.headers)


def send(port: int, pending: Pending, timeout_s: float) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send one request to the app on ``port``; raises OSError/HTTPException when it does not answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.connect()
        if connection.sock is not None:
            # Headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms a request.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.request(pending.method, pending.path, body=pending.body, headers=dict(pending.headers))
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


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
        self.inflight: dict[int, Pending] = {}
        self.down = False
        self.generation = 0
        self._next = 0

    def record(self, method: str, path: str, status: int) -> None:
        """Remember one proxied request."""
        with self.lock:
            self.requests.append((method, path, status))

    def begin(self, pending: Pending) -> int:
        """Register a request in flight; returns its token."""
        with self.lock:
            self._next += 1
            self.inflight[self._next] = pending
            return self._next

    def end(self, token: int) -> None:
        """The request is over."""
        with self.lock:
            self.inflight.pop(token, None)

    def _alive(self) -> bool:
        return probe(f"http://127.0.0.1:{self.upstream_port}/", timeout_s=3.0) is not None

    def _restart_app(self) -> tuple[bool, str]:
        port, tail = self._restart()
        if port is None:
            return False, tail
        self.upstream_port = port
        return True, tail

    def handle_failure(self, generation: int, token: int, error: str) -> None:
        """The upstream failed for this request: decide whether the app is down, and restart it.

        Several requests may be in flight when the app dies. After a restart each of them is
        replayed, oldest first, until one takes the fresh app down again: that one is blamed and
        excluded; the others are innocent and go on. If none reproduces, the failing one is blamed.
        """
        with self.lock:
            if generation != self.generation or self.down:
                return  # another request already handled this outage
            if self._alive():
                return  # the app still answers: a one-off connection problem or one slow page
            failing = self.inflight.get(token)
            candidates = sorted(self.inflight.values(), key=lambda item: item.started)
            if len(self.crashes) >= self.max_restarts:
                culprit = failing or candidates[0]
                self._blame(culprit, error, False, "restart limit reached; the rest of the scan saw the app down")
                self.down = True
                return
            restarted, tail = self._restart_app()
            suspect: Pending | None = failing
            note = " (not reproduced on replay)" if len(candidates) > 1 else ""
            if restarted and len(candidates) > 1:
                for candidate in candidates[:8]:
                    try:
                        send(self.upstream_port, candidate, timeout_s=min(self.upstream_timeout_s, 10.0))
                    except (OSError, http.client.HTTPException):
                        pass
                    if not self._alive():
                        suspect, note = candidate, " (confirmed by replay)"
                        restarted, _ = self._restart_app()
                        break
            self._blame(suspect or candidates[0], error + note, restarted, tail)
            self.down = not restarted

    def _blame(self, culprit: Pending, reason: str, restarted: bool, tail: str) -> None:
        self.excluded.add(urlsplit(culprit.path).path)
        self.generation += 1
        self.crashes.append(Crash(culprit.method, culprit.path, culprit.text(), reason, restarted, tail))


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
            headers = tuple((name, value) for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP)
            pending = Pending(time.monotonic(), self.command, path, headers, body)
            token = supervisor.begin(pending)
            try:
                for _ in range(2):  # a request caught in someone else's crash is retried once
                    generation = supervisor.generation
                    try:
                        status, response_headers, data = send(supervisor.upstream_port, pending, supervisor.upstream_timeout_s)
                        break
                    except (OSError, http.client.HTTPException) as exc:
                        supervisor.handle_failure(generation, token, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
                        if supervisor.down or bare in supervisor.excluded or supervisor.generation == generation:
                            supervisor.record(self.command, path, 502)
                            self._reply(502, b"the app did not answer")
                            return
                else:
                    supervisor.record(self.command, path, 502)
                    self._reply(502, b"the app did not answer")
                    return
            finally:
                supervisor.end(token)
            supervisor.record(self.command, path, status)
            kept = [(k, v) for k, v in response_headers if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"]
            self._reply(status, data, kept)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _forward

        def __getattr__(self, name: str) -> Callable[[], None]:
            # Any other method token (TRACE, QUERY, PROPFIND...) goes to the app too: API testers send
            # undocumented methods on purpose, and the app's answer, not the proxy's 501, is what counts.
            if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
                return self._forward
            raise AttributeError(name)

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
