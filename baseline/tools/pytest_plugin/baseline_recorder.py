"""Records warnings, per-test details and the real outcome of every test phase as JSONL
(loaded with ``-p baseline_recorder``, before any conftest).

This module runs inside the *target's* interpreter, which may be a different virtual environment
without baseline installed: it imports only the standard library and pytest. It writes into the
folder named by ``BASELINE_RECORD_DIR``. Every line carries an HMAC-SHA256 made with a key the
toolkit puts in the file named by ``BASELINE_RECORD_KEYFILE``; the plugin reads that file at
import, before any conftest or test runs, and deletes it (an environment variable would stay
readable in /proc/self/environ), so that a test cannot append lines the toolkit would believe. With
pytest-xdist, the controller hands both to its workers, each worker records its own tests and the
controller records none:

- ``warnings.jsonl``: one line per warning pytest captured (category, message, file, line, phase,
  test node id);
- ``tests.jsonl``: one line per test item (node id, file, line, markers with their string
  arguments, docstring, Hypothesis flag), and one line per reported phase with two outcomes: the
  *raw* one, taken from the exception the test body raised (innermost wrapper around
  ``pytest_runtest_call``) and from the ``CallInfo`` before any other hook implementation sees it
  (outermost wrapper around ``pytest_runtest_makereport``), and the *final* one that pytest logged;
- ``session.jsonl``: configuration (interpreter, plugins, project hooks that short-circuit
  reporting, plugins loaded through ``addopts``), tampering with the functions the recorder relies
  on, and the end of the session.

The toolkit writes the JUnit file from these records (:mod:`baseline.tools.test_records`); what a
project hook does to pytest's reports can change what pytest prints, not the verdict.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import os
import shlex
import sys
from typing import Any

import pytest

_DIR = os.environ.pop("BASELINE_RECORD_DIR", "")


def _read_key(path: str) -> bytes:
    """The signing key, read once; the file is removed so that nothing after this can read it."""
    if not path:
        return b""
    try:
        with open(path, "rb") as handle:
            key = handle.read(256).strip()
        os.unlink(path)
    except OSError:
        return b""
    return key


_KEY = _read_key(os.environ.pop("BASELINE_RECORD_KEYFILE", ""))
_MAX_TEXT = 2000
_open = builtins.open
_dumps = json.dumps
_join = os.path.join

# Reporting hooks whose first non-None result wins: a project implementation that returns one
# replaces pytest's own (a report, a protocol or a test call that never happened). The project's
# implementations are watched, and one that returns a result is recorded. (A status hook,
# pytest_report_teststatus, only changes what is shown: it is recorded when it shows a failure as
# passed.)
SHORT_CIRCUIT_HOOKS = ("pytest_runtest_protocol", "pytest_runtest_makereport", "pytest_pyfunc_call")

def _write(name: str, record: dict[str, Any]) -> None:
    if not _DIR:
        return
    body = _dumps(record, default=str, sort_keys=True)
    mac = hmac.new(_KEY, body.encode("utf-8"), hashlib.sha256).hexdigest()
    try:
        with _open(_join(_DIR, name), "a", encoding="utf-8") as handle:
            handle.write(_dumps({"mac": mac, "record": body}) + "\n")
    except OSError:
        pass


def _relative(path: Any, root: str) -> str:
    text = str(path or "")
    if text and os.path.isabs(text) and root:
        try:
            rel = os.path.relpath(text, root)
        except ValueError:
            return text
        return text if rel.startswith("..") else rel.replace(os.sep, "/")
    return text.replace(os.sep, "/")


_ROOT = ""
_RAW: dict[tuple[str, str], list[dict[str, Any]]] = {}
_BODY: dict[str, str] = {}
_SNAPSHOT: dict[str, Any] = {}
_TAMPERED: set[str] = set()
_CONFIG: Any = None


def _internals() -> dict[str, Any]:
    """The functions and classes the recorder's verdict depends on, by dotted name."""
    from _pytest import python as _python
    from _pytest import reports as _reports
    from _pytest import runner as _runner

    module = sys.modules[__name__]
    found: dict[str, Any] = {
        "_pytest.runner.runtestprotocol": getattr(_runner, "runtestprotocol", None),
        "_pytest.runner.call_and_report": getattr(_runner, "call_and_report", None),
        "_pytest.runner.call_runtest_hook": getattr(_runner, "call_runtest_hook", None),
        "_pytest.runner.CallInfo.from_call": _runner.CallInfo.__dict__.get("from_call"),
        "_pytest.runner.pytest_runtest_makereport": getattr(_runner, "pytest_runtest_makereport", None),
        "_pytest.runner.pytest_runtest_call": getattr(_runner, "pytest_runtest_call", None),
        "_pytest.reports.TestReport.from_item_and_call": _reports.TestReport.__dict__.get("from_item_and_call"),
        "_pytest.reports.TestReport.outcome": _reports.BaseReport.__dict__.get("passed"),
        "_pytest.python.pytest_pyfunc_call": getattr(_python, "pytest_pyfunc_call", None),
        "_pytest.python.Function.runtest": _python.Function.__dict__.get("runtest"),
    }
    for name in ("pytest_runtest_makereport", "pytest_runtest_call", "pytest_runtest_logreport", "pytest_sessionfinish", "_write"):
        found[f"baseline_recorder.{name}"] = getattr(module, name, None)
    return found


def _check_internals(where: str) -> None:
    """Record every internal that no longer is the one seen at configure time (once each)."""
    if not _SNAPSHOT:
        return
    try:
        current = _internals()
    except Exception as exc:  # a patched import machinery is tampering too
        current = {"_pytest": repr(exc)}
    for name, original in _SNAPSHOT.items():
        if name not in _TAMPERED and current.get(name) is not original:
            _TAMPERED.add(name)
            _write("session.jsonl", {"event": "tampered", "name": name, "where": where})
    if _CONFIG is not None and not _CONFIG.pluginmanager.is_registered(sys.modules[__name__]) and "unregistered" not in _TAMPERED:
        _TAMPERED.add("unregistered")
        _write("session.jsonl", {"event": "tampered", "name": "baseline_recorder unregistered", "where": where})


def _is_project_file(path: str, root: str) -> bool:
    if not path or not root:
        return False
    absolute = os.path.abspath(path)
    inside = absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep)
    parts = absolute.split(os.sep)
    return inside and "site-packages" not in parts and "dist-packages" not in parts


def _plugin_file(plugin: Any) -> str:
    return str(getattr(plugin, "__file__", "") or getattr(sys.modules.get(type(plugin).__module__), "__file__", "") or "")


def _addopts_plugins(config: Any) -> list[str]:
    """Plugins a project loads (``-p name``) through ``addopts`` or ``PYTEST_ADDOPTS``."""
    texts: list[str] = []
    try:
        value = config.getini("addopts")
    except (ValueError, KeyError):
        value = []
    texts += [str(item) for item in (value if isinstance(value, list) else [value])]
    texts.append(os.environ.get("PYTEST_ADDOPTS", ""))
    words: list[str] = []
    for text in texts:
        try:
            words += shlex.split(text)
        except ValueError:
            words += text.split()
    found: list[str] = []
    for index, word in enumerate(words):
        name = None
        if word == "-p" and index + 1 < len(words):
            name = words[index + 1]
        elif word.startswith("-p") and len(word) > 2:
            name = word[2:]
        elif word.startswith("--plugin="):
            name = word.split("=", 1)[1]
        if name:
            found.append(name)
    return found


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist controller: hand the record folder and key to a worker."""
    node.workerinput["baseline_record_dir"] = _DIR
    node.workerinput["baseline_record_key"] = _KEY.decode()


def pytest_configure(config: Any) -> None:
    """Remember the root folder, snapshot pytest's internals and record the project's hooks."""
    global _ROOT, _CONFIG, _DIR, _KEY
    worker = getattr(config, "workerinput", None)
    if isinstance(worker, dict) and worker.get("baseline_record_dir"):
        _DIR = str(worker.pop("baseline_record_dir"))
        _KEY = str(worker.pop("baseline_record_key", "")).encode()
    _CONFIG = config
    _ROOT = str(getattr(config, "rootpath", "") or os.getcwd())
    _write("session.jsonl", {"event": "configure", "python": sys.version.split()[0], "pytest": pytest.__version__, "dev_mode": bool(sys.flags.dev_mode), "bytes_warning": int(sys.flags.bytes_warning)})
    _SNAPSHOT.update(_internals())
    for name in _addopts_plugins(config):
        _write("session.jsonl", {"event": "addopts-plugin", "name": name[:200]})
    _record_hooks(config)


def _record_hooks(config: Any) -> None:
    """Watch the project-owned (inside the root, not installed) implementations of short-circuiting hooks."""
    for hook_name in SHORT_CIRCUIT_HOOKS:
        caller = getattr(config.hook, hook_name, None)
        if caller is None:
            continue
        for impl in caller.get_hookimpls():
            if getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False) or getattr(impl.function, "_baseline_watched", False):
                continue
            code = getattr(impl.function, "__code__", None)
            path = str(getattr(code, "co_filename", "") or _plugin_file(impl.plugin))
            if _is_project_file(path, _ROOT):
                _watch(impl, hook_name, _relative(path, _ROOT), getattr(code, "co_firstlineno", None))


def _watch(impl: Any, hook_name: str, file: str, line: Any) -> None:
    """Replace a hook implementation by a wrapper that records when it returns a result."""
    original = impl.function
    reported: list[bool] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if result is not None and not reported:
            reported.append(True)
            _write("session.jsonl", {"event": "project-hook", "hook": hook_name, "file": file, "line": line, "plugin": str(impl.plugin_name)[:200]})
        return result

    watched._baseline_watched = True  # type: ignore[attr-defined]
    impl.function = watched


def pytest_plugin_registered(plugin: Any, manager: Any) -> None:
    """Conftest files register after configure: watch their short-circuiting hooks too."""
    if _CONFIG is not None and _is_project_file(_plugin_file(plugin), _ROOT):
        _record_hooks(_CONFIG)


def pytest_warning_recorded(warning_message: Any, when: str, nodeid: str, location: Any) -> None:
    """One warning pytest captured (during collection, a test, or the session)."""
    category = getattr(warning_message, "category", None)
    _write(
        "warnings.jsonl",
        {
            "category": getattr(category, "__name__", str(category)),
            "module": getattr(category, "__module__", ""),
            "message": str(getattr(warning_message, "message", ""))[:_MAX_TEXT],
            "file": _relative(getattr(warning_message, "filename", ""), _ROOT),
            "line": getattr(warning_message, "lineno", None),
            "when": when,
            "nodeid": nodeid,
        },
    )


def _marker_args(mark: Any) -> list[str]:
    values: list[str] = []
    for value in list(getattr(mark, "args", ())) + list(getattr(mark, "kwargs", {}).values()):
        if isinstance(value, (str, int, float)):
            values.append(str(value)[:200])
    return values[:10]


def pytest_collection_finish(session: Any) -> None:
    """Record every test item that will run (after deselection) with its markers and docstring."""
    for item in session.items:
        function = getattr(item, "function", None)
        obj = getattr(item, "obj", None)
        doc = getattr(function, "__doc__", None) or ""
        path, line, _ = item.location
        _write(
            "tests.jsonl",
            {
                "event": "item",
                "nodeid": item.nodeid,
                "file": _relative(getattr(item, "path", path), _ROOT) or path,
                "line": (line + 1) if isinstance(line, int) else None,
                "name": getattr(item, "originalname", None) or item.name,
                "classname": _classname(item),
                "markers": [{"name": mark.name, "args": _marker_args(mark)} for mark in item.iter_markers()],
                "doc": doc.strip()[:_MAX_TEXT],
                "hypothesis": bool(getattr(obj, "is_hypothesis_test", False) or getattr(obj, "hypothesis", None) is not None),
            },
        )


def _classname(item: Any) -> str:
    """The JUnit classname pytest would write: module path dotted, then the enclosing classes."""
    names = [part for part in item.nodeid.split("::")[:-1] if part]
    if not names:
        return ""
    names[0] = names[0].replace("/", ".").removesuffix(".py")
    return ".".join(names)


def pytest_collectreport(report: Any) -> None:
    """A collection error is a test that could not even be built."""
    if report.failed:
        _write("tests.jsonl", {"event": "collect-error", "nodeid": report.nodeid, "message": str(report.longrepr)[-_MAX_TEXT:]})


def _classify(excinfo: Any) -> str:
    """The outcome an exception (or none) means, by pytest's own rules."""
    if excinfo is None:
        return "passed"
    from _pytest.outcomes import Skipped, XFailed

    value = excinfo.value if hasattr(excinfo, "value") else excinfo
    if isinstance(value, XFailed):
        return "xfailed"
    if isinstance(value, Skipped) or type(value).__name__ == "SkipTest":
        return "skipped"
    return "failed"


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_call(item: Any) -> Any:
    """Innermost wrapper of the test call: the exception the test body itself raised."""
    outcome = yield
    excinfo = getattr(outcome, "excinfo", None)
    _BODY[item.nodeid] = _classify(excinfo[1] if excinfo else None)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """Outermost wrapper of report making: the CallInfo's outcome before any hook reads it."""
    raw = _classify(call.excinfo)
    body = _BODY.pop(item.nodeid, None) if call.when == "call" else None
    message = ""
    if call.excinfo is not None and raw == "failed":
        try:
            message = f"{call.excinfo.typename}: {call.excinfo.value}"[:500]
        except Exception:
            message = call.excinfo.typename
    xfail_marked = item.get_closest_marker("xfail") is not None
    outcome = yield
    entry = {"raw": raw, "body": body, "message": message, "xfail_marked": xfail_marked, "duration": round(float(getattr(call, "duration", 0.0) or 0.0), 4)}
    try:
        report = outcome.get_result()
        entry["made"] = _final(report)
    except BaseException:
        entry["made"] = None
    _RAW.setdefault((item.nodeid, call.when), []).append(entry)


def _final(report: Any) -> str:
    outcome = str(getattr(report, "outcome", ""))
    if getattr(report, "wasxfail", None) is not None and outcome in ("skipped", "passed"):
        return "xfailed" if outcome == "skipped" else "xpassed"
    return outcome


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: Any) -> None:
    """Record each logged phase with the raw outcome recorded for it."""
    if _CONFIG is not None and _CONFIG.pluginmanager.hasplugin("dsession"):
        return  # pytest-xdist's controller: the worker that ran the test recorded it
    pending = _RAW.get((report.nodeid, report.when))
    entry = pending.pop(0) if pending else {}
    record = {"event": "phase", "nodeid": report.nodeid, "when": report.when, "outcome": _final(report)}
    record.update({key: entry.get(key) for key in ("raw", "body", "message", "xfail_marked", "made", "duration")} if entry else {"raw": None})
    _write("tests.jsonl", record)
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _check_internals(report.nodeid)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_report_teststatus(report: Any, config: Any) -> Any:
    """A status hook that shows a failed phase as passed is rewriting the verdict."""
    outcome = yield
    try:
        result = outcome.get_result()
    except BaseException:
        return
    if result and getattr(report, "failed", False) and isinstance(result, tuple) and str(result[0]) in ("passed", ""):
        _write("session.jsonl", {"event": "status-rewritten", "nodeid": report.nodeid, "when": report.when, "shown": str(result[0])})


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    """Last checks, then the end-of-session marker (missing when the run was cut short)."""
    _check_internals("session end")
    _write(
        "session.jsonl",
        {"event": "finish", "exitstatus": int(exitstatus), "stopped": bool(session.shouldstop or session.shouldfail), "testsfailed": int(getattr(session, "testsfailed", 0))},
    )
