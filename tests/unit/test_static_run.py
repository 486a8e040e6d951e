"""Unit tests of file listing, the pre-screen and the per-file cache (no tool is run)."""

from __future__ import annotations

from baseline.model import Confidence, Severity
from baseline.tools.static_common import FileNote, RawFinding
from baseline.tools.static_run import ResultCache, SourceFile, prescreen, python_files


def test_python_files_respect_excludes_and_skip_tool_folders(tmp_path):
    for name in ("pkg/a.py", "pkg/gen/b.py", "tests/test_a.py", ".venv/lib/x.py", "README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    found = [p.relative_to(tmp_path).as_posix() for p in python_files(tmp_path, ["pkg/gen"])]
    assert found == ["pkg/a.py", "tests/test_a.py"]


def test_prescreen_notes_binary_huge_and_undecodable_files(tmp_path):
    binary = tmp_path / "blob.py"
    binary.write_bytes(b"\x7fELF\x00\x00\x01")
    huge = tmp_path / "huge.py"
    huge.write_text("x = 1\n" * 400)
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    broken = tmp_path / "broken.py"
    broken.write_bytes(b"name = '\xff\xfe'\n")
    assert "binary" in prescreen(binary, "blob.py", 10_000).reason
    assert "max_file_kb" in prescreen(huge, "huge.py", 1024).reason
    assert isinstance(prescreen(latin, "latin.py", 10_000), SourceFile)
    note = prescreen(broken, "broken.py", 10_000)
    assert isinstance(note, FileNote) and "not decodable" in note.reason


def test_prescreen_collects_suppression_directives(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("import os\nos.system(cmd)  # nosec B605 -- cmd is fixed\n")
    source = prescreen(path, "a.py", 10_000)
    assert source.directives[0].rule_ids == ("B605",)


def test_cache_round_trip_is_keyed_by_content_and_tool_setup(tmp_path):
    cache = ResultCache(tmp_path, {"bandit": "bandit 1.0", "semgrep": "semgrep 1.0|pack"})
    source = SourceFile("pkg/a.py", "d1")
    finding = RawFinding("bandit", "B602", "pkg/a.py", 3, 3, Severity.HIGH, Confidence.HIGH, (78,), "shell")
    assert cache.load("bandit", source) is None
    cache.store("bandit", source, [finding], [FileNote("pkg/a.py", "bandit", "partial")])
    copy = SourceFile("pkg/copy.py", "d1")
    findings, notes = cache.load("bandit", copy)
    assert findings[0].path == "pkg/copy.py" and findings[0].cwe == (78,) and notes[0].reason == "partial"
    assert cache.load("semgrep", source) is None
    changed_tool = ResultCache(tmp_path, {"bandit": "bandit 2.0", "semgrep": "x"})
    assert changed_tool.load("bandit", source) is None
    assert cache.hits["bandit"] == 1 and cache.misses["bandit"] == 1


def test_declared_python_version_is_read_defensively(tmp_path):
    from baseline.tools.static_run import declared_python_minor, newer_syntax_expected

    assert declared_python_minor(tmp_path) is None and not newer_syntax_expected(tmp_path, None)
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.12, <4"\n')
    assert declared_python_minor(tmp_path) == 12 and newer_syntax_expected(tmp_path, None)
    (tmp_path / "pyproject.toml").write_text("[project\nbroken")
    assert declared_python_minor(tmp_path) is None
    (tmp_path / ".python-version").write_text("3.13.1\n")
    assert declared_python_minor(tmp_path) == 13
    assert newer_syntax_expected(tmp_path / "none", "3.99.0")
