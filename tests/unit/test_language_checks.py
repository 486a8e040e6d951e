"""T05: warning classification, assert guards, ELF hardening and the type checker."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from baseline import sandbox
from baseline.checks.language_checks import (
    ASSERT_CHECK,
    NATIVE_CHECK,
    TYPECHECK_CHECK,
    WARNINGS_CHECK,
    classify_warning,
)
from baseline.config import load_config
from baseline.model import Outcome, Severity
from baseline.tools.assert_scan import scan_source
from baseline.tools.elf_hardening import inspect_elf
from baseline.tools.pytest_run import TestCounts, TestRun
from baseline.tools.test_records import RecordedWarning
from baseline.tools.typecheck import TypeCheckRun, detect, parse_mypy, run_typecheck

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class FakeContext:
    """A scan context whose shared runs are prepared records."""

    def __init__(self, root: Path, records: dict[str, Any] | None = None) -> None:
        self.root = root
        self.config = load_config(root)
        self.records = records or {}
        self.python = shutil.which("python3") or "python3"

    def shared(self, run: Any) -> Any:
        return self.records[run.key]

    def artifact_dir(self, name: str) -> Path:
        path = self.root / ".baseline" / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def _run(warnings: tuple[RecordedWarning, ...], sources: tuple[str, ...] = ("app",), dev_mode: bool = True) -> TestRun:
    return TestRun(status="ok", message="2 tests", counts=TestCounts(collected=2, passed=2), sources=sources, warnings=warnings, dev_mode=dev_mode, recorder_ok=True)


def test_warning_categories_map_to_rules() -> None:
    cases = {
        RecordedWarning("ResourceWarning", "unclosed file <x>", "app/a.py", 3, "runtest"): ("unclosed-resource", Severity.MEDIUM),
        RecordedWarning("RuntimeWarning", "coroutine 'f' was never awaited", "app/a.py", 3, "runtest"): ("coroutine-never-awaited", Severity.MEDIUM),
        RecordedWarning("BytesWarning", "Comparison between bytes and string", "app/a.py", 3, "runtest"): ("bytes-str-comparison", Severity.MEDIUM),
        RecordedWarning("DeprecationWarning", "invalid escape sequence '\\d'", "app/a.py", 3, "collect"): ("invalid-escape-sequence", Severity.LOW),
        RecordedWarning("DeprecationWarning", "'x' is deprecated", "app/a.py", 3, "runtest"): ("deprecated-api", Severity.LOW),
        RecordedWarning("PytestUnknownMarkWarning", "Unknown pytest.mark.foo", "tests/t.py", 3, "collect"): ("pytest-warning", Severity.INFO),
    }
    for warning, (rule, severity) in cases.items():
        assert classify_warning(warning)[:2] == (rule, severity)


def test_product_warnings_fail_and_test_warnings_only_lower_the_score(tmp_path: Path) -> None:
    product = RecordedWarning("ResourceWarning", "unclosed file", "app/io.py", 7, "runtest", "tests/test_io.py::test_read")
    in_test = RecordedWarning("DeprecationWarning", "old", "tests/test_io.py", 4, "runtest")
    third = RecordedWarning("DeprecationWarning", "old", "/usr/lib/python3/dist-packages/x.py", 4, "runtest")
    result = WARNINGS_CHECK.run(FakeContext(tmp_path, {"test-run": _run((product, product, in_test, third))}))
    assert result.outcome is Outcome.FAIL
    assert result.score == 10 - 2 - 0.5
    located = {(f.location.path, f.location.start_line) for f in result.findings if f.location}
    assert ("app/io.py", 7) in located and ("tests/test_io.py", 4) in located
    product_finding = next(f for f in result.findings if f.rule_id == "language-checks.unclosed-resource")
    assert product_finding.properties["count"] == 2 and product_finding.context == "product"
    assert result.metrics["by_place"] == {"product": 1, "test": 1, "third-party": 1}


def test_clean_run_passes_and_dev_mode_off_is_not_evaluated(tmp_path: Path) -> None:
    clean = WARNINGS_CHECK.run(FakeContext(tmp_path, {"test-run": _run(())}))
    assert clean.outcome is Outcome.PASS and clean.score == 10
    off = WARNINGS_CHECK.run(FakeContext(tmp_path, {"test-run": _run((), dev_mode=False)}))
    assert off.outcome is Outcome.NOT_EVALUATED
    broken = TestRun(status="error", message="collection failed")
    assert WARNINGS_CHECK.run(FakeContext(tmp_path, {"test-run": broken})).outcome is Outcome.ERROR


def test_assert_guards_are_classified() -> None:
    source = '''
def delete(user, item):
    assert user.is_admin, "admins only"
    assert item is not None
    assert isinstance(item, str)
    assert len(item) < 10
    return item

class Conn:
    def send(self, data):
        assert self._connected
        assert self.counter >= 0
        assert False, "unreachable"

def grant(request):
    assert request.user.has_perm("x")

assert True
'''
    found = {(guard.line, guard.kind) for guard in scan_source(source, "app/x.py")}
    assert found == {(3, "authorisation"), (6, "validation"), (11, "state"), (16, "authorisation")}


def test_assert_check_fails_on_the_fixture_and_ignores_tests(tmp_path: Path) -> None:
    root = tmp_path / "warn_project"
    shutil.copytree(FIXTURES / "warn_project", root)
    (root / "tests" / "test_extra.py").write_text("def test_x(user):\n    assert user.is_admin\n")
    result = ASSERT_CHECK.run(FakeContext(root))
    assert result.outcome is Outcome.FAIL
    paths = {(f.location.path, f.location.start_line, f.rule_id) for f in result.findings if f.location}
    assert ("warnapp/accounts.py", 18, "language-checks.assert-authorisation") in paths
    assert all(not path.startswith("tests/") for path, _, _ in paths)


def test_pure_python_project_is_not_applicable_with_evidence(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("X = 1\n")
    result = NATIVE_CHECK.run(FakeContext(tmp_path))
    assert result.outcome is Outcome.NOT_APPLICABLE and result.evidence


C_SOURCE = r"""
#include <string.h>
#include <stdio.h>
int copy(const char *src, char *out, int n) {
    char buffer[64];
    strcpy(buffer, src);
    snprintf(out, n, "%s", buffer);
    return (int)strlen(buffer);
}
"""


def _compile(tmp_path: Path, name: str, flags: list[str]) -> Path:
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        pytest.skip("no C compiler")
    source = tmp_path / "ext.c"
    source.write_text(C_SOURCE)
    out = tmp_path / "pkg" / name
    out.parent.mkdir(exist_ok=True)
    result = sandbox.run([gcc, "-shared", "-o", str(out), str(source), *flags], cwd=tmp_path, limits=sandbox.Limits(timeout_s=60))
    if not result.ok:
        pytest.skip(f"compiler failed: {result.stderr_tail(3)}")
    return out


def test_elf_hardening_of_hardened_and_weak_modules(tmp_path: Path) -> None:
    hard = _compile(tmp_path, "hard.so", ["-O2", "-fPIC", "-fstack-protector-all", "-D_FORTIFY_SOURCE=2", "-Wl,-z,relro,-z,now", "-Wl,-z,noexecstack"])
    weak = _compile(tmp_path, "weak.so", ["-O0", "-fPIC", "-fno-stack-protector", "-U_FORTIFY_SOURCE", "-Wl,-z,norelro", "-Wl,-z,lazy", "-Wl,-z,execstack"])
    strong = inspect_elf(hard, tmp_path)
    assert strong.missing == () and strong.path == "pkg/hard.so"
    poor = inspect_elf(weak, tmp_path)
    assert {"relro", "bind_now", "nx", "stack_protector", "fortify"} <= set(poor.missing)
    result = NATIVE_CHECK.run(FakeContext(tmp_path))
    assert result.outcome is Outcome.FAIL
    assert any(f.rule_id == "language-checks.elf-no-nx" and f.location and f.location.path == "pkg/weak.so" for f in result.findings)
    (tmp_path / "pkg" / "notelf.so").write_text("text")
    assert inspect_elf(tmp_path / "pkg" / "notelf.so", tmp_path).error == "not an ELF file"


def test_type_checker_detection_and_parsing(tmp_path: Path) -> None:
    assert detect(tmp_path) is None
    (tmp_path / "mypy.ini").write_text("[mypy]\n")
    assert detect(tmp_path) == ("mypy", "mypy.ini")
    output = "app/a.py:3: error: Incompatible return value type (got \"str\", expected \"int\")  [return-value]\napp/a.py:3: note: hint\n"
    errors = parse_mypy(output, tmp_path)
    assert [(e.path, e.line, e.code) for e in errors] == [("app/a.py", 3, "return-value")]


def test_type_checker_not_configured_is_not_applicable_and_missing_is_error(tmp_path: Path) -> None:
    none = TYPECHECK_CHECK.run(FakeContext(tmp_path, {"typecheck": TypeCheckRun("not-configured", "no type checker configured")}))
    assert none.outcome is Outcome.NOT_APPLICABLE and none.evidence
    (tmp_path / "pyrightconfig.json").write_text("{}")
    missing = run_typecheck(root=tmp_path, python="python3", work_dir=tmp_path, command=[], timeout_s=30) if shutil.which("pyright") is None else None
    if missing is None:
        pytest.skip("pyright is installed here")
    assert missing.status == "missing"
    result = TYPECHECK_CHECK.run(FakeContext(tmp_path, {"typecheck": missing}))
    assert result.outcome is Outcome.ERROR and "pyright" in result.message


def test_mypy_runs_on_a_configured_project(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("def f(x: int) -> str:\n    return x\n")
    (tmp_path / "pyproject.toml").write_text("[tool.mypy]\npython_version = '3.11'\n")
    import sys

    run = run_typecheck(root=tmp_path, python=sys.executable, work_dir=tmp_path / ".work", command=[], timeout_s=300)
    assert run.status == "ok", run.message
    assert [(e.path, e.line) for e in run.errors] == [("app/__init__.py", 2)]
    assert run.errors[0].code == "return-value"
    # mypy >= 1.11 speaks JSON: its -O json output was read, not the text fallback
    import importlib.metadata

    if tuple(int(part) for part in importlib.metadata.version("mypy").split(".")[:2]) >= (1, 11):
        assert "-O" in run.evidence[0].argv and "json" in run.evidence[0].argv
    assert not (tmp_path / ".mypy_cache").exists()
    result = TYPECHECK_CHECK.run(FakeContext(tmp_path, {"typecheck": run}))
    assert result.outcome is Outcome.FAIL and result.findings[0].location.path == "app/__init__.py"


def test_pyright_json_and_an_explicit_command(tmp_path: Path) -> None:
    import json
    import sys

    from baseline.tools.typecheck import parse_pyright

    output = json.dumps({"generalDiagnostics": [
        {"file": "app/a.py", "severity": "error", "message": "bad", "rule": "reportGeneralTypeIssues", "range": {"start": {"line": 4}}},
        {"file": "app/a.py", "severity": "warning", "message": "meh", "range": {"start": {"line": 1}}},
    ]})
    assert [(e.path, e.line, e.code) for e in parse_pyright(output)] == [("app/a.py", 5, "reportGeneralTypeIssues")]
    pytest.importorskip("mypy")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "m.py").write_text("x: int = 'a'\n")
    run = run_typecheck(root=tmp_path, python=sys.executable, work_dir=tmp_path / ".w", command=["mypy", "--no-error-summary", "--cache-dir=/dev/null", "lib/m.py"], timeout_s=300)
    assert run.status == "ok" and run.configured_in == "typecheck.command"
    assert [(e.path, e.line) for e in run.errors] == [("lib/m.py", 1)]


def test_mypy_json_output_is_read_as_json(tmp_path: Path) -> None:
    import json

    import pytest

    from baseline.tools.typecheck import parse_mypy_json

    lines = [
        {"file": str(tmp_path / "app" / "a.py"), "line": 3, "column": 4, "message": 'Incompatible return value type (got "str", expected "int")', "hint": None, "code": "return-value", "severity": "error"},
        {"file": "app/a.py", "line": 3, "column": 4, "message": "a note", "hint": None, "code": "misc", "severity": "note"},
        {"file": "app/b.py", "line": -1, "column": -1, "message": 'password = "s3cr3t-value-1"', "hint": "see docs", "code": None, "severity": "error"},
    ]
    errors = parse_mypy_json("\n".join(json.dumps(item) for item in lines) + "\n", tmp_path)
    assert [(e.path, e.line, e.code) for e in errors] == [("app/a.py", 3, "return-value"), ("app/b.py", None, "")]
    assert "s3cr3t" not in errors[1].message and "(see docs)" in errors[1].message
    # Configuration messages come as text even in JSON mode: notes are skipped, errors kept.
    mixed = "setup.cfg: note: unused section(s): [mypy-tests.*]\n" + json.dumps(lines[0]) + "\nsetup.cfg: error: bad option\n"
    assert [(e.path, e.line) for e in parse_mypy_json(mixed, tmp_path)] == [("app/a.py", 3), ("setup.cfg", None)]
    with pytest.raises(ValueError):
        parse_mypy_json("Traceback (most recent call last)\n", tmp_path)
