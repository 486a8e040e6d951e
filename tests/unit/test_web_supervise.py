"""The supervising proxy: records requests, detects a dead app, restarts it, finds and excludes the request that killed it."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from baseline import sandbox

from baseline.model import Severity
from baseline.web.routes import Route
from baseline.tools import wapiti
from baseline.web.scan import _on_proxy_page, crash_finding
from baseline.web.app import AppSpec, RunningApp, free_port, probe
from baseline.web.supervise import PROXY_HEADER, Exclusion, Pending, SupervisingProxy, Supervisor


class _FragileApp:
    """An in-process HTTP server that shuts itself down when /die is requested."""

    def __init__(self) -> None:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                if self.path.startswith("/die"):
                    app.kill()
                    self.connection.close()
                    return
                body = f"ok {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def kill(self) -> None:
        threading.Thread(target=self._close, daemon=True).start()

    def _close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": "sid=topsecret"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_crash_is_recorded_app_restarted_and_path_excluded() -> None:
    apps = [_FragileApp()]

    def restart() -> tuple[int | None, str]:
        apps.append(_FragileApp())
        return apps[-1].port, "log tail of the dead app"

    supervisor = Supervisor(apps[0].port, restart, max_restarts=2, upstream_timeout_s=5)
    try:
        with SupervisingProxy(supervisor) as proxy:
            assert _get(proxy.port, "/a?x=1") == (200, b"ok /a?x=1")
            status, _ = _get(proxy.port, "/die?now=1")
            assert status == 502
            assert len(supervisor.crashes) == 1 and supervisor.crashes[0].restarted
            assert [item.describe() for item in supervisor.excluded] == ["GET /die with now=1"]
            # The scan goes on against the restarted app; the fatal path is answered by the proxy.
            assert _get(proxy.port, "/b") == (200, b"ok /b")
            assert _get(proxy.port, "/die?now=1&x=2")[0] == 404
            assert len(apps) == 3 and supervisor.crashes[0].confirmed  # restarted, replayed alone (died again), restarted
            assert [path for _, path, _ in supervisor.requests][:2] == ["/a?x=1", "/die?now=1"]
    finally:
        for app in apps:
            app._close()
    finding = crash_finding(supervisor.crashes[0], (Route("/die", ("GET",), "die", "app.py", 7),))
    assert finding.cwe == (400,) and finding.severity is Severity.HIGH
    assert finding.location is not None and finding.location.path == "app.py"
    assert "topsecret" not in finding.properties["request"]
    assert "GET /die?now=1" in finding.properties["request"]


def test_restart_limit_marks_the_app_down() -> None:
    app = _FragileApp()
    supervisor = Supervisor(app.port, lambda: (None, ""), max_restarts=0, upstream_timeout_s=5)
    with SupervisingProxy(supervisor) as proxy:
        assert _get(proxy.port, "/die")[0] == 502
        assert supervisor.down and not supervisor.crashes[0].restarted
        assert _get(proxy.port, "/other")[0] == 503


def test_endpoint_requests_are_answered_locally() -> None:
    app = _FragileApp()
    supervisor = Supervisor(app.port, lambda: (None, ""), max_restarts=0)
    try:
        with SupervisingProxy(supervisor) as proxy:
            # wapiti's result query is answered by the proxy's endpoint (never forwarded to the app)
            assert _get(proxy.port, "/__baseline_endpoint__/get_ssrf.php?session_id=s")[0] == 200
            assert _get(proxy.port, "/__baseline_endpoint__/ssrf/s/3/75726c/")[0] == 200  # the app's callback
            assert _get(proxy.port, "/__baseline_endpoint__/unknown")[0] == 404
            assert len(supervisor.endpoint_hits) == 3 and not supervisor.requests and supervisor.oob.summary()["ssrf"] == 1
            # the seed page of forms is the proxy's own page: results on it are dropped
            supervisor.seed_html, supervisor.seed_actions = "<form method='post' action='/x'></form>", (("POST", "/x"),)
            assert _get(proxy.port, "/__baseline_seed__/forms")[0] == 200 and supervisor.proxy_only("GET", "/__baseline_seed__/forms")
    finally:
        app._close()


# --- a real app process (it dies for real: os._exit), driven through the proxy with plain HTTP ---

_APP = r'''
import os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        return
    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        mode, delay = query.get("mode", [""])[0], float(query.get("t", ["0"])[0])
        time.sleep(delay)
        if mode == "die":
            os._exit(3)
        body = ("ok " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
print("Running on http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
'''


class _Apps:
    """Starts the app script as a real process on a fresh port; the supervisor's restart callback."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "app.py").write_text(_APP, encoding="utf-8")
        self.started: list[sandbox.Background] = []

    def start(self) -> int | None:
        port = free_port()
        child = sandbox.Background([sys.executable, str(self.folder / "app.py"), str(port)], cwd=self.folder, log_path=self.folder / f"app-{len(self.started)}.log")
        self.started.append(child)
        child.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if probe(f"http://127.0.0.1:{port}/", timeout_s=1.0) is not None:
                return port
            time.sleep(0.05)
        return None

    def restart(self) -> tuple[int | None, str]:
        self.started[-1].stop()
        return self.start(), "log tail"

    def stop(self) -> None:
        for child in self.started:
            child.stop()


def _request(port: int, path: str) -> tuple[int, bytes, str | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader(PROXY_HEADER)
    finally:
        connection.close()


def test_slow_killer_stays_a_suspect_after_504_and_is_confirmed_by_replay(tmp_path: Path) -> None:
    """A request answered 504 (still alive app) that kills the app later is blamed, not the innocent
    request that found the app dead nor the slow innocent one in flight beside it; only that exact
    request is excluded, the path keeps being scanned."""
    apps = _Apps(tmp_path)
    first = apps.start()
    assert first is not None
    supervisor = Supervisor(first, apps.restart, max_restarts=3, upstream_timeout_s=0.4, suspect_window_s=20)
    killer = "/?mode=die&t=1.0&q=x"
    results: dict[str, tuple[int, bytes, str | None]] = {}
    try:
        with SupervisingProxy(supervisor) as proxy:
            def go(path: str) -> None:
                results[path] = _request(proxy.port, path)

            slow = threading.Thread(target=go, args=("/?mode=sleep&t=1.6",))
            slow.start()
            time.sleep(0.05)
            deadly = threading.Thread(target=go, args=(killer,))
            deadly.start()
            slow.join()
            deadly.join()
            # Both outlived the upstream timeout while the app was alive: 504 from the proxy, marked as its own.
            assert results[killer][0] == 504 and results[killer][2] == "timeout"
            assert results["/?mode=sleep&t=1.6"][0] == 504
            assert _request(proxy.port, "/?q=innocent")[0] in (200, 502)  # finds the app dead (or already restarted)
            deadline = time.monotonic() + 30
            while not supervisor.crashes and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            (crash,) = supervisor.crashes
            assert crash.path == killer and crash.confirmed and crash.restarted, crash
            assert "GET /?mode=sleep&t=1.6" in crash.in_flight and f"GET {killer}" in crash.in_flight
            assert "GET /?q=innocent" not in crash.in_flight  # refused at connect: it came after the death
            # The path stays scanned; only requests carrying the killer's parameter values are kept out.
            assert _request(proxy.port, "/?mode=ok&q=x")[:2] == (200, b"ok /?mode=ok&q=x")
            status, _, marker = _request(proxy.port, "/?q=x&t=1.0&mode=die&other=1")
            assert (status, marker) == (404, "excluded")
            assert supervisor.proxy_only("GET", "/?q=x&t=1.0&mode=die&other=1")
            assert not supervisor.proxy_only("GET", "/")  # the app answered on / too
            assert [item.describe() for item in supervisor.excluded] == ["GET / with mode=die&q=x&t=1.0"]
            assert not supervisor.proxy_only("GET", "/?mode=sleep&t=1.6")  # a 504: the app was slow, a finding about it stands
    finally:
        apps.stop()


def test_exclusion_matches_method_path_and_the_culprits_values() -> None:
    culprit = Pending(0.0, "POST", "/login?next=/", (("Content-Type", "application/x-www-form-urlencoded"),), b"user=a&password=%27")
    exclusion = Exclusion.of(culprit)
    assert exclusion.matches(Pending(1.0, "POST", "/login?next=/&x=1", culprit.headers, b"password=%27&user=a&z=2"))
    assert not exclusion.matches(Pending(1.0, "POST", "/login?next=/", culprit.headers, b"user=a&password=ok"))
    assert not exclusion.matches(Pending(1.0, "GET", "/login?next=/", (), None))
    bare = Exclusion.of(Pending(0.0, "GET", "/maintenance/restart", (), None))
    assert bare.matches(Pending(1.0, "GET", "/maintenance/restart?x=1", (), None))
    assert not bare.matches(Pending(1.0, "GET", "/maintenance", (), None))
    assert bare.matches(Pending(1.0, "HEAD", "/maintenance/restart", (), None))  # served by the GET handler


def test_findings_on_the_proxys_own_pages_are_dropped(tmp_path: Path) -> None:
    """A finding wapiti computed on the proxy's 404 (an excluded request) is the proxy's, not the app's."""
    app = _FragileApp()
    supervisor = Supervisor(app.port, lambda: (None, ""), max_restarts=0, upstream_timeout_s=5)
    supervisor.excluded.append(Exclusion.of(Pending(0.0, "GET", "/admin", (), None)))
    try:
        with SupervisingProxy(supervisor) as proxy:
            assert _get(proxy.port, "/admin") == (404, b"excluded by baseline after it took the app down")
            assert _get(proxy.port, "/page?x=1")[0] == 200
    finally:
        app._close()
    report = {
        "vulnerabilities": {
            "Clickjacking Protection": [
                {"method": "GET", "path": "/admin", "info": "X-Frame-Options is not set", "level": 1, "http_request": "GET /admin HTTP/1.1\nhost: 127.0.0.1"},
                {"method": "GET", "path": "/page", "info": "X-Frame-Options is not set", "level": 1, "http_request": "GET http://127.0.0.1:1/page?x=1 HTTP/1.1"},
            ],
        },
        "infos": {"crawled_pages_nbr": 2},
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    parsed = wapiti.parse_report(path)
    assert [item.target for item in parsed.findings] == ["/admin", "/page?x=1"]
    assert [_on_proxy_page(supervisor, item) for item in parsed.findings] == [True, False]


def test_only_the_attacked_parameter_is_excluded_and_widened_when_it_kills_again() -> None:
    supervisor = Supervisor(1, lambda: (None, ""), max_restarts=3)
    supervisor.answered(Pending(0.0, "GET", "/?q=1&id=1&report=1", (), None), 200)
    supervisor._blame(Pending(1.0, "GET", "/?q=1&id=1&report=%27", (), None), "died", True, "", True, ())
    (first,) = supervisor.excluded
    assert first.describe() == "GET / with report='"
    # The other parameters of the same path are still attacked, with the killer's normal value.
    assert not supervisor.is_excluded(Pending(2.0, "GET", "/?q=<script>&id=1&report=1", (), None))
    assert supervisor.is_excluded(Pending(2.0, "GET", "/?q=2&id=1&report=%27", (), None))
    assert not supervisor.is_excluded(Pending(2.0, "GET", "/?q=1&id=1&report=x", (), None))  # one crash: one value
    supervisor._blame(Pending(3.0, "GET", "/?q=1&id=1&report=x", (), None), "died", True, "", True, ())
    # A second value of the same parameter killed it too: any unusual value of it is kept out, nothing else.
    assert supervisor.is_excluded(Pending(4.0, "GET", "/?q=1&id=1&report=y", (), None))
    assert not supervisor.is_excluded(Pending(4.0, "GET", "/?q=y&id=1&report=1", (), None))
    assert not supervisor.is_excluded(Pending(4.0, "POST", "/?q=1&id=1&report=y", (), None))


def test_an_app_on_a_port_of_its_own_is_found_where_it_listens(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(_APP, encoding="utf-8")  # listens on port 0: one the kernel picks, not ours
    (tmp_path / "dies.py").write_text("print(' * Running on http://127.0.0.1:5999', flush=True)\nraise SystemExit(4)\n", encoding="utf-8")
    app = RunningApp(AppSpec("command", "{python} app.py 0"), python=sys.executable, root=tmp_path, work_dir=tmp_path / "w", index=0, allow_env=[])
    try:
        assert app.start(20) is None, app.log_tail()
        assert app.port != app.asked_port and probe(app.url) == 200
        assert f"asked for {app.asked_port}, found on {app.port}" in app.note and f"Running on http://127.0.0.1:{app.port}" in app.note
    finally:
        app.stop()
    dead = RunningApp(AppSpec("command", "{python} dies.py"), python=sys.executable, root=tmp_path, work_dir=tmp_path / "w2", index=0, allow_env=[])
    try:
        problem = dead.start(10)
    finally:
        dead.stop()
    assert problem is not None and "exit code 4" in problem and "'* Running on http://127.0.0.1:5999'" in problem


def test_a_request_still_in_flight_when_the_scan_ends_restarts_nothing(tmp_path: Path) -> None:
    apps = _Apps(tmp_path)
    first = apps.start()
    assert first is not None
    supervisor = Supervisor(first, apps.restart, max_restarts=3, upstream_timeout_s=0.3, suspect_window_s=20)
    try:
        with SupervisingProxy(supervisor) as proxy:
            assert _request(proxy.port, "/?mode=die&t=1.0")[0] == 504
        time.sleep(1.5)  # the app dies after the proxy closed
        assert not supervisor.crashes and len(apps.started) == 1
    finally:
        apps.stop()
