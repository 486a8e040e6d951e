"""The toolkit fuzzes its own input readers: every harness in fuzz/harnesses/ runs for a few
seconds through the toolkit's own atheris runner and must reach the fuzz loop without a crash."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
HARNESSES = REPO / "fuzz" / "harnesses"
BUDGET_S = 3


def _run_all_module():
    spec = importlib.util.spec_from_file_location("selffuzz_run_all", HARNESSES / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_harness_fuzzes_without_a_crash(tmp_path: Path):
    pytest.importorskip("atheris", reason="atheris (the [fuzz] extra) is not installed")
    run_all = _run_all_module()
    selected = run_all.harnesses(None)
    assert len(selected) >= 10
    runs = run_all.run_all(selected, budget_s=BUDGET_S, jobs=2, work=tmp_path, artifacts=tmp_path / "artifacts", python=sys.executable)
    report = "\n".join(run_all.summary_line(run) for run in runs)
    for run in runs:
        assert run.status == "ok", f"{run.harness}: {run.status} {run.kind or ''} {run.note}\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
        assert run.stats.started and run.stats.execs > 0, report
        # The committed seeds were loaded: the fuzzer starts from valid structure.
        assert f"files found in {HARNESSES / 'corpus'}" in run.stderr, run.stderr[-2000:]
        assert "Dictionary:" in run.stderr, run.stderr[-2000:]


def test_harnesses_are_not_shipped_in_the_wheel():
    # fuzz/ is installed as baseline.fuzz; the harnesses under it must stay out of the wheel.
    assert not (HARNESSES / "__init__.py").exists()
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert not any(package.startswith("baseline.fuzz.") for package in setuptools["packages"])
    assert not any(key.startswith("baseline.fuzz") for key in setuptools.get("package-data", {}))

