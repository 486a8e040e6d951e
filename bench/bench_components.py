"""Benchmark of T11: offline matching counts and SBOM + matching time, against pip-audit.

1. Pinned requirement sets of real, old releases of popular packages, matched offline against a
   local OSV database (default: the PyPA advisory database snapshot beside the repository) by our
   matcher; pip-audit runs on the same set in the same run where it can (it needs its online
   services: here it reports what it could audit, and every skipped package counts as not audited).
2. SBOM + matching wall time for a lock file of ~200 pinned dependencies (generated from the
   database's own package names), cold (index built) and warm (index cached).

    python bench/bench_components.py [--osv-db PATH]   (or ``python -m bench --only components``)

Without a real database, ``python -m bench`` generates a synthetic one of the same size (the counts
of part 1 then mean nothing and that row is skipped; the timings stay meaningful).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baseline.tools.components_run import run_components  # noqa: E402
from baseline.tools.osv import OsvDatabase, load_database  # noqa: E402
from bench.common import Options, Row, alternate, median, skipped  # noqa: E402

DEFAULT_DB = REPO.parent / "shared" / "data" / "advisory-database"
PIP_AUDIT_TIMEOUT = 300

SETS = {
    "web-2018": ["django==1.11.0", "flask==0.12", "jinja2==2.10", "werkzeug==0.14", "requests==2.19.0", "urllib3==1.23"],
    "data-2019": ["numpy==1.16.0", "pillow==6.0.0", "pyyaml==5.1", "lxml==4.3.0", "cryptography==2.5", "paramiko==2.4.1"],
    "current-ish": ["django==4.2.16", "flask==3.0.3", "requests==2.32.3", "urllib3==2.2.3", "jinja2==3.1.4"],
}


def _pip_audit_run(requirements: Path) -> dict | str:
    """pip-audit's JSON for a requirements file, with ``seconds``; or why it did not run."""
    executable = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or shutil.which("pip-audit")
    if executable is None:
        return "not installed"
    started = time.perf_counter()
    proc = subprocess.run(
        [executable, "-r", str(requirements), "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off", "--timeout", "10"],
        capture_output=True, text=True, timeout=PIP_AUDIT_TIMEOUT, check=False,
    )
    elapsed = time.perf_counter() - started
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return f"failed (exit {proc.returncode}, {elapsed:.1f} s)"
    dependencies = data.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    return {"seconds": elapsed, "audited": len(audited), "total": len(dependencies), "vulns": sum(len(d.get("vulns", [])) for d in audited)}


def _pip_audit(requirements: Path) -> str:
    result = _pip_audit_run(requirements)
    if isinstance(result, str):
        return result
    return f"{result['vulns']} vulns in {result['audited']}/{result['total']} audited ({result['seconds']:.1f} s)"


def make_synthetic_db(folder: Path, records: int, packages: int, seed: int = 7) -> Path:
    """Write ``records`` OSV records (JSON, PyPI ecosystem) over ``packages`` made-up package names."""
    rng = random.Random(seed)
    vectors = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N",
               "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N")
    for index in range(records):
        package = f"bench-pkg-{index % packages:04d}"
        major = rng.randint(0, 5)
        events = [{"introduced": "0"}, {"fixed": f"{major}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"}]
        if rng.random() < 0.3:
            events += [{"introduced": f"{major + 1}.0"}, {"fixed": f"{major + 1}.{rng.randint(1, 9)}"}]
        record = {
            "id": f"PYSEC-9999-{index}", "modified": f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}T00:00:00Z",
            "aliases": [f"CVE-9999-{index}"], "summary": f"synthetic advisory {index}",
            "details": "Generated for the benchmark. " * rng.randint(1, 20),
            "affected": [{"package": {"ecosystem": "PyPI", "name": package}, "ranges": [{"type": "ECOSYSTEM", "events": events}],
                          "versions": [f"{major}.0.{patch}" for patch in range(rng.randint(0, 15))]}],
            "severity": [{"type": "CVSS_V3", "score": rng.choice(vectors)}],
            "references": [{"type": "WEB", "url": f"https://example.invalid/advisory/{index}"}],
        }
        path = folder / "vulns" / package / f"PYSEC-9999-{index}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record))
    return folder


def choose_db(options: Options, work: Path) -> tuple[Path, bool, str]:
    """(database, is it real advisory data, how the table names it)."""
    if options.osv_db is not None:
        return options.osv_db, True, f"OSV database {options.osv_db.name} (--osv-db)"
    if DEFAULT_DB.is_dir():
        return DEFAULT_DB, True, "PyPA advisory-database snapshot"
    records = 1000 if options.quick else 3000
    made = make_synthetic_db(work / "synthetic-osv", records, records // 3)
    return made, False, "generated synthetic OSV db (no real one found)"


def lock_file(database: OsvDatabase, project: Path, count: int = 200) -> int:
    """A requirements.txt of ``count`` pins taken from the database's package names; the number written."""
    project.mkdir(parents=True, exist_ok=True)
    lines = []
    for package in sorted(database.by_package)[:count]:
        advisory = database.by_package[package][0]
        version = next(iter(sorted(advisory.versions)), None) or "1.0"
        lines.append(f"{package}=={version}")
    (project / "requirements.txt").write_text("\n".join(lines) + "\n")
    return len(lines)


def measure(options: Options) -> list[Row]:
    """Rows: OSV load warm vs cold; SBOM + match of ~200 pins vs pip-audit; advisory counts on old pin sets."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-components-") as scratch:
        work = Path(scratch)
        db, real, label = choose_db(options, work)
        warm_cache = work / "warm-cache"
        database = load_database(db, cache_dir=warm_cache)
        data = f"{label}, {database.info.records} records"

        def cold(index: int) -> float:
            return _timed(lambda: load_database(db, cache_dir=work / f"cold-cache-{index}"))

        def warm(_: int) -> float:
            return _timed(lambda: load_database(db, cache_dir=warm_cache))

        loads = alternate(options.repeats, {"warm": warm, "cold": cold})
        rows.append(Row(
            "components: OSV index load, warm (cached) vs cold", median(loads["warm"]), median(loads["cold"]), peer_name="our cold load",
            quality="cold parses every record and writes the index; warm reads the index", data=data,
            ours_samples=loads["warm"], peer_samples=loads["cold"],
        ))

        project = work / "big"
        pins = lock_file(database, project)
        audit: list[dict] = []
        problem: list[str] = []
        ours_warm: list[float] = []

        def ours(index: int) -> float:
            target = work / f"run-{index}"
            target.mkdir()
            seconds = _timed(lambda: run_components(root=project, work_dir=target, osv_db=str(db), online=False, vex_files=[], timeout_s=60))
            ours_warm.append(_timed(lambda: run_components(root=project, work_dir=target, osv_db=str(db), online=False, vex_files=[], timeout_s=60)))
            return seconds

        def peer(_: int) -> float | None:
            result = _pip_audit_run(project / "requirements.txt")
            if isinstance(result, str):
                problem.append(result)
                return None
            audit.append(result)
            return float(result["seconds"])

        sides = alternate(options.repeats, {"ours": ours, "pip-audit": peer})
        matches = len(run_components(root=project, work_dir=work / "run-0", osv_db=str(db), online=False, vex_files=[], timeout_s=60).matches)
        if audit:
            last = audit[-1]
            peer_note = f"pip-audit audited {last['audited']}/{last['total']}" + (
                " (the rest skipped: its lookups need the network)" if last["audited"] < last["total"] else "")
        else:
            peer_note = f"pip-audit {problem[-1] if problem else 'did not run'}"
        rows.append(Row(
            f"components: SBOM + match, {pins} pinned deps", median(sides["ours"]), median(sides["pip-audit"]) if audit else None,
            peer_name="pip-audit -r" if audit else f"pip-audit {problem[-1] if problem else 'did not run'}",
            quality=f"ours {matches} matches, all {pins} audited offline; warm index {median(ours_warm) or 0:.2f} s; {peer_note}",
            data=f"{pins} pins from its package names; {data}",
            ours_samples=sides["ours"], peer_samples=sides["pip-audit"],
        ))
        if not real:
            rows.append(skipped("components: advisories found on 3 sets of old pins", "needs a real OSV database (pass --osv-db)", data))
        else:
            ours_found = peer_found = peer_audited = 0
            total = 0
            for name, pinned in SETS.items():
                ours_found += sum(len(database.match(*pin.split("=="))) for pin in pinned)
                requirements = work / f"{name}.txt"
                requirements.write_text("\n".join(pinned) + "\n")
                result = _pip_audit_run(requirements)
                total += len(pinned)
                if isinstance(result, dict):
                    peer_found += result["vulns"]
                    peer_audited += result["audited"]
            rows.append(Row(
                f"components: advisories found on 3 sets of {total} old pins", float(ours_found), float(peer_found), unit="",
                better="higher", peer_name="pip-audit",
                quality=f"ours audited {total}/{total}; pip-audit audited {peer_audited}/{total}", data=data,
            ))
    return rows


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


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
