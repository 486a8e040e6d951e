"""What the project ships: the one definition of *product code* used by every check.

The primary source is the packaging metadata the project declares (setuptools in pyproject.toml
or setup.cfg, hatch, flit, poetry, pdm, maturin): the packages and modules that would go into the
wheel. Nothing of the project is executed (``setup.py`` is not run). Without usable metadata, a
layout heuristic applies: top-level packages at the root or under ``src/``, minus folders that are
conventionally not shipped (tests, docs, examples, scripts, benchmarks, tools, test servers).

Inside a shipped package, test sub-packages (``pkg/tests/``) and ``conftest.py`` are still not
product: they are the project's tests, shipped or not. Task files (``noxfile.py``,
``tasks.py``, ``setup.py``), ``docs/conf.py`` and scripts never are.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from baseline.parsing import toml_loads

# Folder names setuptools' automatic discovery leaves out of a flat layout, plus the usual others.
NOT_SHIPPED = frozenset(
    {
        "ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news", "newsfragments",
        "changelog", "test", "tests", "testing", "unit_test", "unit_tests", "example", "examples",
        "scripts", "tools", "util", "utils", "python", "build", "dist", "venv", "env", "requirements",
        "tasks", "fabfile", "site_scons", "benchmark", "benchmarks", "bench", "exercise", "exercises",
        "htmlcov", "fuzz", "fuzzing", "contrib", "demo", "demos", "samples", "sample", "typings", "stubs",
    }
)
TASK_MODULES = frozenset(
    {"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py", "dodo.py", "pavement.py", "runtests.py", "run_tests.py"}
)
_SKIP = frozenset(
    {
        ".git", ".hg", ".svn", ".baseline", ".venv", "venv", "env", ".tox", ".nox", "__pycache__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist", ".eggs", "site-packages",
    }
)
_TEST_PART = re.compile(r"^(tests?|testing|test_?servers?|testsuite|.*_tests?|tests?_.*)$")


def looks_like_tests(name: str) -> bool:
    """A package or folder name that denotes tests or test support (``tests``, ``testserver``, ``foo_tests``)."""
    return bool(_TEST_PART.match(name)) or name.startswith("test")


@dataclass(frozen=True)
class Product:
    """The product code of a project: roots (package folders, module files) relative to the project."""

    roots: tuple[str, ...]  # POSIX paths relative to the project root; folders end without a slash
    source: str  # where the definition came from, for the report
    notes: tuple[str, ...] = ()

    def contains(self, relative: str) -> bool:
        """Whether a project-relative POSIX path is product code."""
        relative = relative.replace(os.sep, "/")
        if relative.startswith("./"):
            relative = relative[2:]
        parts = relative.split("/")
        name = parts[-1]
        if name in ("conftest.py",) or name.startswith("test_") or name.endswith("_test.py"):
            return False
        for root in self.roots:
            if relative == root or relative.startswith(root + "/"):
                inner = relative[len(root) + 1 :].split("/")[:-1] if relative != root else []
                return not any(looks_like_tests(part) for part in inner)
        return False

    def paths(self, base: Path) -> list[Path]:
        """The roots as absolute paths under ``base``."""
        return [base / root for root in self.roots]

    def packages(self) -> frozenset[str]:
        """Top-level import names of the product (``src/pkg`` -> ``pkg``, ``mod.py`` -> ``mod``)."""
        return frozenset(Path(root).stem if root.endswith(".py") else Path(root).name for root in self.roots)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return toml_loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
        return {}


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` when it stays inside the project (the metadata is hostile input)."""
    candidate = (root / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate


def _find_packages(root: Path, where: str, include: list[str], exclude: list[str], namespaces: bool) -> list[str]:
    """setuptools' ``find_packages``: top-most packages under ``where`` matching include/exclude (dotted)."""
    base = _inside(root, where or ".")
    if base is None or not base.is_dir():
        return []
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        current = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith(".") and not d.endswith(".egg-info"))
        if current == base:
            continue
        dotted = ".".join(current.relative_to(base).parts)
        is_package = "__init__.py" in filenames or (namespaces and any(f.endswith(".py") for f in filenames))
        if not is_package and not namespaces:
            dirnames[:] = []
            continue
        if not is_package:
            continue
        if include and not any(fnmatch.fnmatchcase(dotted, pattern) for pattern in include):
            continue
        if any(fnmatch.fnmatchcase(dotted, pattern) for pattern in exclude):
            continue
        found.append(dotted)
    return _top_most([_dotted_path(root, base, name) for name in found])


def _dotted_path(root: Path, base: Path, dotted: str) -> str:
    return (base / Path(*dotted.split("."))).relative_to(root.resolve()).as_posix()


def _top_most(paths: Iterable[str]) -> list[str]:
    """Keep the outermost of nested roots."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path == kept or path.startswith(kept + "/") for kept in result):
            result.append(path)
    return result


def _existing(root: Path, candidates: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for relative in candidates:
        path = _inside(root, relative)
        if path is None:
            continue
        if path.is_dir() or (path.is_file() and path.suffix in (".py", ".pyx")):
            kept.append(path.relative_to(root.resolve()).as_posix())
    return kept


def _package_dir_path(package_dir: dict[str, Any], dotted: str) -> str:
    """Map a dotted package name through setuptools' ``package-dir``."""
    parts = dotted.split(".")
    for cut in range(len(parts), -1, -1):
        prefix = ".".join(parts[:cut])
        if prefix in package_dir and isinstance(package_dir[prefix], str):
            rest = parts[cut:]
            return "/".join([package_dir[prefix].strip("/")] + rest).lstrip("/") if package_dir[prefix] else "/".join(rest)
    return "/".join(parts)


def _setuptools_pyproject(root: Path, data: dict[str, Any]) -> tuple[list[str], str] | None:
    tool = _table(data, "tool", "setuptools")
    if not tool:
        return None
    raw_dir = tool.get("package-dir")
    package_dir: dict[str, Any] = raw_dir if isinstance(raw_dir, dict) else {}
    roots: list[str] = []
    packages = tool.get("packages")
    if isinstance(packages, list):
        roots += [_package_dir_path(package_dir, name) for name in _strings(packages)]
    elif isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        find = packages["find"]
        wheres = _strings(find.get("where")) or ["."]
        for where in wheres:
            roots += _find_packages(root, where, _strings(find.get("include")), _strings(find.get("exclude")), bool(find.get("namespaces", True)))
    roots += [_package_dir_path(package_dir, name) + ".py" for name in _strings(tool.get("py-modules"))]
    if not roots:
        return None
    return _existing(root, roots), "setuptools configuration in pyproject.toml"


def _setuptools_cfg(root: Path) -> tuple[list[str], str] | None:
    path = root / "setup.cfg"
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except (configparser.Error, OSError):
        return None
    if not parser.has_section("options"):
        return None
    options = parser["options"]
    package_dir: dict[str, Any] = {}
    for line in options.get("package_dir", "").splitlines():
        if "=" in line:
            key, _, value = line.partition("=")
            package_dir[key.strip()] = value.strip()
        elif line.strip():
            package_dir[""] = line.strip()
    roots: list[str] = []
    packages = options.get("packages", "").strip()
    if packages.startswith("find"):
        find = parser["options.packages.find"] if parser.has_section("options.packages.find") else {}
        where = (find.get("where") or package_dir.get("") or ".").strip()
        roots += _find_packages(
            root, where, find.get("include", "").split(), find.get("exclude", "").split(), packages.startswith("find_namespace")
        )
    else:
        roots += [_package_dir_path(package_dir, name) for name in re.split(r"[\s,]+", packages) if name]
    roots += [_package_dir_path(package_dir, name) + ".py" for name in re.split(r"[\s,]+", options.get("py_modules", "")) if name]
    if not roots:
        return None
    return _existing(root, roots), "setuptools configuration in setup.cfg"


def _hatch(root: Path, data: dict[str, Any]) -> tuple[list[str], str] | None:
    wheel = _table(data, "tool", "hatch", "build", "targets", "wheel")
    build = _table(data, "tool", "hatch", "build")
    roots = _strings(wheel.get("packages")) or _strings(build.get("packages"))
    roots += _strings(wheel.get("only-include")) or _strings(build.get("only-include"))
    if not roots:
        return None
    return _existing(root, roots), "hatch wheel target in pyproject.toml"


def _flit(root: Path, data: dict[str, Any]) -> tuple[list[str], str] | None:
    module = _table(data, "tool", "flit", "module")
    backend = str(_table(data, "build-system").get("build-backend", ""))
    name = module.get("name") if isinstance(module.get("name"), str) else None
    if name is None and backend.startswith("flit"):
        project_name = _table(data, "project").get("name")
        name = re.sub(r"[-.]+", "_", project_name).lower() if isinstance(project_name, str) else None
    if not name:
        return None
    candidates = [f"{base}{name.replace('.', '/')}{suffix}" for base in ("", "src/") for suffix in ("", ".py")]
    found = _existing(root, candidates)
    return (found, "flit module in pyproject.toml") if found else None


def _poetry(root: Path, data: dict[str, Any]) -> tuple[list[str], str] | None:
    poetry = _table(data, "tool", "poetry")
    packages = poetry.get("packages")
    roots: list[str] = []
    if isinstance(packages, list):
        for entry in packages:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str):
                fmt = entry.get("format")
                if fmt and "wheel" not in _strings(fmt):
                    continue
                base = str(entry.get("from") or "")
                roots.append(f"{base.strip('/')}/{entry['include']}".lstrip("/"))
    elif poetry and isinstance(poetry.get("name"), str):
        name = re.sub(r"[-.]+", "_", poetry["name"]).lower()
        roots = [f"{base}{name}{suffix}" for base in ("", "src/") for suffix in ("", ".py")]
    if not roots:
        return None
    found = _existing(root, [glob for glob in roots if "*" not in glob])
    for glob in (item for item in roots if "*" in item):
        found += [path.relative_to(root).as_posix() for path in sorted(root.glob(glob)) if _inside(root, path.relative_to(root).as_posix())]
    return (found, "poetry packages in pyproject.toml") if found else None


def _pdm(root: Path, data: dict[str, Any]) -> tuple[list[str], str] | None:
    build = _table(data, "tool", "pdm", "build")
    includes = _strings(build.get("includes"))
    package_dir = build.get("package-dir") if isinstance(build.get("package-dir"), str) else None
    if includes:
        return _existing(root, includes), "pdm build includes in pyproject.toml"
    if package_dir:
        found = _find_packages(root, package_dir, [], _dotted_excludes(_strings(build.get("excludes"))), False)
        return (found, "pdm package-dir in pyproject.toml") if found else None
    return None


def _dotted_excludes(globs: list[str]) -> list[str]:
    return [glob.strip("/").replace("/", ".").replace("**", "*") for glob in globs]


def _maturin(root: Path, data: dict[str, Any]) -> tuple[list[str], str] | None:
    maturin = _table(data, "tool", "maturin")
    if not maturin:
        return None
    source = maturin.get("python-source") if isinstance(maturin.get("python-source"), str) else ""
    module = maturin.get("module-name") if isinstance(maturin.get("module-name"), str) else None
    if module:
        top = module.split(".")[0]
        found = _existing(root, [f"{source}/{top}".lstrip("/")])
        if found:
            return found, "maturin python-source in pyproject.toml"
    if source:
        return _find_packages(root, source, [], [], False), "maturin python-source in pyproject.toml"
    return None


def _exclude_globs(data: dict[str, Any]) -> list[str]:
    """File globs the wheel leaves out (hatch/pdm excludes), relative to the project."""
    wheel = _table(data, "tool", "hatch", "build", "targets", "wheel")
    build = _table(data, "tool", "hatch", "build")
    return _strings(wheel.get("exclude")) + _strings(build.get("exclude")) + _strings(_table(data, "tool", "pdm", "build").get("excludes"))


def heuristic_roots(root: Path) -> list[str]:
    """Top-level packages (root or ``src/``) and root modules that are conventionally shipped."""
    bases = [root / "src"] if (root / "src").is_dir() else []
    bases.append(root)
    primary = bases[0]
    found: list[str] = []
    for base in bases:
        try:
            children = sorted(base.iterdir())
        except OSError:
            continue
        for child in children:
            name = child.name
            if name.startswith((".", "_")) and name != "__init__.py" or name in _SKIP or name.endswith(".egg-info"):
                continue
            if child.is_dir() and not child.is_symlink():
                if name in NOT_SHIPPED or looks_like_tests(name) or (child / "pyvenv.cfg").is_file():
                    continue
                if (child / "__init__.py").is_file():
                    found.append(child.relative_to(root).as_posix())
            elif (
                child.is_file()
                and child.suffix == ".py"
                and base == primary
                and name not in TASK_MODULES
                and not name.startswith("test")
                and not name.endswith("_test.py")
            ):
                found.append(child.relative_to(root).as_posix())
    return found


def define_product(root: Path) -> Product:
    """The product code of the project at ``root``: packaging metadata first, else the layout heuristic."""
    data = _read_toml(root / "pyproject.toml") if (root / "pyproject.toml").is_file() else {}
    notes: list[str] = []
    for reader in (_hatch, _flit, _poetry, _pdm, _maturin, _setuptools_pyproject):
        try:
            found = reader(root, data)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            notes.append(f"{reader.__name__.strip('_')} metadata unreadable: {type(exc).__name__}")
            continue
        if found is not None and found[0]:
            return _finish(root, found[0], found[1], data, notes)
        if found is not None:
            notes.append(f"{found[1]} names nothing that exists; falling back")
    cfg = _setuptools_cfg(root)
    if cfg is not None and cfg[0]:
        return _finish(root, cfg[0], cfg[1], data, notes)
    return _finish(root, heuristic_roots(root), "layout heuristic (no packaging metadata names the packages)", data, notes)


def _finish(root: Path, roots: list[str], source: str, data: dict[str, Any], notes: list[str]) -> Product:
    excludes = _exclude_globs(data)
    kept = [
        item
        for item in _top_most(roots)
        if not any(fnmatch.fnmatch(item, glob.strip("/")) or fnmatch.fnmatch(item + "/", glob) for glob in excludes)
        and Path(item).name not in TASK_MODULES
        and not (root / item / "pyvenv.cfg").is_file()
    ]
    return Product(roots=tuple(kept), source=source, notes=tuple(notes))


def is_product_file(root: Path, relative: str, product: Product | None = None) -> bool:
    """Whether ``relative`` (a POSIX path inside ``root``) is product code."""
    return (product or define_product(root)).contains(relative)
