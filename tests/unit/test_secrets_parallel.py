"""File scanning: read once, oversized files skipped with a note, the process pool gives the same result."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "secrets_corpus"))
from load import load_corpus_module  # noqa: E402

from baseline.tools.secrets import parallel  # noqa: E402
from baseline.tools.secrets.walk import walk  # noqa: E402

corpus = load_corpus_module()


def _tree(root: Path) -> list[str]:
    rng = random.Random(3)
    names = []
    for index in range(12):
        name = f"pkg/mod_{index}.py"
        (root / "pkg").mkdir(exist_ok=True)
        body = "x = 1\n" * 50
        if index % 4 == 0:
            body += f'TOKEN = "{corpus.github_token(rng)}"\n'
        (root / name).write_text(body)
        names.append(name)
    (root / "big.txt").write_text("a" * 5000)
    (root / "blob.bin").write_bytes(b"\x00\x01" * 100)
    return names + ["big.txt", "blob.bin", "missing.py"]


def test_skips_are_reported_with_reasons(tmp_path: Path) -> None:
    names = _tree(tmp_path)
    items = {item.label: item for item in parallel.scan_paths(tmp_path, names, max_bytes=4096, workers=1)}
    assert items["big.txt"].skipped.startswith("oversized")
    assert items["blob.bin"].skipped == "binary"
    assert items["missing.py"].skipped.startswith("unreadable")
    assert sum(len(item.detections) for item in items.values()) == 3


def test_process_pool_gives_the_same_result(tmp_path: Path, monkeypatch) -> None:
    names = _tree(tmp_path)
    serial = parallel.scan_paths(tmp_path, names, max_bytes=4096, workers=1)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1000)
    pooled = parallel.scan_paths(tmp_path, names, max_bytes=4096, workers=2)
    assert [(i.label, i.detections, i.skipped) for i in pooled] == [(i.label, i.detections, i.skipped) for i in serial]
    walked = walk(tmp_path)  # the walk's sizes plan the chunks without a second stat of every file
    assert walked.sizes == [(tmp_path / name).stat().st_size for name in walked.files]
    planned = parallel.scan_paths(tmp_path, walked.files, max_bytes=4096, workers=2, sizes=walked.sizes)
    assert {(i.label, i.detections, i.skipped) for i in planned} == {(i.label, i.detections, i.skipped) for i in serial if i.label != "missing.py"}
    contents = [(name, name, (tmp_path / name).read_bytes()) for name in names[:12]]
    assert [i.detections for i in parallel.scan_contents(contents, 2)] == [i.detections for i in parallel.scan_contents(contents, 1)]
