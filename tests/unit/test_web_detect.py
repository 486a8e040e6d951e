"""Detection of web frameworks, app objects and routes; redaction; wapiti report parsing."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from baseline.config import load_config
from baseline.model import Severity
from baseline.tools import wapiti
from baseline.web.app import AppSpec, is_loopback_url, log_ports, serving_line
from baseline.web.detect import detect, named_ports
from baseline.reports.redact import redact_request
from baseline.web.routes import Route, extract_routes, merge_url_map
from baseline.web.scan import choose_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_flask_fixture_is_detected_with_its_app_object() -> None:
    surface = detect(FIXTURES / "flask_xss_sqli")
    assert surface.present
    assert "Flask" in surface.names()
    assert [(app.target, app.kind) for app in surface.apps] == [("shopapp.web:app", "wsgi")]
    assert any(hit.source == "dependency" for hit in surface.frameworks)


def test_library_without_web_surface_is_not_detected() -> None:
    surface = detect(FIXTURES / "good_project")
    assert not surface.present
    assert surface.files_scanned >= 1


def test_fastapi_django_and_plain_wsgi_asgi(tmp_path: Path) -> None:
    _write(tmp_path / "fa", {"api/__init__.py": "", "api/main.py": "from fastapi import FastAPI\napi = FastAPI()\n@api.get('/items/{item_id}')\ndef read(item_id: int, q: str = ''):\n    return {}\n"})
    surface = detect(tmp_path / "fa")
    assert surface.apps[0].target == "api.main:api" and surface.apps[0].kind == "asgi"
    route = extract_routes(tmp_path / "fa")[0]
    assert route.path == "/items/{item_id}" and route.query_params == ("q",)
    assert route.sample_url_path() == "/items/1?q=1"

    _write(tmp_path / "dj", {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n", "site1/__init__.py": "", "site1/urls.py": "from django.urls import path\nurlpatterns = [path('report/<int:pk>/', view)]\n"})
    surface = detect(tmp_path / "dj")
    assert any(app.kind == "django" and app.target == "site1.settings" for app in surface.apps)
    assert [route.path for route in extract_routes(tmp_path / "dj")] == ["/report/<int:pk>/"]

    _write(tmp_path / "raw", {"rawapp.py": "def application(environ, start_response):\n    return []\nasync def app(scope, receive, send):\n    pass\n"})
    kinds = {app.framework: app.kind for app in detect(tmp_path / "raw").apps}
    assert kinds == {"WSGI": "wsgi", "ASGI": "asgi"}


def test_routes_of_the_fixture_include_the_unlinked_page_with_its_parameter() -> None:
    routes = {route.path: route for route in extract_routes(FIXTURES / "flask_xss_sqli")}
    assert routes["/item"].query_params == ("id",)
    assert routes["/item"].sample_url_path() == "/item?id=1"
    assert routes["/search"].query_params == ("q",)


def test_live_url_map_adds_unknown_rules_but_not_static() -> None:
    routes = [Route("/", ("GET",), "home", "app.py", 3)]
    merged = merge_url_map(routes, [{"rule": "/", "endpoint": "home", "methods": ["GET"]}, {"rule": "/static/<path:filename>", "endpoint": "static"}, {"rule": "/built", "endpoint": "built", "methods": ["GET", "HEAD"]}])
    assert [route.path for route in merged] == ["/", "/built"]
    assert merged[1].source == "url_map" and merged[1].methods == ("GET",)


def test_redaction_masks_credentials() -> None:
    text = "GET /login?user=bob&password=hunter2&api_key=abc HTTP/1.1\nAuthorization: Bearer xyz\nCookie: session=1\nHost: 127.0.0.1"
    redacted = redact_request(text)
    for secret in ("hunter2", "abc", "Bearer xyz", "session=1"):
        assert secret not in redacted
    assert "user=bob" in redacted and "Host: 127.0.0.1" in redacted
    assert "http://[REDACTED]@127.0.0.1/" == redact_request("http://admin:pw@127.0.0.1/")


def test_only_loopback_urls_are_accepted() -> None:
    assert is_loopback_url("http://127.0.0.1:8000/")
    assert is_loopback_url("http://localhost/x")
    assert not is_loopback_url("http://10.0.0.1/")
    assert not is_loopback_url("http://example.com/")
    assert not is_loopback_url("file:///etc/passwd")


def test_configured_app_wins_over_discovery(tmp_path: Path) -> None:
    surface = detect(FIXTURES / "flask_xss_sqli")
    config = load_config(tmp_path, {"web.app": "other.mod:application"})
    assert choose_app(surface, config) == AppSpec("wsgi", "other.mod:application", label="web.app = other.mod:application")
    config = load_config(tmp_path, {"web.command": "{python} serve.py --port {port}", "web.url": "http://127.0.0.1:{port}/health"})
    spec = choose_app(surface, config)
    assert spec is not None and spec.kind == "command" and spec.url_template.endswith("/health")
    assert choose_app(surface, load_config(tmp_path)).target == "shopapp.web:app"  # type: ignore[union-attr]


def test_wapiti_report_parsing_maps_cwe_severity_and_redacts(tmp_path: Path) -> None:
    report = {
        "classifications": {"SQL Injection": {"ref": {"CWE-89: SQL Injection": "https://cwe.mitre.org/data/definitions/89.html"}}},
        "vulnerabilities": {
            "SQL Injection": [{"method": "GET", "path": "/item", "info": "SQL Injection via id", "level": 4, "parameter": "id", "module": "sql", "http_request": "GET /item?id=1' HTTP/1.1\nCookie: sid=secret", "curl_command": "curl x"}],
            "Reflected Cross Site Scripting": [{"method": "GET", "path": "/search", "info": "XSS", "level": 2, "parameter": "q", "module": "xss", "http_request": "GET /search?q=x", "curl_command": ""}],
            "Clickjacking Protection": [{"method": "GET", "path": "/", "info": "X-Frame-Options is not set", "level": 1, "module": "http_headers"}],
        },
        "anomalies": {"Internal Server Error": [{"method": "GET", "path": "/item", "info": "500", "level": 3, "parameter": "id", "module": "xss"}]},
        "additionals": {},
        "infos": {"target": "http://127.0.0.1:1/", "version": "Wapiti 3.2.3", "crawled_pages_nbr": 4},
    }
    path = tmp_path / "out.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    parsed = wapiti.parse_report(path)
    assert parsed.crawled_pages == 4
    findings = {item.category: wapiti.to_finding(item) for item in parsed.findings}
    sql = findings["SQL Injection"]
    assert sql.cwe == (89,) and sql.severity is Severity.CRITICAL
    assert "secret" not in sql.properties["request"] and "id=1'" in sql.properties["request"]
    assert findings["Reflected Cross Site Scripting"].severity is Severity.HIGH  # raised from wapiti's medium
    assert findings["Reflected Cross Site Scripting"].cwe == (79,)
    assert findings["Clickjacking Protection"].cwe == (1021,)
    assert findings["Internal Server Error"].severity is Severity.MEDIUM  # anomalies are capped


def test_wapiti_argv_keeps_every_endpoint_on_loopback(tmp_path: Path) -> None:
    argv = wapiti.build_argv("wapiti", "http://127.0.0.1:5/", start_urls=["http://127.0.0.1:5/item?id=1"], excludes=["http://127.0.0.1:5/logout"], modules=["xss", "sql"], max_scan_time=30, output=tmp_path / "o.json", session_dir=tmp_path / "s", endpoint="http://127.0.0.1:5/__e/")
    for flag in ("--endpoint", "--external-endpoint", "--internal-endpoint"):
        assert argv[argv.index(flag) + 1].startswith("http://127.0.0.1:")
    assert argv[argv.index("--dns-endpoint") + 1] == "127.0.0.1"
    assert argv[argv.index("-m") + 1] == "xss,sql" and "-s" in argv and "-x" in argv


def test_files_that_cannot_be_imported_are_not_web_surface(tmp_path: Path) -> None:
    # a rule pack's test targets ship as data next to the code: "code-injection.py" is no module
    _write(
        tmp_path,
        {
            "tool/__init__.py": "",
            "tool/rules/code-injection.py": "from flask import Flask\napp = Flask(__name__)\n",
            "tool/rules/sample_app.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
    )
    surface = detect(tmp_path)
    assert [app.target for app in surface.apps] == ["tool.rules.sample_app:app"]


def test_excluded_files_and_development_extras_are_not_web_surface(tmp_path: Path) -> None:
    from baseline.tools.attack_surface import extract_surface

    _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["packaging"]\n[project.optional-dependencies]\ndev = ["flask"]\n',
            "lib/__init__.py": "",
            "lib/samples/vulnerable_app.py": "from flask import Flask\napp = Flask(__name__)\n@app.route('/x')\ndef x():\n    return ''\n",
        },
    )
    assert detect(tmp_path).apps  # without the exclusion the sample app is found
    surface = detect(tmp_path, ["lib/samples"])
    assert not surface.present, surface.frameworks  # a test-only Flask dependency is no web service
    assert not [item for item in extract_surface(tmp_path, ["lib/samples/*.py"]).items if item.kind == "http-route"]
    assert [item.name for item in extract_surface(tmp_path).items if item.kind == "http-route"] == ["/x"]


def test_stdlib_http_server_is_a_web_app_served_by_running_its_module(tmp_path: Path) -> None:
    surface = detect(FIXTURES / "stdlib_http_app")
    assert [(app.target, app.kind, app.framework) for app in surface.apps] == [("greeter.server", "script", "http.server")]
    assert 18731 in surface.ports
    assert choose_app(surface, load_config(FIXTURES / "stdlib_http_app", {})).kind == "script"  # type: ignore[union-attr]
    # A raw socket server, or a module that merely imports http.server, is no HTTP app.
    _write(tmp_path / "raw", {"raw/__init__.py": "", "raw/echo.py": "import socketserver\nsocketserver.TCPServer(('', 9000), socketserver.BaseRequestHandler)\n"})
    _write(tmp_path / "imp", {"imp/__init__.py": "", "imp/codes.py": "from http.server import BaseHTTPRequestHandler\nCODES = BaseHTTPRequestHandler.responses\n"})
    assert not detect(tmp_path / "raw").apps and not detect(tmp_path / "imp").apps


def test_ports_named_by_the_code_and_by_the_apps_log() -> None:
    tree = ast.parse("PORT = 8080\napp.run(port=5001)\nserver = HTTPServer(('0.0.0.0', 9000), H)\nrun_simple('localhost', 7000, app)\nx = 3\n")
    assert sorted(named_ports(tree)) == [5001, 7000, 8080, 9000]
    log = "noise 1234\n * Running on http://127.0.0.1:5001\nPress CTRL+C to quit\n"
    assert log_ports(log) == [5001] and serving_line(log) == "* Running on http://127.0.0.1:5001"
    assert log_ports("Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...") == [8000]
    assert log_ports("INFO:     Uvicorn running on http://127.0.0.1:8123 (Press CTRL+C to quit)") == [8123]
    assert serving_line("starting\nboom\n") is None


def test_a_module_that_only_defines_a_server_is_a_listener_not_an_app() -> None:
    """A library component that builds an http.server inside a class or function is a web surface (a
    listener) but nothing to start; a module with a __main__ block, a main() or a server at module level is."""
    import ast

    from baseline.web.detect import scan_module

    component = (
        "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n\n\n"
        "class Proxy:\n    def __init__(self):\n        self.server = ThreadingHTTPServer(('127.0.0.1', 0), BaseHTTPRequestHandler)\n"
    )
    hits, apps = scan_module(ast.parse(component), "pkg.proxy", "pkg/proxy.py")
    assert hits and not apps
    for tail in ("\n\nif __name__ == '__main__':\n    Proxy().server.serve_forever()\n", "\n\ndef main():\n    Proxy().server.serve_forever()\n",
                 "\n\nSERVER = ThreadingHTTPServer(('127.0.0.1', 8000), BaseHTTPRequestHandler)\n"):
        hits, apps = scan_module(ast.parse(component + tail), "pkg.proxy", "pkg/proxy.py")
        assert [app.kind for app in apps] == ["script"], tail


def _session(folder: Path) -> Path:
    """A wapiti session database as wapiti 3 writes it (the tables and columns it reads)."""
    import sqlite3

    folder.mkdir(parents=True)
    db = folder / "127.0.0.1_8000_folder_0123abcd.db"
    connection = sqlite3.connect(db)
    connection.executescript(
        "CREATE TABLE scan_infos (key TEXT, value TEXT);"
        "CREATE TABLE paths (path_id INTEGER PRIMARY KEY, path TEXT, method TEXT, enctype TEXT, depth INTEGER, encoding TEXT, headers BLOB, referer TEXT, evil BOOLEAN, response_id INTEGER);"
        "CREATE TABLE params (param_id INTEGER PRIMARY KEY, path_id INTEGER, type TEXT, position INTEGER, name TEXT, value1 TEXT, value2 TEXT, meta TEXT);"
        "CREATE TABLE payloads (evil_path_id INTEGER, original_path_id INTEGER, module TEXT, category TEXT, level INTEGER, parameter TEXT, info TEXT, type TEXT, wstg TEXT, response_id INTEGER);"
        "INSERT INTO paths VALUES (1, 'http://127.0.0.1:8000/item', 'GET', '', 0, NULL, X'80', NULL, 0, NULL);"
        "INSERT INTO paths VALUES (2, 'http://127.0.0.1:8000/item', 'GET', '', 1, NULL, X'80', NULL, 1, NULL);"
        "INSERT INTO paths VALUES (3, 'http://127.0.0.1:8000/login', 'POST', '', 1, NULL, X'80', NULL, 1, NULL);"
        "INSERT INTO params VALUES (1, 2, 'GET', 0, 'id', '1'' OR ''1''=''1', NULL, NULL);"
        "INSERT INTO params VALUES (2, 3, 'POST', 0, 'password', '<script>alert(1)</script>', NULL, NULL);"
        "INSERT INTO payloads VALUES (2, 1, 'sql', 'SQL Injection', 4, 'id', 'SQL Injection via injection in the parameter id', 'vulnerability', '[]', NULL);"
        "INSERT INTO payloads VALUES (3, 1, 'xss', 'Reflected Cross Site Scripting', 2, 'password', 'XSS in password', 'vulnerability', '[]', NULL);"
    )
    connection.commit()
    connection.close()
    return folder


def test_a_killed_wapiti_keeps_the_findings_of_its_session(tmp_path: Path) -> None:
    report = wapiti.parse_session(_session(tmp_path / "wapiti-session"))
    assert report is not None and report.crawled_pages == 1
    sqli, xss = report.findings
    assert (sqli.category, sqli.method, sqli.path, sqli.parameter, sqli.cwe) == ("SQL Injection", "GET", "/item", "id", (89,))
    assert sqli.target == "/item?id=1%27%20OR%20%271%27%3D%271" and wapiti.severity_of(sqli) is Severity.CRITICAL
    # a POST payload is in the body; the toolkit's own attack payload is kept even on a password field
    assert xss.method == "POST" and "<script>" in xss.request.replace("%3C", "<").replace("%3E", ">") and wapiti.severity_of(xss) is Severity.HIGH
    assert wapiti.parse_session(tmp_path / "absent") is None
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.db").write_bytes(b"not a database")
    assert wapiti.parse_session(tmp_path / "junk") is None


def test_posted_form_fields_are_read_and_offered_on_a_seed_page_of_forms() -> None:
    from baseline.web.routes import routes_in_module, seed_page

    source = (
        "from flask import Flask, request\napp = Flask(__name__)\n"
        "@app.route('/register', methods=['POST'])\ndef register():\n    return request.form['password'] + request.form.get('user', '')\n"
        "@app.route('/search')\ndef search():\n    return request.args.get('q', '')\n"
    )
    routes = routes_in_module(ast.parse(source), "app.py")
    by_path = {route.path: route for route in routes}
    assert by_path["/register"].form_params == ("password", "user") and by_path["/register"].query_params == ()
    assert by_path["/search"].form_params == () and by_path["/search"].query_params == ("q",)
    page, actions = seed_page(routes)
    assert actions == (("POST", "/register"),)
    assert '<form method="post" action="/register"><input type="text" name="password" value="1"><input type="text" name="user" value="1">' in page
    assert "/search" not in page  # GET routes are start URLs, not forms
    assert seed_page(routes_in_module(ast.parse("x = 1\n"), "m.py")) == ("<!doctype html><html><head><title>routes</title></head><body></body></html>", ())


def test_a_blueprint_rule_keeps_its_code_routes_parameters_and_place() -> None:
    code = [Route("/login", ("POST",), "login", "app/auth.py", 12, (), form_params=("user", "password"))]
    merged = merge_url_map(code, [{"rule": "/auth/login", "endpoint": "auth.login", "methods": ["POST", "OPTIONS"]}])
    prefixed = next(route for route in merged if route.path == "/auth/login")
    assert (prefixed.file, prefixed.line, prefixed.form_params, prefixed.methods) == ("app/auth.py", 12, ("user", "password"), ("POST",))
