"""Path patterns follow gitignore semantics (pathspec), the same for every setting that names files."""

from __future__ import annotations

from baseline.pathmatch import matches


def test_gitignore_semantics() -> None:
    assert matches("tests/fixtures/app/main.py", ["tests/fixtures"])  # a folder covers what is under it
    assert matches("a/b/c.pyc", ["*.pyc"])  # no slash: any depth
    assert not matches("src/build/x.py", ["/build"]) and matches("build/x.py", ["/build"])  # anchored
    assert matches("checks/rules/a.py", ["checks/rules/*.py"]) and not matches("checks/rules/sub/a.py", ["checks/rules/*.py"])
    assert matches("tests/x/y/data/f.json", ["tests/**/data"])
    assert not matches("docs/keep.md", ["docs/*.md", "!docs/keep.md"])
    assert not matches("anything.py", []) and not matches("x.py", ["", "  "])
