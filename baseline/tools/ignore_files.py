"""The project's own ignore lists for known vulnerabilities, read as VEX statements.

- ``osv-scanner.toml`` (anywhere in the tree): ``[[IgnoredVulns]]`` with ``id``, ``reason`` and an
  optional ``ignoreUntil`` date, and ``[[PackageOverrides]]`` with ``ignore = true`` for a package.
- pip-audit has no configuration file: its ignores are ``--ignore-vuln ID`` arguments, written in
  the project's pre-commit configuration or CI workflows. They are read from there; a comment on the
  same line is taken as the reason.

An entry with a reason becomes a ``not_affected`` statement whose justification says where it came
from, so that the report shows it as the project's own triage. An entry without a reason, or one
whose ``ignoreUntil`` has passed, is not applied: it is returned as a problem (a finding), because
an ignore nobody can explain is exactly what an auditor has to see.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

from baseline.parsing import toml_loads
from baseline.tools.vex import VexStatement

_IGNORE_VULN = re.compile(r"""--ignore-vuln(?:=|[\s,'"]+)['"]?([A-Za-z0-9][A-Za-z0-9._:-]*)""")
_CI_FILES = (".pre-commit-config.yaml", ".pre-commit-config.yml", "tox.ini", "noxfile.py", "Makefile", ".gitlab-ci.yml")


def _today() -> _dt.date:
    return _dt.datetime.now(_dt.timezone.utc).date()


def _as_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def read_osv_scanner(path: Path, root: Path) -> tuple[list[VexStatement], list[str]]:
    """Statements and problems of one osv-scanner.toml."""
    relative = path.relative_to(root).as_posix()
    try:
        data = toml_loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return [], [f"{relative}: cannot read: {exc}"]
    statements: list[VexStatement] = []
    problems: list[str] = []
    ignored = data.get("IgnoredVulns", []) if isinstance(data, dict) else []
    for index, entry in enumerate(ignored if isinstance(ignored, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            problems.append(f"{relative}: IgnoredVulns[{index}] has no id: not applied")
            continue
        vuln_id = entry["id"].strip()
        reason = str(entry.get("reason") or "").strip()
        until = _as_date(entry.get("ignoreUntil"))
        if entry.get("ignoreUntil") is not None and until is None:
            problems.append(f"{relative}: ignore of {vuln_id} has an unreadable ignoreUntil: not applied")
            continue
        if until is not None and until < _today():
            problems.append(f"{relative}: ignore of {vuln_id} expired on {until.isoformat()}: not applied")
            continue
        if not reason:
            problems.append(f"{relative}: ignore of {vuln_id} gives no reason: not applied")
            continue
        statements.append(VexStatement(vuln_id, "not_affected", f"ignored in {relative}: {reason}", (), relative))
    overrides = data.get("PackageOverrides", []) if isinstance(data, dict) else []
    for index, entry in enumerate(overrides if isinstance(overrides, list) else []):
        if not isinstance(entry, dict) or entry.get("ignore") is not True:
            continue
        name = entry.get("name")
        ecosystem = str(entry.get("ecosystem") or "PyPI")
        if not isinstance(name, str) or ecosystem.lower() != "pypi":
            continue
        problems.append(
            f"{relative}: PackageOverrides[{index}] ignores every advisory of {name}"
            + (f" ({entry['reason']})" if entry.get("reason") else " with no reason")
            + ": a whole-package ignore is not applied; list the advisories in IgnoredVulns"
        )
    return statements, problems


def read_pip_audit_ignores(path: Path, root: Path) -> tuple[list[VexStatement], list[str]]:
    """``--ignore-vuln`` arguments of a CI or task file: a statement per id with a reason, a problem otherwise."""
    relative = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [], [f"{relative}: cannot read: {exc}"]
    statements: list[VexStatement] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "--ignore-vuln" not in line:
            continue
        _code, hash_sign, comment = line.partition("#")
        reason = comment.strip() if hash_sign else ""
        for match in _IGNORE_VULN.finditer(_code):
            vuln_id = match.group(1)
            if reason:
                statements.append(VexStatement(vuln_id, "not_affected", f"pip-audit ignore in {relative}:{number}: {reason}", (), relative))
            else:
                problems.append(f"{relative}:{number}: pip-audit ignores {vuln_id} with no reason (add a comment on the line): not applied")
    return statements, problems


def read_ignore_files(root: Path) -> tuple[list[VexStatement], list[str]]:
    """Every ignore list of the project, as statements, and the entries that could not be applied."""
    from baseline.target import iter_files

    statements: list[VexStatement] = []
    problems: list[str] = []
    workflow_dirs = {root / ".github" / "workflows"}
    for path in iter_files(root):
        if path.name == "osv-scanner.toml":
            found, trouble = read_osv_scanner(path, root)
        elif (path.parent == root and path.name in _CI_FILES) or (path.parent in workflow_dirs and path.suffix in (".yml", ".yaml")):
            found, trouble = read_pip_audit_ignores(path, root)
        else:
            continue
        statements.extend(found)
        problems.extend(trouble)
    return statements, problems

