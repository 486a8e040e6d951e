"""``baseline components monitor SBOM``: re-check a stored CycloneDX SBOM and report what is new."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from baseline import exitcodes, state
from baseline.console import safe
from baseline.errors import UsageError


def install(subparsers: Any) -> None:
    """Add ``baseline components monitor``."""
    parser = subparsers.add_parser("components", help="work with SBOMs of included components")
    actions = parser.add_subparsers(dest="components_action", metavar="ACTION")
    monitor = actions.add_parser("monitor", help="re-check a stored CycloneDX SBOM against current advisory data")
    monitor.add_argument("sbom", help="a CycloneDX JSON SBOM (ours or any tool's)")
    monitor.add_argument("--osv-db", required=True, help="local OSV database: a folder of OSV records or an osv.dev all.zip")
    monitor.add_argument("--db", default=None, help="history database (default: monitor.db in the user's data folder)")
    monitor.add_argument("--fail-on-new", action="store_true", help="exit 1 when an advisory appeared since the last check")
    monitor.set_defaults(handler=_monitor)
    parser.set_defaults(handler=lambda args: (parser.print_help(), exitcodes.USAGE_ERROR)[1])


def pypi_components(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(purl, name, version) of every pinned PyPI component of a CycloneDX document."""
    out = []
    for component in document.get("components") or []:
        purl = str(component.get("purl") or "")
        if not purl.startswith("pkg:pypi/") or "@" not in purl:
            continue
        name, version = purl[len("pkg:pypi/") :].split("?", 1)[0].split("@", 1)
        out.append((purl.split("?", 1)[0], name, version))
    return out


def _monitor(args: argparse.Namespace) -> int:
    # The subsystem is imported when the command runs, not when the CLI builds its parser (a scan never loads it).
    from baseline.runner import now_iso
    from baseline.store import SQLiteStore
    from baseline.tools.osv import load_database

    path = Path(args.sbom)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{args.sbom}: not a readable JSON SBOM: {exc}") from None
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise UsageError(f"{args.sbom}: not a CycloneDX SBOM")
    try:
        database = load_database(args.osv_db)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    components = pypi_components(document)
    current = {
        (purl, advisory.id, advisory.severity.value)
        for purl, name, version in components
        for advisory in database.match(name, version)
    }
    key = str(path.resolve())
    db = Path(args.db) if args.db else state.data_home() / "monitor.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    store = SQLiteStore(db)
    try:
        previous = store.last_advisories(key)
        store.record_check(key, now_iso(), database.info.source, database.info.newest_modified, len(components), sorted(current))
    finally:
        store.close()
    console = Console()
    info = database.info
    console.print(
        f"{path.name}: {len(components)} PyPI components checked against {info.source} "
        f"({info.records} records, newest modified {info.newest_modified})",
        highlight=False,
    )
    pairs = {(purl, advisory) for purl, advisory, _ in current}
    if previous is None:
        console.print(f"first check: {len(pairs)} known advisories recorded", highlight=False)
        new: set[tuple[str, str]] = set()
    else:
        new = pairs - previous
        gone = previous - pairs
        console.print(f"since the last check: {len(new)} new, {len(gone)} no longer reported, {len(pairs & previous)} unchanged", highlight=False)
        for purl, advisory in sorted(new):
            console.print(f"  NEW {safe(advisory)} affects {safe(purl)}", highlight=False)
        for purl, advisory in sorted(gone):
            console.print(f"  gone {safe(advisory)} ({safe(purl)})", highlight=False)
    return exitcodes.GATE_FAILED if new and args.fail_on_new else exitcodes.OK
