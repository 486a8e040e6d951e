"""Loaded by the processes the test suites start (on PYTHONPATH): installs the process audit hook."""

import importlib.util
import os

_log = os.environ.get("BASELINE_AUDIT_LOG")
if _log:
    _path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "audit_hook.py")
    _spec = importlib.util.spec_from_file_location("_baseline_audit_hook", _path)
    if _spec is not None and _spec.loader is not None:
        _module = importlib.util.module_from_spec(_spec)
        try:
            _spec.loader.exec_module(_module)
            _module.install(_log)
        except Exception:  # noqa: BLE001 -- a process the hook cannot watch still runs
            pass
