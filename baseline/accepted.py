"""Accepted findings: ``.baseline/accepted.toml``, written by ``baseline accept``.

Each entry names one finding by its fingerprint (``<hash>:<occurrence>``, see fingerprint.py) plus
its rule and path for readers, and carries a required reason and owner and an optional expiry
date. Matching counts occurrences: the entries of one base hash accept at most that many findings
of that hash (in occurrence order), so accepting one of two identical findings never hides the
second. An expired entry stops suppressing and is reported as a problem. The file holds no
timestamps and no line numbers and is written sorted, so it only changes when an entry does.
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from baseline.errors import ConfigError
from baseline.model import CheckResult, Finding, GateVerdict, Problem, Severity, Suppression
from baseline.parsing import toml_loads

KIND = "accepted"
HEADER = (
    "# Accepted findings (baseline accept). One [[accepted]] table per finding occurrence.\n"
    "# Keys: fingerprint, rule, path, reason (required), owner (required), expires (optional, YYYY-MM-DD).\n"
)


@dataclass(frozen=True)
class AcceptedEntry:
    """One accepted finding occurrence."""

    fingerprint: str
    rule: str
    path: str
    reason: str
    owner: str
    expires: str | None = None

    @property
    def base(self) -> str:
        """The fingerprint without its occurrence index."""
        return self.fingerprint.split(":", 1)[0]

    @property
    def occurrence(self) -> int:
        """The occurrence index of the fingerprint (0 when absent)."""
        _, _, tail = self.fingerprint.partition(":")
        return int(tail) if tail.isascii() and tail.isdigit() and len(tail) <= 18 else 0

    def expired(self, today: _dt.date) -> bool:
        """True once the expiry date has passed (the entry is valid through that day)."""
        return self.expires is not None and _dt.date.fromisoformat(self.expires) < today


def parse_date(text: str, where: str) -> str:
    """Validate an ISO date (YYYY-MM-DD) and return it normalised."""
    try:
        return _dt.date.fromisoformat(str(text)).isoformat()
    except ValueError:
        raise ConfigError(f"{where}: expires must be a date YYYY-MM-DD, got {text!r}") from None


def load_accepted(path: Path) -> tuple[AcceptedEntry, ...]:
    """Read the accepted-findings file; an absent file is an empty list, a bad one a ConfigError."""
    if not path.is_file():
        return ()
    try:
        data = toml_loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read accepted findings: {exc}") from None
    listed = data.get("accepted", [])
    if not isinstance(listed, list):
        raise ConfigError(f"{path.name}: 'accepted' must be a list of [[accepted]] tables")
    entries: list[AcceptedEntry] = []
    for index, raw in enumerate(listed):
        where = f"{path.name} entry {index + 1}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a table")
        unknown = set(raw) - {"fingerprint", "rule", "path", "reason", "owner", "expires"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("fingerprint", "reason", "owner"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ConfigError(f"{where}: '{key}' is required")
        expires = raw.get("expires")
        if isinstance(expires, _dt.date):
            expires = expires.isoformat()
        entries.append(
            AcceptedEntry(
                fingerprint=raw["fingerprint"].strip(),
                rule=str(raw.get("rule", "")),
                path=str(raw.get("path", "")),
                reason=raw["reason"].strip(),
                owner=raw["owner"].strip(),
                expires=parse_date(expires, where) if expires is not None else None,
            )
        )
    return tuple(entries)


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _quote(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest as is.

    (JSON escaping is not TOML: it writes characters beyond U+FFFF as surrogate pairs and leaves
    DEL raw, and TOML rejects both.)
    """
    out = []
    for char in text:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def dump_accepted(entries: Iterable[AcceptedEntry]) -> str:
    """Render entries as TOML, sorted by path, rule and fingerprint (stable, merge-friendly)."""
    lines = [HEADER]
    for entry in sorted(set(entries), key=lambda e: (e.path, e.rule, e.base, e.occurrence)):
        lines.append("\n[[accepted]]\n")
        lines.append(f"fingerprint = {_quote(entry.fingerprint)}\n")
        lines.append(f"rule = {_quote(entry.rule)}\n")
        lines.append(f"path = {_quote(entry.path)}\n")
        lines.append(f"reason = {_quote(entry.reason)}\n")
        lines.append(f"owner = {_quote(entry.owner)}\n")
        if entry.expires:
            lines.append(f"expires = {entry.expires}\n")
    return "".join(lines)


def entry_for(finding: Finding, reason: str, owner: str, expires: str | None) -> AcceptedEntry:
    """The accepted entry that accepts exactly this finding occurrence."""
    if not finding.fingerprint:
        raise ConfigError(f"finding {finding.rule_id} has no fingerprint; it cannot be accepted")
    return AcceptedEntry(
        fingerprint=finding.fingerprint,
        rule=finding.rule_id,
        path=finding.location.path if finding.location else "",
        reason=reason,
        owner=owner,
        expires=expires,
    )


def _occurrence(finding: Finding) -> int:
    _, _, tail = finding.fingerprint.partition(":")
    return int(tail) if tail.isdigit() else 0


def apply_accepted(
    results: Sequence[CheckResult], entries: Sequence[AcceptedEntry], today: _dt.date | None = None
) -> tuple[tuple[CheckResult, ...], tuple[Problem, ...]]:
    """Suppress accepted findings, counting occurrences; report expired and unused entries."""
    today = today or _dt.date.today()
    by_base: dict[str, list[AcceptedEntry]] = {}
    for entry in entries:
        by_base.setdefault(entry.base, []).append(entry)
    for group in by_base.values():
        group.sort(key=lambda e: e.occurrence)
    # Findings of one base hash across all results, in occurrence order.
    slots: dict[str, list[tuple[int, int]]] = {}
    for r_index, result in enumerate(results):
        for f_index, finding in enumerate(result.findings):
            if finding.fingerprint and not finding.suppressed:
                slots.setdefault(finding.fingerprint.split(":", 1)[0], []).append((r_index, f_index))
    new_findings = [list(result.findings) for result in results]
    problems: list[Problem] = []
    for base, group in sorted(by_base.items()):
        found = sorted(slots.get(base, []), key=lambda rf: _occurrence(results[rf[0]].findings[rf[1]]))
        for entry, slot in zip(group, found):
            r_index, f_index = slot
            finding = new_findings[r_index][f_index]
            if entry.expired(today):
                props = dict(finding.properties)
                props["acceptance_expired"] = entry.expires
                new_findings[r_index][f_index] = replace(finding, properties=props)
                problems.append(
                    Problem(
                        kind="accepted-expired",
                        subject=entry.fingerprint,
                        message=f"acceptance of {entry.rule} in {entry.path or '(no path)'} by {entry.owner} "
                        f"expired on {entry.expires}; the finding counts again",
                    )
                )
                continue
            suppression = Suppression(kind=KIND, reason=entry.reason, owner=entry.owner, expires=entry.expires)
            new_findings[r_index][f_index] = replace(finding, suppression=suppression)
        for entry in group[len(found):]:
            problems.append(
                Problem(
                    kind="accepted-unused",
                    subject=entry.fingerprint,
                    message=f"accepted {entry.rule} in {entry.path or '(no path)'} matches no current finding "
                    "(fixed?); remove the entry",
                )
            )
    out = tuple(replace(result, findings=tuple(new_findings[index])) for index, result in enumerate(results))
    return out, tuple(problems)


def load_and_apply(
    results: Sequence[CheckResult], root: Path, accepted_file: str
) -> tuple[tuple[CheckResult, ...], tuple[Problem, ...]]:
    """Apply the target's accepted-findings file (relative to ``root``) to the results."""
    path = Path(accepted_file)
    entries = load_accepted(path if path.is_absolute() else root / path)
    if not entries:
        return tuple(results), ()
    return apply_accepted(results, entries)


def new_findings(results: Sequence[CheckResult], minimum: Severity = Severity.LOW) -> list[Finding]:
    """Findings that are neither accepted nor otherwise suppressed, at ``minimum`` or worse."""
    return [
        finding
        for result in results
        for finding in result.findings
        if not finding.suppressed and finding.severity.at_least(minimum)
    ]


def apply_new_only(gate: GateVerdict, results: Sequence[CheckResult], new_only: bool) -> GateVerdict:
    """With ``new_only``, every finding that is not accepted (low or worse) fails the gate."""
    if not new_only:
        return gate
    fresh = new_findings(results)
    if not fresh:
        return replace(gate, policy={**gate.policy, "new_only": True})
    reason = f"{len(fresh)} finding(s) not accepted (new_only: every new finding from low up fails)"
    return replace(gate, passed=False, reasons=gate.reasons + (reason,), policy={**gate.policy, "new_only": True})
