"""Run a unittest suite as ``python -m unittest`` does, writing JUnit XML and the recorder's records.

    python -m baseline_unittest --junitxml PATH [unittest arguments: discover -s DIR -p PATTERN | names]

Used for suites that rely on what only unittest's own loader honours (the ``load_tests`` protocol,
for instance doctests added to the suite), where pytest would run a different set of tests. Runs
inside the *target's* interpreter with the standard library only. Writes into
``BASELINE_RECORD_DIR`` the same files as the pytest recorder and session guard:
``tests.jsonl`` (items and call outcomes), ``warnings.jsonl``, ``session.jsonl`` and
``session-guard.json``. Exit status: 0 all passed, 1 failures or errors, 5 no tests, like pytest.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import unittest
import warnings
from typing import Any
from xml.sax.saxutils import quoteattr  # nosec B406 -- escapes the attributes the recorder writes; nothing is parsed

_DIR = os.environ.get("BASELINE_RECORD_DIR", "")
_ROOT = os.getcwd()


def _write(name: str, record: dict[str, Any]) -> None:
    if not _DIR:
        return
    try:
        with open(os.path.join(_DIR, name), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
    except OSError:
        pass


def _relative(path: str) -> str:
    if path and os.path.isabs(path):
        rel = os.path.relpath(path, _ROOT)
        return path if rel.startswith("..") else rel.replace(os.sep, "/")
    return (path or "").replace(os.sep, "/")


def _where(test: Any) -> tuple[str, int | None]:
    method = getattr(test, getattr(test, "_testMethodName", ""), None)
    code = getattr(getattr(method, "__func__", method), "__code__", None)
    if code is not None:
        return _relative(code.co_filename), code.co_firstlineno
    module = sys.modules.get(type(test).__module__)
    return _relative(getattr(module, "__file__", "") or ""), None


class Result(unittest.TestResult):
    """Collects one outcome per test (subtest failures fail their test)."""

    def __init__(self) -> None:
        super().__init__()
        self.cases: dict[str, dict[str, Any]] = {}
        self.started: dict[str, float] = {}
        self.finished = 0

    def _case(self, test: Any) -> dict[str, Any]:
        nodeid = test.id()
        if nodeid not in self.cases:
            file, line = _where(test)
            classname, _, name = nodeid.rpartition(".")
            self.cases[nodeid] = {"classname": classname, "name": name or nodeid, "file": file, "line": line, "outcome": "passed", "message": "", "time": 0.0}
            doc = getattr(getattr(test, getattr(test, "_testMethodName", ""), None), "__doc__", None) or ""
            _write("tests.jsonl", {"event": "item", "nodeid": nodeid, "file": file, "line": line, "name": name or nodeid, "markers": [], "doc": doc.strip()[:2000], "hypothesis": False})
        return self.cases[nodeid]

    def startTest(self, test: Any) -> None:
        super().startTest(test)
        self._case(test)
        self.started[test.id()] = time.perf_counter()

    def stopTest(self, test: Any) -> None:
        super().stopTest(test)
        case = self._case(test)
        case["time"] = time.perf_counter() - self.started.get(test.id(), time.perf_counter())
        self.finished += 1
        _write("tests.jsonl", {"event": "phase", "nodeid": test.id(), "when": "call", "outcome": {"error": "failed"}.get(case["outcome"], case["outcome"])})

    def _set(self, test: Any, outcome: str, message: str) -> None:
        case = self._case(test)
        if case["outcome"] in ("failed", "error") and outcome == "passed":
            return
        case["outcome"], case["message"] = outcome, message[:2000]

    def addSuccess(self, test: Any) -> None:
        super().addSuccess(test)

    def addFailure(self, test: Any, err: Any) -> None:
        super().addFailure(test, err)
        self._set(test, "failed", "".join(traceback.format_exception_only(err[0], err[1])).strip())

    def addError(self, test: Any, err: Any) -> None:
        super().addError(test, err)
        self._set(test, "error", "".join(traceback.format_exception_only(err[0], err[1])).strip())

    def addSkip(self, test: Any, reason: str) -> None:
        super().addSkip(test, reason)
        self._set(test, "skipped", reason)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._set(test, "skipped", "expected failure")

    def addUnexpectedSuccess(self, test: Any) -> None:
        super().addUnexpectedSuccess(test)
        self._set(test, "failed", "unexpected success")

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "failed" if issubclass(err[0], test.failureException) else "error"
            self._set(test, kind, f"{subtest}: " + "".join(traceback.format_exception_only(err[0], err[1])).strip())


class Runner:
    """The ``testRunner`` given to ``unittest.main``: runs the suite with :class:`Result`."""

    def __init__(self) -> None:
        self.result: Result | None = None
        self.selected = 0

    def run(self, test: Any) -> Result:
        self.selected = test.countTestCases()
        result = Result()
        self.result = result
        result.startTestRun()
        try:
            test(result)
        finally:
            result.stopTestRun()
        return result


def _record_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    _write(
        "warnings.jsonl",
        {"category": getattr(category, "__name__", str(category)), "module": getattr(category, "__module__", ""), "message": str(message)[:2000],
         "file": _relative(filename), "line": lineno, "when": "runtest", "nodeid": ""},
    )
    _original_showwarning(message, category, filename, lineno, file, line)


_original_showwarning = warnings.showwarning


def _junit(path: str, result: Result, duration: float) -> None:
    cases = result.cases.values()
    counts = {kind: sum(case["outcome"] == kind for case in cases) for kind in ("failed", "error", "skipped")}
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<testsuites><testsuite name="unittest" tests="{len(result.cases)}" failures="{counts["failed"]}" errors="{counts["error"]}" '
        f'skipped="{counts["skipped"]}" time="{duration:.3f}">',
    ]
    for case in cases:
        attrs = f'classname={quoteattr(case["classname"])} name={quoteattr(case["name"])} time="{case["time"]:.3f}"'
        if case["file"]:
            attrs += f" file={quoteattr(case['file'])}"
        if case["line"]:
            attrs += f' line="{max(0, case["line"] - 1)}"'
        tag = {"failed": "failure", "error": "error", "skipped": "skipped"}.get(case["outcome"])
        lines.append(f"<testcase {attrs}/>" if tag is None else f"<testcase {attrs}><{tag} message={quoteattr(case['message'])}/></testcase>")
    lines.append("</testsuite></testsuites>")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--junitxml":
        print("usage: python -m baseline_unittest --junitxml PATH [unittest arguments]", file=sys.stderr)
        return 4
    junit, rest = argv[1], argv[2:]
    _write("session.jsonl", {"event": "configure", "python": sys.version.split()[0], "dev_mode": bool(sys.flags.dev_mode), "bytes_warning": int(sys.flags.bytes_warning), "runner": "unittest"})
    warnings.showwarning = _record_warning
    runner = Runner()
    guard: dict[str, Any] = {"selected": None, "finished": 0, "deselected": 0, "collect_errors": 0, "network_deselected": [], "internal_error": None,
                             "interrupted": None, "exit_status": None, "stop_reason": None}
    started = time.perf_counter()
    sys.path.insert(0, _ROOT)
    try:
        unittest.main(module=None, argv=["python -m unittest", *rest], testRunner=runner, exit=False)
    except KeyboardInterrupt as exc:
        guard["interrupted"] = str(exc) or "interrupted"
    except SystemExit as exc:  # unittest's argument errors
        guard["internal_error"] = f"unittest exited with {exc.code}"
    except Exception:  # an error of the loader itself
        guard["internal_error"] = traceback.format_exc()[-2000:]
    result = runner.result
    if result is not None:
        _junit(junit, result, time.perf_counter() - started)
        guard["selected"], guard["finished"] = runner.selected, result.finished
        guard["collect_errors"] = sum(1 for case in result.cases.values() if case["classname"].startswith("unittest.loader"))
        if result.shouldStop:
            guard["stop_reason"] = "stopped (failfast)"
    status = 3 if guard["internal_error"] else 2 if guard["interrupted"] else 5 if result is None or result.testsRun == 0 else 0 if result.wasSuccessful() else 1
    guard["exit_status"] = status
    if _DIR:
        with open(os.path.join(_DIR, "session-guard.json"), "w", encoding="utf-8") as handle:
            json.dump(guard, handle)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
