"""Fuzzable-surface discovery and harness generation (no fuzzer runs here)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from baseline.fuzz.discovery import classify, covered_entries, find_harnesses
from baseline.fuzz.generate import GENERATED_MARKER, generated_entry, render_harness, write_harnesses
from baseline.fuzz.surface import find_surface

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_fixture_surface_finds_parsers_and_documented_exceptions() -> None:
    surface = find_surface(FIXTURES / "fuzz_parsers")
    ids = {entry.id: entry for entry in surface.entry_points}
    assert set(ids) == {
        "fuzzparsers.magic:decode_header", "fuzzparsers.records:parse_record", "fuzzparsers.text:parse_pairs",
        "fuzzparsers.text:parse_version", "fuzzparsers.fields:field_number",
    }
    assert {entry_id for entry_id, _why in surface.skipped} == {"fuzzparsers.fields:update_fields", "fuzzparsers.fields:group_text"}
    # parse_pairs documents ValueError; parse_version, in the same module, does not: its ValueError is a bug.
    assert ("builtins", "ValueError") not in ids["fuzzparsers.text:parse_version"].expected + ids["fuzzparsers.text:parse_version"].raised_here
    assert ids["fuzzparsers.fields:field_number"].raised_here == (("builtins", "KeyError"),)
    assert ids["fuzzparsers.records:parse_record"].input_kind == "bytes"
    assert ids["fuzzparsers.text:parse_pairs"].input_kind == "str"
    # The package's own error class is documented behaviour; ValueError is raised by parse_pairs itself.
    assert ("fuzzparsers.errors", "FormatError") in ids["fuzzparsers.magic:decode_header"].expected
    assert ("builtins", "ValueError") in ids["fuzzparsers.text:parse_pairs"].expected
    assert ("builtins", "ValueError") not in ids["fuzzparsers.magic:decode_header"].expected


def test_selection_rules(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "pkg/__init__.py",
        "class Reader:\n"
        "    @classmethod\n"
        "    def from_bytes(cls, raw):\n        return cls()\n"
        "    def feed(self, data: bytes, final=False):\n        return data\n"
        "class Needs:\n"
        "    def __init__(self, x):\n        pass\n"
        "    def parse(self, data: bytes):\n        return data\n"
        "def loads(s, *, strict=True):\n    raise KeyError(s)\n"
        "def add(a: int, b: int):\n    return a + b\n"
        "def two(data: bytes, mode):\n    return data\n"
        "def _private(data: bytes):\n    return data\n"
        "def read_config(fp):\n    return fp.read()\n",
    )
    _write(tmp_path, "pkg/_internal.py", "def parse(data: bytes):\n    return data\n")
    _write(tmp_path, "tests/test_x.py", "def parse(data: bytes):\n    return data\n")
    surface = find_surface(tmp_path)
    ids = {entry.id: entry for entry in surface.entry_points}
    assert set(ids) == {"pkg:Reader.from_bytes", "pkg:Reader.feed", "pkg:loads", "pkg:read_config"}
    assert ids["pkg:Reader.from_bytes"].call == "classmethod"
    assert ids["pkg:Reader.feed"].call == "method"
    assert ids["pkg:read_config"].input_kind == "stream-bytes"
    # KeyError is a bug class: raising it is accepted only from the function's own frame.
    assert ids["pkg:loads"].expected == ()
    assert ids["pkg:loads"].raised_here == (("builtins", "KeyError"),)
    # Parsers come first.
    assert surface.entry_points[0].priority == 0


def test_rendered_harness_is_valid_python_and_marked(tmp_path: Path) -> None:
    surface = find_surface(FIXTURES / "fuzz_parsers")
    for entry in surface.entry_points:
        text = render_harness(entry, depth=1)
        ast.parse(text)
        assert GENERATED_MARKER in text
        assert generated_entry(text) == entry.id
        assert "atheris.instrument_imports()" in text
        imports, runs = classify(text)
        assert imports and runs


def test_write_keeps_edited_harness_unless_forced(tmp_path: Path) -> None:
    entry = find_surface(FIXTURES / "fuzz_parsers").entry_points[0]
    first = write_harnesses(tmp_path, tmp_path / "fuzz", [entry])[0].path
    first.write_text(first.read_text() + "\n# edited\n")
    write_harnesses(tmp_path, tmp_path / "fuzz", [entry])
    assert "# edited" in first.read_text()
    write_harnesses(tmp_path, tmp_path / "fuzz", [entry], overwrite=True)
    assert "# edited" not in first.read_text()


def test_discovery_tells_harnesses_from_token_imports(tmp_path: Path) -> None:
    _write(tmp_path, "fuzz/fuzz_real.py", "import sys\nimport atheris\nimport pkg.codec\natheris.Setup(sys.argv, lambda d: pkg.codec.decode(d))\natheris.Fuzz()\n")
    _write(tmp_path, "fuzz/token.py", "import atheris  # for the badge\n")
    _write(tmp_path, "other/plain.py", "print('no fuzzing')\n")
    files, problems = find_harnesses(tmp_path, ["missing.py"])
    by_path = {item.path: item for item in files}
    assert by_path["fuzz/fuzz_real.py"].is_harness
    assert not by_path["fuzz/token.py"].is_harness
    assert "other/plain.py" not in by_path
    assert problems == ["configured harness missing.py does not exist"]
    assert covered_entries(by_path["fuzz/fuzz_real.py"], ["pkg.codec:decode", "pkg.codec:encode"]) == ["pkg.codec:decode"]


def test_not_fuzzable_project_has_empty_surface(tmp_path: Path) -> None:
    _write(tmp_path, "calc/__init__.py", "def add(a: int, b: int) -> int:\n    return a + b\n")
    surface = find_surface(tmp_path)
    assert surface.entry_points == ()
    assert surface.public_functions == 1


def test_atheris_calls_inside_strings_do_not_make_a_harness() -> None:
    template = 'TEMPLATE = """\nimport atheris\natheris.Setup(sys.argv, f)\natheris.Fuzz()\n"""\n'
    assert classify(template) == (False, False)
    assert classify("from atheris import Setup, Fuzz\nimport sys\nSetup(sys.argv, print)\nFuzz()\n") == (True, True)


def test_paths_containers_side_effects_and_dataclasses_are_not_fuzzed(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "tool/__init__.py",
        "from dataclasses import dataclass\n"
        "from pathlib import Path\n"
        "def load_config(path: str):\n    return open(path).read()\n"
        "def open_file(p: Path | str):\n    return p\n"
        "def main(argv: list[str] | None = None):\n    return argv\n"
        "def write_text(text: str):\n    return text\n"
        "@dataclass(frozen=True)\n"
        "class Settings:\n    values: dict\n    def get(self, name: str):\n        return name\n"
        "def parse_version(text: str):\n    return text.split('.')\n",
    )
    assert [entry.id for entry in find_surface(tmp_path).entry_points] == ["tool:parse_version"]


@pytest.mark.parametrize(
    ("docstring", "names"),
    [
        ("Parse it.\n\nRaises:\n    ValueError: when bad.\n    KeyError: for an unknown key.\n\nReturns:\n    TypeError-free value.", {"ValueError", "KeyError"}),
        ("Parse it.\n\nRaises\n------\nValueError\n    when bad.\nUnicodeDecodeError\n    when not UTF-8.\n\nReturns\n-------\nint", {"ValueError", "UnicodeDecodeError"}),
        (":param s: text\n:raises ValueError: Raised for invalid input.\n:raises OverflowError: too big.", {"ValueError", "OverflowError"}),
        ("Raises ValueError when the text is not a number.", {"ValueError"}),
        ("A ``KeyError`` is raised for an unknown field.", {"KeyError"}),
        ("Never raises ValueError: returns None instead. Unlike json, TypeError is not an issue.", set()),
        ("Does not raise KeyError for a missing key.", set()),
        ("Returns the parsed value.", set()),
    ],
)
def test_documented_exceptions_are_read_from_raises_sections_fields_and_prose(docstring: str, names: set[str]) -> None:
    from baseline.fuzz.surface import documented_exceptions

    assert documented_exceptions(docstring) == names


def test_parsers_then_the_public_api_then_inner_helpers(tmp_path: Path) -> None:
    """The public API is what a package's __init__ exports; its entry points come before inner helpers."""
    package = tmp_path / "mdlib"
    (package / "common").mkdir(parents=True)
    (package / "__init__.py").write_text("from .main import Markdown\n", encoding="utf-8")
    (package / "main.py").write_text(
        "class Markdown:\n    def parse(self, src: str):\n        return src\n\n    def render(self, src: str):\n        return src\n", encoding="utf-8"
    )
    (package / "common" / "__init__.py").write_text("", encoding="utf-8")
    (package / "common" / "utils.py").write_text(
        "def escape(text: str):\n    return text\n\ndef decode_entity(text: str):\n    return text\n", encoding="utf-8"
    )
    entries = find_surface(tmp_path).entry_points
    assert [(entry.id, entry.priority) for entry in entries] == [
        ("mdlib.main:Markdown.parse", 0),
        ("mdlib.common.utils:decode_entity", 0),
        ("mdlib.main:Markdown.render", 1),
        ("mdlib.common.utils:escape", 2),
    ]


def test_a_method_that_runs_its_classs_parser_on_its_input_ranks_as_a_parser(tmp_path: Path) -> None:
    """``render(src)`` calls ``self.parse(src)``: the whole parser and more, as much an entry point as ``parse``."""
    package = tmp_path / "mdlib"
    package.mkdir()
    (package / "__init__.py").write_text("from .main import Markdown\n", encoding="utf-8")
    (package / "main.py").write_text(
        "class Markdown:\n"
        "    def parse(self, src: str, env=None):\n        return [src]\n\n"
        "    def render(self, src: str, env=None):\n        return self.renderer(self.parse(src, env))\n\n"
        "    def renderer(self, tokens: str):\n        return tokens\n\n"
        "    def lint(self, text: str):\n        return self.parse('fixed text')\n",  # parses something else: not a parser
        encoding="utf-8",
    )
    entries = {entry.id: entry for entry in find_surface(tmp_path).entry_points}
    assert entries["mdlib.main:Markdown.render"].priority == 0 and entries["mdlib.main:Markdown.render"].drives_parser
    assert entries["mdlib.main:Markdown.lint"].priority == 1 and entries["mdlib.main:Markdown.renderer"].priority == 1
    assert [entry.id for entry in find_surface(tmp_path).entry_points][:2] == ["mdlib.main:Markdown.parse", "mdlib.main:Markdown.render"]


def test_command_line_argument_parsers_are_not_fuzzed_as_data(tmp_path: Path) -> None:
    """argparse exits on bad arguments (SystemExit): argv is not the data a parser reads."""
    package = tmp_path / "tool"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "__main__.py").write_text("def parse(text: str):\n    return text\n", encoding="utf-8")
    (package / "cli" / "__init__.py").write_text("", encoding="utf-8")
    (package / "cli" / "parse.py").write_text(
        "from typing import Sequence\n\ndef parse_args(args: Sequence[str] | None = None):\n    return args\n\n"
        "def parse_options(argv: Sequence[str]):\n    return argv\n\ndef parse_doc(text: str):\n    return text\n",
        encoding="utf-8",
    )
    assert [entry.id for entry in find_surface(tmp_path).entry_points] == ["tool.cli.parse:parse_doc"]
