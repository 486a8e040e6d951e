"""The history store: one small interface, SQLite by default (``.baseline/history.db``).

Tables use portable SQL (TEXT, INTEGER, no SQLite-only types) so that a PostgreSQL backend can
implement the same interface for an organisation's portfolio. Component monitoring keeps one row
per check of a stored SBOM and one row per advisory seen in it (tables prefixed ``component_``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Protocol

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS component_checks ("
    " id INTEGER PRIMARY KEY, sbom_key TEXT NOT NULL, checked_at TEXT NOT NULL,"
    " data_source TEXT NOT NULL, data_date TEXT, components INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS component_advisories ("
    " check_id INTEGER NOT NULL REFERENCES component_checks(id), purl TEXT NOT NULL,"
    " advisory TEXT NOT NULL, severity TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS component_checks_key ON component_checks (sbom_key, id)",
)


class ComponentStore(Protocol):
    """What component monitoring needs from a store."""

    def last_advisories(self, sbom_key: str) -> set[tuple[str, str]] | None:
        """(purl, advisory) pairs of the last check of this SBOM, or None when it was never checked."""
        ...

    def record_check(
        self, sbom_key: str, checked_at: str, data_source: str, data_date: str | None, components: int,
        advisories: Iterable[tuple[str, str, str]],
    ) -> None:
        """Store one check: (purl, advisory, severity) rows."""
        ...


class SQLiteStore:
    """The default store: a SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(str(path))
        for statement in SCHEMA:
            self.connection.execute(statement)
        self.connection.commit()

    def last_advisories(self, sbom_key: str) -> set[tuple[str, str]] | None:
        """See ComponentStore."""
        row = self.connection.execute(
            "SELECT id FROM component_checks WHERE sbom_key = ? ORDER BY id DESC LIMIT 1", (sbom_key,)
        ).fetchone()
        if row is None:
            return None
        rows = self.connection.execute("SELECT purl, advisory FROM component_advisories WHERE check_id = ?", (row[0],))
        return {(purl, advisory) for purl, advisory in rows}

    def record_check(
        self, sbom_key: str, checked_at: str, data_source: str, data_date: str | None, components: int,
        advisories: Iterable[tuple[str, str, str]],
    ) -> None:
        """See ComponentStore."""
        with self.connection:
            cursor = self.connection.execute(
                "INSERT INTO component_checks (sbom_key, checked_at, data_source, data_date, components) VALUES (?, ?, ?, ?, ?)",
                (sbom_key, checked_at, data_source, data_date, components),
            )
            self.connection.executemany(
                "INSERT INTO component_advisories (check_id, purl, advisory, severity) VALUES (?, ?, ?, ?)",
                [(cursor.lastrowid, purl, advisory, severity) for purl, advisory, severity in advisories],
            )

    def close(self) -> None:
        """Close the database."""
        self.connection.close()
