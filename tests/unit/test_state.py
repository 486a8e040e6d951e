"""The toolkit's state and who may configure what: operator-only keys, capped limits, project paths,
state folders outside the scanned tree, authenticated JSON cache entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baseline import state
from baseline.config import CAPPED, KEYS_BY_NAME, OPERATOR_ONLY, PROJECT_PATHS, load_config
from baseline.tools.static_run import ResultCache, SourceFile


def _project(root: Path, body: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(body)
    return root


def test_every_named_key_exists() -> None:
    assert not (OPERATOR_ONLY | CAPPED | PROJECT_PATHS) - set(KEYS_BY_NAME)


HOSTILE = """
[tool.baseline]
python = "tools/py"
work_dir = "/tmp/elsewhere"
history_db = "~/.bashrc"
bundle = "~/.bashrc"
network = true
allow_env = ["AWS_SECRET_ACCESS_KEY"]
catalog = "weights.toml"
min_score = 10
accepted_file = "../outside.toml"
[tool.baseline.tests]
timeout = 1e300
memory_mb = 0
paths = ["tests", "/etc"]
[tool.baseline.web]
command = "sh -c 'touch /tmp/pwned'"
url = "http://127.0.0.1:{port}/"
[tool.baseline.typecheck]
command = ["true"]
timeout = 60
[tool.baseline.components]
osv_db = "empty-db"
"""


def test_project_cannot_set_operator_keys_raise_limits_or_name_outside_paths(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", HOSTILE)
    config = load_config(root)
    ignored = {item.key: item for item in config.ignored}
    assert set(ignored) == {
        "python", "work_dir", "history_db", "bundle", "network", "allow_env", "catalog", "accepted_file",
        "tests.timeout", "tests.memory_mb", "tests.paths", "web.command", "web.url", "typecheck.command", "components.osv_db",
    }
    for key in ignored:
        assert config.get(key) == KEYS_BY_NAME[key].default, key
    # facts and policy the project may state, and limits it lowers, are kept
    assert config.get("min_score") == 10.0 and config.get("typecheck.timeout") == 60.0
    assert "operator" in ignored["python"].reason and ignored["python"].source == "pyproject.toml"
    assert "limit" in ignored["tests.timeout"].reason and "outside the project" in ignored["tests.paths"].reason


def test_a_symlink_out_of_the_project_is_outside(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", '[tool.baseline.threat_model]\npath = "docs/tm.md"\n[tool.baseline.fuzz]\nharnesses = ["link/h.py"]\n')
    (root / "docs").mkdir()
    (root / "link").symlink_to(tmp_path)
    config = load_config(root)
    assert [item.key for item in config.ignored] == ["fuzz.harnesses"]
    assert config.get("threat_model.path") == "docs/tm.md"


def test_the_operator_sets_them_on_the_command_line_or_in_a_named_file(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", HOSTILE)
    operator = tmp_path / "operator.toml"
    operator.write_text('python = "/usr/bin/python3"\nnetwork = true\n[tests]\ntimeout = 2000\n')
    config = load_config(root, {"tests.memory_mb": 0}, operator)
    assert config.get("python") == "/usr/bin/python3" and config.get("network") is True
    assert config.get("tests.timeout") == 2000.0 and config.get("tests.memory_mb") == 0
    assert config.get("min_score") == 10.0  # the project's own policy still applies
    assert config.source == f"pyproject.toml + {operator}"
    # the operator's cap is what a project value is compared with
    raised = _project(tmp_path / "q", "[tool.baseline.tests]\ntimeout = 1500\n")
    assert load_config(raised, {"tests.timeout": 2000}).ignored == ()
    assert load_config(raised).get("tests.timeout") == 900.0
    # an operator who names the project's own file trusts all of it
    trusted = load_config(root, None, root / "pyproject.toml")
    assert trusted.ignored == () and trusted.get("network") is True


def test_state_folders_follow_xdg_and_never_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BASELINE_CACHE_DIR", raising=False)
    monkeypatch.delenv("BASELINE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    root = tmp_path / "proj"
    root.mkdir()
    assert state.cache_home() == tmp_path / "xc" / "baseline"
    assert state.project_dir(root).parent == tmp_path / "xd" / "baseline" / "projects"
    assert state.project_dir(root) == state.project_dir(root / ".")  # stable per project
    assert state.history_db(root).name == "history.db" and not state.inside(root, state.history_db(root))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: relative values are invalid
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state.cache_home() == tmp_path / "home" / ".cache" / "baseline"
    assert state.project_dir(root, str(tmp_path / "w")) == tmp_path / "w"


def test_cache_entries_are_authenticated_json(tmp_path: Path) -> None:
    key_folder = tmp_path / "cache"
    key = state.cache_key(key_folder)
    assert (key_folder / "cache.key").stat().st_mode & 0o077 == 0
    entry = tmp_path / "entry.json"
    assert state.write_entry(entry, {"findings": [1]}, key)
    assert state.read_entry(entry, key) == {"findings": [1]}
    blob = entry.read_bytes()
    entry.write_bytes(blob[:32] + blob[32:].replace(b"[1]", b"[ ]"))  # edited payload, old MAC
    assert state.read_entry(entry, key) is None
    entry.write_bytes(b"\0" * 32 + b'{"findings": []}')  # planted by someone without the key
    assert state.read_entry(entry, key) is None
    assert state.read_entry(entry, b"k" * 32) is None and state.read_entry(tmp_path / "missing", key) is None


def test_a_planted_static_cache_entry_saying_no_findings_is_a_miss(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "static", {"bandit": "salt"})
    source = SourceFile("app.py", "d" * 64)
    path = cache._path("bandit", source.digest)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"findings": [], "notes": []}))  # the old, unauthenticated format
    assert cache.load("bandit", source) is None and cache.misses["bandit"] == 1
    cache.store("bandit", source, [], [])
    assert cache.load("bandit", source) == ([], []) and cache.hits["bandit"] == 1
