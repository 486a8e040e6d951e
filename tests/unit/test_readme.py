"""The README's two set-up commands stay true: quiet install, an example that ships, the test command CI runs."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Set-up in two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_command_one_installs_quietly_and_scans_an_example_that_ships() -> None:
    first, _ = _commands()
    assert "pip install -q " in first and "bubblewrap" in first
    scanned = re.search(r"baseline scan (\S+)\s*$", first)
    assert scanned is not None and (REPO / scanned.group(1) / "pyproject.toml").is_file()
    after = (REPO / "README.md").read_text(encoding="utf-8").split("```", 3)[2]
    assert "Next step:" in after and "baseline explain" in after


def test_command_two_runs_the_test_command_that_ci_runs() -> None:
    _, second = _commands()
    test_command = second.rsplit("&& ", 1)[-1].replace(".venv/bin/", "").strip()
    assert test_command == "python -m pytest -q"
    assert re.search(rf"^{re.escape(test_command)}\s*$", (REPO / ".ci" / "run").read_text(encoding="utf-8"), re.MULTILINE)
