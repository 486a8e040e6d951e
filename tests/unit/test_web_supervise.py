"""The supervising proxy: records requests, detects a dead app, restarts it, excludes the path."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from baseline.model import Severity
from baseline.web.routes import Route
from baseline.web.scan import crash_finding
from baseline.web.supervise import SupervisingProxy, Supervisor


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
            assert supervisor.excluded == {"/die"}
            # The scan goes on against the restarted app; the fatal path is answered by the proxy.
            assert _get(proxy.port, "/b") == (200, b"ok /b")
            assert _get(proxy.port, "/die")[0] == 404
            assert len(apps) == 2
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
            assert _get(proxy.port, "/__baseline_endpoint__/get_ssrf.php?id=1")[0] == 404
            assert supervisor.endpoint_hits and not supervisor.requests
    finally:
        app._close()
