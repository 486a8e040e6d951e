"""T05 language-provided checks and protection.

Four checks share this module: warnings surfaced by the shared test run under Python development
mode, security logic that relies on ``assert``, the type checker the project configures, and the
hardening of native extension modules the project builds.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from baseline.model import CheckResult, CheckSpec, Confidence, Evidence, Finding, Location, Outcome, Provenance, Severity
from baseline.scoring import absence
from baseline.target import is_test_path, product_sources

if TYPE_CHECKING:  # the tool modules are imported when a check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.test_records import RecordedWarning

_REFS = ("NIST IR 8397 section 2.5", "NIST SP 800-218 PW.6")
_ABSOLUTE_PATH = re.compile(r"(?:/[\w.@+-]+){2,}")
HARDENING_PROPERTIES = 6  # RELRO, BIND_NOW, NX, stack protector, FORTIFY_SOURCE, PIC: checked per readable module
CRITICAL_HARDENING = {"relro": Severity.MEDIUM, "nx": Severity.HIGH, "pic": Severity.MEDIUM}  # one missing from a module fails

WARNINGS_SPEC = CheckSpec(
    id="language-checks.dev-mode-warnings",
    technique="T05",
    title="The test suite runs clean under Python development mode",
    verifies="Runs the shared test run under `python -X dev -b` and records every warning with its category "
    "and location: unclosed resources, coroutines never awaited, deprecated APIs, invalid escape sequences, "
    "bytes/str comparisons.",
    why="Development mode is the interpreter's own runtime checker; a warning it raises in the project's "
    "code is a latent bug (leaked file handles, lost coroutines, code that breaks on the next Python).",
    remediation="Fix each warning at the location given (close resources with `with`, await coroutines, "
    "replace deprecated calls, use raw strings for regular expressions, decode bytes before comparing) and "
    "run the tests with `-X dev -W error` in CI.",
    evidence="the recorder plugin's warnings.jsonl and the run's stderr from this scan's test run",
    scoring="score = 10 - 2 per distinct warning site in product code - 0.5 per site in tests (floor 0); "
    "fail when any site is in product code.",
    references=_REFS,
    cwe=(772, 477, 697),
)
ASSERT_SPEC = CheckSpec(
    id="language-checks.assert-guards",
    technique="T05",
    title="Security logic does not rely on assert",
    verifies="Reads the project's own modules (not its tests) with ast and finds assert statements that "
    "guard authorisation, validate a function's inputs or check state that matters.",
    why="`python -O` removes every assert: a permission check written as an assert vanishes in an "
    "optimised deployment.",
    remediation="Replace each listed assert with an explicit `if not ...: raise PermissionError/ValueError(...)`.",
    evidence="the list of product modules scanned and each guard's location",
    scoring="score = 10 - 4 per authorisation assert - 1 per validation or state assert (floor 0); fail "
    "when any authorisation assert exists; not applicable when every product module was read and no assert "
    "guards anything (nothing to judge, no credit); not evaluated when there is no product module.",
    references=_REFS + ("CWE-617",),
    cwe=(617, 285),
)
TYPECHECK_SPEC = CheckSpec(
    id="language-checks.type-checker",
    technique="T05",
    title="The configured type checker passes",
    verifies="When the project configures mypy or pyright, runs it in the sandbox and records its errors.",
    why="A type checker the project chose but does not keep clean protects nothing.",
    remediation="Fix the reported type errors (or narrow the checker's configuration deliberately).",
    evidence="the type checker's command line, exit code and diagnostics from this scan",
    scoring="score = 10 x 10 / (10 + errors); pass with no error; not applicable when no type checker is "
    "configured; error when it is configured but missing or crashes.",
    references=_REFS,
)
NATIVE_SPEC = CheckSpec(
    id="language-checks.native-hardening",
    technique="T05",
    title="Native extension modules are hardened",
    verifies="Reads each ELF extension module (.so) in the project tree or its build output with pyelftools "
    "and checks RELRO, BIND_NOW, NX stack, stack protector, FORTIFY_SOURCE symbols and PIC.",
    why="Compiled code loses the memory safety of Python; the toolchain's hardening flags limit what a "
    "memory-corruption bug can be turned into.",
    remediation="Build extensions with `-fstack-protector-strong -D_FORTIFY_SOURCE=2 -O2 -fPIC` and link "
    "with `-Wl,-z,relro,-z,now -Wl,-z,noexecstack`.",
    evidence="per-file hardening properties read from the ELF headers",
    scoring="score = 10 x properties present / properties checked; fail when RELRO, NX or PIC is missing "
    "from any module; not applicable for a pure-Python project.",
    references=_REFS,
    cwe=(693,),
)


def classify_warning(warning: RecordedWarning) -> tuple[str, Severity, tuple[int, ...]]:
    """(rule suffix, severity, CWE) of a recorded warning."""
    category, message = warning.category, warning.message
    if category == "ResourceWarning" or "ResourceWarning" in message:
        return "unclosed-resource", Severity.MEDIUM, (772,)
    if "never awaited" in message:
        return "coroutine-never-awaited", Severity.MEDIUM, (665,)
    if category == "BytesWarning":
        return "bytes-str-comparison", Severity.MEDIUM, (697,)
    if "invalid escape sequence" in message:
        return "invalid-escape-sequence", Severity.LOW, ()
    if category in ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning"):
        return "deprecated-api", Severity.LOW, (477,)
    if category.startswith("Pytest") and "Unraisable" not in category and "ThreadException" not in category:
        return "pytest-warning", Severity.INFO, ()
    if category.startswith("Pytest"):
        return "unraisable-exception", Severity.MEDIUM, ()
    return category.lower().replace("warning", "-warning").strip("-"), Severity.LOW, ()


def _where(warning: RecordedWarning, product: tuple[str, ...]) -> str:
    path = warning.file
    if not path or Path(path).is_absolute() or path.startswith(".."):
        return "third-party"
    if is_test_path(path):
        return "test"
    return "product" if not product or any(path == item or path.startswith(item.rstrip("/") + "/") for item in product) else "test"


class DevModeWarningsCheck:
    """Judge the warnings recorded during the shared test run."""

    spec = WARNINGS_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Group the recorded warnings by site and category."""
        from baseline.tools.pytest_run import TEST_RUN

        run = context.shared(TEST_RUN)
        evidence = list(run.evidence)
        if run.status == "error":
            return CheckResult(self.spec, Outcome.ERROR, 0.0, f"the test run failed, so no warning was observed: {run.message}", evidence=tuple(evidence))
        if not run.dev_mode:
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, "tests.dev_mode is off: the tests did not run under development mode", evidence=tuple(evidence))
        if run.status == "no-tests" or run.counts.passed + run.counts.failed == 0:
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, "no test executed, so nothing ran under development mode", evidence=tuple(evidence))
        product = run.sources
        sites: dict[tuple[str, str, int | None, str], tuple[RecordedWarning, int]] = {}
        for warning in run.warnings:
            key = (warning.category, warning.file, warning.line, _ABSOLUTE_PATH.sub("<path>", warning.message)[:160])
            previous = sites.get(key)
            sites[key] = (previous[0] if previous else warning, (previous[1] if previous else 0) + 1)
        findings: list[Finding] = []
        places: Counter[str] = Counter()
        categories: Counter[str] = Counter()
        for (category, file, line, message), (warning, count) in sites.items():
            rule, severity, cwe = classify_warning(warning)
            where = _where(warning, product)
            places[where] += 1
            categories[rule] += 1
            if where != "product" and severity is not Severity.INFO:
                severity = Severity.LOW if where == "test" else Severity.INFO
            findings.append(
                Finding(
                    rule_id=f"language-checks.{rule}",
                    severity=severity,
                    message=f"{category}: {message}" + (f" (raised {count} times)" if count > 1 else "") + (f" [test {warning.nodeid}]" if warning.nodeid else ""),
                    tool="python -X dev",
                    location=Location(path=file, start_line=line) if where != "third-party" and file else None,
                    cwe=cwe,
                    context="product" if where == "product" else "test",
                    properties={"category": category, "where": where, "phase": warning.when, "count": count},
                )
            )
        evidence.append(
            Evidence(
                provenance=Provenance.EXECUTED,
                summary=f"ran {run.counts.collected} tests under `-X dev -b`; recorder plugin {'loaded' if run.recorder_ok else 'did not load (stderr parsed only)'}; "
                f"{len(run.warnings)} warnings at {len(sites)} distinct sites",
                tool="python -X dev",
            )
        )
        metrics = {
            "warnings": len(run.warnings), "sites": len(sites), "by_place": dict(places), "by_category": dict(categories), "recorder": run.recorder_ok,
            "product_sites": places["product"], "test_sites": places["test"],
        }
        outcome, score = warnings_verdict(places["product"], places["test"])
        if places["product"]:
            message = f"{places['product']} warning site(s) in product code under development mode: " + ", ".join(f"{rule} x{n}" for rule, n in categories.most_common())
            return CheckResult(self.spec, outcome, score, message, tuple(findings), tuple(evidence), metrics)
        message = f"no warning in product code under development mode ({places['test']} in tests, {places['third-party']} in third-party code)"
        return CheckResult(self.spec, outcome, score, message, tuple(findings), tuple(evidence), metrics)


class AssertGuardsCheck:
    """Find asserts that guard security logic in product code."""

    spec = ASSERT_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Scan the product modules' ASTs."""
        from baseline.tools.assert_scan import scan_project

        sources = product_sources(context.root)
        guards, scanned, unparsable = scan_project(context.root, sources)
        evidence = [
            Evidence(
                provenance=Provenance.INSPECTED,
                summary=f"parsed {scanned} product module(s) under {', '.join(path.relative_to(context.root).as_posix() for path in sources) or 'nothing'}"
                + (f"; {len(unparsable)} could not be parsed: {', '.join(unparsable[:5])}" if unparsable else ""),
                tool="ast",
            )
        ]
        if scanned == 0:
            # Nothing was judged: no credit (and no exemption either, which needs positive evidence).
            reason = "no Python product module could be parsed" if unparsable else "the project has no Python product modules to inspect"
            return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, f"{reason}: nothing to judge", evidence=tuple(evidence))
        if not guards:
            # No assert guards anything in the product: the check has nothing to judge. It earns no credit (a
            # pass here would lift T05 although nothing was verified); with every module read it takes itself
            # out of the mean, otherwise it is not evaluated.
            metrics0 = {"modules": scanned, "unparsable": len(unparsable), "authorisation": 0, "validation": 0, "state": 0}
            if unparsable:
                message = f"no assert guard in the {scanned} parsed module(s), but {len(unparsable)} could not be parsed: nothing judged there"
                return CheckResult(self.spec, Outcome.NOT_EVALUATED, 0.0, message, evidence=tuple(evidence), metrics=metrics0)
            looked = absence("an assert that guards authorisation, input validation or state", f"{scanned} parsed product module(s)", tool="ast")
            message = f"no assert guards security logic in the {scanned} product module(s): nothing to judge"
            return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, message, evidence=tuple(evidence) + (looked,), metrics=metrics0)
        severity = {"authorisation": Severity.HIGH, "validation": Severity.LOW, "state": Severity.LOW}
        findings = tuple(
            Finding(
                rule_id=f"language-checks.assert-{guard.kind}",
                severity=severity[guard.kind],
                message=f"assert used for {guard.kind} in {guard.function}(): removed under python -O",
                tool="baseline-ast",
                location=Location(path=guard.path, start_line=guard.line, snippet=guard.snippet),
                confidence={"authorisation": Confidence.MEDIUM}.get(guard.kind, Confidence.LOW),
                cwe=(617, 285) if guard.kind == "authorisation" else (617,),
            )
            for guard in guards
        )
        kinds = Counter(guard.kind for guard in guards)
        outcome, score = assert_verdict(kinds["authorisation"], kinds["validation"], kinds["state"])
        metrics = {"modules": scanned, "unparsable": len(unparsable), **{kind: kinds[kind] for kind in ("authorisation", "validation", "state")}}
        if kinds["authorisation"]:
            return CheckResult(self.spec, outcome, score, f"{kinds['authorisation']} authorisation check(s) rely on assert", findings, tuple(evidence), metrics)
        message = "no authorisation check relies on assert" + (f" ({kinds['validation']} validation, {kinds['state']} state asserts listed)" if guards else "")
        return CheckResult(self.spec, outcome, score, message, findings, tuple(evidence), metrics)


class TypeCheckerCheck:
    """Judge the project's configured type checker."""

    spec = TYPECHECK_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Run (through the shared run) and count errors."""
        from baseline.tools.typecheck import TYPECHECK_RUN

        run = context.shared(TYPECHECK_RUN)
        evidence = list(run.evidence)
        if run.status == "not-configured":
            evidence.append(Evidence(provenance=Provenance.INSPECTED, summary=run.message))
            return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, run.message, evidence=tuple(evidence))
        if run.status in ("missing", "error"):
            if not evidence:
                evidence.append(Evidence(provenance=Provenance.INSPECTED, summary=run.message, tool=run.tool))
            return CheckResult(self.spec, Outcome.ERROR, 0.0, run.message, evidence=tuple(evidence))
        findings = tuple(
            Finding(
                rule_id="language-checks.type-error",
                severity=Severity.LOW,
                message=f"{error.message}" + (f" [{error.code}]" if error.code else ""),
                tool=run.tool or "type-checker",
                location=Location(path=error.path, start_line=error.line),
                context="test" if is_test_path(error.path) else "product",
                properties={"code": error.code},
            )
            for error in run.errors[:200]
        )
        count = len(run.errors)
        outcome, score = typecheck_verdict(count)
        metrics = {"tool": run.tool, "configured_in": run.configured_in, "errors": count}
        return CheckResult(self.spec, outcome, score, f"{run.message} (configured in {run.configured_in})", findings, tuple(evidence), metrics)


class NativeHardeningCheck:
    """Judge the ELF hardening of the project's extension modules."""

    spec = NATIVE_SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Read each .so file's headers."""
        from baseline.tools.elf_hardening import find_native_modules, inspect_elf

        modules = find_native_modules(context.root)
        if not modules:
            evidence = (Evidence(provenance=Provenance.INSPECTED, summary="no ELF extension module (*.so) in the project tree or build/: pure Python"),)
            return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, "pure-Python project: no native extension module", evidence=evidence)
        reports = [inspect_elf(path, context.root) for path in modules]
        readable = [report for report in reports if report.error is None]
        critical = CRITICAL_HARDENING
        findings: list[Finding] = []
        for report in reports:
            if report.error:
                findings.append(Finding("language-checks.elf-unreadable", Severity.INFO, f"could not read {report.path}: {report.error}", "pyelftools", Location(report.path)))
            for name in report.missing:
                findings.append(
                    Finding(
                        f"language-checks.elf-no-{name.replace('_', '-')}",
                        critical.get(name, Severity.LOW),
                        f"{report.path} lacks {name.replace('_', ' ').upper() if len(name) < 5 else name.replace('_', ' ')}",
                        "pyelftools",
                        Location(report.path),
                        cwe=(693,),
                    )
                )
        evidence = (
            Evidence(
                provenance=Provenance.INSPECTED,
                summary="; ".join(f"{report.path}: " + (report.error or ("missing " + ", ".join(report.missing) if report.missing else "all properties present")) for report in reports)[:4000],
                tool="pyelftools",
            ),
        )
        if not readable:
            return CheckResult(self.spec, Outcome.ERROR, 0.0, "no extension module could be read as ELF", tuple(findings), evidence)
        checked = HARDENING_PROPERTIES * len(readable)
        present = checked - sum(len(report.missing) for report in readable)
        severe = [report.path for report in readable if set(report.missing) & set(critical)]
        metrics = {"modules": len(reports), "readable": len(readable), "present": present, "checked": checked, "severe": len(severe)}
        outcome, score = hardening_verdict(present, checked, len(severe))
        if severe:
            return CheckResult(self.spec, outcome, score, f"{len(severe)} module(s) lack RELRO, NX or PIC", tuple(findings), evidence, metrics)
        return CheckResult(self.spec, outcome, score, f"{len(readable)} module(s): {present}/{checked} hardening properties present", tuple(findings), evidence, metrics)


# The verdicts from the counts, shared with the verifier's re-derivation (baseline/rederive.py).


def warnings_verdict(product_sites: int, test_sites: int) -> tuple[Outcome, float]:
    """10 - 2 per product warning site - 0.5 per test site (floor 0); fail with any product site."""
    score = round(max(0.0, 10.0 - 2.0 * product_sites - 0.5 * test_sites), 2)
    return (Outcome.FAIL if product_sites else Outcome.PASS), score


def assert_verdict(authorisation: int, validation: int, state: int) -> tuple[Outcome, float]:
    """10 - 4 per authorisation assert - 1 per validation or state assert (floor 0); fail with any authorisation one."""
    score = max(0.0, 10.0 - 4.0 * authorisation - 1.0 * (validation + state))
    return (Outcome.FAIL if authorisation else Outcome.PASS), score


def typecheck_verdict(errors: int) -> tuple[Outcome, float]:
    """10 x 10 / (10 + errors); pass with no error."""
    return (Outcome.PASS if errors == 0 else Outcome.FAIL), round(10.0 * 10.0 / (10.0 + errors), 2)


def hardening_verdict(present: int, checked: int, severe: int) -> tuple[Outcome, float]:
    """10 x properties present / checked; fail when any module lacks RELRO, NX or PIC."""
    return (Outcome.FAIL if severe else Outcome.PASS), round(10.0 * present / checked, 2)


WARNINGS_CHECK = DevModeWarningsCheck()
ASSERT_CHECK = AssertGuardsCheck()
TYPECHECK_CHECK = TypeCheckerCheck()
NATIVE_CHECK = NativeHardeningCheck()
