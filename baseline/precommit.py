"""``baseline-precommit FILE...``: the fast pre-commit hook on staged files only.

Runs bandit (static analysis, through the sandbox) and the toolkit's own secrets detector (the one
behind T04) on the files pre-commit passes, and fails on any bandit finding of medium severity or
worse, any file bandit could not parse, and any secret that is not allowed inline with a reason.
Secret values are never printed (only rule, place and redacted form). The full checks with scores
and evidence stay in ``baseline scan``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Sequence

from baseline import sandbox
from baseline.tools.secrets.engine import scan_blob

_LIMITS = sandbox.Limits(timeout_s=120)


def run_bandit(files: Sequence[str]) -> tuple[list[str], list[str]]:
    """(findings of medium or worse, problems) of bandit on the Python files."""
    python_files = [name for name in files if name.endswith(".py")]
    if not python_files:
        return [], []
    result = sandbox.run([sys.executable, "-m", "bandit", "-q", "-f", "json", *python_files], cwd=Path.cwd(), limits=_LIMITS)
    if result.start_error or result.timed_out or result.exit_code not in (0, 1):
        return [], [f"bandit did not run: {result.describe()}: {result.stderr_tail(5)}"]
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [], [f"bandit gave no JSON ({result.describe()}): {result.stderr_tail(5)}"]
    findings = [
        f"{item['filename']}:{item['line_number']}: [{item['issue_severity'].lower()}] {item['test_id']} {item['issue_text']}"
        for item in data.get("results", [])
        if item.get("issue_severity", "").upper() in ("MEDIUM", "HIGH", "CRITICAL")
    ]
    problems = [f"bandit could not analyse {item.get('filename')}: {item.get('reason')}" for item in data.get("errors", [])]
    return findings, problems


MAX_SECRET_SCAN_BYTES = 2 * 1024 * 1024


def run_secrets(files: Sequence[str]) -> tuple[list[str], list[str]]:
    """(secrets found, problems) of the toolkit's own detector on the files; values are redacted."""
    found: list[str] = []
    problems: list[str] = []
    for name in sorted(files):
        try:
            with open(name, "rb") as handle:
                data = handle.read(MAX_SECRET_SCAN_BYTES + 1)
        except OSError as exc:
            problems.append(f"{name}: unreadable: {exc.strerror or exc}")
            continue
        if len(data) > MAX_SECRET_SCAN_BYTES:
            problems.append(f"{name}: over {MAX_SECRET_SCAN_BYTES // (1024 * 1024)} MiB; not reviewed for secrets")
            continue
        detections, _skipped = scan_blob(data, name)
        for detection in detections:
            if detection.allow_reason:
                continue
            found.append(f"{name}:{detection.start_line}: possible secret ({detection.rule_id}): {detection.redacted}")
    return found, problems


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 1 when anything blocks the commit, 0 otherwise."""
    files = [name for name in (sys.argv[1:] if argv is None else argv) if Path(name).is_file()]
    bandit_findings, bandit_problems = run_bandit(files)
    secrets, secret_problems = run_secrets(files)
    for line in bandit_findings + secrets + bandit_problems + secret_problems:
        print(line)
    return 1 if (bandit_findings or secrets or bandit_problems or secret_problems) else 0


if __name__ == "__main__":
    raise SystemExit(main())
