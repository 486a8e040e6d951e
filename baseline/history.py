"""Scan history in SQLite (``.baseline/history.db``): score, outcomes and fingerprints per scan.

Tables are prefixed ``scan_`` (other stores share the file with their own prefixes). Only the
standard library's sqlite3 is used; every write is one transaction.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from baseline.model import Report

SCHEMA = """
CREATE TABLE IF NOT EXISTS scan_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    target TEXT NOT NULL,
    commit_id TEXT,
    tree_digest TEXT NOT NULL,
    trust_score REAL NOT NULL,
    gate_passed INTEGER NOT NULL,
    tool_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scan_outcomes (
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    check_id TEXT NOT NULL,
    technique TEXT NOT NULL,
    outcome TEXT NOT NULL,
    score REAL,
    PRIMARY KEY (run_id, check_id)
);
CREATE TABLE IF NOT EXISTS scan_findings (
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT,
    suppressed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS scan_findings_run ON scan_findings(run_id);
"""


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded scan, as shown by ``baseline history``."""

    run_id: int
    started: str
    commit: str | None
    trust_score: float
    gate_passed: bool
    open_findings: int
    suppressed_findings: int
    outcomes: dict[str, str]


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) the history database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), timeout=30)
    connection.executescript(SCHEMA)
    return connection


def record_scan(path: Path, report: Report) -> int:
    """Store one scan; returns its run id."""
    with closing(connect(path)) as db, db:
        cursor = db.execute(
            "INSERT INTO scan_runs (started, finished, target, commit_id, tree_digest, trust_score, gate_passed, tool_version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (report.started, report.finished, report.target.name, report.target.commit, report.target.tree_digest,
             report.breakdown.trust_score, int(report.gate.passed), report.tool_version),
        )
        run_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO scan_outcomes VALUES (?, ?, ?, ?, ?)",
            [(run_id, r.spec.id, r.spec.technique, r.outcome.value, r.score) for r in report.results],
        )
        db.executemany(
            "INSERT INTO scan_findings VALUES (?, ?, ?, ?, ?, ?)",
            [
                (run_id, f.fingerprint, f.rule_id, f.severity.value, f.location.path if f.location else None, int(f.suppressed))
                for r in report.results
                for f in r.findings
            ],
        )
    return run_id


def load_history(path: Path, limit: int = 20) -> list[HistoryEntry]:
    """The last ``limit`` scans, oldest first."""
    if not path.is_file():
        return []
    with closing(connect(path)) as db:
        runs = db.execute(
            "SELECT id, started, commit_id, trust_score, gate_passed FROM scan_runs ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        entries = []
        for run_id, started, commit, score, passed in reversed(runs):
            counts = dict(db.execute("SELECT suppressed, COUNT(*) FROM scan_findings WHERE run_id = ? GROUP BY suppressed", (run_id,)).fetchall())
            outcomes = dict(db.execute("SELECT check_id, outcome FROM scan_outcomes WHERE run_id = ? ORDER BY check_id", (run_id,)).fetchall())
            entries.append(HistoryEntry(run_id, started, commit, float(score), bool(passed), counts.get(0, 0), counts.get(1, 0), outcomes))
    return entries
