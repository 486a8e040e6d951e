"""A recording reverse proxy on loopback that supervises the app during a scan.

The scanner talks to the proxy, the proxy to the app. Every request is recorded (the URLs crawled
are evidence). A request stays *in flight* until the app answers it or dies: one that outlives the
proxy's upstream timeout is answered 504 to the scanner, but the proxy keeps waiting for the app's
answer, so that a slow request that later takes the app down is still a suspect when it does.

When the app dies, every request in flight at that moment is a candidate. The app is restarted and
each candidate is replayed alone against the fresh app (the one whose handling never completed and
the one that started last first) until one takes it down again: that one is blamed. Only that exact
request (method, path and its parameter values) is kept out of the rest of the scan, never the
path, so the other parameters of the same page are still attacked.

The proxy marks every answer it makes itself (its 404/502/503/504 pages) with the ``X-Baseline-Proxy``
header and records them, so that findings computed on its pages are dropped, not reported.
"""

from __future__ import annotations

import functools
import http.client
import socket
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from baseline.web.app import probe
from baseline.web.oob import OutOfBand

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade"}
ENDPOINT_PREFIX = "/__baseline_endpoint__/"
SEED_PATH = "/__baseline_seed__/forms"  # the proxy's page of forms for the posted routes no page links to
PROXY_HEADER = "X-Baseline-Proxy"
_MAX_REPLAYS = 6


@dataclass(frozen=True)
class Crash:
    """The app died or stopped answering; ``request`` is the request blamed for it."""

    method: str
    path: str
    request: str  # request line and headers as sent (redact before reporting)
    reason: str
    restarted: bool
    log_tail: str = ""
    confirmed: bool = False  # the request took a fresh app down again when replayed alone
    in_flight: tuple[str, ...] = ()  # request lines of every request in flight when the app died


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

    def line(self) -> str:
        """The request line."""
        return f"{self.method} {self.path}"


@dataclass
class Flight:
    """The supervisor's view of one request in flight."""

    pending: Pending
    sent: bool = False  # the app accepted the connection (a request refused at connect started after a death)
    stale: bool = False  # it outlived the upstream timeout: answered 504, still waited for


def _params(pending: Pending) -> frozenset[tuple[str, str]]:
    pairs = parse_qsl(urlsplit(pending.path).query, keep_blank_values=True)
    content_type = dict((k.lower(), v) for k, v in pending.headers).get("content-type", "")
    if pending.body and "application/x-www-form-urlencoded" in content_type:
        pairs += parse_qsl(pending.body.decode("utf-8", "replace"), keep_blank_values=True)
    elif pending.body:
        pairs.append(("<body>", pending.body.decode("utf-8", "replace")))
    return frozenset(pairs)


def _same_handler(method: str) -> str:
    """HEAD is served by the GET handler (every framework does so): a GET that kills the app is a HEAD that does."""
    return "GET" if method == "HEAD" else method


@dataclass(frozen=True)
class Exclusion:
    """What took the app down: a request matches when it has the same method and path and carries
    every one of ``params`` (other parameters may differ). ``params`` are the culprit's parameter
    values the app had not answered normally before (the attacked ones), else all of them.
    ``any_value``: parameters that took the app down with several values; then any value of theirs
    the app had not answered normally matches."""

    method: str
    path: str
    params: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    any_value: frozenset[str] = field(default_factory=frozenset)
    normal: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @classmethod
    def of(cls, pending: Pending, normal: frozenset[tuple[str, str]] = frozenset()) -> Exclusion:
        """The exclusion for one culprit, given the parameter values the app answered normally on its path."""
        params = _params(pending)
        return cls(pending.method, urlsplit(pending.path).path, (params - normal) or params, normal=normal)

    def matches(self, pending: Pending) -> bool:
        """Whether ``pending`` repeats the culprit."""
        if _same_handler(pending.method) != _same_handler(self.method) or urlsplit(pending.path).path != self.path:
            return False
        params = _params(pending)
        if self.any_value and any(name in self.any_value and (name, value) not in self.normal for name, value in params):
            return True
        return self.params <= params

    def describe(self) -> str:
        """Method, path and the culprit's parameter values."""
        values = "&".join(f"{k}={v}" for k, v in sorted(self.params))
        widened = f" (any unusual value of {', '.join(sorted(self.any_value))})" if self.any_value else ""
        return f"{self.method} {self.path}" + (f" with {values}" if values else "") + widened


def send(port: int, pending: Pending, timeout_s: float, on_connect: Callable[[], None] | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send one request to the app on ``port``; raises OSError/HTTPException when it does not answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.connect()
        if connection.sock is not None:
            # Headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms a request.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if on_connect is not None:
            on_connect()
        connection.request(pending.method, pending.path, body=pending.body, headers=dict(pending.headers))
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Supervisor:
    """Holds the current upstream port and what was seen; restarts the app on demand.

    ``suspect_window_s``: how long a request that outlived ``upstream_timeout_s`` is still waited for
    (and stays a suspect); after that, an app that still answers clears it.
    """

    def __init__(
        self, upstream_port: int, restart: Callable[[], tuple[int | None, str]], max_restarts: int,
        upstream_timeout_s: float = 20.0, suspect_window_s: float | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self._restart = restart
        self.max_restarts = max_restarts
        self.upstream_timeout_s = upstream_timeout_s
        self.suspect_window_s = suspect_window_s if suspect_window_s is not None else max(120.0, 6 * upstream_timeout_s)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, int]] = []  # (method, path with query, status)
        self.own: list[tuple[str, str, int]] = []  # the requests the proxy answered itself
        self._upstream_answered: set[tuple[str, str]] = set()
        self.crashes: list[Crash] = []
        self.excluded: list[Exclusion] = []
        self._normal: dict[tuple[str, str], set[tuple[str, str]]] = {}  # (method, path) -> parameter values answered below 500
        self.endpoint_hits: list[str] = []
        self.oob = OutOfBand(ENDPOINT_PREFIX)  # wapiti's SSRF/XXE endpoint, played by the proxy
        self.seed_html = ""  # served at SEED_PATH when set
        self.seed_actions: tuple[tuple[str, str], ...] = ()  # (method, path) of its forms
        self.inflight: dict[int, Flight] = {}
        self.down = False
        self.closed = False  # the scan is over: a late failure of a request answered 504 restarts nothing
        self.generation = 0
        self.ready = threading.Event()  # cleared while the app is restarted and suspects replayed alone
        self.ready.set()
        self._next = 0

    def record(self, method: str, path: str, status: int, own: bool = False) -> None:
        """Remember one proxied request (``own``: answered by the proxy, not the app)."""
        with self.lock:
            self.requests.append((method, path, status))
            if own:
                self.own.append((method, path, status))
            else:
                self._upstream_answered.add((method, path))

    def proxy_only(self, method: str, path: str) -> bool:
        """True when every answer to ``method path`` (exact, or the bare path when no query is given)
        was the proxy's own page (404 of a kept-out request, 502, 503): a finding about it describes the
        proxy, not the app."""
        with self.lock:
            bare = "?" not in path
            def same(item: tuple[str, str]) -> bool:
                return item[0] == method and (item[1] == path or (bare and item[1].split("?")[0] == path))
            # A 504 says the app was too slow: a finding about that is the app's; the other pages are the proxy's.
            if not any(same((m, p)) for m, p, status in self.own if status != 504):
                return False
            return not any(same(item) for item in self._upstream_answered)

    def answered(self, pending: Pending, status: int) -> None:
        """The app answered ``pending`` normally or not; normal answers tell which parameter values are harmless."""
        if status < 500:
            with self.lock:
                self._normal.setdefault((pending.method, urlsplit(pending.path).path), set()).update(_params(pending))

    def is_excluded(self, pending: Pending) -> bool:
        """Whether ``pending`` repeats a request that took the app down."""
        return any(exclusion.matches(pending) for exclusion in self.excluded)

    def begin(self, pending: Pending) -> int:
        """Register a request in flight; returns its token."""
        with self.lock:
            self._next += 1
            self.inflight[self._next] = Flight(pending)
            return self._next

    def mark_sent(self, token: int) -> None:
        """The app accepted the request's connection."""
        with self.lock:
            flight = self.inflight.get(token)
            if flight is not None:
                flight.sent = True

    def mark_stale(self, token: int) -> None:
        """The request outlived the upstream timeout; it stays in flight."""
        with self.lock:
            flight = self.inflight.get(token)
            if flight is not None:
                flight.stale = True

    def end(self, token: int) -> None:
        """The app answered (or the request was cleared): it is no longer a suspect."""
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

    def candidates(self, token: int | None = None) -> list[Pending]:
        """Requests in flight now, most suspect first: those whose handling never completed (stale,
        oldest first), then the rest, the one that started last first. Requests the app never
        accepted started after the death and are left out (unless nothing else is in flight)."""
        flights = list(self.inflight.values())
        sent = [flight for flight in flights if flight.sent] or flights
        stale = sorted((f for f in sent if f.stale), key=lambda f: f.pending.started)
        fresh = sorted((f for f in sent if not f.stale), key=lambda f: f.pending.started, reverse=True)
        ordered = [f.pending for f in stale + fresh]
        failing = self.inflight.get(token) if token is not None else None
        if not ordered and failing is not None:
            ordered = [failing.pending]
        return ordered

    def _replay(self, candidate: Pending, died_at: float) -> bool:
        """Replay ``candidate`` alone against the fresh app; True when the app died of it."""
        age = max(0.0, died_at - candidate.started)
        timeout = min(self.suspect_window_s, max(self.upstream_timeout_s, 1.5 * age + 2.0))
        try:
            send(self.upstream_port, candidate, timeout_s=timeout)
        except (OSError, http.client.HTTPException):
            pass
        return not self._alive()

    def handle_failure(self, generation: int, token: int, error: str) -> None:
        """The upstream failed for this request: decide whether the app is down, restart it, find the culprit."""
        with self.lock:
            if generation != self.generation or self.down or self.closed:
                return  # another request already handled this outage, or the scan is over
            if self._alive():
                return  # the app still answers: a one-off connection problem or one slow page
            died_at = time.monotonic()
            self.ready.clear()
            try:
                self._recover(token, error, died_at)
            finally:
                self.ready.set()

    def _recover(self, token: int, error: str, died_at: float) -> None:
        candidates = self.candidates(token)
        if not candidates:
            return
        in_flight = tuple(item.line() for item in candidates)
        if len(self.crashes) >= self.max_restarts:
            self._blame(candidates[0], error + "; restart limit reached, not replayed", False, "", False, in_flight)
            self.down = True
            return
        restarted, tail = self._restart_app()
        if not restarted:
            self._blame(candidates[0], error + "; the app could not be restarted to replay it", False, tail, False, in_flight)
            self.down = True
            return
        for candidate in candidates[:_MAX_REPLAYS]:
            if self._replay(candidate, died_at):
                restarted, _ = self._restart_app()
                note = f"confirmed: replayed alone, it took a fresh app down again ({len(candidates)} request(s) in flight at the death)"
                self._blame(candidate, f"{error}; {note}", restarted, tail, True, in_flight)
                self.down = not restarted
                return
        note = f"not reproduced when replayed alone ({len(candidates)} request(s) in flight at the death)"
        self._blame(candidates[0], f"{error}; {note}", True, tail, False, in_flight)

    def _blame(self, culprit: Pending, reason: str, restarted: bool, tail: str, confirmed: bool, in_flight: tuple[str, ...]) -> None:
        normal = frozenset(self._normal.get((culprit.method, urlsplit(culprit.path).path), set()))
        exclusion = Exclusion.of(culprit, normal)
        # The same parameter took the app down before with another value: every unusual value of it is kept out.
        names = {name for name, _ in exclusion.params}
        repeated = frozenset(
            name for earlier in self.excluded
            if (_same_handler(earlier.method), earlier.path) == (_same_handler(exclusion.method), exclusion.path)
            for name, _ in earlier.params if name in names
        )
        if repeated:
            exclusion = Exclusion(exclusion.method, exclusion.path, exclusion.params, repeated, normal)
        self.excluded.append(exclusion)
        self.generation += 1
        self.crashes.append(Crash(culprit.method, culprit.path, culprit.text(), reason, restarted, tail, confirmed, in_flight))

    def forward(self, token: int, pending: Pending) -> tuple[int, list[tuple[str, str]], bytes] | str:
        """Send ``pending`` upstream; the app's answer, or the reason the proxy answers itself.

        The upstream exchange runs in its own thread, waited for up to the upstream timeout; when it
        takes longer, the request stays in flight (a suspect) until the app answers, dies or the
        suspect window ends, and "timeout" is returned.
        """
        for _ in range(2):  # a request caught in someone else's crash is retried once
            self.ready.wait(timeout=self.suspect_window_s)
            if self.down:
                return "down"
            if self.is_excluded(pending):
                return "excluded"
            generation = self.generation
            outcome: Future[tuple[int, list[tuple[str, str]], bytes]] = Future()
            port = self.upstream_port

            def work(port: int = port, outcome: Future[tuple[int, list[tuple[str, str]], bytes]] = outcome) -> None:
                try:
                    outcome.set_result(send(port, pending, self.suspect_window_s, lambda: self.mark_sent(token)))
                except (OSError, http.client.HTTPException) as exc:
                    outcome.set_exception(exc)

            threading.Thread(target=work, daemon=True).start()
            try:
                return outcome.result(timeout=self.upstream_timeout_s)
            except FutureTimeout:
                self.mark_stale(token)
                settle = functools.partial(self._settle, token, generation)
                outcome.add_done_callback(settle)
                return "timeout"
            except (OSError, http.client.HTTPException) as exc:
                self.handle_failure(generation, token, _describe(exc))
                if self.down or self.is_excluded(pending) or self.generation == generation:
                    return "failed"
        return "failed"

    def _settle(self, token: int, generation: int, done: Future[tuple[int, list[tuple[str, str]], bytes]]) -> None:
        """A request answered 504 finally ended: answered, or the app died (or stopped answering) under it."""
        exc = done.exception()
        if exc is not None:
            self.handle_failure(generation, token, f"{_describe(exc)} (after the proxy had answered 504)")
        self.end(token)


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

        def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None, own: str = "") -> None:
            self.send_response(status)
            for name, value in headers or [("Content-Type", "text/plain")]:
                self.send_header(name, value)
            if own:
                self.send_header(PROXY_HEADER, own)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _own(self, status: int, reason: str, body: bytes) -> None:
            supervisor.record(self.command, self.path, status, own=True)
            self._reply(status, body, own=reason)

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else None
            path = self.path
            if path.split("?", 1)[0] == SEED_PATH and supervisor.seed_html:
                supervisor.record(self.command, path, 200, own=True)  # results computed on it are dropped
                self._reply(200, supervisor.seed_html.encode(), [("Content-Type", "text/html; charset=utf-8")], own="seed")
                return
            if path.startswith(ENDPOINT_PREFIX):
                supervisor.endpoint_hits.append(path[:2000])
                address = self.server.server_address
                base = f"http://127.0.0.1:{address[1]}" if isinstance(address, tuple) else "http://127.0.0.1"
                status, data, content_type = supervisor.oob.handle(self.command, path, base)
                self._reply(status, data, [("Content-Type", content_type)], own="endpoint")
                return
            headers = tuple((name, value) for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP)
            pending = Pending(time.monotonic(), self.command, path, headers, body)
            token = supervisor.begin(pending)
            outcome: tuple[int, list[tuple[str, str]], bytes] | str = "failed"
            try:
                outcome = supervisor.forward(token, pending)
            finally:
                if outcome != "timeout":
                    supervisor.end(token)  # a timed-out request stays in flight until the app answers or dies
            if outcome == "down":
                self._own(503, "down", b"the app is down (restart limit reached)")
            elif outcome == "excluded":
                self._own(404, "excluded", b"excluded by baseline after it took the app down")
            elif outcome == "timeout":
                self._own(504, "timeout", b"the app did not answer in time")
            elif isinstance(outcome, str):
                self._own(502, "failed", b"the app did not answer")
            else:
                status, response_headers, data = outcome
                supervisor.record(self.command, path, status)
                supervisor.answered(pending, status)
                kept = [(k, v) for k, v in response_headers if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length" and k.lower() != PROXY_HEADER.lower()]
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
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> SupervisingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.supervisor.closed = True
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
