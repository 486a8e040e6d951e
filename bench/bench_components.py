"""Benchmark of T11: offline matching counts and SBOM + matching time.

1. Pinned requirement sets of real, old releases of popular packages, matched offline against a
   local OSV database (default: the PyPA advisory database snapshot beside the repository) by our
   matcher; pip-audit runs on the same set in the same run where it can (it needs its online
   services: here it reports what it could audit, and every skipped package counts as not audited).
2. SBOM + matching wall time for a lock file of ~200 pinned dependencies (generated from the
   database's own package names), cold (index built) and warm (index cached).

    python bench/bench_components.py [--osv-db PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from baseline.tools.components_run import run_components
from baseline.tools.osv import load_database

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO.parent / "shared" / "data" / "advisory-database"

SETS = {
    "web-2018": ["django==1.11.0", "flask==0.12", "jinja2==2.10", "werkzeug==0.14", "requests==2.19.0", "urllib3==1.23"],
    "data-2019": ["numpy==1.16.0", "pillow==6.0.0", "pyyaml==5.1", "lxml==4.3.0", "cryptography==2.5", "paramiko==2.4.1"],
    "current-ish": ["django==4.2.16", "flask==3.0.3", "requests==2.32.3", "urllib3==2.2.3", "jinja2==3.1.4"],
}


def _pip_audit(requirements: Path) -> str:
    executable = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or shutil.which("pip-audit")
    if executable is None:
        return "not installed"
    started = time.perf_counter()
    proc = subprocess.run(
        [executable, "-r", str(requirements), "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off", "--timeout", "10"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    elapsed = time.perf_counter() - started
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return f"failed (exit {proc.returncode}, {elapsed:.1f} s)"
    audited = [d for d in data.get("dependencies", []) if "skip_reason" not in d]
    vulns = sum(len(d.get("vulns", [])) for d in audited)
    return f"{vulns} vulns in {len(audited)}/{len(data.get('dependencies', []))} audited ({elapsed:.1f} s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osv-db", default=str(DEFAULT_DB))
    args = parser.parse_args()
    if not Path(args.osv_db).exists():
        print(f"no OSV database at {args.osv_db}: pass --osv-db")
        return 2
    started = time.perf_counter()
    database = load_database(args.osv_db)
    print(f"database: {database.info.records} records ({database.info.pypi_records} PyPI), newest {database.info.newest_modified}, loaded in {time.perf_counter() - started:.2f} s")
    print(f"{'set':<14}{'pins':>6}{'ours: advisories':>18}   pip-audit (same run)")
    with tempfile.TemporaryDirectory() as scratch:
        for name, pins in SETS.items():
            found = sum(len(database.match(*pin.split("=="))) for pin in pins)
            requirements = Path(scratch) / f"{name}.txt"
            requirements.write_text("\n".join(pins) + "\n")
            print(f"{name:<14}{len(pins):>6}{found:>18}   {_pip_audit(requirements)}")
        project = Path(scratch) / "big"
        project.mkdir()
        packages = sorted(database.by_package)[:200]
        lines = []
        for package in packages:
            advisory = database.by_package[package][0]
            version = next(iter(sorted(advisory.versions)), None) or "1.0"
            lines.append(f"{package}=={version}")
        (project / "requirements.txt").write_text("\n".join(lines) + "\n")
        work = Path(scratch) / "work"
        work.mkdir()
        for label in ("cold", "warm"):
            started = time.perf_counter()
            result = run_components(root=project, work_dir=work, osv_db=args.osv_db, online=False, vex_files=[], timeout_s=60)
            elapsed = time.perf_counter() - started
            print(f"SBOM + matching, {len(result.inventory.components)} pinned deps ({label} index): {elapsed:.2f} s, {len(result.matches)} matches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
