"""Start-up: a scan imports only what the techniques it runs use.

Every check's spec is needed by every scan (checks not selected are reported as not evaluated), so
discovery loads every entry point; the check modules therefore define their specs cheaply and import
their tool modules when the check runs, and the CLI's sub-commands import their subsystems when they
run. These tests look at a fresh interpreter: after discovery alone, and after a real
``baseline scan --select T04`` (read from ``-X importtime``).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

# What the techniques other than T04 run, and what only signing or verifying needs.
NOT_FOR_T04 = (
    "baseline.tools.pytest_run",  # the shared test run: T01, T02, T05, T06, T07, T08
    "baseline.tools.static_run",  # T03
    "baseline.tools.typecheck",  # T05
    "baseline.tools.elf_hardening",  # T05
    "baseline.tools.git_history",  # T08
    "baseline.tools.crash_replay",  # T08
    "baseline.tools.threat_review",  # T01
    "baseline.fuzz.campaign",  # T09
    "baseline.web.scan",  # T10
    "baseline.web.api",  # T10, T06
    "baseline.tools.components_run",  # T11
    "baseline.tools.environment",  # T11
    "baseline.tools.osv",  # T11
    "baseline.verify",  # baseline verify
    "baseline.bundle",  # --bundle / --sign
)
DETECTOR = ("baseline.tools.secrets.scan", "baseline.tools.secrets.engine")  # T04's own

DISCOVER = """
import json, sys
from importlib.metadata import entry_points
from baseline.catalog import load_catalog
from baseline.discovery import discover_checks
found = discover_checks(load_catalog())
print(json.dumps({
    "checks": sorted(loaded.spec.id for loaded in found.checks),
    "plugins": sorted({loaded.plugin.split(" ", 1)[0] for loaded in found.checks}),
    "entry_points": sorted(ep.name for ep in entry_points(group="baseline.checks")),
    "problems": [problem.message for problem in found.problems],
    "modules": sorted(name for name in sys.modules if name.startswith("baseline")),
}))
"""


def _fresh(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_discovery_loads_every_check_without_their_tools() -> None:
    done = _fresh(["-c", DISCOVER])
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["problems"] == []
    assert seen["plugins"] == seen["entry_points"] and len(seen["entry_points"]) >= 17  # every entry point loaded
    assert "hardcoded-secrets.scan" in seen["checks"] and "fuzzing.atheris" in seen["checks"]
    imported = set(seen["modules"])
    assert "baseline.checks.static_analysis" in imported  # the check modules themselves are loaded
    assert sorted(imported.intersection(NOT_FOR_T04 + DETECTOR)) == []


def _imported(importtime_stderr: str) -> set[str]:
    """Module names of ``-X importtime`` lines (``import time: self | cumulative | name``)."""
    return {match.group(1) for match in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)\s*$", importtime_stderr, re.MULTILINE)}


def test_a_t04_scan_imports_only_what_t04_uses(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "0.1"\n', encoding="utf-8")
    (project / "pkg" / "__init__.py").write_text("def answer():\n    return 42\n", encoding="utf-8")
    report = tmp_path / "report.json"
    done = _fresh(["-X", "importtime", "-m", "baseline", "scan", str(project), "--select", "T04", "--format", "json", "--output", str(report), "-q"])
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: the gate's verdict, not a crash
    imported = _imported(done.stderr)
    assert "baseline.cli" in imported and set(DETECTOR) <= imported  # the parse reads the run's imports
    assert sorted(imported.intersection(NOT_FOR_T04)) == []
    results = {item["spec"]["id"]: item for item in json.loads(report.read_text(encoding="utf-8"))["results"]}
    assert results["hardcoded-secrets.scan"]["outcome"] == "pass"
    others = [item for check_id, item in results.items() if check_id != "hardcoded-secrets.scan"]
    assert len(others) >= 16 and all("not selected" in item["message"] for item in others)


def _toolkit_modules() -> dict[str, Path]:
    """Module name -> file, for the packages the distribution maps (pyproject's package-dir)."""
    roots = {"baseline": REPO_ROOT / "baseline", "baseline.checks": REPO_ROOT / "checks", "baseline.fuzz": REPO_ROOT / "fuzz", "baseline.reports": REPO_ROOT / "reports"}
    modules: dict[str, Path] = {}
    for package, folder in roots.items():
        for path in folder.rglob("*.py"):
            parts = [part for part in path.relative_to(folder).with_suffix("").parts if part != "__init__"]
            modules[".".join([package, *parts])] = path
    return modules


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported (not those under ``if TYPE_CHECKING:`` or in functions)."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody + [stmt for handler in node.handlers for stmt in handler.body]
    return found


def test_the_module_level_import_graph_has_no_cycle() -> None:
    """Checks import their tool modules inside ``run``, on the scan's check threads: concurrent
    imports are safe as long as no two modules import each other at module level (a cycle would let
    one thread see the other's half-initialised module)."""
    modules = _toolkit_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                parts = target.split(".")
                graph[name].update(".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules and ".".join(parts[:i]) != name)
    state: dict[str, int] = {}  # 1 on the current path, 2 finished

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state:
                found = cycle_from(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = cycle_from(start, [start])
            assert cycle is None, "module-level import cycle: " + " -> ".join(cycle)


WITHOUT_CRYPTOGRAPHY = """
import sys
sys.modules["cryptography"] = None  # as in an install without the 'report' extra: importing it fails
from baseline.cli import main
code = main(["scan", sys.argv[1], "--select", "T04", "-q", *sys.argv[2:]])
print("exit", code, "cryptography" in sys.modules and sys.modules["cryptography"] is not None)
"""


def test_a_scan_starts_without_the_report_extra_and_a_bundle_asks_for_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "settings.py").write_text("DEBUG = False\n", encoding="utf-8")
    plain = _fresh(["-c", WITHOUT_CRYPTOGRAPHY, str(project)])
    assert plain.stdout.split() == ["exit", "0", "False"], plain.stderr[-2000:]
    bundled = _fresh(["-c", WITHOUT_CRYPTOGRAPHY, str(project), "--bundle", str(tmp_path / "evidence.zip")])
    assert bundled.stdout.split() == ["exit", "2", "False"], bundled.stderr[-2000:]
    assert "needs the 'report' extra" in " ".join(bundled.stderr.split())
    assert not (tmp_path / "evidence.zip").exists()
