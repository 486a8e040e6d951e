from __future__ import annotations

from pathlib import Path

import pytest

from baseline.config import KEYS, load_config
from baseline.errors import ConfigError


def _project(tmp_path: Path, body: str, name: str = "pyproject.toml") -> Path:
    (tmp_path / name).write_text(body)
    return tmp_path


def test_pyproject_values_nested_tables_and_defaults(tmp_path: Path) -> None:
    root = _project(tmp_path, "[project]\nname='x'\n[tool.baseline]\nmin_score = 55\n[tool.baseline.tests]\ntimeout = 12\n")
    config = load_config(root)
    assert config.get("min_score") == 55.0
    assert config.get("tests.timeout") == 12.0
    assert config.get("coverage.threshold") == 80.0
    assert config.source == "pyproject.toml"


def test_cli_wins_over_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.baseline]\nmin_score = 55\n")
    assert load_config(root, {"min_score": "90"}).get("min_score") == 90.0


def test_baseline_toml_wins_over_pyproject(tmp_path: Path) -> None:
    _project(tmp_path, "[tool.baseline]\nmin_score = 55\n")
    _project(tmp_path, "min_score = 65\n[coverage]\nthreshold = 90\n", "baseline.toml")
    config = load_config(tmp_path)
    assert config.get("min_score") == 65.0 and config.get("coverage.threshold") == 90.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.baseline]\nmin_scor = 5\n", r"unknown key 'min_scor' \(did you mean 'min_score'\?\)"),
        ("[tool.baseline]\nmin_score = 'high'\n", r"key 'min_score' must be a number"),
        ("[tool.baseline]\nmin_score = 150\n", r"key 'min_score' must be at most 100"),
        ("[tool.baseline]\nfail_on = 'severe'\n", r"key 'fail_on' must be one of"),
        ("[tool.baseline]\ngate = 'maybe'\n", r"key 'gate' must be true or false"),
        ("[tool.baseline]\nrequired = 'T02'\n[tool.baseline.tests]\ntimeout = true\n", r"key 'tests.timeout' must be a number"),
        ("[tool.baseline.tests]\nbogus = 1\n", r"unknown key 'tests.bogus'"),
        ("[tool.baseline\nmin_score = 5\n", r"not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_project(tmp_path, body))


def test_every_key_has_a_distinct_flag() -> None:
    flags = [spec.flag for spec in KEYS]
    assert len(flags) == len(set(flags))
