"""T11 at size: time and peak memory of reading, writing the SBOM and matching.

    python bench/bench_components_scale.py [--lines N] [--env N] [--osv-db PATH]

Two measurements:

- ``--lines`` (default 100,000): a requirements file of that many pinned lines, one in ten naming a
  package that has advisories; read, SBOM, match. Memory: the process's peak resident set
  (getrusage), measured with the file as the only large input.
- ``--env`` (default 300): a real virtual environment (made without pip) holding that many
  installed distributions (``*.dist-info`` written by the bench; real package names of the
  advisory database at version 0.1, each requiring the next two), a project declaring ten of them;
  the whole components run: the confined probe of the interpreter, the closure, SBOM and match.

Matches against ``--osv-db`` or the shared advisory snapshot when present; without a database
only the reading and the SBOM are timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import resource
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline.tools.components_run import run_components  # noqa: E402
from tests.conftest import SHARED  # noqa: E402

SNAPSHOT = SHARED / "data" / "advisory-database"
NAMES = ["django", "flask", "requests", "pyyaml", "jinja2", "urllib3", "pillow", "cryptography"]


def requirements_file(lines: int, database: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root, work = Path(folder) / "project", Path(folder) / "work"
        root.mkdir()
        work.mkdir()
        text = "".join(
            f"{NAMES[i % len(NAMES)]}=={1 + i % 4}.{i % 10}.{i % 3}\n" if i % 10 == 0 else f"package-{i}=={i % 50}.{i % 7}.0\n"
            for i in range(lines)
        )
        (root / "requirements.txt").write_text(text, encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        result = run_components(root=root, work_dir=work, osv_db=database, online=False, vex_files=[], timeout_s=600)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{lines} requirement lines: {elapsed:.1f} s, peak resident set {peak / 1024:.0f} MiB (before the run: {before / 1024:.0f} MiB)")
    print(f"  status {result.status}: {result.message}")


def installed_environment(count: int, database: str | None) -> None:
    vulns = Path(database) / "vulns" if database and (Path(database) / "vulns").is_dir() else Path(database or ".")
    names = sorted(p.name for p in vulns.iterdir() if p.is_dir())[:count] if vulns.is_dir() else []
    names += [f"bench-package-{i}" for i in range(count - len(names))]
    with tempfile.TemporaryDirectory() as folder:
        root, work = Path(folder) / "project", Path(folder) / "work"
        root.mkdir()
        work.mkdir()
        venv.create(root / ".venv", with_pip=False, symlinks=True)
        site = root / ".venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
        for index, name in enumerate(names):
            requires = "".join(f"Requires-Dist: {names[j]}\n" for j in (index + 1, index + 2) if j < len(names))
            info = site / f"{name.replace('-', '_')}-0.1.dist-info"
            info.mkdir()
            (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n{requires}", encoding="utf-8")
        declared = ", ".join(f'"{names[i]}>=0"' for i in range(0, count, max(1, count // 10)))
        (root / "pyproject.toml").write_text(f'[project]\nname = "bench"\nversion = "1.0"\ndependencies = [{declared}]\n', encoding="utf-8")
        if database:  # the index cache warm, as on a second scan: the figure is the run, not the first load
            run_components(root=root, work_dir=work, osv_db=database, online=False, vex_files=[], timeout_s=600)
        started = time.perf_counter()
        result = run_components(
            root=root, work_dir=work, osv_db=database, online=False, vex_files=[], timeout_s=600,
            python=str(root / ".venv" / "bin" / "python"), interpreter_source="--python",
        )
        elapsed = time.perf_counter() - started
    print(f"installed environment of {count} distributions: {elapsed:.2f} s (confined probe, closure, SBOM, match)")
    print(f"  status {result.status}: {result.message}; {result.environment.note()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--env", type=int, default=300)
    parser.add_argument("--osv-db", default=str(SNAPSHOT) if SNAPSHOT.is_dir() else None)
    options = parser.parse_args()
    if options.lines:  # first, so that its peak memory is its own
        requirements_file(options.lines, options.osv_db)
    if options.env:
        installed_environment(options.env, options.osv_db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
