"""The bandit adapter: run bandit once over a list of files and parse its JSON report.

bandit runs with ``--ignore-nosec`` because inline suppressions are judged by us (a bare
``# nosec`` suppresses nothing); hard-coded credential tests are left to T04. A file bandit could
not parse is not silently dropped: every entry of its ``errors`` list becomes a :class:`FileNote`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

from baseline import sandbox
from baseline.model import Artifact, Evidence, Provenance, Severity
from baseline.parsing import json_loads
from baseline.target import file_sha256
from baseline.tools.static_common import (
    BANDIT_AUDIT_ONLY,
    BANDIT_CWE,
    BANDIT_IMPORT_TESTS,
    BANDIT_SKIPPED_TESTS,
    OWASP_BY_CWE,
    FileNote,
    RawFinding,
    ToolRun,
    line_number,
    package_version,
    parse_confidence,
    parse_cwe,
    parse_severity,
    relative_path,
    report_list,
    report_object,
)

TOOL = "bandit"
SYNTAX_ERROR = "syntax error while parsing AST from file"
NEWER_SYNTAX = "bandit could not parse this syntax"
# bandit and what it imports at run time: copied beside another interpreter to run bandit there.
BANDIT_DISTRIBUTIONS = ("bandit", "stevedore", "PyYAML", "rich", "pygments", "markdown-it-py", "mdurl")


def is_syntax_note(note: FileNote) -> bool:
    """A bandit note saying the file did not parse on the interpreter bandit ran on."""
    return note.tool == TOOL and SYNTAX_ERROR in note.reason


def portable_bandit(folder: Path) -> Path | None:
    """A folder holding bandit and its pure-Python dependencies, for ``PYTHONPATH`` of another interpreter.

    The files are copied (not linked) from this environment's distributions, with their metadata so
    that bandit's plugins are found through their entry points. None when a distribution is missing.
    """
    from importlib.metadata import PackageNotFoundError, distribution

    site = folder / "site"
    if (site / ".complete").is_file():
        return site
    try:
        for name in BANDIT_DISTRIBUTIONS:
            dist = distribution(name)
            for item in dist.files or ():
                if item.suffix in (".pyc", ".so", ".pyd") or ".." in item.parts or item.parts[0] == "bin":
                    continue
                source = Path(str(dist.locate_file(item)))
                if source.is_file():
                    target = site / item
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(source.read_bytes())
    except (PackageNotFoundError, OSError):
        return None
    (site / ".complete").write_text("ok", encoding="utf-8")
    return site


def bandit_argv(files: Sequence[str], output: Path, python: str | None = None) -> list[str]:
    """The command line: JSON to a file, our own suppression policy, credential tests skipped."""
    return [
        python or sys.executable, "-m", "bandit", "-f", "json", "-o", str(output), "-q", "--ignore-nosec",
        "-s", ",".join(BANDIT_SKIPPED_TESTS), *files,
    ]


def run_bandit(
    files: Sequence[str], *, root: Path, work_dir: Path, timeout_s: float, python: str | None = None, python_version: str | None = None
) -> ToolRun:
    """Run bandit over ``files`` (absolute paths) and parse the report; never raises for tool failures.

    When bandit cannot parse some files on this interpreter and ``python`` (the target's interpreter,
    of ``python_version``) is another one, bandit is run again on those files there, confined like any
    process of the target, with a copy of bandit on its ``PYTHONPATH``. Files that still do not parse
    keep their note, reworded: bandit could not parse this syntax.
    """
    run = _run_bandit_once(files, root=root, work_dir=work_dir, timeout_s=timeout_s)
    if run.status != "ok":
        return run
    failed = [note for note in run.notes if is_syntax_note(note)]
    here = ".".join(map(str, sys.version_info[:2]))
    if failed and python and python_version and python_version.split(".")[:2] != here.split("."):
        site = portable_bandit(work_dir / "portable")
        retry_files = [str(root / note.path) for note in failed]
        retry = _run_bandit_once(retry_files, root=root, work_dir=work_dir / "retry", timeout_s=timeout_s, python=python, site=site) if site else None
        if retry is not None and retry.status == "ok":
            retried = {note.path for note in failed}
            kept = [note for note in run.notes if note.path not in retried] + list(retry.notes)
            run = ToolRun(TOOL, "ok", run.message + f"; {len(retried)} files re-run on Python {python_version}", run.version,
                          run.files_requested, run.findings + retry.findings, tuple(kept), run.evidence)
    retried_ok = bool(failed) and "re-run on Python" in run.message
    notes = tuple(
        (FileNote(note.path, TOOL, f"syntax error on Python {here} and on the target's Python {python_version}")
         if retried_ok else FileNote(note.path, TOOL, f"{NEWER_SYNTAX} (it ran on Python {here})"))
        if is_syntax_note(note) else note
        for note in run.notes
    )
    return ToolRun(run.tool, run.status, run.message, run.version, run.files_requested, run.findings, notes, run.evidence)


def _run_bandit_once(
    files: Sequence[str], *, root: Path, work_dir: Path, timeout_s: float, python: str | None = None, site: Path | None = None
) -> ToolRun:
    version = package_version("bandit")
    if not files:
        return ToolRun(TOOL, "cached", "every file was answered from the cache", version, 0)
    if version is None:
        return ToolRun(TOOL, "error", "bandit is not installed (pip install 'baseline-verify[static]')", None, len(files),
                       evidence=Evidence(Provenance.EXECUTED, "bandit is not installed", tool=TOOL))
    work_dir.mkdir(parents=True, exist_ok=True)
    output = work_dir / "bandit.json"
    output.unlink(missing_ok=True)
    argv = bandit_argv(files, output, python)
    extra_env = {"PYTHONPATH": str(site), "PYTHONNOUSERSITE": "1"} if site else None
    # bandit parses hostile files: confined, on the scratch copy of the project (and the copied bandit, for the target's interpreter).
    readable = (Path(site),) if site else ()
    process = sandbox.run(
        argv, cwd=root, limits=sandbox.Limits(timeout_s=timeout_s, memory_mb=None), extra_env=extra_env,
        confine=sandbox.Confine(project=root, readable=readable, writable=(work_dir,)),
    )
    artifacts = (Artifact(str(output), file_sha256(output), "application/json"),) if output.is_file() else ()
    evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"bandit {version} scanned {len(files)} Python files" + (f" on the target's interpreter {python}" if python else ""),
        tool=TOOL,
        tool_version=version,
        argv=tuple(argv[:12]) + ((f"... {len(argv) - 12} more files",) if len(argv) > 12 else ()),
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        artifacts=artifacts,
        stderr_tail=process.stderr_tail() if not process.ok else None,
    )
    if process.start_error or process.timed_out or process.signal_name or process.exit_code not in (0, 1):
        return ToolRun(TOOL, "error", f"bandit failed: {process.describe()}: {process.stderr_tail(5)}", version, len(files), evidence=evidence)
    try:
        data = json_loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        # Exit code 1 is also what bandit returns when its formatter crashes: no report means error.
        return ToolRun(TOOL, "error", f"bandit wrote no readable report ({process.describe()}): {exc}", version, len(files), evidence=evidence)
    try:
        findings, notes = parse_bandit_report(data, root)
    except ValueError as exc:
        return ToolRun(TOOL, "error", f"bandit wrote a report this adapter cannot read ({process.describe()}): {exc}", version, len(files), evidence=evidence)
    return ToolRun(TOOL, "ok", f"{len(findings)} results, {len(notes)} files not analysed", version, len(files), findings, notes, evidence)


def bandit_finding(item: dict[str, Any], root: Path, where: str = "result") -> RawFinding:
    """One bandit result as a RawFinding with the precise CWE and our severity scale.

    Raises ValueError when the result does not have the shape of bandit's JSON output.
    """
    item = dict(report_object(item, where))
    test_id = str(item.get("test_id", "B000"))
    cwe = BANDIT_CWE.get(test_id)
    if test_id in BANDIT_IMPORT_TESTS:
        cwes: tuple[int, ...] = ()  # a mere import is no weakness
    else:
        cwes = (cwe,) if cwe else parse_cwe(item.get("issue_cwe"))
    severity = parse_severity(item.get("issue_severity"))
    if test_id in BANDIT_AUDIT_ONLY:
        severity = Severity.INFO
    line = line_number(item.get("line_number"), 1, f"{where}.line_number")
    line_range = [line_number(value, line, f"{where}.line_range") for value in report_list(item.get("line_range"), f"{where}.line_range")]
    tool_cwe = item.get("issue_cwe")
    return RawFinding(
        tool=TOOL,
        rule_id=test_id,
        path=relative_path(str(item.get("filename", "")), root),
        start_line=line,
        end_line=max(line_range + [line]),
        severity=severity,
        confidence=parse_confidence(item.get("issue_confidence")),
        cwe=cwes,
        message=str(item.get("issue_text", "")).strip(),
        owasp=tuple(OWASP_BY_CWE[c] for c in cwes if c in OWASP_BY_CWE),
        properties={
            "test_name": item.get("test_name"),
            "tool_severity": item.get("issue_severity"),
            "tool_cwe": tool_cwe.get("id") if isinstance(tool_cwe, dict) else None,
        },
    )


def parse_bandit_report(data: dict[str, Any], root: Path) -> tuple[tuple[RawFinding, ...], tuple[FileNote, ...]]:
    """Results and per-file errors of a bandit JSON report; raises ValueError when it is not one."""
    data = dict(report_object(data, "bandit report"))
    findings = tuple(bandit_finding(item, root, f"results[{index}]") for index, item in enumerate(report_list(data.get("results"), "results")))
    errors = [report_object(error, f"errors[{index}]") for index, error in enumerate(report_list(data.get("errors"), "errors"))]
    notes = tuple(
        FileNote(relative_path(str(error.get("filename", "")), root), TOOL, str(error.get("reason", "not analysed")).strip())
        for error in errors
    )
    return findings, notes
