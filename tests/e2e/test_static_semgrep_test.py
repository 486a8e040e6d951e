"""``semgrep --test`` passes on every rule of the pack (runs the real semgrep, offline)."""

from __future__ import annotations

import pytest

from baseline import sandbox
from baseline.tools.semgrep import offline_environment, rules_dir
from baseline.tools.static_common import find_executable

pytestmark = pytest.mark.e2e


def test_semgrep_test_passes_on_every_rule(tmp_path):
    executable = find_executable("semgrep")
    if executable is None:
        pytest.skip("semgrep is not installed")
    argv = [executable, "--test", "--metrics=off", "--disable-version-check", str(rules_dir())]
    result = sandbox.run(argv, cwd=tmp_path, limits=sandbox.Limits(timeout_s=240), extra_env=offline_environment(tmp_path))
    output = result.stdout + result.stderr
    assert result.exit_code == 0, output[-3000:]
    assert "All tests passed" in output
