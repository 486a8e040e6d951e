"""The hostile-target corpus: every case is scanned by the real CLI and must end in a clear outcome.

One case = a factory that builds a small project in a temporary folder + what the scan must
produce: the exit code (0 ok, 1 gate, 2 usage/config, 3 incomplete; never 4), the outcome of the
checks it exercises, a message naming the problem, no traceback from the toolkit, and no process
of the target left running. Cases run with ``--gate --min-score 0 --fail-on none --required
<techniques>`` so that the exit code says exactly whether the exercised techniques passed (0),
failed (1) or could not be evaluated (3).

==========================  ========  ==========================================================
case                        exit      expected outcome
==========================  ========  ==========================================================
hostile-files               1         T03 fail: only 40% analysed, each skipped file noted (binary,
                                      over max_file_kb, not decodable, NUL bytes, Python 2 syntax,
                                      no read permission); symlink loops, a FIFO, dangling links and
                                      links out of the project are not followed; T04 pass, binary
                                      and oversized files listed as skipped, nothing outside read
hostile-tests               1         T02 fail: Python 2 syntax, NUL bytes and undecodable bytes in
                                      test files are collection errors naming each file
pyproject: bad UTF-8,       2         configuration error naming pyproject.toml and the problem;
folder, link loop, table                no report, no test run
as scalar, wrong type,
out of range
hang-ignoring-sigterm       3         T02 error "did not finish within 4 s", the SIGTERM-proof test
                                      and its SIGTERM-proof child are killed
fork-bomb                   3         T02 error at the timeout; none of the 300 children survives
kills-its-parent            3         T02 error "interpreter crashed (SIGKILL)"; the scan survives
escape-attempts (isolation) 0         T02 pass; the target saw no credential (by name or as a
                                      password in a URL, nor in any /proc/*/environ), saw only its
                                      own processes, could not reach a non-loopback address nor
                                      write outside its scratch copy, its double-forked setsid
                                      daemon is gone; the report's sandbox record says what was in
                                      force (bubblewrap)
fuzz-crash-and-memory       1         T09 fail: a native crash (SIGSEGV) and an out-of-memory crash
                                      (RSS limit) triaged into reproducers
web-never-ready             3         T10 error "did not answer ... within 3 s"; the app is stopped
corrupt-git-blob            1         T04 pass with the note "objects missing ... corrupt"; T08 runs
corrupt-git-commit          3         T04 and T08 error saying the repository is corrupt
==========================  ========  ==========================================================
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from baseline.sandbox import confinement
from baseline.tools.static_common import find_executable
from baseline.tools.wapiti import find_wapiti
from tests.hostile import projects
from tests.hostile.harness import FAKE_CREDENTIALS, Case, Scan, assert_case, run_scan, wait_until_gone, work_dir

pytestmark = pytest.mark.e2e

_PIDNS = confinement(network=False)


def _has_atheris() -> bool:
    import importlib.util

    return importlib.util.find_spec("atheris") is not None


AVAILABLE = {
    "semgrep": find_executable("semgrep") is not None,
    "git": shutil.which("git") is not None,
    "atheris": _has_atheris(),
    "wapiti": find_wapiti() is not None,
    "pidns": _PIDNS is not None and _PIDNS.own_pid_namespace,
}

STATIC = ("--static-max-file-kb", "256", "--secrets-max-file-kb", "256")
FUZZ = ("--fuzz-time", "14", "--fuzz-rss-limit-mb", "300", "--no-fuzz-generate", "--fuzz-minimize-time", "0", "--fuzz-startup-grace", "15")

CASES = [
    Case(
        "hostile-files",
        projects.hostile_files,
        "T03,T04",
        STATIC,
        exit_code=1,
        outcomes={"static-analysis.scan": "fail", "hardcoded-secrets.scan": "pass"},
        messages={
            "static-analysis.scan": r"(?s)only 40\.0% of the Python files were analysed.*"
            r"pkg/blob\.py not \(fully\) analysed: prescreen: binary content.*"
            r"pkg/huge\.py not \(fully\) analysed: prescreen: \d+ KiB is over static\.max_file_kb.*"
            r"pkg/latin\.py not \(fully\) analysed: prescreen: not decodable text.*"
            r"pkg/legacy\.py not \(fully\) analysed: bandit: (syntax error|bandit could not parse this syntax).*"
            r"pkg/nul\.py not \(fully\) analysed: prescreen: binary content.*"
            r"pkg/secret_unreadable\.py not \(fully\) analysed: prescreen: unreadable",
            "hardcoded-secrets.scan": r"skipped \d+ files: \d+ binary;.*data/huge\.log: oversized",
        },
        needs=("semgrep",),
    ),
    Case(
        "hostile-tests",
        projects.hostile_tests,
        "T02",
        exit_code=1,
        outcomes={"automated-testing.pytest": "fail"},
        messages={"automated-testing.pytest": r"(?s)3 errors.*tests/test_latin\.py.*tests/test_legacy\.py.*tests/test_nul\.py"},
    ),
    Case(
        "hang-ignoring-sigterm",
        projects.hang_ignoring_sigterm,
        "T02",
        ("--tests-timeout", "4"),
        exit_code=3,
        outcomes={"automated-testing.pytest": "error"},
        messages={"automated-testing.pytest": r"did not finish within 4 s and was killed"},
        max_seconds=4 + 30,
    ),
    Case(
        "fork-bomb",
        projects.fork_bomb,
        "T02",
        ("--tests-timeout", "5"),
        exit_code=3,
        outcomes={"automated-testing.pytest": "error"},
        messages={"automated-testing.pytest": r"did not finish within 5 s and was killed"},
        max_seconds=5 + 30,
    ),
    Case(
        "kills-its-parent",
        projects.kills_its_parent,
        "T02",
        exit_code=3,
        outcomes={"automated-testing.pytest": "error"},
        messages={"automated-testing.pytest": r"the test run's interpreter crashed \(SIGKILL\)"},
        needs=("pidns",),  # without a PID namespace the target's parent is the scan itself
    ),
    Case(
        "fuzz-crash-and-memory",
        projects.fuzz_harnesses,
        "T09",
        FUZZ,
        exit_code=1,
        outcomes={"fuzzing.atheris": "fail"},
        messages={"fuzzing.atheris": r"(?s)2 distinct crash.*OutOfMemory: used: \d+Mb; limit: 300Mb in fuzz/fuzz_memory\.py.*Segmentation fault in fuzz/fuzz_segv\.py"},
        max_seconds=90,
        needs=("atheris",),
    ),
    Case(
        "web-never-ready",
        projects.web_never_ready,
        "T10",
        ("--web-startup-timeout", "3", *projects.WEB_NEVER_READY_ARGS),
        exit_code=3,
        outcomes={"web-app-scanning.wapiti": "error"},
        messages={"web-app-scanning.wapiti": r"the app could not be started: the app did not answer on http://127\.0\.0\.1:\d+/ within 3 s"},
        needs=("wapiti",),
    ),
    Case(
        "corrupt-git-blob",
        projects.corrupt_git("blob"),
        "T04,T08",
        ("--secrets-history", "on", "--regression-min-share", "0"),
        exit_code=1,  # regression-tests.cited fails: no test cites the fixed bug
        outcomes={"hardcoded-secrets.scan": "pass", "regression-tests.fix-commits": ("pass", "fail"), "regression-tests.cited": "fail"},
        messages={"hardcoded-secrets.scan": r"1 blobs missing from the object store or unreadable \(corrupt or partial clone\)"},
        needs=("git",),
    ),
    Case(
        "corrupt-git-commit",
        projects.corrupt_git("commit"),
        "T04,T08",
        ("--secrets-history", "on"),
        exit_code=3,
        outcomes={"hardcoded-secrets.scan": "error", "regression-tests.fix-commits": "error"},
        messages={
            "hardcoded-secrets.scan": r"the git history (scan failed|was required \(secrets\.history = on\) but its scan failed): the object store could not be walked \(corrupt or partial repository\)",
            "regression-tests.fix-commits": r"the git history could not be read \(corrupt or partial repository\)",
        },
        needs=("git",),
    ),
]

BROKEN_PYPROJECT = [
    ("bad-utf8", projects.broken_pyproject(b'[tool.baseline]\nmin_score = 5\nname = "\xff\xfe"\n'), r"pyproject\.toml: cannot read: 'utf-8' codec can't decode"),
    ("folder", projects.broken_pyproject(None, directory=True), r"pyproject\.toml: cannot read: it is not a regular file"),
    ("link-loop", projects.broken_pyproject(None, loop=True), r"pyproject\.toml: cannot read: it is not a regular file"),
    ("not-toml", projects.broken_pyproject(b"[tool.baseline\nmin_score = 5\n"), r"pyproject\.toml: not valid TOML"),
    ("table-as-scalar", projects.broken_pyproject(b"[tool.baseline]\ntests = 5\n"), r"unknown key 'tests'"),
    ("wrong-type", projects.broken_pyproject(b'[tool.baseline.tests]\ntimeout = "soon"\n'), r"key 'tests\.timeout' must be a number, got 'soon'"),
    ("out-of-range", projects.broken_pyproject(b"[tool.baseline.tests]\ntimeout = -5\n"), r"key 'tests\.timeout' must be at least 1"),
]


def _skip_unless_available(case: Case) -> None:
    missing = [need for need in case.needs if not AVAILABLE[need]]
    if missing:
        pytest.skip(f"{case.name} needs {', '.join(missing)}, which this machine does not offer")


def _build(case: Case, tmp_path: Path) -> Path:
    root = tmp_path / f"proj-{case.name}"
    root.mkdir()
    case.build(root)
    return root


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    _skip_unless_available(case)
    root = _build(case, tmp_path)
    scan = run_scan(root, case.select, *case.args, gate=case.gate)
    assert_case(case, scan)
    assert wait_until_gone(root, projects.MARKER) == [], f"{case.name}: target processes outlived the scan"


@pytest.mark.parametrize(("variant", "build", "message"), BROKEN_PYPROJECT, ids=[item[0] for item in BROKEN_PYPROJECT])
def test_broken_pyproject_is_a_configuration_error(variant: str, build: projects.Factory, message: str, tmp_path: Path) -> None:
    case = Case(f"pyproject-{variant}", build, "T02", exit_code=2, messages={"stderr": message})
    root = _build(case, tmp_path)
    scan = run_scan(root, case.select, gate=False)
    assert scan.returncode == 2, "a broken configuration is a usage error, never a scan with defaults"
    assert_case(case, scan)
    assert not (work_dir(root) / "scan" / "tests").exists(), "the test suite ran despite the broken configuration"


def _seen(scan: Scan) -> dict:  # type: ignore[type-arg]
    return json.loads((work_dir(scan.root) / "scan" / "tests" / "records" / "seen.json").read_text())


def test_escape_attempts_are_contained_and_the_report_says_so(tmp_path: Path) -> None:
    """Credentials, the caller's processes, the network, a daemon that would outlive the scan, a write outside."""
    case = Case(
        "escape-attempts",
        projects.escapes,
        "T02",
        exit_code=0,
        outcomes={"automated-testing.pytest": "pass"},
        messages={"automated-testing.pytest": r"2 tests: 2 passed"},
    )
    root = _build(case, tmp_path)
    scan = run_scan(root, case.select)
    assert_case(case, scan)
    seen = _seen(scan)
    sandbox = scan.report["sandbox"]

    # Credentials: none by name, none as a password in a URL, none through another process's environ.
    for name, value in FAKE_CREDENTIALS.items():
        assert name not in seen["environ"], f"{name} reached the target"
        assert all(value not in environ for environ in seen["proc_environ"]), f"{name} readable through /proc"
    assert "environment" in sandbox and "allow-list" in sandbox["environment"]

    # No process outlives the scan: the double-forked setsid daemon is gone.
    assert wait_until_gone(root, projects.MARKER) == []

    # The filesystem is confined (the host is read-only), and the report says what confined it.
    assert not seen["wrote_outside"] and not (tmp_path / "written-outside.txt").exists()
    assert seen["write_error"] in ("EROFS", "EACCES", "ENOENT"), seen["write_error"]
    assert sandbox["filesystem_confined"] is True and sandbox["mode"].startswith("bubblewrap")

    # Network and processes: denied where the platform allows, and the report tells which.
    evidence = scan.result("automated-testing.pytest")["evidence"][0]["summary"]
    if sandbox["network_isolated"]:
        assert seen["connect"] in ("ENETUNREACH", "EHOSTUNREACH", "ENETDOWN"), seen["connect"]
        assert "network: loopback only" in evidence
    else:
        assert sandbox["network"].startswith("NOT isolated") and "network: not isolated" in evidence
    if sandbox["own_pid_namespace"]:
        assert seen["processes_visible"] <= 3, "the target saw processes outside its own namespace"
        assert sandbox["processes"].startswith("own PID namespace")
    else:
        assert sandbox["processes"].startswith("NOT contained")

