"""Adapter for wapiti, the dynamic web scanner: build its command line and parse its JSON report.

wapiti runs offline against a loopback URL. Its own "endpoints" (used by the SSRF and XXE modules
to see out-of-band requests) and DNS endpoint are pointed at loopback too, so no request ever
leaves the machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from baseline import sandbox, toolenv
from baseline.model import Confidence, Finding, Location, Severity
from baseline.reports.redact import redact_request

DEFAULT_MODULES = (
    "xss", "permanentxss", "sql", "timesql", "exec", "file", "redirect", "xxe", "crlf", "ssrf", "csrf", "methods",
    "http_headers", "cookieflags",
)

# Category -> CWE when wapiti's report does not give one.
_CWE_FALLBACK: dict[str, tuple[int, ...]] = {
    "SQL Injection": (89,),
    "Blind SQL Injection": (89,),
    "Reflected Cross Site Scripting": (79,),
    "Stored Cross Site Scripting": (79,),
    "Command execution": (78,),
    "Path Traversal": (22,),
    "Open Redirect": (601,),
    "XML External Entity": (611,),
    "CRLF Injection": (93,),
    "Server Side Request Forgery": (918,),
    "Resource consumption": (400,),
    "Cross Site Request Forgery": (352,),
    "Unrestricted File Upload": (434,),
    "Backup file": (530,),
    "Clickjacking Protection": (1021,),
    "MIME Type Confusion": (693,),
    "Content Security Policy Configuration": (693,),
    "HTTP Strict Transport Security (HSTS)": (523,),
    "HttpOnly Flag cookie": (1004,),
    "Secure Flag cookie": (614,),
    "Internal Server Error": (755,),
    "HTML Injection": (80,),
    "Stored HTML Injection": (80,),
    "Unencrypted Channels": (319,),
    "Log4Shell": (917,),
    "Spring4Shell": (94,),
    "Vulnerable software": (1104,),
}
# wapiti rates reflected XSS "medium"; script injection in a page is at least high for us.
_SEVERITY_FLOOR: dict[str, Severity] = {
    "Reflected Cross Site Scripting": Severity.HIGH,
    "Stored Cross Site Scripting": Severity.HIGH,
}
_LEVELS = {4: Severity.CRITICAL, 3: Severity.HIGH, 2: Severity.MEDIUM, 1: Severity.LOW, 0: Severity.INFO}
_CWE_REF = re.compile(r"CWE-(\d+)")


@dataclass(frozen=True)
class WebFinding:
    """One entry of wapiti's report."""

    category: str
    kind: str  # vulnerability | anomaly | additional
    module: str
    method: str
    path: str
    parameter: str
    info: str
    level: int
    cwe: tuple[int, ...]
    request: str  # redacted
    curl: str  # redacted
    target: str = ""  # path and query of the request line as sent (matched against the proxy's record; never reported)


@dataclass(frozen=True)
class WapitiReport:
    """The parsed report."""

    target: str
    version: str
    crawled_pages: int
    findings: tuple[WebFinding, ...]


def find_wapiti(configured: str | None = None) -> str | None:
    """The wapiti executable: configured, its private environment (``baseline tools install wapiti``), beside this interpreter, PATH."""
    return toolenv.find_tool("wapiti", configured)


_VERSIONS: dict[tuple[str, int, int], str] = {}


def wapiti_version(executable: str | None = None, report: WapitiReport | None = None) -> str | None:
    """The version of wapiti: the one its own ``report`` names when given, else what the executable
    reports (it lives in its own environment; asked once per executable file, as starting it takes seconds)."""
    if report is not None:
        match = re.search(r"(\d+\.\d+\.\d+)", report.version)
        if match:
            return match.group(1)
    executable = executable or find_wapiti()
    if executable is None:
        return None
    try:
        stat = Path(executable).stat()
        key = (executable, stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None
    if key not in _VERSIONS:
        probe = sandbox.run([executable, "--version"], cwd=Path(executable).parent, limits=sandbox.Limits(timeout_s=60))
        match = re.search(r"(\d+\.\d+\.\d+)", probe.stdout + probe.stderr)
        if match is None:
            return None  # not remembered: a probe cut short by a loaded machine is asked again next time
        _VERSIONS[key] = match.group(1)
    return _VERSIONS[key]


def build_argv(
    executable: str,
    url: str,
    *,
    start_urls: list[str],
    excludes: list[str],
    modules: list[str],
    max_scan_time: float,
    output: Path,
    session_dir: Path,
    endpoint: str,
    swagger: str | None = None,
) -> list[str]:
    """The wapiti command line for one offline scan of ``url`` (with ``swagger``, an OpenAPI file or URL whose operations it attacks too)."""
    argv = [executable, "-u", url, "-m", ",".join(modules), "-f", "json", "-o", str(output)]
    if swagger:
        argv += ["--swagger", swagger]
    argv += ["--flush-session", "--store-session", str(session_dir), "--max-scan-time", str(int(max_scan_time))]
    argv += ["--endpoint", endpoint, "--external-endpoint", endpoint, "--internal-endpoint", endpoint, "--dns-endpoint", "127.0.0.1"]
    argv += ["--verbose", "0", "--tasks", "8"]
    for start in start_urls:
        argv += ["-s", start]
    for exclude in excludes:
        argv += ["-x", exclude]
    return argv


def _cwes(category: str, classifications: dict[str, Any]) -> tuple[int, ...]:
    refs = classifications.get(category, {}).get("ref", {}) if isinstance(classifications.get(category), dict) else {}
    found = tuple(dict.fromkeys(int(match) for name in refs for match in _CWE_REF.findall(str(name))))
    return found or _CWE_FALLBACK.get(category, ())


def _request_target(request: str) -> str:
    """The path and query of an HTTP request's first line ("GET /a?b=1 HTTP/1.1" -> "/a?b=1")."""
    parts = request.split("\n", 1)[0].split()
    if len(parts) < 2:
        return ""
    target = parts[1]
    if "://" in target:
        rest = target.split("://", 1)[1]
        target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return target


def parse_report(path: Path) -> WapitiReport:
    """Parse wapiti's JSON report; raises ValueError/OSError/KeyError when it is not one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "vulnerabilities" not in data:
        raise ValueError("not a wapiti JSON report (no 'vulnerabilities')")
    classifications = data.get("classifications", {}) or {}
    findings: list[WebFinding] = []
    for kind, section in (("vulnerability", "vulnerabilities"), ("anomaly", "anomalies"), ("additional", "additionals")):
        for category, entries in (data.get(section) or {}).items():
            for entry in entries or []:
                findings.append(
                    WebFinding(
                        category=category,
                        kind=kind,
                        module=str(entry.get("module", "")),
                        method=str(entry.get("method", "GET")),
                        path=str(entry.get("path", "/")),
                        parameter=str(entry.get("parameter", "") or ""),
                        info=str(entry.get("info", "")),
                        level=int(entry.get("level", 0) or 0),
                        cwe=_cwes(category, classifications),
                        request=redact_request(str(entry.get("http_request", "")), attacked=(str(entry.get("parameter", "") or ""),)),
                        curl=redact_request(str(entry.get("curl_command", "")), attacked=(str(entry.get("parameter", "") or ""),)),
                        target=_request_target(str(entry.get("http_request", ""))),
                    )
                )
    infos = data.get("infos", {}) or {}
    return WapitiReport(
        target=str(infos.get("target", "")),
        version=str(infos.get("version", "")),
        crawled_pages=int(infos.get("crawled_pages_nbr", 0) or 0),
        findings=tuple(findings),
    )


_ANOMALY_CATEGORIES = frozenset({"Internal Server Error", "Resource consumption"})


def _kind(stored: str, category: str) -> str:
    """The kind of a stored payload. wapiti 3.2 stores some findings with a wrong type (its XXE
    findings say "XPATHi"): those are judged by their category."""
    if stored in ("vulnerability", "anomaly", "additional"):
        return stored
    return "anomaly" if category in _ANOMALY_CATEGORIES or category.startswith("Fingerprint") else "vulnerability"


def parse_session(session_dir: Path) -> WapitiReport | None:
    """What wapiti had stored in its session database when it stopped (killed before its report).

    wapiti writes every payload that hit into an SQLite session as it goes (``--store-session``).
    Only text columns are read, read-only: the pickled columns (headers) are never loaded. None when
    there is no readable session.
    """
    import sqlite3
    from urllib.parse import quote, urlencode, urlsplit

    databases = sorted(session_dir.glob("*.db")) if session_dir.is_dir() else []
    if not databases:
        return None
    findings: list[WebFinding] = []
    crawled = 0
    try:
        connection = sqlite3.connect(f"file:{databases[-1]}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        return None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"payloads", "paths", "params"} <= tables:
            return None
        crawled = int(connection.execute("SELECT count(*) FROM paths WHERE evil = 0").fetchone()[0])
        rows = connection.execute(
            "SELECT p.evil_path_id, p.module, p.category, p.level, p.parameter, p.info, p.type, e.path, e.method "
            "FROM payloads p JOIN paths e ON e.path_id = p.evil_path_id ORDER BY p.rowid"
        ).fetchall()
        for evil_id, module, category, level, parameter, info, kind, url, method in rows:
            params = connection.execute("SELECT type, name, value1 FROM params WHERE path_id = ? ORDER BY type, position", (evil_id,)).fetchall()
            query = urlencode([(str(name), str(value or "")) for where, name, value in params if where == "GET"], quote_via=quote)
            body = urlencode([(str(name), str(value or "")) for where, name, value in params if where == "POST"])
            parts = urlsplit(str(url))
            path = parts.path or "/"
            target = path + (f"?{query}" if query else "")
            request = f"{str(method).upper()} {target} HTTP/1.1\nhost: {parts.netloc}\n" + (f"\n{body}" if body else "")
            curl = f'curl "{parts.scheme}://{parts.netloc}{target}"' + (f' -d "{body}"' if body else "")
            findings.append(
                WebFinding(
                    category=str(category), kind=_kind(str(kind), str(category)),
                    module=str(module), method=str(method).upper(), path=path, parameter=str(parameter or ""), info=str(info),
                    level=int(level or 0), cwe=_cwes(str(category), {}),
                    request=redact_request(request, attacked=(str(parameter or ""),)), curl=redact_request(curl, attacked=(str(parameter or ""),)),
                    target=target,
                )
            )
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        connection.close()
    return WapitiReport(target="", version="", crawled_pages=crawled, findings=tuple(findings))


def identity(item: WebFinding) -> tuple[str, str, str, str, str, int]:
    """What makes two entries (of the report and of the session) the same result."""
    return (item.category, item.kind, item.method.upper(), item.path, item.parameter, item.level)


def severity_of(item: WebFinding) -> Severity:
    """Our severity for a wapiti entry: its level, raised for script injection, capped for anomalies."""
    severity = _LEVELS.get(item.level, Severity.INFO)
    floor = _SEVERITY_FLOOR.get(item.category)
    if floor is not None and floor.rank > severity.rank:
        severity = floor
    if item.kind != "vulnerability" and severity.rank > Severity.MEDIUM.rank:
        severity = Severity.MEDIUM  # anomalies (500 errors, slow pages) are signals, not proven flaws
    if item.kind == "additional":
        severity = Severity.INFO
    return severity


def collapse(items: Iterable[WebFinding]) -> list[tuple[WebFinding, int]]:
    """One entry per (method, path, parameter, CWE) with the number of payloads that hit it.

    wapiti reports every payload that worked; one weakness of one parameter is one finding. The
    representative is the most severe entry (then the first reported); entries without a CWE are
    grouped by their category. Order follows wapiti's report.
    """
    groups: dict[tuple[str, str, str, str, tuple[int, ...] | str], list[WebFinding]] = {}
    for item in items:
        key = (item.kind, item.method.upper(), item.path, item.parameter, item.cwe or item.category)
        groups.setdefault(key, []).append(item)
    return [(max(group, key=lambda entry: severity_of(entry).rank), len(group)) for group in groups.values()]


def to_finding(item: WebFinding, location: Location | None = None, payloads: int = 1) -> Finding:
    """A model Finding for one wapiti entry; the request that triggered it goes into properties."""
    slug = re.sub(r"[^a-z0-9]+", "-", item.category.lower()).strip("-")
    where = f"{item.method} {item.path}" + (f" parameter {item.parameter}" if item.parameter else "")
    hits = f" ({payloads} payloads hit)" if payloads > 1 else ""
    return Finding(
        rule_id=f"wapiti.{slug}",
        severity=severity_of(item),
        message=f"{item.category} at {where}{hits}: {item.info}",
        tool="wapiti",
        location=location,
        confidence=Confidence.HIGH if item.kind == "vulnerability" else Confidence.MEDIUM,
        cwe=item.cwe,
        properties={
            "kind": item.kind,
            "module": item.module,
            "method": item.method,
            "url_path": item.path,
            "parameter": item.parameter,
            "request": item.request,
            "curl": item.curl,
            "payloads": payloads,
        },
    )
