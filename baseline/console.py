"""Terminal output: live progress while a scan runs, then the per-technique table and verdict.

Text that the scanned project controls (names, messages, reasons, paths) never reaches Rich as
markup: it is shown literally (``[tool.baseline]`` stays, ``[/word]`` cannot crash the scan) and
with its control characters escaped (no escape sequence or newline can draw a line of its own).
Only the toolkit's own literals carry markup.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from baseline.advice import render_fix_first
from baseline.model import Catalog, Outcome, Report, Severity
from baseline.reports.text import printable

MAX_FINDINGS_SHOWN = 8


def safe(text: object) -> str:
    """Target-supplied ``text`` ready to interpolate into a Rich markup string: literal and printable."""
    return escape(printable(text))

OUTCOME_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "red",
    Outcome.ERROR: "bold red",
    Outcome.NOT_EVALUATED: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}


class ScanProgress:
    """Shows which checks and shared runs are in progress: a live display on a terminal, plain lines otherwise."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled
        self.live = enabled and console.is_terminal
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._started: dict[str, float] = {}
        self._progress: Progress | None = None

    def __enter__(self) -> ScanProgress:
        if self.live:
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=self.console, transient=True
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, subject: str, event: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            if event in ("start", "running"):
                self._started[subject] = time.monotonic()
                label = f"running {subject}" if event == "running" else f"checking {subject}"
                if self._progress is not None:
                    self._tasks[subject] = self._progress.add_task(safe(label), total=None)
                else:
                    self.console.print(f"[dim]... {safe(label)}[/]", highlight=False)
            elif event.startswith("end:") or event == "done":
                elapsed = time.monotonic() - self._started.get(subject, time.monotonic())
                if self._progress is not None and subject in self._tasks:
                    self._progress.remove_task(self._tasks.pop(subject))
                outcome = event[4:] if event.startswith("end:") else "done"
                style = OUTCOME_STYLE.get(Outcome(outcome), "") if outcome in {o.value for o in Outcome} else "dim"
                mark = "✓" if outcome in ("pass", "done") else "•"
                self.console.print(f"[{style}]{mark} {safe(subject)}: {safe(outcome)}[/] [dim]({elapsed:.1f} s)[/]", highlight=False)
            else:
                if self._progress is None:
                    self.console.print(f"[dim]    {safe(subject)}: {safe(event)}[/]", highlight=False)


def render_report(report: Report, console: Console, all_findings: bool = False) -> None:
    """Print the technique table, the trust score and the gate verdict (the worst findings, or all)."""
    target = report.target
    console.print(
        f"[bold]baseline[/] {safe(report.tool_version)} · catalog {safe(report.catalog_id)} {safe(report.catalog_version)} · "
        f"target [bold]{safe(target.name)}[/] ({target.file_count} files"
        + (f", {safe(target.vcs)} {safe(target.commit[:12])}" if target.commit else "")
        + f") · interpreter {safe(target.interpreter_version or '?')} ({safe(target.interpreter_source)})",
        highlight=False,
    )
    table = Table(show_lines=False, header_style="bold")
    table.add_column("Technique")
    table.add_column("Outcome")
    table.add_column("Score", justify="right")
    table.add_column("Weight", justify="right")
    table.add_column("Why")
    for item in report.breakdown.techniques:
        score = "-" if item.score is None else f"{item.score:.1f}"
        table.add_row(
            Text(printable(f"{item.technique} {item.title}")),
            Text(item.outcome.value, style=OUTCOME_STYLE[item.outcome]),
            score,
            f"{item.weight:g}",
            Text(printable(item.reason)),
        )
    if report.unconfined:
        console.print("[bold red]UNCONFINED SCAN: the project's code ran without filesystem confinement (--unconfined)[/]", highlight=False)
    console.print(table)

    findings = [finding for result in report.results for finding in result.findings]
    if findings:
        open_findings = [finding for finding in findings if not finding.suppressed]
        counts = {severity: sum(1 for f in open_findings if f.severity is severity) for severity in Severity}
        summary = ", ".join(f"{count} {severity.value}" for severity, count in counts.items() if count)
        suppressed = len(findings) - len(open_findings)
        console.print(f"Findings: {summary or 'none open'}" + (f" ({suppressed} suppressed)" if suppressed else ""), highlight=False)
        worst = sorted(open_findings, key=lambda f: -f.severity.rank)
        shown = worst if all_findings else worst[:MAX_FINDINGS_SHOWN]
        for finding in shown:
            where = ""
            if finding.location:
                where = finding.location.path + (f":{finding.location.start_line}" if finding.location.start_line else "")
            console.print(
                f"  [{_severity_style(finding.severity)}]{finding.severity.value:>8}[/] {safe(finding.rule_id)} {safe(where)} {safe(finding.message)}",
                highlight=False,
            )
        if len(worst) > len(shown):
            console.print(f"  ... and {len(worst) - len(shown)} more open findings (see them all: --verbose, or a report with --format)", highlight=False)
    for problem in report.problems:
        label = "ignored project setting" if problem.kind == "config-ignored" else "plugin problem"
        console.print(Text.assemble((label, "yellow"), f" {safe(problem.subject)}: {safe(problem.message)}"), highlight=False)

    console.print(f"Trust score: [bold]{report.breakdown.trust_score:.1f}[/] / 100", highlight=False)
    render_fix_first(report, console)
    gate = report.gate
    verdict = "[green]PASSED[/]" if gate.passed else "[red]FAILED[/]"
    if gate.enabled:
        console.print(f"Gate: {verdict}", highlight=False)
    else:
        console.print(f"Gate: not applied (use --gate); the policy would have {verdict.lower()}", highlight=False)
    for reason in gate.reasons:
        console.print(f"  - {safe(reason)}", highlight=False)


def _severity_style(severity: Severity) -> str:
    return {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}[severity.value]


def render_explain(catalog: Catalog, key: str, checks: list[Any], console: Console) -> bool:
    """Explain a technique (by id or slug) or a check (by id). Returns False when nothing matched."""
    technique = catalog.technique(key)
    if technique is None:
        match = next((loaded for loaded in checks if loaded.spec.id == key), None)
        if match is None:
            return False
        technique = catalog.technique(match.spec.technique)
        checks = [match]
    else:
        checks = [loaded for loaded in checks if loaded.spec.technique == technique.id]
    if technique is None:  # unreachable: a check always names a catalog technique
        raise LookupError("no technique to explain")
    console.print(f"[bold]{safe(technique.id)} {safe(technique.title)}[/] ({safe(technique.slug)})", highlight=False)
    console.print(f"NIST IR 8397 section {safe(technique.nist_section or '?')}; SSDF {safe(', '.join(technique.ssdf) or '-')}; weight {technique.weight:g}", highlight=False)
    console.print(safe(technique.summary), highlight=False)
    if technique.evidence:
        console.print("[bold]Evidence that counts:[/]")
        for item in technique.evidence:
            console.print(f"  - {safe(item)}", highlight=False)
    if not checks:
        console.print("[yellow]No check is installed for this technique: it is reported not_evaluated and scores 0.[/]")
    for loaded in checks:
        spec = loaded.spec
        console.print(f"\n[bold]Check {safe(spec.id)}[/] ({spec.lifecycle.value}, weight {spec.weight:g}, plugin {safe(loaded.plugin)})", highlight=False)
        console.print(f"  {safe(spec.title)}", highlight=False)
        for label, text in (("Verifies", spec.verifies), ("Why", spec.why), ("Evidence", spec.evidence), ("Scoring", spec.scoring), ("Remediation", spec.remediation)):
            if text:
                console.print(f"  [bold]{label}:[/] {safe(text)}", highlight=False)
        if spec.references:
            console.print(f"  [bold]References:[/] {safe(', '.join(spec.references))}", highlight=False)
    console.print(
        "\n[bold]How it is scored:[/] the technique's score is the weighted mean of its checks' scores (0-10). "
        "not_evaluated and error count as 0; not_applicable (with evidence) leaves the technique out of the trust score.",
        highlight=False,
    )
    return True
