"""Start-up cost of the CLI: ``baseline scan TINY --select T04`` and ``baseline checks``.

Each interpreter given (a virtual environment's python with the toolkit installed, e.g. one of the
main branch and one of a change) runs both commands ``--rounds`` times, alternated round by round in
the same run: once under ``-X importtime`` (the sum of the top-level imports' cumulative times,
and how many modules were imported) and once plain for the wall time. Medians are printed, with
the load average before and after. The tiny project is written to a temporary folder; the
toolkit's caches and data go to temporary folders too.

    python bench/bench_startup.py --python before=/path/a/bin/python --python after=.venv/bin/python --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \|( +)(\S+)\s*$", re.MULTILINE)


def imports(stderr: str) -> tuple[float, int, int]:
    """(ms spent importing, modules imported, toolkit modules imported) from ``-X importtime`` output."""
    total_us = 0
    names = []
    for match in _LINE.finditer(stderr):
        names.append(match.group(3))
        if len(match.group(2)) == 1:  # top level: its cumulative time includes everything it imported
            total_us += int(match.group(1))
    return total_us / 1000.0, len(names), sum(1 for name in names if name == "baseline" or name.startswith("baseline."))


def run(python: str, args: list[str], env: dict[str, str], importtime: bool) -> tuple[float, str, int]:
    argv = [python, *(["-X", "importtime"] if importtime else []), "-m", "baseline", *args]
    begun = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    return time.perf_counter() - begun, done.stderr, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True, metavar="LABEL=PATH", help="an interpreter to measure (repeatable)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", dest="json_out", help="write the raw figures to this file")
    args = parser.parse_args()
    pythons = dict(item.split("=", 1) for item in args.python)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    tiny = work / "tiny"
    (tiny / "tiny").mkdir(parents=True)
    (tiny / "pyproject.toml").write_text('[project]\nname = "tiny"\nversion = "0.1"\n', encoding="utf-8")
    (tiny / "tiny" / "__init__.py").write_text('def greet(name):\n    return "hello " + name\n', encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(BASELINE_CACHE_DIR=str(work / "cache"), BASELINE_DATA_DIR=str(work / "data"))
    commands = {"scan --select T04": ["scan", str(tiny), "--select", "T04", "-q"], "checks": ["checks"]}
    for python in pythons.values():  # warm-up: bytecode written, files in the page cache
        for command in commands.values():
            run(python, command, env, importtime=False)
    figures: dict[str, dict[str, dict[str, list[float]]]] = {label: {name: {"wall_s": [], "import_ms": [], "modules": [], "toolkit_modules": []} for name in commands} for label in pythons}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for label, python in pythons.items():
            for name, command in commands.items():
                _, stderr, code = run(python, command, env, importtime=True)
                if code not in (0, 1):
                    print(f"{label} {name}: exit {code}\n{stderr[-2000:]}", file=sys.stderr)
                    return 2
                ms, modules, toolkit = imports(stderr)
                wall, _, _ = run(python, command, env, importtime=False)
                slot = figures[label][name]
                slot["wall_s"].append(wall)
                slot["import_ms"].append(ms)
                slot["modules"].append(modules)
                slot["toolkit_modules"].append(toolkit)
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); {os.cpu_count()} CPUs; median of {args.rounds}, alternated")
    print(f"{'interpreter':<12} {'command':<18} {'wall s':>7} {'import ms':>10} {'modules':>8} {'baseline.*':>10}")
    for label in pythons:
        for name in commands:
            slot = figures[label][name]
            print(f"{label:<12} {name:<18} {statistics.median(slot['wall_s']):>7.2f} {statistics.median(slot['import_ms']):>10.0f} "
                  f"{statistics.median(slot['modules']):>8.0f} {statistics.median(slot['toolkit_modules']):>10.0f}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"load": [load_before, load_after], "figures": figures}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
