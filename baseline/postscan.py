"""What ``baseline scan`` does after the report is built: write the evidence bundle, record history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.console import Console

from baseline import state
from baseline.accepted import load_accepted
from baseline.catalog import default_catalog_text
from baseline.config import Config
from baseline.console import safe
from baseline.errors import UsageError
from baseline.model import Report


def catalog_text(config: Config) -> str | None:
    """The text of the catalog the scan used (it goes into the bundle)."""
    path = config.get("catalog")
    if path is None:
        return default_catalog_text()[0]
    try:
        return Path(str(path)).read_text(encoding="utf-8")
    except OSError:
        return None


def accepted_bytes(config: Config, root: Path) -> bytes | None:
    """The accepted-findings file the scan applied (it goes into the bundle, so a verifier sees it)."""
    accepted = Path(str(config.get("accepted_file")))
    try:
        return (accepted if accepted.is_absolute() else root / accepted).read_bytes()
    except OSError:
        return None


def check_options(config: Config, root: Path) -> None:
    """Fail before the scan on a bad accepted-findings file, --sign without --bundle or a bad key."""
    accepted = Path(str(config.get("accepted_file")))
    load_accepted(accepted if accepted.is_absolute() else root / accepted)
    if config.get("sign") and not config.get("bundle"):
        raise UsageError("--sign needs --bundle FILE")
    if config.get("bundle"):
        try:  # bundles and signing load cryptography only when asked for: say so before the scan, not after
            from baseline.bundle import load_private_key
        except ModuleNotFoundError as exc:
            raise UsageError(f"--bundle needs the 'report' extra ({exc.name} is not installed): pip install 'baseline-verify[report]'") from None
        if config.get("sign"):
            load_private_key(str(config.get("sign")))


def finish_scan(report: Report, root: Path, config: Config, console: Console) -> None:
    """Write the bundle (when asked) and record the scan in the history database (when enabled)."""
    bundle_path = config.get("bundle")
    if bundle_path:
        from baseline.bundle import load_private_key, write_bundle

        key = load_private_key(str(config.get("sign"))) if config.get("sign") else None
        written = write_bundle(report, Path(str(bundle_path)), key=key, catalog_text=catalog_text(config), accepted_bytes=accepted_bytes(config, root))
        signing = f"signed, key id {written.key_id}" if written.signed else "unsigned: 'baseline verify' will not accept it"
        console.print(f"evidence bundle ({signing}, {len(written.members)} files): {safe(written.path)}", highlight=False)
        for missing in written.missing_artifacts:
            console.print(f"[yellow]warning:[/] artifact {safe(missing)} no longer exists; not in the bundle", highlight=False)
    if config.get("history"):
        from baseline.history import record_scan

        db = state.history_db(root, config.get("history_db"))
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
            record_scan(db, report)
        except (OSError, sqlite3.Error) as exc:  # a read-only target must not fail the scan
            console.print(f"[yellow]warning:[/] history not recorded: {safe(exc)}", highlight=False)
