"""How the project runs its own tests, learned from its files (nothing is executed).

Sources, first that names a test runner wins: ``tests.args`` / ``tests.paths`` (the operator),
the CI workflows (``run:`` steps of GitHub Actions, ``script:`` of GitLab CI), tox, nox,
Makefile / justfile test targets, then ``[tool.pytest.ini_options] testpaths`` (which pytest obeys
by itself). A tox, nox or make command is only a source of arguments: the toolkit always runs the
runner itself, under its recorder.

The runner is pytest or unittest. A unittest suite runs under pytest (pytest collects
``unittest.TestCase`` classes with unittest's own semantics), so that the recorder, the JUnit report
and the session account work the same way for both; ``discover -s DIR -p PATTERN`` becomes the path
``DIR`` and ``-o python_files=PATTERN``.

Arguments are filtered: those that decide *how the toolkit observes* the run (JUnit, coverage,
result caches, verbosity, parallel workers, rootdir/config file) are dropped and noted; selection
(``-m``, ``-k``, ``--ignore``, ``--deselect``), plugins (``-p``), ini overrides (``-o``), warnings
filters and the options the project's own conftest files define are kept. Paths must exist inside
the project.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from baseline.parsing import parse_python, toml_loads, yaml_safe_load

# Options kept, with whether they take a value.
KEEP_WITH_VALUE = frozenset({"-m", "-k", "-p", "-o", "-W", "--ignore", "--ignore-glob", "--deselect", "--import-mode", "--pyargs",
                             "--override-ini", "--pythonwarnings", "--confcutdir", "--timeout", "--asyncio-mode", "--doctest-glob", "--log-level"})
KEEP_FLAGS = frozenset({"--strict-markers", "--strict-config", "--strict", "--doctest-modules", "--runxfail", "--noconftest", "-l", "--showlocals"})
# Options dropped (the toolkit's business), with whether they take a value.
DROP_WITH_VALUE = frozenset({"--junitxml", "--junit-xml", "--junit-prefix", "--basetemp", "--rootdir", "-c", "--config-file", "--cov", "--cov-report",
                             "--cov-config", "--cov-fail-under", "--cov-context", "-n", "--numprocesses", "--dist", "--maxprocesses", "--tb",
                             "-r", "--durations", "--durations-min", "--color", "--code-highlight", "--html", "--json-report-file", "--report-log",
                             "--random-order-seed", "-p-no", "--reruns-delay", "--capture", "--cache-dir"})
DROP_FLAGS = frozenset({"-q", "-v", "-vv", "-vvv", "-qq", "--quiet", "--verbose", "-x", "--exitfirst", "--lf", "--last-failed", "--ff", "--failed-first",
                        "--sw", "--stepwise", "--cache-clear", "-s", "--no-cov", "--cov-append", "--cov-branch", "--no-header", "--no-summary",
                        "--self-contained-html", "--pdb", "--trace", "--looponfail", "-f", "--forked", "--nf", "--new-first", "-ra", "-rA"})
_RUNNER = re.compile(r"^(?:py\.test|pytest)(?:-3)?$")
# Words that may come before the runner on a command line (``uv run``, ``coverage run -m``, ``env X=1``...).
_WRAPPERS = frozenset({"uv", "uvx", "run", "poetry", "pdm", "hatch", "pipenv", "rye", "time", "xvfb-run", "exec", "env", "coverage", "nice", "--", "sudo"})
_PYTHON = re.compile(r"^(?:python|pypy)[0-9.]*(?:\.exe)?$|^py$")
_SKIP_TOKEN = re.compile(r"[$`]|\{[^}]*\}|^%")
NETWORK_MARKERS = ("network", "online", "internet", "requires_network", "needs_network", "networked", "net", "external_network", "webtest", "remote_data")
_OFFLINE_OPTION = re.compile(r"^--(?:offline|no-?network|no-?internet|skip-?network|skip-?online|without-?network|no-?online|disable-?network)$")


@dataclass(frozen=True)
class TestCommand:
    """The test command the toolkit runs, and where it was learned."""

    __test__ = False

    runner: str = "pytest"  # pytest | unittest (both run under pytest)
    paths: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    source: str = "pytest's own discovery (no test command found in the project)"
    command: str | None = None  # the command line as the project wrote it
    notes: tuple[str, ...] = ()
    network_markers: tuple[str, ...] = ()
    offline_args: tuple[str, ...] = ()
    unittest_argv: tuple[str, ...] = ()  # the unittest arguments, filtered, for running it directly

    def describe(self) -> str:
        """One line for the report."""
        shown = " ".join(["pytest", *self.args, *self.paths]) if self.runner == "pytest" else " ".join(["pytest (unittest suite)", *self.args, *self.paths])
        return f"{shown} - from {self.source}"


@dataclass
class _Parsed:
    runner: str
    paths: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unittest_argv: list[str] = field(default_factory=list)


def _inside(root: Path, relative: str) -> str | None:
    if not relative or relative.startswith("-"):
        return None
    base = relative.split("::", 1)[0]
    try:
        path = (root / base).resolve()
        path.relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    if not path.exists():
        return None
    rel = path.relative_to(root.resolve()).as_posix() or "."
    return rel + (relative[len(base) :] if "::" in relative else "")


def conftest_options(root: Path) -> frozenset[str]:
    """Command-line options the project's conftest files define (``parser.addoption("--x")``)."""
    found: set[str] = set()
    for conftest in _conftests(root):
        try:
            tree = parse_python(conftest.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError, OSError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "addoption":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("-"):
                        found.add(arg.value)
    return frozenset(found)


def _conftests(root: Path) -> Iterator[Path]:
    count = 0
    for path in sorted(root.glob("conftest.py")) + sorted(root.glob("*/conftest.py")) + sorted(root.glob("*/*/conftest.py")):
        if ".venv" in path.parts or "node_modules" in path.parts or path.is_symlink():
            continue
        count += 1
        if count > 50:
            return
        yield path


def parse_command(tokens: list[str], root: Path, own_options: frozenset[str]) -> _Parsed | None:
    """A runner invocation inside a shell command's tokens, or None when there is none."""
    start = None
    runner = "pytest"
    for index, token in enumerate(tokens):
        name = token.rsplit("/", 1)[-1]
        if _RUNNER.match(name):
            start = index + 1
            break
        if token == "-m" and index + 1 < len(tokens):
            if tokens[index + 1] in ("pytest", "py.test", "unittest"):
                runner = "pytest" if tokens[index + 1] != "unittest" else "unittest"
                start = index + 2
            break
        if not (name in _WRAPPERS or _PYTHON.match(name) or token.startswith("-") or "=" in token or _SKIP_TOKEN.search(token)):
            return None
    if start is None:
        return None
    rest = tokens[start:]
    return _unittest_args(rest, root) if runner == "unittest" else _pytest_args(rest, root, own_options)


def _pytest_args(rest: list[str], root: Path, own_options: frozenset[str]) -> _Parsed:
    parsed = _Parsed("pytest")
    index = 0
    while index < len(rest):
        token = rest[index]
        index += 1
        if _SKIP_TOKEN.search(token):
            continue
        option, eq, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if not token.startswith("-"):
            path = _inside(root, token)
            if path:
                parsed.paths.append(path)
            else:
                parsed.notes.append(f"argument {token!r} is not a path in the project: dropped")
            continue
        short_joined = len(token) > 2 and token[:2] in ("-m", "-k", "-p", "-o", "-W", "-n", "-r", "-c") and not token.startswith("--")
        if short_joined:
            option, value, eq = token[:2], token[2:], "="
        takes_value = option in KEEP_WITH_VALUE or option in DROP_WITH_VALUE
        if takes_value and not eq:
            if index >= len(rest):
                break
            value = rest[index]
            index += 1
        if option in KEEP_WITH_VALUE:
            if (option == "-p" and value.replace(" ", "").startswith("no:baseline")) or (
                option in ("-o", "--override-ini") and value.split("=", 1)[0].strip() in ("cache_dir", "junit_family", "junit_logging")
            ):
                parsed.notes.append(f"{option} {value}: would change how the toolkit observes the run, dropped")
            elif not _SKIP_TOKEN.search(value):
                parsed.args += [option, value] if not eq or short_joined else [f"{option}={value}"]
        elif option in KEEP_FLAGS or option in own_options:
            parsed.args.append(token)
        elif option in DROP_WITH_VALUE or option in DROP_FLAGS or re.match(r"^-[qvxsrl]+$", option):
            parsed.notes.append(f"{token}{' ' + value if takes_value and not eq else ''}: the toolkit's own business, dropped")
        else:
            parsed.notes.append(f"unknown option {token}: dropped")
    return parsed


def _unittest_args(rest: list[str], root: Path) -> _Parsed:
    parsed = _Parsed("unittest")
    pattern = None
    start_dir = None
    index = 0
    positional: list[str] = []
    while index < len(rest):
        token = rest[index]
        index += 1
        if token in ("-s", "--start-directory", "-p", "--pattern", "-t", "--top-level-directory", "-k") and index < len(rest):
            value = rest[index]
            index += 1
            if _SKIP_TOKEN.search(value):
                continue
            if token in ("-s", "--start-directory", "-t", "--top-level-directory") and _inside(root, value) is None:
                parsed.notes.append(f"unittest {token} {value}: not a folder of the project, dropped")
                continue
            parsed.unittest_argv += [token, value]
            if token in ("-s", "--start-directory"):
                start_dir = value
            elif token in ("-p", "--pattern"):
                pattern = value
            elif token == "-k":
                parsed.args += ["-k", value]
        elif token == "discover":
            parsed.unittest_argv.insert(0, "discover")
        elif token.startswith("-") or _SKIP_TOKEN.search(token):
            continue
        else:
            positional.append(token)
    if positional and "discover" in rest and start_dir is None:
        start_dir, *extra = positional
        pattern = pattern or (extra[0] if extra else None)
        positional = []
        if _inside(root, start_dir):
            parsed.unittest_argv += ["-s", start_dir] + (["-p", pattern] if pattern else [])
        else:
            start_dir = None
    for name in positional:
        candidate = name if "/" in name or name.endswith(".py") else name.replace(".", "/")
        path = _inside(root, candidate) or _inside(root, candidate + ".py")
        if path:
            parsed.paths.append(path)
            parsed.unittest_argv.append(name)
        else:
            parsed.notes.append(f"unittest target {name!r} not found as a file or folder: dropped")
    if start_dir:
        path = _inside(root, start_dir)
        if path:
            parsed.paths.append(path)
    parsed.args += ["-o", f"python_files={pattern or 'test*.py'}"]
    return parsed


def _shell_commands(script: str) -> Iterator[list[str]]:
    """Tokenised simple commands of a shell snippet (continuations joined, split at && ; | ||)."""
    text = re.sub(r"\\\n", " ", script)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"&&|\|\||;|\|", line):
            try:
                tokens = shlex.split(part, comments=True)
            except ValueError:
                continue
            if tokens:
                yield tokens


def _first(commands: Iterable[tuple[str, str]], root: Path, own: frozenset[str]) -> tuple[_Parsed, str, str] | None:
    for where, script in commands:
        for tokens in _shell_commands(script):
            parsed = parse_command(tokens, root, own)
            if parsed is not None:
                return parsed, where, " ".join(tokens)
    return None


def _github(root: Path, notes: list[str]) -> Iterator[tuple[str, str]]:
    folder = root / ".github" / "workflows"
    if not folder.is_dir():
        return
    for path in sorted(list(folder.glob("*.yml")) + list(folder.glob("*.yaml")))[:50]:
        try:
            data = yaml_safe_load(path.read_bytes()[:1_000_000])
        except (ValueError, OSError) as exc:
            notes.append(f"{path.relative_to(root).as_posix()} does not parse ({exc}): skipped")
            continue
        jobs = data.get("jobs") if isinstance(data, dict) else None
        for job_name, job in (jobs or {}).items() if isinstance(jobs, dict) else ():
            for step in job.get("steps") or [] if isinstance(job, dict) else []:
                if isinstance(step, dict) and isinstance(step.get("run"), str):
                    yield f"{path.relative_to(root).as_posix()} (job {job_name})", step["run"]


def _gitlab(root: Path, notes: list[str]) -> Iterator[tuple[str, str]]:
    path = root / ".gitlab-ci.yml"
    if not path.is_file():
        return
    try:
        data = yaml_safe_load(path.read_bytes()[:1_000_000])
    except (ValueError, OSError) as exc:
        notes.append(f".gitlab-ci.yml does not parse ({exc}): skipped")
        return
    for job_name, job in data.items() if isinstance(data, dict) else ():
        if isinstance(job, dict):
            for key in ("before_script", "script"):
                lines = job.get(key)
                for line in [lines] if isinstance(lines, str) else lines if isinstance(lines, list) else []:
                    if isinstance(line, str):
                        yield f".gitlab-ci.yml (job {job_name})", line


def _tox(root: Path, notes: list[str]) -> Iterator[tuple[str, str]]:
    ini_text = None
    where = "tox.ini"
    if (root / "tox.ini").is_file():
        ini_text = (root / "tox.ini").read_text(encoding="utf-8", errors="replace")
    elif (root / "pyproject.toml").is_file():
        try:
            data = toml_loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
            return
        tox = data.get("tool", {}).get("tox") if isinstance(data.get("tool"), dict) else None
        if isinstance(tox, dict):
            where = "[tool.tox] in pyproject.toml"
            if isinstance(tox.get("legacy_tox_ini"), str):
                ini_text = tox["legacy_tox_ini"]
            else:
                base = tox.get("env_run_base")
                for command in (base.get("commands") or []) if isinstance(base, dict) else []:
                    if isinstance(command, list):
                        yield where, shlex.join(str(part) for part in command if isinstance(part, str))
                return
    if ini_text is None:
        return
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(ini_text)
    except configparser.Error as exc:
        notes.append(f"{where} does not parse ({' '.join(str(exc).split())[:200]}): skipped")
        return
    for section in ["testenv"] + [name for name in parser.sections() if name.startswith("testenv:")]:
        if parser.has_option(section, "commands"):
            # tox factor conditions ("tests: pytest ...") prefix a command line.
            commands = re.sub(r"(?m)^\s*[\w{},.!-]+:\s+", "", parser.get(section, "commands"))
            yield f"{where} [{section}]", commands


def _nox(root: Path, notes: list[str]) -> Iterator[tuple[str, str]]:
    path = root / "noxfile.py"
    if not path.is_file():
        return
    try:
        tree = parse_python(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError, RecursionError):
        notes.append("noxfile.py does not parse: skipped")
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run":
            parts = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            if parts and len(parts) == len(node.args):
                yield "noxfile.py", shlex.join(parts)


def _make(root: Path, notes: list[str]) -> Iterator[tuple[str, str]]:
    for name in ("Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", ".justfile"):
        path = root / name
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        current = None
        for line in lines:
            target = re.match(r"^([A-Za-z0-9_.-]+)\s*(?:[^:=]*)?:(?!=)", line)
            if target and not line.startswith((" ", "\t")):
                current = target.group(1)
                continue
            if current and current.lower() in ("test", "tests", "check", "unittest", "unit", "pytest", "test-all") and line.startswith((" ", "\t")):
                yield f"{name} target {current}", line.strip().lstrip("@-")


def _testpaths(root: Path) -> list[str]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return []
    try:
        data = toml_loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
        return []
    options = data.get("tool", {}).get("pytest", {}).get("ini_options", {}) if isinstance(data.get("tool"), dict) else {}
    value = options.get("testpaths") if isinstance(options, dict) else None
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def uses_load_tests(root: Path, paths: Iterable[str]) -> bool:
    """Whether a test module defines ``load_tests`` (a protocol only unittest's loader honours)."""
    folders = [root / path for path in paths] or [root]
    count = 0
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(folder.rglob("*.py")) if folder.is_dir() else []
        for path in files:
            if any(part in (".venv", "node_modules", ".git", ".tox") for part in path.parts):
                continue
            count += 1
            if count > 2000:
                return False
            try:
                if "def load_tests(" in path.read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                continue
    return False


def network_switches(root: Path, own_options: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(marker names that mean "needs the network", options that switch network tests off)."""
    offline = tuple(sorted(option for option in own_options if _OFFLINE_OPTION.match(option)))
    return NETWORK_MARKERS, offline


def discover_test_command(root: Path, args: list[str] | None = None, paths: list[str] | None = None) -> TestCommand:
    """The project's test command: the operator's ``tests.args`` / ``tests.paths``, else the project's files."""
    own = conftest_options(root)
    markers, offline = network_switches(root, own)
    common: dict[str, Any] = {"network_markers": markers, "offline_args": offline}
    if args or paths:
        return TestCommand(paths=tuple(paths or ()), args=tuple(args or ()), source="tests.args / tests.paths (operator configuration)", **common)
    notes: list[str] = []
    for reader in (_github, _gitlab, _tox, _nox, _make):
        try:
            found = _first(reader(root, notes), root, own)
        except (OSError, UnicodeDecodeError, AttributeError, TypeError) as exc:
            notes.append(f"{reader.__name__.strip('_')} configuration unreadable ({type(exc).__name__}): skipped")
            continue
        if found is not None:
            parsed, where, command = found
            return TestCommand(
                runner=parsed.runner, paths=tuple(parsed.paths), args=tuple(parsed.args), source=where, command=command,
                notes=tuple(notes + parsed.notes), unittest_argv=tuple(parsed.unittest_argv), **common,
            )
    testpaths = [path for path in (_inside(root, item) for item in _testpaths(root)) if path]
    if testpaths:
        return TestCommand(paths=tuple(testpaths), source="[tool.pytest.ini_options] testpaths", notes=tuple(notes), **common)
    return TestCommand(notes=tuple(notes), **common)
