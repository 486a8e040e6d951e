"""The shared *test run*: the target's pytest suite under coverage.py, in the sandbox.

One run feeds several techniques (automated testing, structural coverage, language-provided
checks, black-box and regression tests). It writes JUnit XML and coverage JSON into the scan's work
folder and parses both into typed records. By default the interpreter runs in development mode
(``-X dev``) with bytes/str comparison warnings (``-b``), and a small plugin shipped with baseline
(``baseline/tools/pytest_plugin``, put on the target's PYTHONPATH) records every warning and the
markers, docstring and outcome of every test (see :mod:`baseline.tools.test_records`). Tool
failures are data: the returned TestRun says what went wrong, it never raises for them.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as safe_et

from baseline import sandbox
from baseline.model import Artifact, Evidence, Provenance
from baseline.target import file_sha256, product_sources
from baseline.tools.test_records import (
    PLUGIN_DIR,
    PLUGIN_MODULE,
    Integrity,
    RecordedWarning,
    TestDetail,
    read_details,
    read_integrity,
    read_warnings,
    stderr_warnings,
    write_junit,
)

_PROBE = (
    "import importlib.util, sys\n"
    "def v(name):\n"
    "    if importlib.util.find_spec(name) is None:\n"
    "        return None\n"
    "    try:\n"
    "        return __import__(name).__version__\n"
    "    except Exception:\n"
    "        return 'unknown'\n"
    "print(v('pytest') or '-', v('coverage') or '-')\n"
)


@dataclass(frozen=True)
class TestCase:
    """One test case as reported in the JUnit XML."""

    __test__ = False  # not a pytest test class

    classname: str
    name: str
    file: str | None
    line: int | None
    outcome: str  # passed | failed | error | skipped
    duration_s: float
    message: str = ""

    @property
    def nodeid(self) -> str:
        """A readable identifier: ``module.Class::test_name``."""
        return f"{self.classname}::{self.name}" if self.classname else self.name


@dataclass(frozen=True)
class FileCoverage:
    """Coverage of one product file."""

    path: str
    statements: int
    covered: int
    missing: int
    percent_statements: float
    branches: int
    covered_branches: int
    percent_branches: float | None
    missing_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class CoverageData:
    """Totals and per-file figures from ``coverage json``."""

    percent_statements: float
    percent_branches: float | None
    percent_combined: float
    num_statements: int
    covered_lines: int
    num_branches: int
    covered_branches: int
    files: tuple[FileCoverage, ...]
    sources: tuple[str, ...]
    tool_version: str | None


@dataclass(frozen=True)
class TestCounts:
    """Counts of the test run."""

    __test__ = False

    collected: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class TestRun:
    """Everything the test run produced. ``status`` is ``ok``, ``no-tests`` or ``error``."""

    __test__ = False

    status: str
    message: str
    counts: TestCounts = TestCounts()
    duration_s: float = 0.0
    cases: tuple[TestCase, ...] = ()
    coverage: CoverageData | None = None
    coverage_error: str | None = None
    evidence: tuple[Evidence, ...] = ()
    sources: tuple[str, ...] = ()
    stdout_tail: str = ""
    stderr: str = ""
    pytest_exit_code: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[RecordedWarning, ...] = ()
    details: tuple[TestDetail, ...] = ()
    dev_mode: bool = False
    recorder_ok: bool = False
    integrity: Integrity | None = None


class TestRunner:
    """The shared run that executes the target's tests once per scan."""

    __test__ = False

    key = "test-run"

    def execute(self, context: Any) -> TestRun:
        """Run pytest under coverage in the sandbox and parse the results."""
        return run_tests(
            root=context.root,
            python=context.python,
            work_dir=context.artifact_dir("tests"),
            timeout_s=float(context.config.get("tests.timeout")),
            memory_mb=int(context.config.get("tests.memory_mb")) or None,
            extra_args=list(context.config.get("tests.args")),
            test_paths=list(context.config.get("tests.paths")),
            source_override=list(context.config.get("coverage.source")),
            allow_env=list(context.config.get("allow_env")),
            tree_digest=context.target.tree_digest,
            dev_mode=bool(context.config.get("tests.dev_mode")),
            network=bool(context.config.get("network")),
        )


TEST_RUN = TestRunner()


def _probe_versions(python: str, root: Path) -> tuple[str | None, str | None, str | None]:
    """(pytest version, coverage version, error) in the target's interpreter."""
    probe = sandbox.run([python, "-c", _PROBE], cwd=root, limits=sandbox.Limits(timeout_s=60), confine=sandbox.Confine(readable=(root,)))
    if not probe.ok:
        return None, None, f"cannot query the target interpreter {python}: {probe.describe()}: {probe.stderr_tail(5)}"
    parts = (probe.stdout.strip().split() + ["-", "-"])[:2]
    pytest_version = None if parts[0] == "-" else parts[0]
    coverage_version = None if parts[1] == "-" else parts[1]
    return pytest_version, coverage_version, None


def _sources(root: Path, override: list[str]) -> list[str]:
    if override:
        return [str((root / item).resolve()) if (root / item).exists() else item for item in override]
    return [str(path) for path in product_sources(root)]


def run_tests(
    *,
    root: Path,
    python: str,
    work_dir: Path,
    timeout_s: float,
    memory_mb: int | None,
    extra_args: list[str],
    test_paths: list[str],
    source_override: list[str],
    allow_env: list[str],
    tree_digest: str,
    dev_mode: bool = True,
    network: bool = False,
) -> TestRun:
    """Execute the target's pytest suite under coverage; never raises for tool failures."""
    pytest_version, coverage_version, probe_error = _probe_versions(python, root)
    if probe_error:
        return TestRun(status="error", message=probe_error)
    if pytest_version is None:
        return TestRun(
            status="error",
            message=f"pytest is not installed in the target interpreter {python}; install it there or pass --python",
        )
    junit = work_dir / "junit.xml"
    data_file = work_dir / ".coverage"
    coverage_json = work_dir / "coverage.json"
    records = work_dir / "records"
    records.mkdir(parents=True, exist_ok=True)
    for stale in (junit, data_file, coverage_json, *records.glob("*.jsonl")):
        stale.unlink(missing_ok=True)
    sources = _sources(root, source_override)
    # The recorder signs its lines with this key (it reads and deletes the file before any test runs).
    record_key = secrets.token_hex(32)
    key_file = records / ".key"
    key_file.write_text(record_key, encoding="utf-8")
    key_file.chmod(0o600)
    pytest_args = ["-p", "no:cacheprovider", "-p", PLUGIN_MODULE, "-q", "-rfE", f"--rootdir={root}"]
    if not has_pytest_config(root):
        # Without its own configuration, pytest would climb to a parent folder's and obey it.
        empty = work_dir / "pytest-empty.ini"
        empty.write_text("[pytest]\n", encoding="utf-8")
        pytest_args += ["-c", str(empty)]
    pytest_args += extra_args + test_paths
    interpreter = [python, "-X", "dev", "-b"] if dev_mode else [python]
    if coverage_version is not None:
        argv = [*interpreter, "-m", "coverage", "run", "--branch", f"--data-file={data_file}"]
        if sources:
            argv.append("--source=" + ",".join(sources))
        argv += ["-m", "pytest", *pytest_args]
    else:
        argv = [*interpreter, "-m", "pytest", *pytest_args]
    limits = sandbox.Limits(timeout_s=timeout_s, memory_mb=memory_mb, network=network, contain=True)
    process = sandbox.run(
        argv,
        cwd=root,
        limits=limits,
        confine=sandbox.Confine(project=root, writable=(work_dir,), network=network),
        allow_env=allow_env,
        extra_env={
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PY_COLORS": "0",
            "PYTHONPATH": os.pathsep.join(part for part in (str(PLUGIN_DIR), os.environ.get("PYTHONPATH", "")) if part),
            "BASELINE_RECORD_DIR": str(records),
            "BASELINE_RECORD_KEYFILE": str(key_file),
        },
    )
    # The JUnit file is the toolkit's, written from the recorder's records (not pytest's --junitxml,
    # whose reports the project's hooks can rewrite).
    key_file.unlink(missing_ok=True)
    if not write_junit(records, junit, record_key.encode()):
        junit.unlink(missing_ok=True)  # none of the recorder's: whatever is there was not written by the toolkit
    artifacts: list[Artifact] = []
    if junit.is_file():
        artifacts.append(Artifact(path=str(junit), sha256=file_sha256(junit), media_type="application/xml"))
    run_evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=f"ran the test suite with pytest {pytest_version}"
        + (f" under coverage.py {coverage_version} (branch coverage)" if coverage_version else " (coverage.py not installed in the target interpreter)")
        + ("; network: loopback only" if process.network_isolated else "; network: not isolated"),
        tool="pytest",
        tool_version=pytest_version,
        argv=process.argv,
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        input_digests={"tree": tree_digest},
        artifacts=tuple(artifacts),
        stderr_tail=process.stderr_tail() if not process.ok else None,
    )
    common: dict[str, Any] = {
        "duration_s": round(process.duration_s, 3),
        "sources": tuple(os.path.relpath(source, root) if os.path.isabs(source) else source for source in sources),
        "stdout_tail": "\n".join(process.stdout.splitlines()[-40:]),
        "stderr": process.stderr,
        "pytest_exit_code": process.exit_code,
        "warnings": read_warnings(records, record_key.encode()) + stderr_warnings(process.stderr, root),
        "details": read_details(records, record_key.encode()),
        "dev_mode": dev_mode,
        "recorder_ok": (records / "session.jsonl").is_file(),
        "integrity": read_integrity(records, record_key.encode()),
    }
    if process.start_error:
        return TestRun(status="error", message=f"the test run could not start: {process.start_error}", evidence=(run_evidence,), **common)
    if process.timed_out:
        return TestRun(
            status="error",
            message=f"the test suite did not finish within {timeout_s:g} s and was killed (raise tests.timeout if it is just slow)",
            evidence=(run_evidence,),
            **common,
        )
    if process.signal_name:
        return TestRun(
            status="error",
            message=f"the test run's interpreter crashed ({process.signal_name})",
            evidence=(run_evidence,),
            **common,
        )
    if process.exit_code == 5:
        return TestRun(status="no-tests", message="pytest collected no tests", evidence=(run_evidence,), **common)
    if process.exit_code in (3, 4) or not junit.is_file():
        reason = {3: "pytest reported an internal error", 4: "pytest rejected its command line (usage error)"}.get(
            process.exit_code or 0, f"pytest ended with {process.describe()} and wrote no JUnit report"
        )
        return TestRun(status="error", message=f"{reason}: {process.stderr_tail(5) or process.stdout[-500:]}", evidence=(run_evidence,), **common)
    try:
        cases, counts = parse_junit(junit, root)
    except (safe_et.ParseError, OSError, ValueError) as exc:
        return TestRun(status="error", message=f"the JUnit report could not be read: {exc}", evidence=(run_evidence,), **common)

    coverage: CoverageData | None = None
    coverage_error: str | None = None
    evidence = [run_evidence]
    if coverage_version is None:
        coverage_error = f"coverage.py is not installed in the target interpreter {python}"
    elif not data_file.exists():
        coverage_error = "coverage.py wrote no data (did the tests import the project's code?)"
    else:
        report_argv = [python, "-m", "coverage", "json", f"--data-file={data_file}", "-o", str(coverage_json), "--ignore-errors"]
        # The report step loads the project's coverage plugins again: confined like the run.
        reported = sandbox.run(report_argv, cwd=root, limits=sandbox.Limits(timeout_s=300), confine=sandbox.Confine(project=root, writable=(work_dir,)))
        if reported.ok and coverage_json.is_file():
            try:
                coverage = parse_coverage_json(coverage_json, root, tuple(common["sources"]), coverage_version)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                coverage_error = f"the coverage report could not be read: {exc}"
            evidence.append(
                Evidence(
                    provenance=Provenance.EXECUTED,
                    summary=f"coverage.py {coverage_version} measured statement and branch coverage of the project's code",
                    tool="coverage",
                    tool_version=coverage_version,
                    argv=reported.argv,
                    exit_code=reported.exit_code,
                    duration_s=round(reported.duration_s, 3),
                    input_digests={"tree": tree_digest},
                    artifacts=(Artifact(path=str(coverage_json), sha256=file_sha256(coverage_json), media_type="application/json"),),
                )
            )
        else:
            detail = reported.stdout.strip() or reported.stderr_tail(3)
            coverage_error = f"coverage.py could not report ({reported.describe()}): {detail}"
    status = "ok" if counts.collected > 0 else "no-tests"
    message = (
        f"{counts.collected} tests: {counts.passed} passed, {counts.failed} failed, "
        f"{counts.errors} errors, {counts.skipped} skipped in {process.duration_s:.1f} s"
    )
    return TestRun(
        status=status,
        message=message,
        counts=counts,
        cases=cases,
        coverage=coverage,
        coverage_error=coverage_error,
        evidence=tuple(evidence),
        **common,
    )


def has_pytest_config(root: Path) -> bool:
    """True when the project configures pytest itself (pytest.ini, pyproject, tox.ini or setup.cfg)."""
    for name, marker in (
        ("pytest.ini", ""),
        (".pytest.ini", ""),
        ("pyproject.toml", "[tool.pytest.ini_options]"),
        ("tox.ini", "[pytest]"),
        ("setup.cfg", "[tool:pytest]"),
    ):
        path = root / name
        if path.is_file():
            try:
                if not marker or marker in path.read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                continue
    return False


def _test_file(classname: str, root: Path) -> str | None:
    """Map a JUnit classname (``tests.test_core.TestX``) to the test file that exists."""
    parts = [part for part in classname.split(".") if part]
    for end in range(len(parts), 0, -1):
        candidate = Path(*parts[:end]).with_suffix(".py")
        if (root / candidate).is_file():
            return candidate.as_posix()
    return None


def parse_junit(path: Path, root: Path) -> tuple[tuple[TestCase, ...], TestCounts]:
    """Parse a pytest JUnit XML file into test cases and counts."""
    tree = safe_et.fromstring(path.read_bytes(), forbid_dtd=True)
    cases: list[TestCase] = []
    for element in tree.iter("testcase"):
        outcome, message = "passed", ""
        for child in element:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = (child.get("message") or "").strip()[:500]
                break
        line = element.get("line")
        file = element.get("file") or _test_file(element.get("classname") or element.get("name") or "", root)
        cases.append(
            TestCase(
                classname=element.get("classname", ""),
                name=element.get("name", ""),
                file=file,
                line=int(line) + 1 if line and line.isdigit() else None,
                outcome=outcome,
                duration_s=float(element.get("time") or 0.0),
                message=message,
            )
        )
    # Collection errors are reported by pytest as testcases with an <error> child too.
    counts = TestCounts(
        collected=len(cases),
        passed=sum(case.outcome == "passed" for case in cases),
        failed=sum(case.outcome == "failed" for case in cases),
        errors=sum(case.outcome == "error" for case in cases),
        skipped=sum(case.outcome == "skipped" for case in cases),
    )
    return tuple(cases), counts


def parse_coverage_json(path: Path, root: Path, sources: tuple[str, ...], version: str | None) -> CoverageData:
    """Parse ``coverage json`` output."""
    data = json.loads(path.read_text(encoding="utf-8"))
    totals = data["totals"]
    files: list[FileCoverage] = []
    for name, entry in sorted(data.get("files", {}).items()):
        summary = entry["summary"]
        relative = os.path.relpath(name, root) if os.path.isabs(name) else name
        branches = int(summary.get("num_branches", 0))
        files.append(
            FileCoverage(
                path=Path(relative).as_posix(),
                statements=int(summary["num_statements"]),
                covered=int(summary["covered_lines"]),
                missing=int(summary["missing_lines"]),
                percent_statements=float(summary.get("percent_statements_covered", summary["percent_covered"])),
                branches=branches,
                covered_branches=int(summary.get("covered_branches", 0)),
                percent_branches=float(summary["percent_branches_covered"]) if branches and "percent_branches_covered" in summary else None,
                missing_lines=tuple(entry.get("missing_lines", ())),
            )
        )
    num_statements = int(totals["num_statements"])
    covered = int(totals["covered_lines"])
    num_branches = int(totals.get("num_branches", 0))
    covered_branches = int(totals.get("covered_branches", 0))
    percent_statements = float(totals.get("percent_statements_covered", 100.0 * covered / num_statements if num_statements else 100.0))
    percent_branches = (100.0 * covered_branches / num_branches) if num_branches else None
    return CoverageData(
        percent_statements=round(percent_statements, 2),
        percent_branches=None if percent_branches is None else round(percent_branches, 2),
        percent_combined=round(float(totals["percent_covered"]), 2),
        num_statements=num_statements,
        covered_lines=covered,
        num_branches=num_branches,
        covered_branches=covered_branches,
        files=tuple(files),
        sources=sources,
        tool_version=version,
    )
