"""Wall-time cost of T05, T06 and T08 on a scan of a real project.

The project is a copy of an installed pure-Python package that ships its own tests (jsonschema,
when it is installed), else the black-box fixture. In the same run it measures:

- the peer: the project's tests run by hand with ``python -m pytest`` and under
  ``coverage run --branch`` (what the foundation's shared run does);
- scan A: ``baseline scan`` with only the foundation checks (T02, T07) and development mode off;
- scan B: the full scan with development mode on and the T05, T06 and T08 checks.

It prints each wall time and the ratios. Run: ``python bench/bench_testing.py`` (or
``python -m bench --only testing``, which runs both scans without fuzzing: its fixed budget would
only add the same constant to both).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baseline import sandbox  # noqa: E402
from bench.common import Options, Row, alternate, median  # noqa: E402

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


def _project(workspace: Path, small: bool = False) -> tuple[Path, list[str], str]:
    """(root, pytest arguments, description); ``small``: the fixture even when jsonschema is there."""
    spec = importlib.util.find_spec("jsonschema")
    if not small and spec and spec.origin and (Path(spec.origin).parent / "tests").is_dir():
        root = workspace / "jsonschema-project"
        shutil.copytree(Path(spec.origin).parent, root / "jsonschema", ignore=shutil.ignore_patterns("__pycache__"))
        # test_cli reads the package's own metadata (importlib.metadata.version), which a copy does not have.
        args = ["jsonschema/tests", "--ignore=jsonschema/tests/test_jsonschema_test_suite.py", "--ignore=jsonschema/tests/test_cli.py"]
        # Test modules that need an optional package this environment lacks cannot be collected: leave them out.
        collected = sandbox.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args], cwd=root,
                                limits=sandbox.Limits(timeout_s=300))
        broken = sorted(set(re.findall(r"^ERROR (jsonschema/tests/\S+\.py)", collected.stdout, re.MULTILINE)))
        args += [f"--ignore={path}" for path in broken]
        (root / "baseline.toml").write_text("[tests]\npaths = [\"jsonschema/tests\"]\nargs = [" + ", ".join(f'"{a}"' for a in args[1:]) + "]\n")
        # The copy has no packaging metadata: its runtime requirements (from the installed distribution) go
        # into requirements.txt, which is how a tree that is not a package declares them.
        from importlib.metadata import requires

        runtime = [line.split(";")[0].strip() for line in requires("jsonschema") or [] if "extra ==" not in line]
        (root / "requirements.txt").write_text("".join(f"{line}\n" for line in runtime))
        note = f", {len(broken)} test module(s) left out for a missing optional package" if broken else ""
        return root, args, f"jsonschema {version('jsonschema')} (installed copy, its own test suite{note})"
    root = workspace / "blackbox_project"
    shutil.copytree(REPO / "tests" / "fixtures" / "blackbox_project", root)
    return root, [], "the blackbox_project fixture"


def _timed(argv: list[str], cwd: Path) -> tuple[float, sandbox.ProcessResult]:
    started = time.monotonic()
    result = sandbox.run(argv, cwd=cwd, limits=sandbox.Limits(timeout_s=900))
    return time.monotonic() - started, result


def measure(options: Options) -> list[Row]:
    """Row: the scan with T05/T06/T08 and development mode vs the same scan without them."""
    with tempfile.TemporaryDirectory(prefix="bench-testing-") as tmp:
        root, args, description = _project(Path(tmp), small=options.quick)
        for git_args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Import"]):
            sandbox.run([*GIT, *git_args], cwd=root, limits=sandbox.Limits(timeout_s=120))
        python = sys.executable
        scan = [python, "-m", "baseline", "scan", str(root), "--quiet", "--fuzz-time", "0", "--format", "json"]
        plain: list[float] = []

        def without(index: int) -> float:
            seconds, _ = _timed([*scan, "--output", str(Path(tmp) / f"a{index}.json"), "--no-tests-dev-mode", "--disable", ",".join(ADDED_CHECKS)], REPO)
            return seconds

        def with_added(index: int) -> float:
            seconds, _ = _timed([*scan, "--output", str(Path(tmp) / f"b{index}.json")], REPO)
            return seconds

        def by_hand(_: int) -> float:
            seconds, _ = _timed([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], root)
            plain.append(seconds)
            return seconds

        samples = alternate(options.repeats, {"with": with_added, "without": without, "pytest": by_hand})
        report = json.loads((Path(tmp) / "b0.json").read_text()) if (Path(tmp) / "b0.json").is_file() else {"results": []}
        outcomes = [f"{item['spec']['id'].split('.')[-1]} {item['outcome']}" for item in report["results"] if item["spec"]["technique"] in ("T05", "T06", "T08")]
        return [Row(
            "testing: scan with T05/T06/T08 + dev mode vs without", median(samples["with"]), median(samples["without"]),
            peer_name="our scan without them",
            quality=f"plain pytest by hand {median(plain) or 0:.1f} s; no fuzzing; " + ", ".join(outcomes),
            data=description, ours_samples=samples["with"], peer_samples=samples["without"],
        )]


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
