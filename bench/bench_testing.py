"""Wall-time cost of T05, T06 and T08 on a scan of a real project.

The project is a copy of an installed pure-Python package that ships its own tests (jsonschema,
when it is installed), else the black-box fixture. In the same run it measures:

- the peer: the project's tests run by hand with ``python -m pytest`` and under
  ``coverage run --branch`` (what the foundation's shared run does);
- scan A: ``baseline scan`` with only the foundation checks (T02, T07) and development mode off;
- scan B: the full scan with development mode on and the T05, T06 and T08 checks.

It prints each wall time and the ratios. Run: ``python bench/bench_testing.py``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from baseline import sandbox

REPO = Path(__file__).resolve().parents[1]
ADDED_CHECKS = [
    "language-checks.dev-mode-warnings",
    "language-checks.assert-guards",
    "language-checks.type-checker",
    "language-checks.native-hardening",
    "black-box-tests.identified",
    "regression-tests.cited",
    "regression-tests.fix-commits",
    "regression-tests.fuzz-replay",
]
GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


def _project(workspace: Path) -> tuple[Path, list[str], str]:
    """(root, pytest arguments, description)."""
    spec = importlib.util.find_spec("jsonschema")
    if spec and spec.origin and (Path(spec.origin).parent / "tests").is_dir():
        root = workspace / "jsonschema-project"
        shutil.copytree(Path(spec.origin).parent, root / "jsonschema", ignore=shutil.ignore_patterns("__pycache__"))
        args = ["jsonschema/tests", "--ignore=jsonschema/tests/test_jsonschema_test_suite.py"]
        (root / "baseline.toml").write_text('[tests]\npaths = ["jsonschema/tests"]\nargs = ["--ignore=jsonschema/tests/test_jsonschema_test_suite.py"]\n')
        return root, args, "jsonschema (installed copy, its own test suite)"
    root = workspace / "blackbox_project"
    shutil.copytree(REPO / "tests" / "fixtures" / "blackbox_project", root)
    return root, [], "the blackbox_project fixture"


def _timed(argv: list[str], cwd: Path) -> tuple[float, sandbox.ProcessResult]:
    started = time.monotonic()
    result = sandbox.run(argv, cwd=cwd, limits=sandbox.Limits(timeout_s=900))
    return time.monotonic() - started, result


def main() -> int:
    """Run the measurements and print the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-testing-") as tmp:
        root, args, description = _project(Path(tmp))
        for git_args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Import"]):
            sandbox.run([*GIT, *git_args], cwd=root, limits=sandbox.Limits(timeout_s=120))
        python = sys.executable
        plain, result = _timed([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], root)
        print(f"project: {description}; plain pytest exit {result.exit_code}: {result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ''}")
        covered, _ = _timed([python, "-m", "coverage", "run", "--branch", f"--data-file={Path(tmp) / '.cov'}", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], root)
        scan = [python, "-m", "baseline", "scan", str(root), "--format", "json"]
        foundation, first = _timed([*scan, "--output", str(Path(tmp) / "a.json"), "--no-tests-dev-mode", "--disable", ",".join(ADDED_CHECKS)], REPO)
        full, second = _timed([*scan, "--output", str(Path(tmp) / "b.json")], REPO)
        for name, process in (("a.json", first), ("b.json", second)):
            if not (Path(tmp) / name).is_file():
                print(f"scan for {name} failed:", process.stderr_tail(10))
                return 1
        report = json.loads((Path(tmp) / "b.json").read_text())
        print(f"{'peer: pytest':44s} {plain:7.1f} s")
        print(f"{'peer: coverage run --branch -m pytest':44s} {covered:7.1f} s")
        print(f"{'scan A: foundation only (T02, T07)':44s} {foundation:7.1f} s")
        print(f"{'scan B: + T05, T06, T08, dev mode':44s} {full:7.1f} s")
        print(f"added by T05/T06/T08: {full - foundation:+.1f} s (x{full / foundation:.2f} of scan A, x{full / plain:.2f} of plain pytest)")
        for item in report["results"]:
            if item["spec"]["technique"] in ("T05", "T06", "T08"):
                print(f"  {item['spec']['id']:38s} {item['outcome']:15s} {item['message'][:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
