"""Build the target's test environment with uv when the operator gives none.

With no ``--python`` and no project ``.venv``, ``baseline scan`` makes a virtual environment for the
project under the user's cache folder (``$BASELINE_CACHE_DIR`` or ``~/.cache/baseline``, never the
target tree), keyed by a digest of what decides its contents:

- ``requires-python`` and ``[project] dependencies``;
- test dependencies: PEP 735 ``[dependency-groups]`` and ``[project.optional-dependencies]`` named
  ``test``, ``tests``, ``testing`` or ``dev``; requirements files for tests
  (``requirements-test*.txt``, ``test-requirements.txt``, ``requirements/test*.txt``, ``-dev``
  variants); ``deps`` of tox's ``[testenv]``.

The project itself is not built when its metadata is static: its import roots (``src/`` or the root)
go on the test run's ``PYTHONPATH``, as an editable install would put them, and a small
``.dist-info`` makes ``importlib.metadata`` find its name, version and entry points. A project with
dynamic dependencies, native extensions or no ``[project]`` table is installed from a copy of its
tree (never from the tree itself, so nothing is written there). Build backends are project code:
uv runs through the sandbox, with the network allowed for that step only, uv's own configuration
files ignored (``UV_NO_CONFIG``) and Python downloads off (``UV_PYTHON_DOWNLOADS=never``). A
project whose ``requires-python`` no local interpreter meets gets an error naming ``--python``.

What the toolkit itself needs in that interpreter (pytest when the project does not list it,
coverage.py) goes into an *overlay* folder appended to ``sys.path`` after the environment's own
site-packages, so the project's own pins always win and its environment is never modified.

Where packages come from is the operator's choice, never the project's: uv's index settings from
the operator's environment (``UV_INDEX_URL``, ``UV_EXTRA_INDEX_URL``, ``UV_DEFAULT_INDEX``,
``UV_INDEX``, ``UV_FIND_LINKS``, ``UV_OFFLINE``, ``UV_NO_INDEX``) pass through, and
``BASELINE_FIND_LINKS`` (folders of wheels or URLs, separated by commas or spaces) adds local
wheelhouses, readable inside the sandbox. Both take part in the cache key.
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import json
import os
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline import sandbox
from baseline.parsing import parse_python, toml_loads
from baseline.product import define_product

FORMAT = 1  # bump when the layout of a provisioned environment changes
TEST_EXTRAS = ("test", "tests", "testing", "dev")
OVERLAY_PACKAGES = ("pytest", "coverage")
MARKER = "baseline-provisioned.json"
_REQ_GLOBS = (
    "requirements-test*.txt", "requirements_test*.txt", "test-requirements*.txt", "test_requirements*.txt",
    "requirements-dev*.txt", "requirements_dev*.txt", "dev-requirements*.txt", "requirements/test*.txt",
    "requirements/dev*.txt", "requirements/tests*.txt", "tests/requirements*.txt",
)


class ProvisionError(Exception):
    """The environment could not be built; the message ends with the installer's own output."""


@dataclass(frozen=True)
class Plan:
    """What goes into the environment, and why."""

    requires_python: str | None
    requirements: tuple[str, ...]  # requirement strings (PEP 508) or "-r <file>" lines
    requirement_files: tuple[str, ...]  # project-relative requirements files
    install_project: bool  # build and install a copy of the project (dynamic metadata, native code)
    extras: tuple[str, ...]
    import_roots: tuple[str, ...]  # project-relative folders for PYTHONPATH (static mode)
    sources: tuple[str, ...]  # where each part came from, for the report
    name: str
    version: str
    entry_points: dict[str, dict[str, str]]

    def digest(self, root: Path) -> str:
        """The cache key: the plan, the content of the requirements files, this platform."""
        digest = hashlib.sha256()
        payload = {key: value for key, value in self.__dict__.items()}
        payload["format"] = FORMAT
        payload["platform"] = sys.platform
        payload["root"] = str(root.resolve())
        digest.update(json.dumps(payload, sort_keys=True, default=list).encode())
        for relative in self.requirement_files:
            digest.update(json.dumps(read_requirements(root, relative)).encode())
        if self.install_project:
            for name in ("pyproject.toml", "setup.py", "setup.cfg"):
                if (root / name).is_file():
                    digest.update((root / name).read_bytes())
        return digest.hexdigest()[:20]


@dataclass(frozen=True)
class Provisioned:
    """A ready environment."""

    python: str
    how: str
    cached: bool
    duration_s: float
    env_dir: str


def cache_root() -> Path:
    """The user's cache folder for baseline."""
    return Path(os.environ.get("BASELINE_CACHE_DIR") or Path.home() / ".cache" / "baseline").expanduser()


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _group(groups: dict[str, Any], name: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """A PEP 735 group with its ``{include-group = ...}`` entries expanded (cycles ignored)."""
    result: list[str] = []
    for entry in groups.get(name) or []:
        if isinstance(entry, str):
            result.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("include-group"), str) and entry["include-group"] not in seen:
            result += _group(groups, entry["include-group"], seen | {name})
    return result


def _tox_deps(root: Path) -> list[str]:
    path = root / "tox.ini"
    if not path.is_file():
        return []
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return []
    deps: list[str] = []
    if parser.has_option("testenv", "deps"):
        for line in parser.get("testenv", "deps").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or "{" in line or line.startswith(("-e", "--")):
                continue
            if line.startswith("-r"):
                deps.append("-r " + line[2:].strip())
            else:
                deps.append(line.split(":", 1)[-1].strip() if re.match(r"^[\w,-]+:\s", line) else line)
    return deps


_NOXFILE_CAP = 1_000_000  # bytes: a larger noxfile.py is not read


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""


def _nox_session_name(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The session's name when ``function`` is a nox session (``@nox.session``, ``@session(name=...)``)."""
    for decorator in function.decorator_list:
        if _decorator_name(decorator) != "session":
            continue
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    return keyword.value.value
        return function.name
    return None


def _runs_tests(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run":
            words = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            if any(word in ("pytest", "unittest", "coverage", "py.test") for word in words):
                return True
    return False


def _nox_deps(root: Path) -> tuple[list[str], list[str], list[str]]:
    """What the noxfile's test sessions install: (requirements, requirement files, the project's extras).

    Read from the syntax tree, never run: the constant arguments of ``session.install(...)`` in the
    sessions whose name says test or that run pytest, unittest or coverage. ``-e .``/``.`` is the
    project itself; ``.[a,b]`` names its extras; ``-r FILE`` a requirements file; other options and
    computed arguments are skipped.
    """
    path = root / "noxfile.py"
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _NOXFILE_CAP:
            return [], [], []
        tree = parse_python(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return [], [], []
    requirements: list[str] = []
    files: list[str] = []
    extras: list[str] = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        name = _nox_session_name(function)
        if name is None or not ("test" in name.lower() or _runs_tests(function)):
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "install"):
                continue
            words = [arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None for arg in node.args]
            skip_next = False
            for index, word in enumerate(words):
                if skip_next or word is None:
                    skip_next = False
                    continue
                if word in ("-r", "--requirement"):
                    following = words[index + 1] if index + 1 < len(words) else None
                    if following:
                        files.append(following)
                    skip_next = True
                elif word.startswith("-r") and len(word) > 2:
                    files.append(word[2:].strip())
                elif word in ("-c", "--constraint", "-e", "--editable", "-i", "--index-url"):
                    skip_next = word in ("-c", "--constraint", "-i", "--index-url")
                elif word.startswith("-"):
                    continue
                else:
                    self_install = re.match(r"^\.(?:/)?(?:\[([^\]]*)\])?$", word)
                    if self_install:
                        extras += [part.strip() for part in (self_install.group(1) or "").split(",") if part.strip()]
                    elif "/" not in word and "{" not in word:
                        requirements.append(word)
    return requirements, files, extras


def plan(root: Path) -> Plan:
    """Read the project's declarations (nothing is executed)."""
    data: dict[str, Any] = {}
    if (root / "pyproject.toml").is_file():
        try:
            data = toml_loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
            data = {}
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    sources: list[str] = []
    requirements: list[str] = []
    dynamic = set(_strings(project.get("dynamic")))
    backend = str((data.get("build-system") or {}).get("build-backend", "")) if isinstance(data.get("build-system"), dict) else ""
    native = "maturin" in backend or any(root.glob("*.pyx")) or any(root.glob("src/**/*.pyx")) or _setup_py_has_extensions(root)
    # Without a [project] table the build backend knows the dependencies (setup.py, setup.cfg, poetry...):
    # install the project. A tree with no packaging metadata at all (scripts and their tests) is not
    # installable: its code is imported from where it lies.
    buildable = (root / "setup.py").is_file() or (root / "setup.cfg").is_file() or isinstance(data.get("build-system"), dict) or bool(data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else False)
    install_project = (not project and buildable) or "dependencies" in dynamic or "optional-dependencies" in dynamic or native
    extras: list[str] = []
    optional: dict[str, Any] = project["optional-dependencies"] if isinstance(project.get("optional-dependencies"), dict) else {}
    if not install_project and project:
        requirements += _strings(project.get("dependencies"))
        sources.append("[project] dependencies")
    for extra in TEST_EXTRAS:
        if extra in optional:
            extras.append(extra)
            if not install_project:
                requirements += _strings(optional[extra])
            sources.append(f"[project.optional-dependencies] {extra}")
    groups: dict[str, Any] = data["dependency-groups"] if isinstance(data.get("dependency-groups"), dict) else {}
    for name in TEST_EXTRAS:
        if name in groups:
            requirements += _group(groups, name)
            sources.append(f"[dependency-groups] {name}")
    files: list[str] = []
    # A tree that is not a package declares what its code needs in requirements.txt, if anywhere.
    globs = (*_REQ_GLOBS, "requirements.txt") if not project and not install_project else _REQ_GLOBS
    for pattern in globs:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and not path.is_symlink():
                files.append(path.relative_to(root).as_posix())
    for dep in _tox_deps(root):
        if dep.startswith("-r "):
            target = dep[3:].strip()
            if (root / target).is_file() and target not in files and ".." not in Path(target).parts:
                files.append(target)
        else:
            requirements.append(dep)
    if (root / "tox.ini").is_file() and _tox_deps(root):
        sources.append("tox [testenv] deps")
    nox_requirements, nox_files, nox_extras = _nox_deps(root)
    for target in nox_files:
        if (root / target).is_file() and target not in files and ".." not in Path(target).parts and not Path(target).is_absolute():
            files.append(target)
    requirements += nox_requirements
    for extra in nox_extras:
        if extra in optional and extra not in extras:
            extras.append(extra)
            if not install_project:
                requirements += _strings(optional[extra])
    if nox_requirements or nox_files or nox_extras:
        sources.append("noxfile.py test sessions' installs")
    sources += [f"requirements file {name}" for name in files]
    product = define_product(root)
    import_roots = sorted({str(Path(item).parent.as_posix()) for item in product.roots}) if not install_project else []
    scripts = project.get("scripts") if isinstance(project.get("scripts"), dict) else {}
    entry_points: dict[str, dict[str, str]] = {}
    if isinstance(scripts, dict) and scripts:
        entry_points["console_scripts"] = {str(k): str(v) for k, v in scripts.items()}
    for group, table in (project.get("entry-points") or {}).items() if isinstance(project.get("entry-points"), dict) else ():
        if isinstance(table, dict):
            entry_points[str(group)] = {str(k): str(v) for k, v in table.items()}
    name = str(project.get("name") or root.name)
    version = str(project.get("version") or _pkg_info_version(root) or "0+unknown")
    requirements = _expand_self(requirements, name, optional)
    return Plan(
        requires_python=str(project["requires-python"]) if isinstance(project.get("requires-python"), str) else None,
        requirements=tuple(dict.fromkeys(item.strip() for item in requirements if item.strip())),
        requirement_files=tuple(files),
        install_project=install_project,
        extras=tuple(extras),
        import_roots=tuple(import_roots),
        sources=tuple(sources) or ("no declared dependencies",),
        name=name,
        version=version,
        entry_points=entry_points,
    )


def _pkg_info_version(root: Path) -> str | None:
    """The version an sdist's PKG-INFO records (for a dynamic version)."""
    try:
        head = (root / "PKG-INFO").read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return None
    found = re.search(r"^Version:\s*(\S+)\s*$", head, re.MULTILINE)
    return found.group(1) if found else None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _expand_self(requirements: list[str], name: str, optional: dict[str, Any]) -> list[str]:
    """``project[extra]`` in the project's own lists means its extras' requirements, not a download of itself."""
    result: list[str] = []
    pending = list(requirements)
    expanded: set[str] = set()
    while pending:
        requirement = pending.pop(0)
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", requirement)
        if match and _normal(match.group(1)) == _normal(name):
            for extra in (match.group(2) or "").split(","):
                extra = extra.strip()
                if extra and extra not in expanded:
                    expanded.add(extra)
                    pending += _strings(optional.get(extra))
            continue
        if requirement.startswith((".", "/", "file:", "-")):
            continue
        result.append(requirement)
    return result


def read_requirements(root: Path, relative: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """Requirement lines of a project's requirements file, nested ``-r`` files (inside the project) followed.

    Editable and local-path lines (``-e .``, ``./pkg``, ``file:``) and options (``--index-url``...)
    are left out: the project itself is handled apart, and nothing may be built inside its tree.
    """
    if relative in seen or len(seen) > 20:
        return []
    path = root / relative
    try:
        resolved = path.resolve()
        resolved.relative_to(root.resolve())
        text = resolved.read_text(encoding="utf-8", errors="replace")[:200_000]
    except (OSError, ValueError):
        return []
    found: list[str] = []
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ", "-r")) and not line.startswith("--r"):
            target = line.split(None, 1)[1] if " " in line else line[2:]
            nested = (Path(relative).parent / target.strip()).as_posix()
            found += read_requirements(root, nested, seen | {relative})
            continue
        if line.startswith("-") or line.startswith((".", "/", "file:")) or "@ file:" in line:
            continue
        found.append(line)
    return found


def _setup_py_has_extensions(root: Path) -> bool:
    path = root / "setup.py"
    try:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        return False
    return "ext_modules" in text or "Extension(" in text


def find_uv() -> str | None:
    """The uv executable: the ``uv`` package's, else one on PATH."""
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        pass
    found = Path(sys.executable).parent / "uv"
    return str(found) if found.is_file() else shutil.which("uv")


# uv's own settings for where packages come from, taken from the operator's environment.
UV_SOURCE_ENV = ("UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "UV_FIND_LINKS", "UV_OFFLINE", "UV_NO_INDEX")


@dataclass(frozen=True)
class PackageSources:
    """Where uv finds packages, as the operator set it: extra arguments, folders to read, variables to keep."""

    args: tuple[str, ...] = ()
    readable: tuple[Path, ...] = ()
    allow_env: tuple[str, ...] = ()

    def key(self) -> str:
        """What identifies these sources in a cache key (the values, not the folders' contents)."""
        return json.dumps([list(self.args), sorted(f"{name}={os.environ.get(name, '')}" for name in self.allow_env)])


def package_sources() -> PackageSources:
    """``BASELINE_FIND_LINKS`` wheelhouses and uv's index variables of the operator's environment."""
    args: list[str] = []
    readable: list[Path] = []
    for item in re.split(r"[\s,]+", os.environ.get("BASELINE_FIND_LINKS") or ""):
        if not item:
            continue
        if "://" in item:
            args += ["--find-links", item]
            continue
        folder = Path(item).expanduser().resolve()
        if not folder.is_dir():
            raise ProvisionError(f"BASELINE_FIND_LINKS names {item!r}, which is not a folder or a URL")
        args += ["--find-links", str(folder)]
        readable.append(folder)
    for item in re.split(r"[\s,]+", os.environ.get("UV_FIND_LINKS") or ""):
        if item and "://" not in item and Path(item).is_dir():
            readable.append(Path(item).resolve())
    return PackageSources(tuple(args), tuple(readable), tuple(name for name in UV_SOURCE_ENV if os.environ.get(name)))


def _uv_env(cache: Path) -> dict[str, str]:
    return {
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
        "UV_CACHE_DIR": str(cache / "uv"),
        "UV_NO_PROGRESS": "1",
        "SSL_CERT_FILE": os.environ.get("SSL_CERT_FILE") or ("/etc/ssl/certs/ca-certificates.crt" if Path("/etc/ssl/certs/ca-certificates.crt").is_file() else ""),
        "UV_NATIVE_TLS": "1",
    }


def _python_request(requires: str | None) -> str:
    """This interpreter when it meets ``requires-python``, else the specifier for uv to satisfy."""
    if not requires:
        return sys.executable
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        if SpecifierSet(requires).contains("%d.%d.%d" % sys.version_info[:3]):
            return sys.executable
    except (ImportError, InvalidSpecifier):
        return requires
    return requires


def _tail(result: sandbox.ProcessResult) -> str:
    text = (result.stderr or "") + (result.stdout or "")
    return "\n".join(line for line in text.strip().splitlines()[-12:])


def provision(root: Path, *, timeout_s: float = 1200.0, allow_env: tuple[str, ...] = ()) -> Provisioned:
    """A ready environment for ``root``: the cached one for its digest, else a new one. Raises ProvisionError."""
    import time

    started = time.monotonic()
    the_plan = plan(root)
    cache = cache_root()
    sources = package_sources()
    digest = the_plan.digest(root)
    if sources.args or sources.allow_env:  # another package source can give other packages: another environment
        digest = hashlib.sha256(f"{digest}\0{sources.key()}".encode()).hexdigest()[: len(digest)]
    allow_env = (*allow_env, *sources.allow_env)
    env_dir = cache / "envs" / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', the_plan.name)[:40]}-{digest}"
    python = env_dir / "bin" / "python"
    marker = env_dir / MARKER
    if marker.is_file() and python.exists():
        return Provisioned(str(python), _describe(the_plan, cached=True, sources=sources), True, time.monotonic() - started, str(env_dir))
    uv = find_uv()
    if uv is None:
        raise ProvisionError("uv is not installed (pip install uv), so the project's environment cannot be built; pass --python")
    env = _uv_env(cache)
    # Built in place; the marker is written last, so an interrupted build is simply rebuilt.
    shutil.rmtree(env_dir, ignore_errors=True)
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    request = _python_request(the_plan.requires_python)
    work = env_dir.parent
    limits = sandbox.Limits(timeout_s=timeout_s, network=True, contain=True)
    # Build backends are the project's code: the install runs confined, with the network for this step
    # only, writing nothing but the environment, the installer's cache and the build's scratch copy.
    confine = sandbox.Confine(writable=(work, cache / "uv"), readable=(root, *sources.readable), network=True)
    made = sandbox.run(
        [uv, "venv", "--quiet", "--python", request, str(env_dir)], cwd=work, limits=limits, extra_env=env, allow_env=allow_env, confine=confine
    )
    if not made.ok:
        shutil.rmtree(env_dir, ignore_errors=True)
        if "no interpreter found" in (made.stderr + made.stdout).lower():
            raise ProvisionError(
                f"no local interpreter meets requires-python {the_plan.requires_python!r} (Python downloads are off); "
                f"pass --python with a suitable interpreter. uv said: {_tail(made)}"
            )
        raise ProvisionError(f"uv could not create the environment ({made.describe()}): {_tail(made)}")
    flat: list[str] = list(the_plan.requirements)
    for relative in the_plan.requirement_files:
        flat += [item for item in read_requirements(root, relative) if item not in flat]
    copy: Path | None = None
    if the_plan.install_project:
        copy = work / f".source-{digest}-{os.getpid()}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", ".venv", ".tox", ".nox", "__pycache__", "node_modules", ".baseline"))
        flat.append(f"{copy}[{','.join(the_plan.extras)}]" if the_plan.extras else str(copy))
    try:
        if flat:
            installed = sandbox.run(
                [uv, "pip", "install", "--quiet", "--python", str(python), *sources.args, *flat],
                cwd=copy or work,
                limits=limits,
                extra_env=env,
                allow_env=allow_env,
                confine=confine,
            )
            if not installed.ok:
                shutil.rmtree(env_dir, ignore_errors=True)
                raise ProvisionError(f"uv could not install the project's test dependencies ({installed.describe()}): {_tail(installed)}")
        if not the_plan.install_project:
            _write_dist_info(env_dir, the_plan)
        marker_data = {"plan": the_plan.__dict__, "python_request": request, "digest": digest}
        marker.write_text(json.dumps(marker_data, default=list, indent=1), encoding="utf-8")
    finally:
        if copy is not None:
            shutil.rmtree(copy, ignore_errors=True)
    return Provisioned(str(python), _describe(the_plan, cached=False, sources=sources), False, time.monotonic() - started, str(env_dir))


def _site_packages(env_dir: Path) -> Path | None:
    found = sorted(env_dir.glob("lib/python*/site-packages"))
    return found[0] if found else None


def _write_dist_info(env_dir: Path, the_plan: Plan) -> None:
    """Make ``importlib.metadata`` find the (not built) project: name, version, entry points."""
    site = _site_packages(env_dir)
    if site is None:
        return
    name = re.sub(r"[-_.]+", "_", the_plan.name)
    info = site / f"{name}-{re.sub(r'[^A-Za-z0-9.+]', '_', the_plan.version)}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {the_plan.name}\nVersion: {the_plan.version}\n", encoding="utf-8")
    (info / "INSTALLER").write_text("baseline\n", encoding="utf-8")
    if the_plan.entry_points:
        lines: list[str] = []
        for group, table in the_plan.entry_points.items():
            lines.append(f"[{group}]")
            lines += [f"{key} = {value}" for key, value in table.items()]
            lines.append("")
        (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")


def _describe(the_plan: Plan, cached: bool, sources: PackageSources | None = None) -> str:
    how = "the project installed from a copy of its tree" if the_plan.install_project else "the project's import roots on PYTHONPATH"
    where = ""
    if sources is not None and (sources.args or sources.allow_env):
        parts = [value for flag, value in zip(sources.args[::2], sources.args[1::2]) if flag == "--find-links"]
        where = "; packages from " + ", ".join([*(f"wheelhouse {item}" for item in parts), *sources.allow_env]) + " as well"
    return (
        f"built with uv ({'cached' if cached else 'new'}): {how}; dependencies from "
        + ", ".join(the_plan.sources)
        + where
    )


def provisioned_plan(python: str) -> dict[str, Any] | None:
    """The marker of a provisioned environment, when ``python`` belongs to one."""
    marker = Path(python).parent.parent / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def overlay(python: str, version: str | None, missing: list[str], *, timeout_s: float = 600.0) -> Path | None:
    """A folder with the toolkit's packages for ``python``, appended after its site-packages.

    Returns the folder to append (via the ``sitecustomize`` boot folder, see :func:`overlay_boot`),
    or None when nothing is missing, uv is unavailable or the install failed.
    """
    return build_overlay(python, version, missing, timeout_s=timeout_s)[0]


def build_overlay(python: str, version: str | None, missing: list[str], *, timeout_s: float = 600.0) -> tuple[Path | None, str]:
    """(:func:`overlay`'s folder, why there is none: "" when there is one or nothing was missing)."""
    if not missing:
        return None, ""
    uv = find_uv()
    if uv is None:
        return None, "uv is not available to add " + ", ".join(missing)
    try:
        sources = package_sources()
    except ProvisionError as exc:
        return None, str(exc)
    key = hashlib.sha256(json.dumps([os.path.realpath(python), version, sorted(missing), FORMAT, sources.key()]).encode()).hexdigest()[:16]
    folder = cache_root() / "overlay" / f"py{version or 'x'}-{key}"
    if (folder / ".complete").is_file():
        return folder, ""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    result = sandbox.run(
        [uv, "pip", "install", "--quiet", "--python", python, "--target", str(folder), *sources.args, *missing],
        cwd=folder,
        limits=sandbox.Limits(timeout_s=timeout_s, network=True, contain=True),
        extra_env=_uv_env(cache_root()),
        allow_env=sources.allow_env,
        confine=sandbox.Confine(writable=(folder, cache_root() / "uv"), readable=(python, *sources.readable), network=True),
    )
    if not result.ok:
        shutil.rmtree(folder, ignore_errors=True)
        return None, f"uv could not install {', '.join(missing)} for {python}: {_tail(result)}"
    (folder / ".complete").write_text("", encoding="utf-8")
    return folder, ""


def overlay_boot(folder: Path) -> Path:
    """A folder for PYTHONPATH whose ``sitecustomize`` appends ``folder`` to the end of ``sys.path``."""
    boot = folder.parent / f"{folder.name}-boot"
    boot.mkdir(parents=True, exist_ok=True)
    (boot / "sitecustomize.py").write_text(
        "import sys\n"
        f"_OVERLAY = {str(folder)!r}\n"
        "if _OVERLAY not in sys.path:\n"
        "    sys.path.append(_OVERLAY)\n",
        encoding="utf-8",
    )
    return boot
