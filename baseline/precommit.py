"""``baseline-precommit FILE...``: the fast pre-commit hook on staged files only.

Runs bandit (static analysis, through the sandbox) and the toolkit's own secrets detector (the one
behind T04) on the files pre-commit passes, and fails on any bandit finding at the project's
``static.fail_on`` severity or worse, any file bandit could not parse, and any secret that is not
allowed. The project's ``[tool.baseline]`` applies as in a scan: ``exclude`` and
``static.exclude`` skip files, ``secrets.allow`` accepts secrets (path glob or sha256 prefix, with
a reason), and inline ``# baseline: allow-secret -- reason`` and bandit's ``# nosec`` work too. A
blocked commit ends with how to accept a false positive. Secret values are never printed (only
rule, place, redacted form and fingerprint). The full checks with scores and evidence stay in
``baseline scan``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Sequence

from baseline import sandbox
from baseline.config import Config, load_config
from baseline.errors import BaselineError
from baseline.reports.text import printable
from baseline.target import excluded
from baseline.tools.secrets.allowlist import AllowEntry, first_match, parse_entries
from baseline.tools.secrets.engine import scan_blob

_LIMITS = sandbox.Limits(timeout_s=120)
_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4, "none": 99}

HOW_TO_ALLOW = """How to accept a false positive (each needs a reason a reviewer can read):
  - a secret: '# baseline: allow-secret -- <reason>' at the end of its line, or an entry in
    pyproject.toml [tool.baseline.secrets] allow = ["<path glob> -- <reason>"] or
    ["sha256:<the fingerprint printed above> -- <reason>"]
  - a bandit finding: '# nosec <test id> -- <reason>' on its line, or the path in
    [tool.baseline.static] exclude; the severity that blocks is [tool.baseline.static] fail_on"""


def run_bandit(files: Sequence[str], fail_on: str = "medium") -> tuple[list[str], list[str]]:
    """(findings at ``fail_on`` or worse, problems) of bandit on the Python files."""
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
        if _RANK.get(str(item.get("issue_severity", "")).lower(), 0) >= _RANK.get(fail_on, 2)
    ]
    problems = [f"bandit could not analyse {item.get('filename')}: {item.get('reason')}" for item in data.get("errors", [])]
    return findings, problems


MAX_SECRET_SCAN_BYTES = 2 * 1024 * 1024


def run_secrets(files: Sequence[str], allow: Sequence[AllowEntry] = ()) -> tuple[list[str], list[str]]:
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
            if detection.allow_reason or first_match(allow, Path(name).as_posix(), detection.secret_sha256):
                continue
            found.append(
                f"{name}:{detection.start_line}: possible secret ({detection.rule_id}): {detection.redacted} "
                f"[fingerprint sha256:{detection.secret_sha256[:12]}]"
            )
    return found, problems


def project_config(root: Path) -> Config:
    """The project's configuration, as a scan of ``root`` reads it."""
    return load_config(root, {}, None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 1 when anything blocks the commit, 0 otherwise."""
    root = Path.cwd()  # pre-commit runs hooks from the repository's root
    try:
        config = project_config(root)
    except BaselineError as exc:
        print(f"baseline-precommit: {printable(exc)}")
        return 1
    exclude = list(config.get("exclude"))
    static_exclude = exclude + list(config.get("static.exclude"))
    files = [name for name in (sys.argv[1:] if argv is None else argv) if Path(name).is_file() and not excluded(Path(name).as_posix(), exclude)]
    allow, allow_problems = parse_entries(config.get("secrets.allow"))
    python_files = [name for name in files if not excluded(Path(name).as_posix(), static_exclude)]
    bandit_findings, bandit_problems = run_bandit(python_files, str(config.get("static.fail_on")))
    secrets, secret_problems = run_secrets(files, allow)
    blocking = bandit_findings + secrets + bandit_problems + secret_problems
    for line in blocking + [f"note: [tool.baseline.secrets] {problem}" for problem in allow_problems]:
        print(printable(line))
    if bandit_findings or secrets:
        print(HOW_TO_ALLOW)
    return 1 if blocking else 0


if __name__ == "__main__":
    raise SystemExit(main())
