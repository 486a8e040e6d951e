"""Find the project's own fuzz harnesses.

A harness is a Python file that sets up *and* runs atheris (``atheris.Setup`` and
``atheris.Fuzz``). Files that import atheris without doing both are recorded as *token* files:
they earn nothing. Conventional folders (``fuzz/``, ``fuzzing/``, ``tests/fuzz*``) are searched
first, then the rest of the tree, plus the files listed in ``fuzz.harnesses``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from baseline.fuzz.generate import generated_entry, is_generated
from baseline.target import iter_files
from baseline.parsing import parse_python

_IMPORTS_ATHERIS = re.compile(r"^\s*(import\s+atheris|from\s+atheris\b)", re.MULTILINE)
_SETUP = re.compile(r"\b(atheris\.)?Setup\s*\(")
_FUZZ = re.compile(r"\b(atheris\.)?Fuzz\s*\(\s*\)")
CONVENTIONAL = ("fuzz", "fuzzing", "tests/fuzz", "tests/fuzzing", "test/fuzz")


@dataclass(frozen=True)
class HarnessFile:
    """A discovered harness (or token file)."""

    path: str  # relative to the target root
    source: str  # conventional | tree | config
    is_harness: bool  # sets up and runs atheris
    generated: bool  # carries the generated marker
    entry: str | None  # entry point a generated harness declares
    text: str


def classify(text: str) -> tuple[bool, bool]:
    """(imports atheris, sets up and runs it), read from the code itself (not strings or comments)."""
    if not _IMPORTS_ATHERIS.search(text):
        return False, False
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        imports = True
        return imports, bool(_SETUP.search(text)) and bool(_FUZZ.search(text))
    imports = False
    calls: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(alias.name == "atheris" for alias in node.names):
            imports = True
        elif isinstance(node, ast.ImportFrom) and node.module == "atheris":
            imports = True
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            calls.add(name)
    return imports, imports and {"Setup", "Fuzz"} <= calls


def _conventional(relative: str) -> bool:
    return any(relative == folder or relative.startswith(folder) for folder in CONVENTIONAL) or relative.startswith("tests/fuzz")


def find_harnesses(root: Path, configured: list[str]) -> tuple[list[HarnessFile], list[str]]:
    """(harness and token files, problems with configured paths)."""
    found: dict[str, HarnessFile] = {}
    problems: list[str] = []
    for path in iter_files(root):
        if path.suffix != ".py":
            continue
        relative = path.relative_to(root).as_posix()
        if relative.startswith("tests/fixtures/"):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        imports, runs = classify(text)
        if imports:
            source = "conventional" if _conventional(relative) else "tree"
            found[relative] = HarnessFile(relative, source, runs, is_generated(text), generated_entry(text), text)
    for item in configured:
        path = (root / item).resolve()
        if not path.is_file():
            problems.append(f"configured harness {item} does not exist")
            continue
        relative = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else str(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        _imports, runs = classify(text)
        # A configured file is run even if our pattern does not recognise it: the fuzzer decides.
        found[relative] = HarnessFile(relative, "config", True, is_generated(text), generated_entry(text), text)
    ordered = sorted(found.values(), key=lambda item: ({"config": 0, "conventional": 1, "tree": 2}[item.source], item.path))
    return ordered, problems


def covered_entries(harness: HarnessFile, entry_ids: list[str]) -> list[str]:
    """Entry points a harness exercises: the one it declares, else those whose module and name it names."""
    if harness.entry:
        return [harness.entry] if harness.entry in entry_ids else []
    covered = []
    for entry_id in entry_ids:
        module, _, qualname = entry_id.partition(":")
        name = qualname.rsplit(".", 1)[-1]
        leaf = module.rsplit(".", 1)[-1]
        if re.search(rf"\b{re.escape(name)}\b", harness.text) and re.search(rf"\b{re.escape(leaf)}\b", harness.text):
            covered.append(entry_id)
    return covered
