"""The semgrep adapter: run semgrep strictly offline with our own rule pack and parse its JSON.

Offline means: a local ``--config`` only, ``--metrics=off``, ``--disable-version-check`` and
``SEMGREP_ENABLE_VERSION_CHECK=0`` (otherwise every scan stalls on a version check), and HOME
pointed at a scratch folder (semgrep writes ``~/.semgrep``). Targets are passed explicitly, so
semgrep's default ignore list (which skips ``tests/``) does not decide what is scanned.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from baseline import sandbox
from baseline.model import Artifact, Evidence, Provenance
from baseline.parsing import json_loads
from baseline.target import file_sha256
from baseline.tools.static_common import (
    OWASP_BY_CWE,
    FileNote,
    RawFinding,
    ToolRun,
    find_executable,
    line_number,
    package_version,
    parse_confidence,
    parse_cwe,
    parse_severity,
    relative_path,
    report_list,
    report_object,
)

TOOL = "semgrep"
RULE_PACK_VERSION = "1.0.0"
# semgrep's error types that mean "this file was not (fully) analysed".
_FILE_ERROR_WORDS = ("syntax", "lexical", "parse", "partial", "timeout", "out of memory", "too many", "too big", "skipped")


def rules_dir() -> Path:
    """The folder of our shipped rule pack (``baseline/checks/rules``)."""
    return Path(str(resources.files("baseline.checks") / "rules"))


def rule_files(folder: Path | None = None) -> list[Path]:
    """The rule files of the pack, sorted."""
    base = folder or rules_dir()
    return sorted(path for path in base.glob("*.yaml") if path.is_file())


def rule_pack_digest(folder: Path | None = None) -> str:
    """SHA-256 over the pack's rule files (names and bytes), for the evidence and the cache key."""
    digest = hashlib.sha256()
    for path in rule_files(folder):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


_RULE_CWE = re.compile(r"^\s*-\s*[\"']?CWE-(\d+):", re.MULTILINE)


def rule_pack_cwes(folder: Path | None = None) -> frozenset[int]:
    """The CWEs the pack has rules for (from each rule's ``metadata.cwe``)."""
    found: set[int] = set()
    for path in rule_files(folder):
        found.update(int(number) for number in _RULE_CWE.findall(path.read_text(encoding="utf-8")))
    return frozenset(found)


def offline_environment(scratch: Path) -> dict[str, str]:
    """Environment variables that keep semgrep offline and out of the user's home folder."""
    home = scratch / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        "SEMGREP_USER_AGENT_APPEND": "baseline",
    }


def semgrep_argv(executable: str, config: Path, output: Path, files: Sequence[str], max_target_bytes: int) -> list[str]:
    """The offline command line."""
    return [
        executable, "scan", "--config", str(config), "--json", "--output", str(output), "--metrics=off",
        "--disable-version-check", "--disable-nosem", "--quiet", "--timeout", "30",
        "--max-target-bytes", str(max_target_bytes), *files,
    ]


def run_semgrep(
    files: Sequence[str], *, root: Path, work_dir: Path, timeout_s: float, max_target_bytes: int, config: Path | None = None
) -> ToolRun:
    """Run semgrep over ``files`` (absolute paths) with the rule pack; never raises for tool failures."""
    version = package_version("semgrep")
    if not files:
        return ToolRun(TOOL, "cached", "every file was answered from the cache", version, 0)
    executable = find_executable("semgrep")
    if executable is None or version is None:
        return ToolRun(TOOL, "error", "semgrep is not installed (pip install 'baseline-verify[static]')", version, len(files),
                       evidence=Evidence(Provenance.EXECUTED, "semgrep is not installed", tool=TOOL))
    config = config or rules_dir()
    output = work_dir / "semgrep.json"
    output.unlink(missing_ok=True)
    argv = semgrep_argv(executable, config, output, files, max_target_bytes)
    # semgrep parses hostile files: confined, on the scratch copy of the project.
    process = sandbox.run(
        argv, cwd=root, limits=sandbox.Limits(timeout_s=timeout_s), extra_env=offline_environment(work_dir),
        confine=sandbox.Confine(project=root, readable=(config,), writable=(work_dir,)),
    )
    artifacts = (Artifact(str(output), file_sha256(output), "application/json"),) if output.is_file() else ()
    evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"semgrep {version} (offline) scanned {len(files)} Python files with the baseline rule pack {RULE_PACK_VERSION}",
        tool=TOOL,
        tool_version=version,
        argv=tuple(argv[:16]) + ((f"... {len(argv) - 16} more files",) if len(argv) > 16 else ()),
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        input_digests={"rule_pack": rule_pack_digest(config)},
        data_version=RULE_PACK_VERSION,
        artifacts=artifacts,
        stderr_tail=process.stderr_tail() if not process.ok else None,
    )
    if process.start_error or process.timed_out or process.signal_name or process.exit_code not in (0, 1):
        return ToolRun(TOOL, "error", f"semgrep failed: {process.describe()}: {process.stderr_tail(5)}", version, len(files), evidence=evidence)
    try:
        data = json_loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return ToolRun(TOOL, "error", f"semgrep wrote no readable report ({process.describe()}): {exc}", version, len(files), evidence=evidence)
    try:
        findings, notes, fatal = parse_semgrep_report(data, root)
    except ValueError as exc:
        return ToolRun(TOOL, "error", f"semgrep wrote a report this adapter cannot read ({process.describe()}): {exc}", version, len(files), evidence=evidence)
    if fatal:
        return ToolRun(TOOL, "error", "semgrep reported rule errors: " + "; ".join(fatal[:3]), version, len(files), findings, notes, evidence)
    return ToolRun(TOOL, "ok", f"{len(findings)} results, {len(notes)} files not fully analysed", version, len(files), findings, notes, evidence)


def short_rule_id(check_id: str) -> str:
    """semgrep prefixes rule ids with the config folder's dotted path; our ids have no dots."""
    return check_id.rsplit(".", 1)[-1]


def semgrep_finding(item: dict[str, Any], root: Path, where: str = "result") -> RawFinding:
    """One semgrep result as a RawFinding (severity and CWE from our rule metadata).

    Raises ValueError when the result does not have the shape of semgrep's JSON output.
    """
    item = dict(report_object(item, where))
    extra = report_object(item.get("extra"), f"{where}.extra")
    metadata = report_object(extra.get("metadata"), f"{where}.extra.metadata")
    cwes = parse_cwe(metadata.get("cwe"))
    owasp = metadata.get("owasp") or [OWASP_BY_CWE[c] for c in cwes if c in OWASP_BY_CWE]
    start = line_number(report_object(item.get("start"), f"{where}.start").get("line"), 1, f"{where}.start.line")
    end = line_number(report_object(item.get("end"), f"{where}.end").get("line"), start, f"{where}.end.line")
    return RawFinding(
        tool=TOOL,
        rule_id=short_rule_id(str(item.get("check_id", "unknown"))),
        path=relative_path(str(item.get("path", "")), root),
        start_line=start,
        end_line=max(start, end),
        severity=parse_severity(metadata.get("baseline_severity") or extra.get("severity")),
        confidence=parse_confidence(metadata.get("confidence")),
        cwe=cwes,
        message=" ".join(str(extra.get("message", "")).split()),
        owasp=tuple(dict.fromkeys(str(item).split(" - ")[0].strip() for item in (owasp if isinstance(owasp, list) else [owasp]))),
        properties={"tool_severity": extra.get("severity")},
    )


def parse_semgrep_report(data: dict[str, Any], root: Path) -> tuple[tuple[RawFinding, ...], tuple[FileNote, ...], list[str]]:
    """(findings, per-file notes, fatal rule/config errors) of a semgrep JSON report.

    Raises ValueError when ``data`` does not have the shape of semgrep's JSON output.
    """
    data = dict(report_object(data, "semgrep report"))
    results = report_list(data.get("results"), "results")
    findings = tuple(semgrep_finding(item, root, f"results[{index}]") for index, item in enumerate(results))
    notes: list[FileNote] = []
    fatal: list[str] = []
    for index, error in enumerate(report_list(data.get("errors"), "errors")):
        error = report_object(error, f"errors[{index}]")
        kind = str(error.get("type", ""))
        if isinstance(error.get("type"), list) and error["type"]:
            kind = str(error["type"][0])
        message = " ".join(str(error.get("message", kind)).split())[:300]
        path = error.get("path")
        if path:
            notes.append(FileNote(relative_path(str(path), root), TOOL, f"{kind}: {message}" if kind else message))
        elif any(word in kind.lower() for word in ("rule", "config", "invalid", "pattern")):
            fatal.append(f"{kind}: {message}")
    for skipped in report_list(report_object(data.get("paths"), "paths").get("skipped"), "paths.skipped"):
        if isinstance(skipped, dict) and skipped.get("path"):
            notes.append(FileNote(relative_path(str(skipped["path"]), root), TOOL, f"skipped: {skipped.get('reason', 'unknown reason')}"))
    return findings, tuple(notes), fatal
