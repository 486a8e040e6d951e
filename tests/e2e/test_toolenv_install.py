"""Installing an isolated tool: concurrent installs serialise on a lock, the switch is atomic."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from baseline import toolenv

pytestmark = pytest.mark.e2e  # two real virtual environments: tens of seconds


def _wheel(folder: Path) -> Path:
    """A minimal wheel of a package 'demo-tool' with a console script 'demo-tool'."""
    path = folder / "demo_tool-1.0-py3-none-any.whl"
    files = {
        "demo_tool.py": "def main():\n    print('demo ok')\n",
        "demo_tool-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo-tool\nVersion: 1.0\n",
        "demo_tool-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "demo_tool-1.0.dist-info/entry_points.txt": "[console_scripts]\ndemo-tool = demo_tool:main\n",
    }
    record = []
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            data = text.encode()
            archive.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{name},sha256={digest},{len(data)}")
        record.append("demo_tool-1.0.dist-info/RECORD,,")
        archive.writestr("demo_tool-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def test_concurrent_installs_do_not_break_each_other(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BASELINE_TOOLS_DIR", str(tmp_path / "tools"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setitem(toolenv.ISOLATED_TOOLS, "demo", (str(_wheel(tmp_path)), "demo-tool"))
    legacy = tmp_path / "tools" / "demo"
    (legacy / "bin").mkdir(parents=True)  # an environment made in place by an earlier version
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: toolenv.install_tool("demo", timeout_s=300), range(2)))
    assert all(result.ok for result in results), [result.message for result in results]
    home = tmp_path / "tools" / "demo"
    assert home.is_symlink() and (home / "bin" / "demo-tool").is_file()
    assert toolenv.find_tool("demo") == str(home / "bin" / "demo-tool")
    done = subprocess.run([str(home / "bin" / "demo-tool")], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "demo ok"
    kept = sorted((tmp_path / "tools" / "demo.envs").iterdir())
    assert len(kept) == 2 and home.resolve() in kept  # the current one and the one it replaced


def test_an_installed_tool_runs_confined_as_the_unprivileged_user(tmp_path: Path, monkeypatch) -> None:
    """The environment is reachable by the user confined runs drop to (mkdtemp makes it 0700), and
    one left 0700 by an earlier version is opened again when the tool is looked up."""
    from baseline import sandbox

    monkeypatch.setenv("BASELINE_TOOLS_DIR", str(tmp_path / "tools"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setitem(toolenv.ISOLATED_TOOLS, "demo", (str(_wheel(tmp_path)), "demo-tool"))
    result = toolenv.install_tool("demo", timeout_s=300)
    assert result.ok, result.message
    env = (tmp_path / "tools" / "demo").resolve()
    assert env.stat().st_mode & 0o005 == 0o005
    env.chmod(0o700)
    executable = toolenv.find_tool("demo")
    assert executable and env.stat().st_mode & 0o005 == 0o005
    if sandbox.bubblewrap() is None:
        pytest.skip("bubblewrap is not available")
    done = sandbox.run([executable], cwd=tmp_path, confine=sandbox.Confine(readable=(str(env),), network=False))
    assert done.ok and done.stdout.strip() == "demo ok", done.describe() + done.stderr
