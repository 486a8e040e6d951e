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
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as safe_et

from baseline import sandbox
from baseline.coverage_config import ProjectCoverage, read_project_coverage, write_rcfile
from baseline.model import Artifact, Evidence, Provenance
from baseline.parsing import toml_loads
from baseline.product import Product, define_product
from baseline.provision import overlay, overlay_boot, provisioned_plan
from baseline.target import PROVISION_FAILED, activated_environment, file_sha256
from baseline.testcommand import discover_test_command, uses_load_tests
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

GUARD_DIR = Path(__file__).resolve().parent / "session_guard"
GUARD_MODULE = "baseline_session_guard"

# The versions come from the installed distribution's metadata when it is the one that provides
# the module (no import: importing pytest costs a second on a loaded machine); otherwise, or when the
# metadata cannot say, from the imported module itself.
_PROBE = (
    "import importlib.util, os, sys\n"
    "def v(name):\n"
    "    spec = importlib.util.find_spec(name)\n"
    "    if spec is None:\n"
    "        return None\n"
    "    try:\n"
    "        from importlib.metadata import distribution\n"
    "        dist = distribution(name)\n"
    "        home = os.path.realpath(str(dist.locate_file('')))\n"
    "        origin = os.path.realpath(spec.origin or '')\n"
    "        if dist.version and origin.startswith(home + os.sep):\n"
    "            return dist.version\n"
    "    except Exception:\n"
    "        pass\n"
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
    # The project's own figure (its omit / exclude_lines / pragma applied), and what those hide.
    project_percent_statements: float | None = None
    hidden_statements: int = 0
    hidden_files: tuple[str, ...] = ()
    omit: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    project_fail_under: float | None = None
    config_file: str | None = None


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
            provision_error=_provision_error(context.target.interpreter_source),
        )


def _provision_error(source: str) -> str | None:
    return source[len(PROVISION_FAILED) :] if source.startswith(PROVISION_FAILED) else None


TEST_RUN = TestRunner()


def _probe_versions(
    python: str, root: Path, env: dict[str, str] | None = None, readable: tuple[Path, ...] = ()
) -> tuple[str | None, str | None, str | None]:
    """(pytest version, coverage version, error) in the target's interpreter."""
    probe = sandbox.run(
        [python, "-c", _PROBE], cwd=root, limits=sandbox.Limits(timeout_s=60, network=False, contain=True), extra_env=env,
        confine=sandbox.Confine(readable=(root, *readable, *((env or {}).get("PYTHONPATH", "").split(os.pathsep) if env else ()))),
    )
    if not probe.ok:
        return None, None, f"cannot query the target interpreter {python}: {probe.describe()}: {probe.stderr_tail(5)}"
    parts = (probe.stdout.strip().split() + ["-", "-"])[:2]
    pytest_version = None if parts[0] == "-" else parts[0]
    coverage_version = None if parts[1] == "-" else parts[1]
    return pytest_version, coverage_version, None


def _overlay_version(folder: Path, name: str) -> str | None:
    """The version of ``name`` installed in the toolkit's overlay folder, from its ``.dist-info``."""
    from importlib.metadata import PathDistribution

    for info in sorted(folder.glob(f"{name}-*.dist-info")):
        version = PathDistribution(info).version
        if version:
            return str(version)
    return None


def _sources(root: Path, override: list[str], product: Product, project: ProjectCoverage) -> tuple[list[str], str]:
    """What coverage measures, and why: the operator's list, else the product, else the project's own source."""
    if override:
        return [str((root / item).resolve()) if (root / item).exists() else item for item in override], "coverage.source (operator configuration)"
    if product.roots and not product.source.startswith("layout heuristic"):
        return [str(path) for path in product.paths(root)], f"the product ({product.source})"
    own = [item for item in project.source if (root / item).exists() and _within(root, root / item)]
    if own:
        return [str((root / item).resolve()) for item in own], f"[run] source of the project's coverage configuration ({project.file})"
    return [str(path) for path in product.paths(root)], f"the product ({product.source})"


def _within(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _pytest_ini_values(root: Path) -> tuple[list[str], list[str]]:
    """(filterwarnings entries, addopts tokens) of the project's pytest configuration."""
    filters: list[str] = []
    addopts: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            options = toml_loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("pytest", {}).get("ini_options", {})
        except (OSError, ValueError, UnicodeDecodeError, AttributeError):
            options = {}
        if isinstance(options, dict):
            value = options.get("filterwarnings")
            filters += [str(item) for item in value] if isinstance(value, list) else str(value or "").splitlines()
            value = options.get("addopts")
            addopts += [str(item) for item in value] if isinstance(value, list) else str(value or "").split()
    import configparser

    for name, section in (("pytest.ini", "pytest"), (".pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = root / name
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
        except configparser.Error:
            continue
        if parser.has_section(section):
            filters += parser.get(section, "filterwarnings", fallback="").splitlines()
            addopts += parser.get(section, "addopts", fallback="").split()
    return [item.strip() for item in filters if item.strip()], addopts


def warnings_escalate(root: Path, args: list[str]) -> bool:
    """Whether the project turns warnings into errors (``filterwarnings = error``, ``-W error``, a conftest filter)."""
    filters, addopts = _pytest_ini_values(root)
    if any(item.split(":", 1)[0].strip() == "error" for item in filters):
        return True
    tokens = addopts + args
    for index, token in enumerate(tokens):
        value = token[2:] if token.startswith("-W") and len(token) > 2 else (tokens[index + 1] if token in ("-W", "--pythonwarnings") and index + 1 < len(tokens) else "")
        if token.startswith("--pythonwarnings="):
            value = token.split("=", 1)[1]
        if value.split(":", 1)[0] == "error":
            return True
    for conftest in list(root.glob("conftest.py")) + list(root.glob("*/conftest.py"))[:20]:
        try:
            text = conftest.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "simplefilter(\"error\"" in text or "simplefilter('error'" in text or "filterwarnings(\"error\"" in text or "filterwarnings('error'" in text:
            return True
    return False


def _read_guard(records: Path) -> dict[str, Any] | None:
    path = records / "session-guard.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _aborted(guard: dict[str, Any] | None, exit_code: int | None) -> str | None:
    """Why the session counts as aborted, or None when it ran to its end.

    Collection errors stop pytest with status 2 too; they are the project's failure (the JUnit
    report lists them as errors), not an aborted session.
    """
    if guard is not None and guard.get("collect_errors") and exit_code in (1, 2) and not guard.get("internal_error"):
        return None
    if exit_code == 2:
        return "the pytest session was interrupted (exit status 2)" + (f": {guard.get('interrupted')}" if guard and guard.get("interrupted") else "")
    if guard is None:
        return "the session account is missing: the session ended before pytest finished it, or a plugin prevented it"
    if guard.get("internal_error"):
        return f"pytest reported an internal error: {str(guard['internal_error'])[-400:]}"
    if guard.get("interrupted"):
        return f"the pytest session was interrupted: {guard['interrupted']}"
    selected, finished = guard.get("selected"), guard.get("finished")
    if isinstance(selected, int) and isinstance(finished, int) and finished < selected and not guard.get("stop_reason"):
        return f"only {finished} of the {selected} selected tests ran to the end, and pytest gave no reason"
    return None


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
    provision_error: str | None = None,
) -> TestRun:
    """Execute the target's test suite under pytest and coverage; never raises for tool failures."""
    if provision_error:
        return TestRun(
            status="error",
            message=f"the project's test environment could not be built: {provision_error}",
            sources=define_product(root).roots,
        )
    pytest_version, coverage_version, probe_error = _probe_versions(python, root)
    if probe_error:
        return TestRun(status="error", message=probe_error)
    # What the toolkit needs and the environment lacks comes from an overlay after its site-packages.
    layers: list[str] = []
    missing = [name for name, version in (("pytest", pytest_version), ("coverage", coverage_version)) if version is None]
    overlay_folder = overlay(python, None, missing) if missing else None
    if overlay_folder is not None:
        layers.append(str(overlay_boot(overlay_folder)))
        # The overlay holds only what the environment lacked, installed by the toolkit: its metadata
        # says the versions; the interpreter is asked again only when it cannot.
        added = {name: _overlay_version(overlay_folder, name) for name in missing}
        if all(added.values()):
            pytest_version = added.get("pytest", pytest_version)
            coverage_version = added.get("coverage", coverage_version)
        else:
            pytest_version, coverage_version, probe_error = _probe_versions(python, root, {"PYTHONPATH": layers[0]}, (overlay_folder,))
            if probe_error:
                return TestRun(status="error", message=probe_error)
    provisioned = provisioned_plan(python)
    if provisioned and isinstance(provisioned.get("plan"), dict) and not provisioned["plan"].get("install_project"):
        for relative in provisioned["plan"].get("import_roots") or ():
            candidate = root / str(relative)
            if _within(root, candidate):
                layers.append(str(candidate.resolve()))
    if pytest_version is None:
        return TestRun(
            status="error",
            message=f"pytest is not installed in the target interpreter {python}; install it there or pass --python",
        )
    command = discover_test_command(root, extra_args, test_paths)
    product = define_product(root)
    project_coverage = read_project_coverage(root)
    junit = work_dir / "junit.xml"
    data_file = work_dir / ".coverage"
    coverage_json = work_dir / "coverage.json"
    project_json = work_dir / "coverage-project.json"
    run_rc = work_dir / "coverage-run.rc"
    records = work_dir / "records"
    dev_records = work_dir / "records-dev"
    for folder in (records, dev_records):
        folder.mkdir(parents=True, exist_ok=True)
    for stale in (junit, data_file, coverage_json, project_json, *work_dir.glob(".coverage.*"), *records.glob("*.json*"), *dev_records.glob("*.json*")):
        stale.unlink(missing_ok=True)
    sources, sources_reason = _sources(root, source_override, product, project_coverage)
    # The recorder signs its lines with this key (it reads and deletes the file before any test runs).
    record_key = secrets.token_hex(32)
    key_file = records / ".key"
    key_file.write_text(record_key, encoding="utf-8")
    key_file.chmod(0o600)
    # The project's plugins all stay loaded (the cache provider included: its cache goes to scratch).
    base_args = ["-p", PLUGIN_MODULE, "-p", GUARD_MODULE, "-o", f"cache_dir={work_dir / 'pytest-cache'}", "-q", "-rfE", f"--rootdir={root}"]
    if not has_pytest_config(root):
        # Without its own configuration, pytest would climb to a parent folder's and obey it.
        empty = work_dir / "pytest-empty.ini"
        empty.write_text("[pytest]\n", encoding="utf-8")
        base_args += ["-c", str(empty)]
    offline = [] if network else [option for option in command.offline_args if option not in command.args]
    base_args += [*command.args, *offline, *command.paths]
    # pytest-cov named in addopts would start a second tracer and write its data into the tree;
    # --no-cov keeps the plugin loaded and leaves the measurement to the toolkit's coverage run.
    _, addopts = _pytest_ini_values(root)
    if any(option == "--cov" or option.startswith("--cov=") for option in addopts):
        base_args.append("--no-cov")
    escalate = warnings_escalate(root, list(command.args))
    # Development mode can change outcomes when the project makes warnings errors: then T02 runs
    # as the project runs it, and a second pass (outcomes ignored) collects the dev-mode warnings.
    separate_dev_pass = dev_mode and escalate
    interpreter = [python, "-X", "dev", "-b"] if dev_mode and not separate_dev_pass else [python]
    # A unittest suite whose modules use the load_tests protocol (doctests added to the suite...)
    # runs under unittest's own loader, which pytest does not emulate; every other suite runs
    # under pytest, unittest ones included.
    direct_unittest = command.runner == "unittest" and uses_load_tests(root, list(command.paths))
    if direct_unittest:
        separate_dev_pass = False
        interpreter = [python, "-X", "dev", "-b"] if dev_mode else [python]
        runner_args = ["baseline_unittest", "--junitxml", str(junit), *command.unittest_argv]
    else:
        runner_args = ["pytest", *base_args]
    if coverage_version is not None:
        write_rcfile(run_rc, project_coverage, source=sources, data_file=data_file, exclude=None)
        argv = [*interpreter, "-m", "coverage", "run", f"--rcfile={run_rc}", "-m", *runner_args]
    else:
        argv = [*interpreter, "-m", *runner_args]
    env = {
        **activated_environment(python),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PY_COLORS": "0",
        # Development mode's warnings without its debug memory allocator: the debug hooks can make a
        # C extension crash that the project's own runs never see (the scored run must not change), and
        # they cost a quarter of the CPU of a test run.
        "PYTHONMALLOC": "default",
        "PYTHONPATH": os.pathsep.join(part for part in (str(PLUGIN_DIR), str(GUARD_DIR), *layers, os.environ.get("PYTHONPATH", "")) if part),
        "BASELINE_RECORD_DIR": str(records),
        "BASELINE_GUARD_DIR": str(records),
    }
    if not network:
        env["BASELINE_NETWORK_MARKERS"] = ",".join(command.network_markers)
    limits = sandbox.Limits(timeout_s=timeout_s, memory_mb=memory_mb, network=network, contain=True)
    # The overlay (pytest, coverage for an environment without them) lives in the toolkit's cache: shown read-only.
    shown = (*layers, *([str(overlay_folder)] if overlay_folder is not None else []))
    confine = sandbox.Confine(project=root, writable=(work_dir,), readable=tuple(Path(layer) for layer in shown), network=network)
    process = sandbox.run(argv, cwd=root, limits=limits, confine=confine, allow_env=allow_env, extra_env={**env, "BASELINE_RECORD_KEYFILE": str(key_file)})
    key_file.unlink(missing_ok=True)
    # Under pytest the JUnit file is the toolkit's, written from the recorder's records (not pytest's
    # --junitxml, whose reports the project's hooks can rewrite). unittest's own loader (load_tests
    # suites) is the toolkit's runner module and writes its JUnit itself; its records are unsigned.
    key = None if direct_unittest else record_key.encode()
    if not direct_unittest and not write_junit(records, junit, key):
        junit.unlink(missing_ok=True)  # none of the recorder's: whatever is there was not written by the toolkit
    guard = _read_guard(records)
    dev_pass: dict[str, Any] | None = None
    if separate_dev_pass and not process.timed_out and not process.start_error:
        # -W default comes after the project's filters, so its "error" records the warning instead.
        dev_argv = [python, "-X", "dev", "-b", "-m", "pytest", *base_args, "-W", "default"]
        dev = sandbox.run(
            dev_argv, cwd=root, limits=limits, confine=confine, allow_env=allow_env, extra_env={**env, "BASELINE_RECORD_DIR": str(dev_records), "BASELINE_GUARD_DIR": str(dev_records)}
        )
        dev_pass = {
            "reason": "the project turns warnings into errors, so development mode ran as a separate pass whose outcomes do not count",
            "exit_code": dev.exit_code,
            "duration_s": round(dev.duration_s, 3),
            "argv": list(dev.argv),
        }
    artifacts: list[Artifact] = []
    if junit.is_file():
        artifacts.append(Artifact(path=str(junit), sha256=file_sha256(junit), media_type="application/xml"))
    run_evidence = Evidence(
        provenance=Provenance.EXECUTED,
        summary=("ran the unittest suite with unittest's own loader (it uses load_tests)" if direct_unittest else f"ran the test suite with pytest {pytest_version}")
        + (f" under coverage.py {coverage_version} (branch coverage)" if coverage_version else " (coverage.py not installed in the target interpreter)")
        + ("; network: loopback only" if process.network_isolated else "; network: not isolated")
        + f"; command: {command.describe()}",
        tool="pytest",
        tool_version=pytest_version,
        argv=process.argv,
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        input_digests={"tree": tree_digest},
        artifacts=tuple(artifacts),
        stderr_tail=process.stderr_tail() if not process.ok else None,
    )
    warnings_folder = dev_records if dev_pass is not None else records
    network_skipped = tuple(str(item) for item in (guard or {}).get("network_deselected") or ())
    extra: dict[str, Any] = {
        "test_command": {
            "runner": command.runner,
            "executed_by": "unittest (baseline_unittest)" if direct_unittest else "pytest",
            "source": command.source,
            "command": command.command,
            "args": list(command.args),
            "paths": list(command.paths),
            "notes": list(command.notes),
            "offline_args": offline,
        },
        "product": {"roots": list(product.roots), "source": product.source, "notes": list(product.notes)},
        "coverage_sources": sources_reason,
        "session": guard,
        "network_skipped": list(network_skipped),
        "overlay": {"packages": missing, "folder": str(overlay_folder)} if overlay_folder else None,
    }
    if dev_pass is not None:
        extra["dev_pass"] = dev_pass
    common: dict[str, Any] = {
        "duration_s": round(process.duration_s, 3),
        "sources": tuple(os.path.relpath(source, root) if os.path.isabs(source) else source for source in sources),
        "stdout_tail": "\n".join(process.stdout.splitlines()[-40:]),
        "stderr": process.stderr,
        "pytest_exit_code": process.exit_code,
        "warnings": read_warnings(warnings_folder, key if warnings_folder == records else None) + stderr_warnings(process.stderr, root),
        "details": read_details(records, key),
        "dev_mode": dev_mode,
        "recorder_ok": (records / "session.jsonl").is_file(),
        # unittest's own loader is the toolkit's runner, not pytest: there are no pytest hooks to watch.
        "integrity": None if direct_unittest else read_integrity(records, key),
        "extra": extra,
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
    aborted = _aborted(guard, process.exit_code)
    if aborted:
        return TestRun(status="error", message=f"aborted session, not scored: {aborted}", evidence=(run_evidence,), **common)
    try:
        cases, counts = parse_junit(junit, root)
    except (safe_et.ParseError, OSError, ValueError) as exc:
        return TestRun(status="error", message=f"the JUnit report could not be read: {exc}", evidence=(run_evidence,), **common)

    coverage: CoverageData | None = None
    coverage_error: str | None = None
    evidence = [run_evidence]
    if coverage_version is None:
        coverage_error = f"coverage.py is not installed in the target interpreter {python}"
    else:
        coverage, coverage_error, cov_evidence = _report_coverage(
            root=root, python=python, work_dir=work_dir, run_rc=run_rc, data_file=data_file, coverage_json=coverage_json,
            project_json=project_json, project=project_coverage, sources=tuple(common["sources"]), version=coverage_version,
            tree_digest=tree_digest, env={"PYTHONPATH": env["PYTHONPATH"]}, readable=shown,
        )
        evidence += cov_evidence
    status = "ok" if counts.collected > 0 else "no-tests"
    message = (
        f"{counts.collected} tests: {counts.passed} passed, {counts.failed} failed, "
        f"{counts.errors} errors, {counts.skipped} skipped in {process.duration_s:.1f} s"
    )
    if network_skipped:
        message += f"; {len(network_skipped)} network tests left out (loopback only)"
    if guard and guard.get("stop_reason"):
        message += f"; the session stopped early: {guard['stop_reason']}"
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


def _report_coverage(
    *,
    root: Path,
    python: str,
    work_dir: Path,
    run_rc: Path,
    data_file: Path,
    coverage_json: Path,
    project_json: Path,
    project: ProjectCoverage,
    sources: tuple[str, ...],
    version: str,
    tree_digest: str,
    env: dict[str, str],
    readable: tuple[str, ...] = (),
) -> tuple[CoverageData | None, str | None, list[Evidence]]:
    """Combine parallel data, then report twice: on the toolkit's terms and on the project's."""
    limits = sandbox.Limits(timeout_s=300, network=False, contain=True)  # the project's coverage plugins load here too
    confine = sandbox.Confine(project=root, writable=(work_dir,), readable=tuple(Path(part) for part in (*readable, *env.get("PYTHONPATH", "").split(os.pathsep)) if part))
    parallel = sorted(work_dir.glob(".coverage.*"))
    if parallel:
        combined = sandbox.run(
            [python, "-m", "coverage", "combine", f"--rcfile={run_rc}", f"--data-file={data_file}", str(work_dir)], cwd=root, limits=limits, extra_env=env,
            confine=confine,
        )
        if not combined.ok and not data_file.exists():
            return None, f"coverage.py could not combine {len(parallel)} parallel data files: {combined.stderr_tail(3) or combined.stdout[-300:]}", []
    if not data_file.exists():
        return None, "coverage.py wrote no data (did the tests import the project's code?)", []
    # The project's own terms: its configuration file, its omit and its exclusions. Both reports read
    # the same data and write their own files: they run at the same time.
    own_argv = [python, "-m", "coverage", "json", f"--data-file={data_file}", "-o", str(project_json), "--ignore-errors", "--fail-under=0"]
    if project.omit:
        own_argv.append("--omit=" + ",".join(project.omit))
    if project.include:
        own_argv.append("--include=" + ",".join(project.include))
    full_argv = [python, "-m", "coverage", "json", f"--rcfile={run_rc}", f"--data-file={data_file}", "-o", str(coverage_json), "--ignore-errors", "--fail-under=0"]
    same_terms = _same_terms(project, root, sources)
    if same_terms:
        # No configuration and no exclusion pragma: the project's terms are the toolkit's, one report.
        full = sandbox.run(full_argv, cwd=root, limits=limits, extra_env=env, confine=confine)
        own = full
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage-report") as pool:
            pending = pool.submit(sandbox.run, own_argv, cwd=root, limits=limits, extra_env=env, confine=confine)
            full = sandbox.run(full_argv, cwd=root, limits=limits, extra_env=env, confine=confine)
            own = pending.result()
    if not (full.ok and coverage_json.is_file()):
        detail = full.stdout.strip()[-300:] or full.stderr_tail(3)
        return None, f"coverage.py could not report ({full.describe()}): {detail}", []
    evidence = [
        Evidence(
            provenance=Provenance.EXECUTED,
            summary=f"coverage.py {version} measured statement and branch coverage of the product, every line counted; "
            "a second report applied the project's own omit and exclusions to show what they hide",
            tool="coverage",
            tool_version=version,
            argv=full.argv,
            exit_code=full.exit_code,
            duration_s=round(full.duration_s + (0.0 if same_terms else own.duration_s), 3),
            input_digests={"tree": tree_digest},
            artifacts=tuple(
                Artifact(path=str(path), sha256=file_sha256(path), media_type="application/json") for path in (coverage_json, project_json) if path.is_file()
            ),
        )
    ]
    try:
        everything = parse_coverage_json(coverage_json, root, sources, version)
        projects: CoverageData | None = everything
        if not same_terms:
            projects = parse_coverage_json(project_json, root, sources, version) if own.ok and project_json.is_file() else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"the coverage report could not be read: {exc}", evidence
    return _on_toolkit_terms(everything, projects, project), None, evidence


# coverage.py's default exclusion (``[report] exclude_lines`` when the project sets none).
_DEFAULT_EXCLUSION = re.compile(r"#\s*(?:pragma|PRAGMA)[:\s]?\s*(?:no|NO)\s*(?:cover|COVER)")


def _same_terms(project: ProjectCoverage, root: Path, sources: tuple[str, ...], limit: int = 5000) -> bool:
    """Whether the project's own report would equal the toolkit's: no coverage configuration at all and
    no line of the measured sources that coverage.py's default exclusion hides."""
    if project.file is not None:
        return False
    seen = 0
    for source in sources:
        path = Path(source) if Path(source).is_absolute() else root / source
        files = [path] if path.is_file() else sorted(path.rglob("*.py")) if path.is_dir() else []
        for item in files:
            seen += 1
            if seen > limit:
                return False  # too many to read: report twice rather than guess
            try:
                if _DEFAULT_EXCLUSION.search(item.read_text(encoding="utf-8", errors="replace")):
                    return False
            except OSError:
                return False
    return True


def _on_toolkit_terms(everything: CoverageData, own: CoverageData | None, project: ProjectCoverage) -> CoverageData:
    """Every product statement counts; a line the project hides (omit, exclusion, pragma) counts as not covered."""
    if own is None:
        return replace(everything, omit=tuple(project.omit), exclude=tuple(project.exclude), project_fail_under=project.fail_under, config_file=project.file)
    own_files = {item.path: item for item in own.files}
    files: list[FileCoverage] = []
    hidden_files: list[str] = []
    for item in everything.files:
        mine = own_files.get(item.path)
        if mine is None:
            if item.statements:
                hidden_files.append(item.path)
            covered, covered_branches = 0, 0
        else:
            covered, covered_branches = min(mine.covered, item.statements), min(mine.covered_branches, item.branches)
        files.append(
            replace(
                item,
                covered=covered,
                missing=item.statements - covered,
                percent_statements=round(100.0 * covered / item.statements, 2) if item.statements else 100.0,
                covered_branches=covered_branches,
                percent_branches=round(100.0 * covered_branches / item.branches, 2) if item.branches else None,
            )
        )
    statements = everything.num_statements
    covered = sum(item.covered for item in files)
    branches = everything.num_branches
    covered_branches = sum(item.covered_branches for item in files)
    percent_statements = 100.0 * covered / statements if statements else 100.0
    percent_branches = (100.0 * covered_branches / branches) if branches else None
    combined = 100.0 * (covered + covered_branches) / (statements + branches) if statements + branches else 100.0
    return replace(
        everything,
        percent_statements=round(percent_statements, 2),
        percent_branches=None if percent_branches is None else round(percent_branches, 2),
        percent_combined=round(combined, 2),
        covered_lines=covered,
        covered_branches=covered_branches,
        files=tuple(files),
        project_percent_statements=own.percent_statements,
        hidden_statements=max(0, statements - own.num_statements),
        hidden_files=tuple(hidden_files),
        omit=tuple(project.omit),
        exclude=tuple(project.exclude),
        project_fail_under=project.fail_under,
        config_file=project.file,
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
