"""Issue 18, item 1 and 2: ``not_applicable`` needs positive evidence; nothing ran, nothing credited.

Each fail-open path of the checks this module covers is pinned here: the runner's contract for every
check (only evidence that the check looked and found nothing to judge takes it out of the score), T10
on a product that serves connections the toolkit cannot start, T04 with required history that cannot
be read, and T05's assert check with nothing to judge.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from baseline.catalog import load_catalog
from baseline.checks.hardcoded_secrets import judge as judge_secrets
from baseline.checks.language_checks import ASSERT_CHECK, WARNINGS_CHECK
from baseline.checks.web_scanning import API_CHECK, CHECK as WEB_CHECK, find_listeners
from baseline.config import Config, load_config
from baseline.discovery import Discovered, LoadedCheck
from baseline.model import CheckResult, Evidence, Outcome, Provenance, Target
from baseline.runner import ScanContext, execute_scan
from baseline.scoring import absence, proves_inapplicable, score_technique
from baseline.tools.pytest_run import TestCounts, TestRun
from baseline.tools.secrets.history import HistoryScan
from baseline.tools.secrets.scan import SecretsScan
from baseline.web.scan import WEB_SCAN, run_web_scan
from tests.helpers import spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CATALOG = load_catalog()
TARGET = Target(
    path="/p", name="p", vcs=None, commit=None, dirty=None, tree_digest="sha256:" + "0" * 64, file_count=0,
    interpreter="python", interpreter_source="test",
)


# --- the runner's contract -------------------------------------------------------------------------


class Claims:
    """A check that claims not_applicable with the evidence it is given."""

    def __init__(self, check_id: str, evidence: tuple[Evidence, ...]) -> None:
        self.spec = spec(check_id, "T09")
        self.evidence = evidence

    def run(self, context: ScanContext) -> CheckResult:
        return CheckResult(self.spec, Outcome.NOT_APPLICABLE, None, "nothing here", evidence=self.evidence)


def _scan(tmp_path: Path, *checks: Claims) -> dict[str, CheckResult]:
    discovered = Discovered(checks=tuple(LoadedCheck(f"plugin-{c.spec.id}", c.spec, c) for c in checks), problems=())
    report = execute_scan(
        target=TARGET, root=tmp_path, config=Config(values={"jobs": 1}, source=None), catalog=CATALOG,
        discovered=discovered, work_dir=tmp_path,
    )
    return {result.spec.id: result for result in report.results}


def test_not_applicable_needs_evidence_that_the_check_looked(tmp_path: Path) -> None:
    results = _scan(
        tmp_path,
        Claims("declared", (Evidence(Provenance.DECLARED, "the README says there is no input"),)),
        Claims("failed-tool", (Evidence(Provenance.EXECUTED, "the extractor ran", tool="x", exit_code=2),)),
        Claims("crashed-tool", (Evidence(Provenance.EXECUTED, "the extractor ran", stderr_tail="Traceback"),)),
        Claims("blank", (Evidence(Provenance.INSPECTED, "  "),)),
        Claims("looked", (absence("a function that takes bytes", "12 product modules"),)),
        Claims("tool-ok", (Evidence(Provenance.EXECUTED, "git log read 50 commits, none is a fix", tool="git", exit_code=0),)),
    )
    for name in ("declared", "failed-tool", "crashed-tool", "blank"):
        assert results[name].outcome is Outcome.NOT_EVALUATED and results[name].score == 0.0, name
        assert "not applicable without evidence" in results[name].message
    assert results["looked"].outcome is Outcome.NOT_APPLICABLE and results["looked"].score is None
    assert results["tool-ok"].outcome is Outcome.NOT_APPLICABLE
    assert "looked for a function that takes bytes in 12 product modules: none found" == results["looked"].evidence[0].summary


def test_proves_inapplicable_is_the_single_rule() -> None:
    assert not proves_inapplicable(())
    assert proves_inapplicable((Evidence(Provenance.DECLARED, "x"), absence("a", "b")))


# --- T10: a listener the toolkit cannot start is not "no web surface" ------------------------------


class Ctx:
    def __init__(self, root: Path, records: dict[str, Any]) -> None:
        self.root = root
        self.config = load_config(root)
        self.records = records
        self.python = shutil.which("python3") or "python3"

    def shared(self, run: Any) -> Any:
        return self.records[run.key]


STDLIB_SERVER = '''\
import http.server


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.path.encode())


def main():
    http.server.ThreadingHTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
'''


def _project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _web(root: Path, work: Path, status: str = "no-web") -> tuple[CheckResult, CheckResult]:
    scan = run_web_scan(root, "python-not-needed", work, load_config(root), "sha256:x")
    assert scan.status == status, scan.message
    context = Ctx(root, {WEB_SCAN.key: scan})
    return WEB_CHECK.run(context), API_CHECK.run(context)  # type: ignore[arg-type]


def test_stdlib_http_server_is_a_web_app_that_is_started_never_not_applicable(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"srv/__init__.py": "", "srv/server.py": STDLIB_SERVER})
    # Recognised as a web app and started (here with an interpreter that does not exist: an error, never N/A).
    wapiti, _api = _web(root, tmp_path / "w", status="error")
    assert wapiti.outcome is Outcome.ERROR and wapiti.score == 0.0
    assert "http.server app srv.server (srv/server.py:" in str(wapiti.metrics["app"])


def test_socketserver_and_asyncio_and_raw_socket_listeners_are_found(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "a/__init__.py": "",
        "a/tcp.py": "import socketserver\nsocketserver.TCPServer(('', 1), None)\n",
        "a/aio.py": "import asyncio\nasync def main():\n    await asyncio.start_server(lambda r, w: None, '127.0.0.1', 1)\n",
        "a/raw.py": "import socket\ns = socket.socket()\ns.bind(('', 1))\ns.listen()\n",
        "a/sig.py": "import inspect\ndef f(g):\n    return inspect.signature(g).bind(1)\n",
    })
    names = {(item.file, item.name) for item in find_listeners(root).items}
    assert ("a/tcp.py", "socketserver.TCPServer") in names
    assert ("a/aio.py", "asyncio.start_server") in names
    assert ("a/raw.py", "s.bind") in names and ("a/raw.py", "s.listen") in names
    assert not any(file == "a/sig.py" for file, _ in names)  # Signature.bind is not a listener


def test_library_without_listener_is_not_applicable_with_absence_evidence(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"lib/__init__.py": "import inspect\ndef f(g):\n    return inspect.signature(g).bind(1)\n"})
    wapiti, _api = _web(root, tmp_path / "w")
    assert wapiti.outcome is Outcome.NOT_APPLICABLE and proves_inapplicable(wapiti.evidence)
    assert any(item.summary.startswith("looked for a network listener") for item in wapiti.evidence)


def test_unparsable_product_file_does_not_prove_absence(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"lib/__init__.py": "", "lib/broken.py": "def (:\n"})
    wapiti, _api = _web(root, tmp_path / "w")
    assert wapiti.outcome is Outcome.NOT_EVALUATED and "lib/broken.py" in wapiti.message


# --- T04: history required but unreadable ----------------------------------------------------------


def _secrets(history: HistoryScan | None, reason: str = "secrets.history = on") -> SecretsScan:
    return SecretsScan("ok", "", (), 10, 1000, (), 0.1, history, reason, ())


def test_required_history_that_cannot_be_read_is_an_error_not_a_pass() -> None:
    cases = {
        "no git": HistoryScan("skipped", "git is not available: not found", notes=("history not scanned: not found",)),
        "not a repo": HistoryScan("skipped", "the target is not a git repository: history not scanned", notes=("not a git repository",)),
        "failed": HistoryScan("error", "git rev-list failed"),
        "shallow": HistoryScan("ok", "0 distinct secrets", (), commits=1, blobs_total=3, blobs_scanned=3, shallow=True),
    }
    for name, history in cases.items():
        result = judge_secrets(_secrets(history, "secrets.history = on"), [], [])
        assert result.outcome is Outcome.ERROR and result.score == 0.0, name
        assert "required" in result.message, name
        ci = judge_secrets(_secrets(history, "secrets.history = auto and a CI environment was detected"), [], [])
        # In CI (auto), a tree that is not a repository has no history; everything else is still an error.
        assert ci.outcome is (Outcome.PASS if name == "not a repo" else Outcome.ERROR), name


def test_history_read_in_full_or_not_asked_for_passes() -> None:
    full = HistoryScan("ok", "0 distinct secrets", (), commits=7, blobs_total=9, blobs_scanned=9)
    assert judge_secrets(_secrets(full), [], []).outcome is Outcome.PASS
    empty = HistoryScan("skipped", "the repository has no commits", notes=("no commits",))
    assert judge_secrets(_secrets(empty), [], []).outcome is Outcome.PASS
    assert judge_secrets(_secrets(None, "secrets.history = off"), [], []).outcome is Outcome.PASS


# --- T05: nothing to judge earns no credit ---------------------------------------------------------


def _no_test_run() -> TestRun:
    return TestRun(status="no-tests", message="no test collected", counts=TestCounts(), dev_mode=True)


def test_t05_earns_nothing_when_no_test_ran_and_no_assert_guards_anything(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/__init__.py": "def view(q):\n    return q\n"})
    context = Ctx(root, {"test-run": _no_test_run()})
    asserts = ASSERT_CHECK.run(context)  # type: ignore[arg-type]
    assert asserts.outcome is Outcome.NOT_APPLICABLE and asserts.score is None and proves_inapplicable(asserts.evidence)
    warnings = WARNINGS_CHECK.run(context)  # type: ignore[arg-type]
    assert warnings.outcome is Outcome.NOT_EVALUATED and warnings.score == 0.0
    technique = CATALOG.technique("T05")
    assert technique is not None
    scored = score_technique(technique, [asserts, warnings])
    assert scored.score == 0.0  # was 5.0: the assert check passed with nothing to judge


def test_assert_check_without_product_code_or_with_unparsable_code_is_not_evaluated(tmp_path: Path) -> None:
    empty = _project(tmp_path / "empty", {"tests/test_x.py": "def test_x():\n    assert True\n"})
    result = ASSERT_CHECK.run(Ctx(empty, {}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.NOT_EVALUATED and result.score == 0.0
    broken = _project(tmp_path / "broken", {"app/__init__.py": "", "app/x.py": "def (:\n"})
    result = ASSERT_CHECK.run(Ctx(broken, {}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.NOT_EVALUATED and "could not be parsed" in result.message


def test_secrets_scan_that_read_no_file_earns_nothing() -> None:
    nothing = SecretsScan("ok", "", (), 0, 0, (("a.bin", "binary"),), 0.1, None, "secrets.history = off", ())
    result = judge_secrets(nothing, [], [])
    assert result.outcome is Outcome.NOT_EVALUATED and result.score == 0.0 and "no file" in result.message


# --- T07: a test run that failed early is an error, never "nothing to measure" --------------------


def test_coverage_of_a_run_that_failed_before_measuring_is_an_error_when_there_is_product_code(tmp_path: Path) -> None:
    from baseline.checks.structural_coverage import CHECK as COVERAGE_CHECK

    early = TestRun(status="error", message="pytest is not installed in the target interpreter")  # no sources: it never got that far
    root = _project(tmp_path / "lib", {"lib/__init__.py": "def f():\n    return 1\n"})
    result = COVERAGE_CHECK.run(Ctx(root, {"test-run": early}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.ERROR and result.score == 0.0 and "pytest is not installed" in result.message
    scripts = _project(tmp_path / "scripts", {"tests/test_x.py": "def test_x():\n    assert True\n"})
    result = COVERAGE_CHECK.run(Ctx(scripts, {"test-run": early}))  # type: ignore[arg-type]
    assert result.outcome is Outcome.NOT_APPLICABLE
