"""Generated harnesses: accepted exceptions per function, judged by where they were raised; types."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from baseline.fuzz.generate import render_harness, write_harnesses
from baseline.fuzz.surface import find_surface

pytest.importorskip("atheris")


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "mod.py").write_text(source, encoding="utf-8")
    return tmp_path


def _harness(root: Path, entry_id: str):
    """The generated harness's TestOneInput, loaded in this process (atheris is not started)."""
    entry = next(entry for entry in find_surface(root).entry_points if entry.id == entry_id)
    path = write_harnesses(root, root / "fuzz", [entry])[0].path
    sys.path.insert(0, str(root))
    try:
        namespace = runpy.run_path(str(path), run_name="harness")
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name in ("pkg", "raisehelp") or name.startswith("pkg.")]:
            del sys.modules[name]
    return namespace["TestOneInput"]


SOURCE = '''
class FieldError(LookupError):
    pass


FIELDS = {"name": 1}


def helper(key):
    return FIELDS[key]


def field(name: str) -> int:
    """Number of a field; KeyError on purpose for an unknown one."""
    if name == "deep":
        return helper(name)
    if name not in FIELDS:
        raise KeyError(name)
    return FIELDS[name]


def other(text: str) -> int:
    raise ValueError(text)


def version(text: str) -> tuple:
    """Parse ``1.2``; returns (0, 0) when the text is not a version."""
    major, _, minor = text.partition(".")
    if not major or not minor:
        return (0, 0)
    return int(major), int(minor)


def documented(text: str) -> int:
    """Raises ValueError when the text is not a number."""
    return int(text)


def either(data: "str | bytes") -> int:
    if isinstance(data, str):
        return FIELDS[data]  # the text path has a bug
    return len(data)
'''


def test_accepted_exceptions_come_from_the_function_not_its_module(tmp_path: Path) -> None:
    root = _project(tmp_path, SOURCE)
    ids = {entry.id: entry for entry in find_surface(root).entry_points}
    # other() raises ValueError, version() does not: the module's raise does not cover version().
    assert ("builtins", "ValueError") not in ids["pkg.mod:version"].expected + ids["pkg.mod:version"].raised_here
    assert ids["pkg.mod:other"].raised_here == (("builtins", "ValueError"),)
    assert ("builtins", "ValueError") in ids["pkg.mod:documented"].expected
    assert ids["pkg.mod:field"].raised_here == (("builtins", "KeyError"),)
    with pytest.raises(ValueError):
        _harness(root, "pkg.mod:version")(b"a.b")
    _harness(root, "pkg.mod:documented")(b"x")  # documented: no crash


def test_an_exception_raised_on_purpose_is_accepted_only_from_the_function_itself(tmp_path: Path) -> None:
    root = _project(tmp_path, SOURCE)
    harness = _harness(root, "pkg.mod:field")
    harness(b"unknown")  # raise KeyError(name) in field's own body: documented behaviour
    harness(b"name")
    with pytest.raises(KeyError):
        harness(b"deep")  # the same type raised deeper down (helper) is a bug


def test_union_of_text_and_bytes_is_fuzzed_as_both(tmp_path: Path) -> None:
    root = _project(tmp_path, SOURCE)
    entry = next(entry for entry in find_surface(root).entry_points if entry.id == "pkg.mod:either")
    assert entry.kinds == ("bytes", "str")
    with pytest.raises(KeyError, match="abc"):
        _harness(root, "pkg.mod:either")(b"abc")


def test_types_that_cannot_be_built_are_skipped_and_said_so(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "import re\n"
        "from typing import AnyStr, IO, Mapping, MutableMapping, Optional, Union\n"
        "def update(fields: MutableMapping[str, str]):\n    return fields\n"
        "def group(match: re.Match[str]):\n    return match.group(0)\n"
        "def load(source: str | Mapping):\n    return source\n"
        "def load_any(source: Union[str, Mapping[str, int]]):\n    return source\n"
        "def parse_opt(text: Optional[str] = None):\n    return text\n"
        "def parse_any(text: AnyStr):\n    return text\n"
        "def read_stream(fh: IO[str]):\n    return fh.read()\n"
        "def count(n: int):\n    return n\n",
    )
    surface = find_surface(root)
    kinds = {entry.id: entry.input_kind for entry in surface.entry_points}
    assert kinds == {"pkg.mod:parse_opt": "str", "pkg.mod:parse_any": "bytes+str", "pkg.mod:read_stream": "stream-str"}
    skipped = dict(surface.skipped)
    assert set(skipped) == {"pkg.mod:update", "pkg.mod:group", "pkg.mod:load", "pkg.mod:load_any"}
    assert "MutableMapping[str, str]" in skipped["pkg.mod:update"] and "cannot be built" in skipped["pkg.mod:update"]
    assert "re.Match[str]" in skipped["pkg.mod:group"]
    assert "Mapping" in skipped["pkg.mod:load"]


def test_text_harness_reads_the_input_as_utf8_so_plain_seeds_decode_to_their_text(tmp_path: Path) -> None:
    root = _project(tmp_path, "SEEN = []\ndef parse_text(text: str):\n    SEEN.append(text)\n")
    entry = find_surface(root).entry_points[0]
    text = render_harness(entry, depth=1)
    assert "FuzzedDataProvider" not in text and 'data.decode("utf-8", "replace")' in text


# A library outside the package: a raise helper (as six.raise_from) and a function that rejects on purpose.
RAISE_HELPER = """
def raise_from(value, cause):
    try:
        raise value from cause
    finally:
        value = None


def convert(text):
    raise ValueError(text)
"""

REJECTS = '''
import decimal

LIMITS = {"a": 1}


def _check(text):
    if len(text) < 3:
        raise ValueError(
            "too short"
        )
    if text == "key":
        raise KeyError(text)
    if text.startswith("n"):
        return int(text)
    if text.startswith("d"):
        return decimal.Decimal(text) + 1
    if text.startswith("c"):
        return convert(text)
    return LIMITS[text]


from raisehelp import convert, raise_from


def _ascii(text):
    try:
        return text.encode("ascii")
    except UnicodeEncodeError as error:
        raise_from(ValueError("ASCII only"), error)


def parse_ascii(text: str) -> bytes:
    """Through a raise helper, as six.raise_from does."""
    return _ascii(text)


def parse_value(text: str) -> object:
    """Parse a value."""
    return _check(text)
'''


def test_a_rejection_raised_on_purpose_deeper_in_the_package_is_not_a_crash(tmp_path: Path) -> None:
    root = _project(tmp_path, REJECTS)
    # A raise helper outside the package, as six.raise_from is.
    (root / "raisehelp.py").write_text(RAISE_HELPER, encoding="utf-8")
    harness = _harness(root, "pkg.mod:parse_value")
    harness(b"ab")  # `raise ValueError(...)` in a helper of the package (a multi-line statement): a rejection
    _harness(root, "pkg.mod:parse_ascii")("é".encode())  # built in the package, raised by a raise helper


def test_the_same_type_raised_implicitly_and_bug_classes_raised_deeper_stay_crashes(tmp_path: Path) -> None:
    root = _project(tmp_path, REJECTS)
    (root / "raisehelp.py").write_text(RAISE_HELPER, encoding="utf-8")
    harness = _harness(root, "pkg.mod:parse_value")
    with pytest.raises(ValueError):
        harness(b"nope")  # int("nope"): raised by the interpreter, not by a raise statement
    with pytest.raises(KeyError):
        harness(b"key")  # a bug class raised on purpose, but below the function itself
    with pytest.raises(KeyError):
        harness(b"zzz")  # an implicit KeyError
    with pytest.raises(Exception, match="ConversionSyntax"):
        harness(b"dxx")  # decimal.InvalidOperation from the library
    with pytest.raises(ValueError, match="cxx"):
        harness(b"cxx")  # raised on purpose, but by a library outside the package


def test_a_package_s_own_tests_are_not_its_surface(tmp_path: Path) -> None:
    root = _project(tmp_path, "def parse(text: str):\n    return text\n")
    (root / "pkg" / "tests").mkdir()
    (root / "pkg" / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "tests" / "helpers.py").write_text("def parse_case(text: str):\n    return text\n", encoding="utf-8")
    (root / "pkg" / "test_util.py").write_text("def decode(data: bytes):\n    return data\n", encoding="utf-8")
    assert [entry.id for entry in find_surface(root).entry_points] == ["pkg.mod:parse"]


@pytest.mark.skipif(sys.platform == "win32", reason="the module imports on Windows")
def test_a_module_that_imports_a_windows_only_module_is_skipped_and_said_so(tmp_path: Path) -> None:
    root = _project(tmp_path, "def parse(text: str):\n    return text\n")
    (root / "pkg" / "win.py").write_text("from six.moves import winreg\n\ndef load_name(data: bytes):\n    return data\n", encoding="utf-8")
    (root / "pkg" / "reg.py").write_text("import winreg\n\ndef parse_key(text: str):\n    return text\n", encoding="utf-8")
    surface = find_surface(root)
    assert [entry.id for entry in surface.entry_points] == ["pkg.mod:parse"]
    assert dict(surface.skipped) == {"pkg.win": "imports the Windows-only module winreg", "pkg.reg": "imports the Windows-only module winreg"}


def test_reader_protocols_get_a_stream_and_line_sequences_get_the_input_split_into_lines(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "from typing import TYPE_CHECKING, Iterable, Iterator, Sequence\n"
        "if TYPE_CHECKING:\n    from _typeshed import SupportsRead\n"
        "SEEN = []\n"
        "def parse_lines(lines: Iterable[str]):\n    SEEN.append(list(lines))\n"
        "def load_records(rows: Sequence[bytes]):\n    SEEN.append(list(rows))\n"
        "def load_from(fp: 'SupportsRead[bytes]'):\n    SEEN.append(fp.read())\n"
        "def scan_lines(lines: Iterator[str]):\n    return lines\n",
    )
    surface = find_surface(root)
    kinds = {entry.id: entry.input_kind for entry in surface.entry_points}
    assert kinds == {"pkg.mod:parse_lines": "lines-str", "pkg.mod:load_records": "lines-bytes", "pkg.mod:load_from": "stream-bytes"}
    assert "pkg.mod:scan_lines" in dict(surface.skipped)
    entry = next(entry for entry in surface.entry_points if entry.id == "pkg.mod:parse_lines")
    assert "splitlines(True)" in render_harness(entry, depth=1)
    harness = _harness(root, "pkg.mod:parse_lines")
    harness(b"a=1\nb=2\n")
    assert harness.__globals__["target_module"].SEEN == [["a=1\n", "b=2\n"]]  # the input as its lines


def test_bytes_that_do_not_decode_are_the_rejection_of_a_text_or_bytes_function_not_of_a_binary_parser(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "from typing import Union\n"
        "def check_label(label: Union[str, bytes]):\n    if isinstance(label, bytes):\n        label = label.decode('utf-8')\n    return label\n"
        "def parse_record(data: bytes):\n    return data[2:].decode('utf-8')\n",
    )
    _harness(root, "pkg.mod:check_label")(b"\xff\xfe")  # text given as bytes that are not UTF-8: rejected
    with pytest.raises(UnicodeDecodeError):
        _harness(root, "pkg.mod:parse_record")(b"ab\xff")  # a binary parser decoding a field: a crash


def test_the_scan_store_follows_the_function_and_keeps_hand_written_files(tmp_path: Path) -> None:
    """A generated harness of the scan's store is rewritten when what it renders changes (here the
    docstring starts documenting an exception); a file without the generated marker is never touched."""
    root = _project(tmp_path, 'def parse(data: bytes) -> int:\n    """Read a record."""\n    return len(data)\n')
    store = tmp_path / "store"
    (entry,) = find_surface(root).entry_points
    path = write_harnesses(root, store, [entry], refresh_stale=True)[0].path
    assert "SyntaxError" not in path.read_text(encoding="utf-8")
    (root / "pkg" / "mod.py").write_text(
        'def parse(data: bytes) -> int:\n    """Read a record; raises SyntaxError when it is not one."""\n    return len(data)\n', encoding="utf-8"
    )
    (entry,) = find_surface(root).entry_points
    assert "SyntaxError" not in write_harnesses(root, store, [entry])[0].path.read_text(encoding="utf-8")  # kept without refresh
    assert "SyntaxError" in write_harnesses(root, store, [entry], refresh_stale=True)[0].path.read_text(encoding="utf-8")
    path.write_text("# my own harness\n", encoding="utf-8")
    write_harnesses(root, store, [entry], refresh_stale=True)
    assert path.read_text(encoding="utf-8") == "# my own harness\n"
