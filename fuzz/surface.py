"""The fuzzable surface of a project, found by reading its code (AST, nothing is imported).

An *entry point* is a public function, static/class method, or method of a class that can be
built without arguments, whose first parameter takes untrusted bytes or text: by annotation
(``bytes``, ``str``, ``bytearray``, ``memoryview``, ``IO[bytes]``...), by default value, or by
name (``data``, ``buf``, ``text``...), and parsers and decoders by their own name (``loads``,
``parse*``, ``decode*``, ``from_*``, ``read*``, ``unpack*``, ``deserialize*``). For each one we also
record which exceptions are its documented behaviour, from the function itself (never from the rest
of its module): the package's own exception classes and the non-bug exceptions its docstring names
are accepted wherever they are raised (``expected``); the exceptions its own body raises with a
``raise`` statement, and bug-class exceptions its docstring names, are accepted only when the
function's own frame raised them (``raised_here``): the same type raised deeper down is a bug.
Test modules shipped inside a package (``pkg.tests``, ``pkg/test_x.py``) are not its surface, and
a module that imports a Windows-only module at its top (``winreg``...) is skipped elsewhere.

Types are mapped from the annotation itself: a union is fuzzed as each of its members
(``Union[str, bytes]`` as both), ``Optional`` drops ``None``, reader protocols
(``SupportsRead[bytes]``) get a stream, ``Iterable[str]``/``Sequence[bytes]``/``list[str]`` the input
split into lines, and an annotation with a member that
cannot be built from bytes (``MutableMapping[...]``, ``re.Match[str]``, ``str | Mapping``) is not
fuzzed at all: it is listed in ``Surface.skipped`` with the reason.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from baseline.target import SKIP_DIRS, excluded, product_sources
from baseline.parsing import parse_python

# Exceptions that always mean a bug when they escape an entry point (unless the user says otherwise).
BUG_EXCEPTIONS = frozenset(
    {
        "IndexError", "KeyError", "AttributeError", "TypeError", "AssertionError", "RecursionError",
        "ZeroDivisionError", "UnboundLocalError", "NameError", "SystemError", "MemoryError",
        "NotImplementedError", "StopIteration", "LookupError",
    }
)
_PARSER_NAME = re.compile(r"^(loads?|load_\w+|from_\w+|read\w*|scan\w*|tokeni[sz]e\w*|lex\w*)$|parse|decode|deserializ|unmarshal|unpack")
_BYTES_NAMES = frozenset({"data", "buf", "buffer", "raw", "payload", "blob", "b", "content", "packet", "chunk", "octets", "frame", "body"})
_TEXT_NAMES = frozenset({"text", "s", "string", "line", "source", "src", "expr", "expression", "query", "pattern", "document", "doc", "markup", "html", "xml", "json", "yaml", "template"})
_STREAM_NAMES = frozenset({"fp", "fh", "stream", "f", "file", "fileobj", "buffer_io", "reader", "infile"})
_BYTES_TYPES = ("bytes", "bytearray", "memoryview", "Buffer", "ByteString")
_STREAM_TYPES = ("IO", "BinaryIO", "TextIO", "BufferedIOBase", "RawIOBase", "TextIOBase", "IOBase", "BytesIO", "StringIO")


@dataclass(frozen=True)
class EntryPoint:
    """One function of the project that takes untrusted input."""

    module: str  # dotted import name, e.g. "pkg.parsers"
    qualname: str  # "parse" or "Reader.from_bytes"
    path: str  # file relative to the target root
    line: int
    input_kind: str  # "bytes" | "str" | "stream-bytes" | "stream-str" | "lines-bytes" | "lines-str", "+"-joined for a union
    reason: str  # why it was picked (annotation, default, name)
    expected: tuple[tuple[str, str], ...] = ()  # (module or "builtins", class name): accepted wherever raised
    call: str = "function"  # "function" | "classmethod" | "method"
    raised_here: tuple[tuple[str, str], ...] = ()  # accepted only when the function's own frame raised them
    api: bool = False  # a package's __init__ exports it (or its class): the project's public API
    drives_parser: bool = False  # a method that calls a parser method of its own class on its input (``render`` -> ``self.parse``)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The input kinds to feed (a union annotation gives several: ``bytes+str``)."""
        return tuple(self.input_kind.split("+"))

    @property
    def id(self) -> str:
        """``pkg.parsers:Reader.from_bytes``."""
        return f"{self.module}:{self.qualname}"

    @property
    def priority(self) -> int:
        """Parsers and decoders first (0), with the methods that run a parser of their class to the end
        (``render`` calls ``self.parse``: the whole parser and more), then the public API's other
        entry points (1), then the rest (2)."""
        if self.drives_parser or _PARSER_NAME.search(self.qualname.rsplit(".", 1)[-1]):
            return 0
        return 1 if self.api else 2


@dataclass(frozen=True)
class Surface:
    """Everything the scan of the code found."""

    entry_points: tuple[EntryPoint, ...]
    files_scanned: int
    public_functions: int
    unparsable: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (entry id, why it is not fuzzed): a type that cannot be built


def _annotation_text(node: ast.expr | None) -> str:
    return ast.unparse(node) if node is not None else ""


_CONTAINERS = re.compile(r"\b(Sequence|Iterable|Iterator|Collection|List|list|Tuple|tuple|Set|set|frozenset|Dict|dict|Mapping|Callable)\[")
# Functions with side effects are never fuzzed blindly (they could write, delete, send or run things).
# Command-line argument parsing exits the interpreter on bad arguments (argparse): its input is argv, not data.
_CLI = re.compile(r"^(parse_)?(args|argv|arguments|known_args|cmdline|command_line|cli_args|options)$|^parse_(args|argv|arguments|known_args|cmdline|command_line|options)_?\w*$")
_SIDE_EFFECTS = re.compile(r"^(main|run\w*|exec\w*|write\w*|save\w*|dump\w*|remove\w*|delete\w*|unlink\w*|rm\w*|install\w*|send\w*|post\w*|put\w*|kill\w*|shutdown\w*|system|spawn\w*|call|popen\w*)$")


_STR_NAMES = frozenset({"str", "Text", "LiteralString"})
_STREAM_STR = frozenset({"TextIO", "StringIO", "TextIOBase", "TextIOWrapper"})
_NONE_NAMES = frozenset({"None", "NoneType"})
_LINE_CONTAINERS = frozenset({"Iterable", "Sequence", "Collection", "List", "list"})  # fed a list of lines


def calls_own_parser(cls: ast.ClassDef, method: ast.FunctionDef) -> bool:
    """True when ``method`` calls ``self.<parser>(...)`` with its first argument, where the parser is
    another method of ``cls`` named as a parser (``def render(self, src): ... self.parse(src, env)``)."""
    parsers = {
        item.name for item in cls.body
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name != method.name and _PARSER_NAME.search(item.name)
    }
    arguments = [argument.arg for argument in method.args.posonlyargs + method.args.args]
    if not parsers or len(arguments) < 2:
        return False
    data = arguments[1]
    for node in ast.walk(method):
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in parsers
            and isinstance(node.func.value, ast.Name) and node.func.value.id == arguments[0]
            and any(isinstance(value, ast.Name) and value.id == data for value in [*node.args, *(keyword.value for keyword in node.keywords)])
        ):
            return True
    return False


class Unbuildable(Exception):
    """An annotation (member) the generator cannot build from fuzz bytes."""


def _members(node: ast.expr) -> list[ast.expr]:
    """The members of a union annotation (``A | B``, ``Union[A, B]``, ``Optional[A]``), flattened."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _members(node.left) + _members(node.right)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a forward reference: "str | bytes"
        try:
            return _members(parse_python(node.value, mode="eval").body)
        except SyntaxError:
            raise Unbuildable(node.value) from None
    if isinstance(node, ast.Subscript):
        name = _annotation_text(node.value).rsplit(".", 1)[-1]
        if name in ("Union", "Optional"):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return [member for item in items for member in _members(item)]
    return [node]


def _member_kinds(node: ast.expr) -> set[str]:
    """Input kinds one union member can be built as; raises Unbuildable."""
    text = _annotation_text(node)
    if isinstance(node, ast.Constant) and node.value is None:
        return set()
    if isinstance(node, ast.Subscript):
        name = _annotation_text(node.value).rsplit(".", 1)[-1]
        if name in ("IO", "IOBase"):
            inner = _annotation_text(node.slice)
            if inner in ("bytes", "AnyStr"):
                return {"stream-bytes"} if inner == "bytes" else {"stream-bytes", "stream-str"}
            if inner in _STR_NAMES:
                return {"stream-str"}
        if name in ("SupportsRead", "SupportsReadline"):  # typeshed's reader protocols
            inner = _annotation_text(node.slice)
            if inner == "bytes":
                return {"stream-bytes"}
            if inner in _STR_NAMES:
                return {"stream-str"}
        if name in _LINE_CONTAINERS:  # structured input: a sequence of lines
            inner_kinds = {kind for member in _members(node.slice) for kind in _member_kinds(member)}
            if inner_kinds and inner_kinds <= {"bytes", "str"}:
                return {f"lines-{kind}" for kind in inner_kinds}
        if name in ("Annotated",) and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            return {kind for member in _members(node.slice.elts[0]) for kind in _member_kinds(member)}
        raise Unbuildable(text)
    if not isinstance(node, (ast.Name, ast.Attribute)):
        raise Unbuildable(text)
    name = text.rsplit(".", 1)[-1]
    if name in _NONE_NAMES:
        return set()
    if name in _STR_NAMES:
        return {"str"}
    if name in _BYTES_TYPES:
        return {"bytes"}
    if name == "AnyStr":
        return {"bytes", "str"}
    if name in _STREAM_STR:
        return {"stream-str"}
    if name in _STREAM_TYPES:
        return {"stream-bytes"}
    raise Unbuildable(text)


def kinds_from_annotation(node: ast.expr | None) -> tuple[str | None, str]:
    """(``+``-joined input kinds, or None; why not) for an annotation, member by member.

    None with an empty reason: the annotation has nothing to do with bytes or text (an ``int``);
    None with a reason: it mixes text or bytes with a member that cannot be built (said so).
    """
    if node is None:
        return None, ""
    kinds: set[str] = set()
    unbuildable: list[str] = []
    for member in _members(node) if not isinstance(node, ast.Constant) or node.value is not None else []:
        try:
            kinds |= _member_kinds(member)
        except Unbuildable as error:
            unbuildable.append(str(error))
    if unbuildable:
        text = _annotation_text(node)
        if kinds or re.search(r"\b(str|bytes|bytearray|Text|AnyStr|IO)\b", text):
            members = ", ".join(unbuildable)
            described = members if members == text.strip("'\"") else f"{members} (in {text})"
            return None, f"type {described} cannot be built from fuzz input"
        return None, ""
    return ("+".join(sorted(kinds)) or None), ""


def _kind_from_annotation(text: str) -> str | None:
    """Input kinds of an annotation given as text (None: not fuzzable)."""
    if not text:
        return None
    try:
        node = parse_python(text, mode="eval").body
    except SyntaxError:
        return None
    return kinds_from_annotation(node)[0]


def _classify_param(arg: ast.arg, default: ast.expr | None, func_name: str) -> tuple[str, str] | str | None:
    """(input kind, reason) when this parameter takes untrusted input; a string says why it is skipped."""
    name = arg.arg.lower()
    annotation = _annotation_text(arg.annotation)
    # File system paths are not content: fuzzing them would open (or write) arbitrary files.
    if "Path" in annotation or re.search(r"(path|filename|dirname|directory|folder|url|uri|cmd|command)", name):
        return None
    annotated, why_not = kinds_from_annotation(arg.annotation)
    if annotated:
        return annotated, f"parameter '{arg.arg}' is annotated {annotation}"
    if arg.annotation is not None:
        return why_not or None  # annotated with something else: trust the annotation
    if isinstance(default, ast.Constant) and isinstance(default.value, (bytes, str)):
        kind = "bytes" if isinstance(default.value, bytes) else "str"
        return kind, f"parameter '{arg.arg}' defaults to a {kind} value"
    if name in _STREAM_NAMES and func_name.startswith(("read", "load", "parse", "from_")):
        return "stream-bytes", f"parser '{func_name}' reads from a file-like '{arg.arg}'"
    if name in _BYTES_NAMES or name.endswith(("_bytes", "_data", "_buf", "_raw")):
        return "bytes", f"parameter named '{arg.arg}'"
    if name in _TEXT_NAMES or name.endswith(("str", "_text", "_string", "_line")) or name.startswith(("str_", "text_")):
        return "str", f"parameter named '{arg.arg}'"
    if _PARSER_NAME.search(func_name):
        return "bytes", f"parser/decoder named '{func_name}'"
    return None


def _own_nodes(func: ast.AST) -> list[ast.AST]:
    """The nodes of a function's own body, without the bodies of functions and classes nested in it."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _raised_names(node: ast.AST) -> set[str]:
    """Exception class names a function's own ``raise`` statements name."""
    names: set[str] = set()
    for child in _own_nodes(node):
        if isinstance(child, ast.Raise) and child.exc is not None:
            target = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, ast.Attribute):
                names.add(target.attr)
    return names


def _module_name(root: Path, path: Path) -> str:
    base = root / "src" if (root / "src").is_dir() and root / "src" in path.parents else root
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _test_module(module: str) -> bool:
    """True for test code shipped inside a package (``pkg.tests.test_x``, ``pkg/test_util.py``, ``conftest``)."""
    return any(part in ("test", "tests", "conftest") or part.startswith("test_") or part.endswith("_test") for part in module.split(".")[1:])


_WINDOWS_ONLY = frozenset({"winreg", "_winreg", "msvcrt", "_winapi", "winsound", "win32api", "win32con", "pywintypes", "win32file"})


def _platform_import(tree: ast.Module) -> str | None:
    """A Windows-only module the module imports unconditionally at its top (None on Windows, or when none)."""
    if sys.platform == "win32":
        return None
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [f"{node.module or ''}.{alias.name}" for alias in node.names] + [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] in _WINDOWS_ONLY or (parts[0] == "six" and parts[-1] in _WINDOWS_ONLY):
                return parts[-1] if parts[0] == "six" else parts[0]
    return None


def _python_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    return sorted(p for p in source.rglob("*.py") if not (set(p.relative_to(source).parts) & SKIP_DIRS))


def _exception_classes(trees: dict[str, ast.Module]) -> dict[str, str]:
    """Class name -> module of every exception class the project defines (by base-name heuristics)."""
    found: dict[str, str] = {}
    changed = True
    while changed:  # follow subclasses of subclasses
        changed = False
        for module, tree in trees.items():
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.name not in found:
                    bases = {_annotation_text(base).rsplit(".", 1)[-1] for base in node.bases}
                    if any(base in found or base.endswith(("Error", "Exception")) or base in ("Exception", "Warning") for base in bases):
                        found[node.name] = module
                        changed = True
    return found


def _builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, Exception)


_EXCEPTION_NAME = r"[A-Z][A-Za-z0-9]*(?:Error|Exception|Exit|Iteration|Warning)"
_SPHINX_RAISES = re.compile(r":(?:raises?|exception|except)\s+([\w.,\s]+?):")
_PROSE_RAISES = re.compile(r"(\w+(?:\s+\w+)?)?\s*\b(?:raise[sd]?|throws?)\s+(?:an?\s+|the\s+)?`{0,2}(?:[\w.]+\.)?(" + _EXCEPTION_NAME + r")\b", re.IGNORECASE)
_PROSE_RAISED = re.compile(r"`{0,2}(?:[\w.]+\.)?(" + _EXCEPTION_NAME + r")`{0,2}\s+(?:is|are|will\s+be|may\s+be|can\s+be|gets|get)\s+raised")
_SECTION = re.compile(r"^(\s*)(?:Raises|Raise|Exceptions|Throws)\s*:?\s*$", re.IGNORECASE)
_NEGATION = re.compile(r"\b(never|not|no|without)\b|n't\b", re.IGNORECASE)


def documented_exceptions(docstring: str) -> set[str]:
    """Exception class names a docstring says the function raises.

    Read from a ``Raises:`` section (Google and NumPy styles), Sphinx fields (``:raises ValueError:``)
    and prose ("Raises ValueError when...", "KeyError is raised if..."); a name the docstring only
    mentions ("never raises ValueError", "unlike json, TypeError...") is not documented.
    """
    found: set[str] = set()
    for match in _SPHINX_RAISES.finditer(docstring):
        found.update(name.rsplit(".", 1)[-1] for name in re.split(r"[,\s]+", match.group(1)) if re.fullmatch(_EXCEPTION_NAME, name.rsplit(".", 1)[-1]))
    for match in _PROSE_RAISES.finditer(docstring):
        if not (match.group(1) and _NEGATION.search(match.group(1))):
            found.add(match.group(2))
    found.update(match.group(1) for match in _PROSE_RAISED.finditer(docstring))
    lines = docstring.splitlines()
    for index, line in enumerate(lines):
        header = _SECTION.match(line)
        if not header:
            continue
        indent = len(header.group(1))
        for item in lines[index + 1 :]:
            if not item.strip() or set(item.strip()) <= set("-="):
                continue  # a blank line or a NumPy underline
            if len(item) - len(item.lstrip()) < indent or (len(item) - len(item.lstrip()) == indent and item.strip().endswith(":") and not re.match(_EXCEPTION_NAME, item.strip())):
                break  # the next section
            name = re.match(r"\s*`{0,2}(?:[\w.]+\.)?(" + _EXCEPTION_NAME + r")\b", item)
            if name:
                found.add(name.group(1))
    return found


def _expected_for(
    func: ast.FunctionDef | ast.AsyncFunctionDef, own: dict[str, str]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(accepted wherever raised, accepted only from the function's own frame), from the function alone.

    The package's own exception classes are its documented way to reject input wherever they are
    raised, and so are the non-bug builtins its docstring names ("Raises ValueError when...").
    What the function's own ``raise`` statements name, and bug classes (KeyError...) its docstring
    names, are accepted only when the function itself raised them: from deeper down they are bugs.
    """
    raised = _raised_names(func)
    documented = documented_exceptions(ast.get_docstring(func) or "")
    anywhere: set[tuple[str, str]] = {(module, name) for name, module in own.items()}
    here: set[tuple[str, str]] = set()
    for name in documented | raised:
        if name in own:
            continue
        if not _builtin_exception(name):
            continue
        if name in documented and name not in BUG_EXCEPTIONS:
            anywhere.add(("builtins", name))
        else:
            here.add(("builtins", name))
    return tuple(sorted(anywhere)), tuple(sorted(here - anywhere))


def _candidate(func: ast.FunctionDef | ast.AsyncFunctionDef, skip_first: bool) -> tuple[str, str] | str | None:
    if isinstance(func, ast.AsyncFunctionDef) or func.name.startswith("_") or _SIDE_EFFECTS.match(func.name) or _CLI.match(func.name):
        return None
    args = func.args
    positional = args.posonlyargs + args.args
    if skip_first:
        positional = positional[1:]
    if not positional:
        return None
    defaults = [None] * (len(args.posonlyargs + args.args) - len(args.defaults)) + list(args.defaults)
    if skip_first:
        defaults = defaults[1:]
    # Only the first parameter is fed; every other parameter must have a default.
    if any(default is None for default in defaults[1:]):
        return None
    if any(default is None for default in args.kw_defaults):
        return None
    return _classify_param(positional[0], defaults[0], func.name)


def _constructible(cls: ast.ClassDef) -> bool:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            required = len(node.args.posonlyargs + node.args.args) - 1 - len(node.args.defaults)
            return required <= 0 and all(default is not None for default in node.args.kw_defaults)
    if any("dataclass" in _annotation_text(d) or "attr" in _annotation_text(d) for d in cls.decorator_list):
        # A dataclass needs a value for every field without a default.
        return all(not isinstance(node, ast.AnnAssign) or node.value is not None or "ClassVar" in _annotation_text(node.annotation) for node in cls.body)
    return not cls.bases  # a plain class without __init__


def _reexported(trees: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Names that public modules import from private ones (``from ._parser import parse``)."""
    found: dict[str, set[str]] = {}
    for module, tree in trees.items():
        if any(part.startswith("_") for part in module.split(".")[1:]):
            continue
        package = module if module in trees and _is_package(trees, module) else module.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0 and node.module:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                source = ".".join(base + [node.module])
                found.setdefault(source, set()).update(alias.name for alias in node.names)
    return found


def _package_exports(trees: dict[str, ast.Module], paths: dict[str, Path]) -> set[tuple[str, str]]:
    """(module, name) of every name a package's ``__init__`` imports from the project: its public API."""
    found: set[tuple[str, str]] = set()
    for module, tree in trees.items():
        if paths[module].name != "__init__.py":
            continue
        nodes = [node for top in tree.body for node in ([top] if not isinstance(top, ast.Try) else top.body)]
        for node in nodes:
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level > 0:
                base = module.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source in trees:
                found.update((source, alias.name) for alias in node.names)
        found.update((module, node.name) for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    return found


def _is_package(trees: dict[str, ast.Module], module: str) -> bool:
    return any(other.startswith(module + ".") for other in trees)


def find_surface(root: Path, exclude: Iterable[str] = ()) -> Surface:
    """Scan the project's own packages for entry points that take untrusted input (``exclude`` globs skipped)."""
    patterns = tuple(exclude)
    trees: dict[str, ast.Module] = {}
    paths: dict[str, Path] = {}
    unparsable: list[str] = []
    for source in product_sources(root):
        for path in _python_files(source):
            if patterns and excluded(path.relative_to(root).as_posix(), patterns):
                continue
            try:
                tree = parse_python(path.read_text(encoding="utf-8", errors="replace"), filename=str(path))
            except (SyntaxError, ValueError, OSError):
                unparsable.append(path.relative_to(root).as_posix())
                continue
            module = _module_name(root, path)
            if _test_module(module) or module.rsplit(".", 1)[-1] == "__main__":
                continue  # a package's own tests are not its surface
            trees[module] = tree
            paths[module] = path
    exported = _reexported(trees)
    api = _package_exports(trees, paths)
    own = _exception_classes(trees)
    entries: list[EntryPoint] = []
    skipped: list[tuple[str, str]] = []
    public = 0
    for module, tree in trees.items():
        relative = paths[module].relative_to(root).as_posix()
        private = any(part.startswith("_") for part in module.split(".")[1:])
        windows = _platform_import(tree)
        if windows:
            # Its import fails here: a harness for it could only fail to start.
            skipped.append((module, f"imports the Windows-only module {windows}"))
            continue
        for node in tree.body:
            if private and getattr(node, "name", None) not in exported.get(module, ()):
                continue  # a private module's names count only when a public module re-exports them
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                public += 1
                found = _candidate(node, skip_first=False)
                if isinstance(found, str):
                    skipped.append((f"{module}:{node.name}", found))
                elif found:
                    anywhere, here = _expected_for(node, own)
                    entries.append(
                        EntryPoint(module, node.name, relative, node.lineno, found[0], found[1], anywhere, raised_here=here, api=(module, node.name) in api)
                    )
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_") and node.name not in own:
                constructible = _constructible(node)
                for item in node.body:
                    if not isinstance(item, ast.FunctionDef) or item.name.startswith("_"):
                        continue
                    public += 1
                    decorators = {_annotation_text(d) for d in item.decorator_list}
                    if "staticmethod" in decorators:
                        found, call = _candidate(item, skip_first=False), "function"
                    elif "classmethod" in decorators:
                        found, call = _candidate(item, skip_first=True), "classmethod"
                    elif constructible and not any(d == "property" or d.endswith((".setter", ".getter", "abstractmethod")) for d in decorators):
                        found, call = _candidate(item, skip_first=True), "method"
                    else:
                        continue
                    if isinstance(found, str):
                        skipped.append((f"{module}:{node.name}.{item.name}", found))
                    elif found:
                        anywhere, here = _expected_for(item, own)
                        entries.append(
                            EntryPoint(
                                module, f"{node.name}.{item.name}", relative, item.lineno, found[0], found[1], anywhere, call, here, (module, node.name) in api,
                                drives_parser=calls_own_parser(node, item),
                            )
                        )
    entries.sort(key=lambda entry: (entry.priority, not entry.api, entry.module, entry.qualname))
    return Surface(tuple(entries), len(trees), public, tuple(unparsable), tuple(sorted(skipped)))
