"""T07 structural test cases: statement and branch coverage of the project's own code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from baseline.product import define_product
from baseline.model import CheckResult, CheckSpec, Evidence, Finding, Location, Outcome, Provenance, Severity

if TYPE_CHECKING:  # the test run's module is imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext

LEAST_COVERED = 10  # modules listed as findings

SPEC = CheckSpec(
    id="structural-coverage.coverage",
    technique="T07",
    title="Statement and branch coverage meet the floor",
    verifies="Measures statement and branch coverage of the product (what the package ships, from its packaging "
    "metadata; not its tests, scripts or task files) during the shared test run with coverage.py, combining "
    "parallel data; every product line counts, so lines the project hides with omit, exclude_lines or "
    "'pragma: no cover' count as not covered. Shows the project's own figure and fail_under next to ours, "
    "and lists the least-covered modules.",
    why="NIST IR 8397 sets 80% statement coverage as the minimum for code-based test cases; code that no "
    "test executes is code whose behaviour nobody has checked.",
    remediation="Add tests for the least-covered modules listed in the findings until statement coverage "
    "reaches the threshold (coverage.threshold, default 80).",
    evidence="coverage.py's JSON reports from this scan's test run: one on the toolkit's terms (every product "
    "line), one with the project's own configuration (statements, branches, per-file figures).",
    scoring="score = 10 x (0.75 x min(1, statements% / threshold) + 0.25 x min(1, branches% / threshold)); "
    "fail when statement coverage is below the threshold; not applicable when the project has no Python "
    "product code.",
    references=("NIST IR 8397 section 2.7", "NIST SP 800-218 PW.8"),
)


class StructuralCoverageCheck:
    """Judge the coverage of the shared test run."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Compare measured coverage with the configured floor."""
        from baseline.tools.pytest_run import TEST_RUN

        threshold = float(context.config.get("coverage.threshold"))
        run = context.shared(TEST_RUN)
        # Whether there is product code is read from the tree, not from the test run: a run that
        # failed before it measured anything is an error, never "nothing to measure".
        if not run.sources and not context.config.get("coverage.source") and not define_product(context.root).roots:
            return CheckResult(
                SPEC,
                Outcome.NOT_APPLICABLE,
                None,
                "the project has no Python package or module of its own to measure",
                evidence=(Evidence(provenance=Provenance.INSPECTED, summary="neither the packaging metadata nor the layout (a package at the root or under src/) names product code"),),
            )
        if run.status == "error":
            return CheckResult(SPEC, Outcome.ERROR, 0.0, f"coverage not measured: {run.message}", evidence=run.evidence)
        coverage = run.coverage
        if run.status == "no-tests" or (coverage is None and run.counts.collected == 0):
            return CheckResult(
                SPEC, Outcome.FAIL, 0.0, "no test ran, so no code was covered (0% statements)", evidence=run.evidence,
                metrics={"percent_statements": 0.0, "threshold": threshold},
            )
        if coverage is None:
            return CheckResult(SPEC, Outcome.ERROR, 0.0, f"coverage not measured: {run.coverage_error}", evidence=run.evidence)
        statements = coverage.percent_statements
        branches = coverage.percent_branches
        statement_part = min(1.0, statements / threshold) if threshold else 1.0
        branch_part = statement_part if branches is None else (min(1.0, branches / threshold) if threshold else 1.0)
        score = 10.0 * (0.75 * statement_part + 0.25 * branch_part)
        below = sorted(
            (item for item in coverage.files if item.statements and item.percent_statements < threshold),
            key=lambda item: (item.percent_statements, -item.missing),
        )
        findings = [
            Finding(
                rule_id="structural-coverage.low-module",
                severity=Severity.LOW,
                message=f"{item.path}: {item.percent_statements:.1f}% of {item.statements} statements covered "
                f"({item.missing} missing) - below the {threshold:g}% floor",
                tool="coverage",
                location=Location(path=item.path, start_line=item.missing_lines[0] if item.missing_lines else None),
                properties={"percent_statements": item.percent_statements, "missing": item.missing},
            )
            for item in below[:LEAST_COVERED]
        ]
        branch_text = "n/a" if branches is None else f"{branches:.1f}%"
        message = (
            f"{statements:.1f}% statements ({coverage.covered_lines}/{coverage.num_statements}), "
            f"{branch_text} branches; floor {threshold:g}%"
        )
        own = []
        if coverage.project_percent_statements is not None and coverage.hidden_statements:
            share = 100.0 * coverage.hidden_statements / coverage.num_statements if coverage.num_statements else 0.0
            own.append(
                f"the project's own measure is {coverage.project_percent_statements:.1f}%: its omit/exclusions hide "
                f"{coverage.hidden_statements} product statements ({share:.1f}%), counted here as not covered"
            )
            findings.append(
                Finding(
                    rule_id="structural-coverage.hidden-lines",
                    severity=Severity.LOW if share < 5 else Severity.MEDIUM,
                    message=f"{coverage.hidden_statements} of {coverage.num_statements} product statements ({share:.1f}%) are hidden from "
                    f"the project's coverage report by its configuration"
                    + (f" ({coverage.config_file})" if coverage.config_file else "")
                    + (f"; omitted files: {', '.join(coverage.hidden_files[:5])}" if coverage.hidden_files else "")
                    + (f"; omit: {', '.join(coverage.omit[:5])}" if coverage.omit else "")
                    + f"; excluded lines matching: {', '.join(coverage.exclude[:5])}",
                    tool="coverage",
                    location=Location(path=coverage.config_file) if coverage.config_file else None,
                    properties={"hidden_statements": coverage.hidden_statements, "hidden_files": list(coverage.hidden_files), "omit": list(coverage.omit)},
                )
            )
        if coverage.project_fail_under is not None:
            own.append(f"the project's own fail_under is {coverage.project_fail_under:g}%")
        if own:
            message += "; " + "; ".join(own)
        metrics = {
            "percent_statements": statements,
            "percent_branches": branches,
            "num_statements": coverage.num_statements,
            "covered_lines": coverage.covered_lines,
            "num_branches": coverage.num_branches,
            "covered_branches": coverage.covered_branches,
            "threshold": threshold,
            "sources": list(coverage.sources),
            "modules_below_threshold": len(below),
            "project_percent_statements": coverage.project_percent_statements,
            "hidden_statements": coverage.hidden_statements,
            "hidden_files": list(coverage.hidden_files),
            "project_omit": list(coverage.omit),
            "project_exclude": list(coverage.exclude),
            "project_fail_under": coverage.project_fail_under,
            "product_source": run.extra.get("product", {}).get("source"),
            "coverage_sources": run.extra.get("coverage_sources"),
        }
        outcome = Outcome.PASS if statements >= threshold else Outcome.FAIL
        return CheckResult(SPEC, outcome, round(score, 2), message, tuple(findings), run.evidence, metrics)


CHECK = StructuralCoverageCheck()
