"""T11 at size: read, SBOM and match a 100,000-line requirements file; time and peak memory.

    python bench/bench_components_scale.py [LINES]

Matches against the shared advisory snapshot when it is present (else only reads and writes the SBOM).
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline.tools.components_run import run_components  # noqa: E402
from tests.conftest import SHARED  # noqa: E402

SNAPSHOT = SHARED / "data" / "advisory-database"


def main() -> int:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    names = ["django", "flask", "requests", "pyyaml", "jinja2", "urllib3", "pillow", "cryptography"]
    with tempfile.TemporaryDirectory() as folder:
        root, work = Path(folder) / "project", Path(folder) / "work"
        root.mkdir()
        work.mkdir()
        text = "".join(
            f"{names[i % len(names)]}=={1 + i % 4}.{i % 10}.{i % 3}\n" if i % 10 == 0 else f"package-{i}=={i % 50}.{i % 7}.0\n"
            for i in range(lines)
        )
        (root / "requirements.txt").write_text(text, encoding="utf-8")
        tracemalloc.start()
        started = time.perf_counter()
        result = run_components(
            root=root, work_dir=work, osv_db=str(SNAPSHOT) if SNAPSHOT.is_dir() else None, online=False, vex_files=[], timeout_s=600
        )
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"{lines} requirement lines: {elapsed:.1f} s, peak traced memory {peak / 2**20:.0f} MiB (tracemalloc slows the run)")
    print(f"status {result.status}: {result.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
