"""Facts about the target project: its files, digest, VCS state, interpreter and own packages."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from baseline import gitrepo, sandbox
from baseline.errors import UsageError
from baseline.model import Target
from baseline.pathmatch import matches
from baseline.parsing import toml_loads
from baseline.product import Product, define_product

# Folders that are never part of the project's own source.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".baseline", ".venv", "venv", "env", ".env", ".tox", ".nox",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules",
        "build", "dist", ".eggs", "site-packages", ".idea", ".vscode",
    }
)
TEST_DIR_NAMES = frozenset({"tests", "test", "testing"})
NON_PRODUCT_DIRS = TEST_DIR_NAMES | frozenset({"docs", "doc", "examples", "example", "bench", "benchmarks", "scripts", "fuzz", "fuzzing"})


def is_virtualenv(folder: Path) -> bool:
    """A virtual environment, whatever its name (``.venv-ci``, ``py311``...): it holds a pyvenv.cfg."""
    try:
        return (folder / "pyvenv.cfg").is_file()
    except OSError:
        return False


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file of the project (not following symlinks), skipping tool folders and virtual environments."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in SKIP_DIRS and not name.endswith(".egg-info") and not is_virtualenv(Path(dirpath) / name)
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# What the source digest leaves out: version-control metadata (a fresh clone's .git differs from the
# vendor's, and the commit is compared on its own), interpreter bytecode and tool caches, and
# virtual environments (found by their pyvenv.cfg, whatever the folder is called). Everything
# else counts, the project's .baseline/ folder (its accepted findings) included.
DIGEST_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox"})


def digest_files(root: Path) -> Iterator[Path]:
    """Every regular file the source digest covers (not following symlinks), in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in DIGEST_SKIP_DIRS and not name.endswith(".egg-info") and not is_virtualenv(Path(dirpath) / name)
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                yield path
            elif path.is_file():
                yield path


def tree_digest(root: Path) -> tuple[str, int]:
    """A digest of the source tree: sorted (relative path, file digest) pairs over every file
    :func:`digest_files` names (a symlink counts by its target text). Returns (digest, count)."""
    digest = hashlib.sha256()
    count = 0
    for path in digest_files(root):
        try:
            file_hash = "link:" + os.readlink(path) if path.is_symlink() else file_sha256(path)
        except OSError:
            file_hash = "unreadable"
        digest.update(f"{path.relative_to(root).as_posix()}\0{file_hash}\n".encode())
        count += 1
    return "sha256:" + digest.hexdigest(), count


def git_state(root: Path) -> tuple[str | None, str | None, bool | None]:
    """(vcs, commit, dirty) of the git work tree enclosing ``root``, or Nones outside any.

    Read with :mod:`baseline.gitrepo`: no git process, nothing from the repository's configuration
    runs, and a subfolder of a repository still gets its commit.
    """
    return gitrepo.state(root)


@dataclass(frozen=True)
class Interpreter:
    """The interpreter chosen to run the target's code, and why."""

    path: str
    source: str
    version: str | None


PROVISION_FAILED = "provisioning failed: "
TOOLKIT_FALLBACK = "the toolkit's own interpreter (no --python, no .venv, provisioning off)"


def installed_here(root: Path) -> bool:
    """Whether the toolkit's own environment has the project installed from ``root`` (``pip install -e .``)."""
    import importlib.metadata
    import json

    wanted = root.resolve().as_uri().rstrip("/")
    try:
        found = list(importlib.metadata.distributions(name=project_name(root)))
    except (ValueError, OSError):
        return False
    for dist in found:
        try:
            text = dist.read_text("direct_url.json") or ""
            url = json.loads(text).get("url", "") if text else ""
        except (ValueError, OSError, AttributeError):
            continue
        if isinstance(url, str) and url.rstrip("/") == wanted:
            return True
    return False


def provisioning_enabled() -> bool:
    """Whether a missing environment is built with uv (``BASELINE_PROVISION=0`` turns it off)."""
    return os.environ.get("BASELINE_PROVISION", "1").strip().lower() not in ("0", "false", "no", "off")


def resolve_interpreter(root: Path, requested: str | None, *, project_venv: bool = True) -> Interpreter:
    """``--python`` when given, else the project's ``.venv`` when present, else one built with uv.

    When provisioning fails, the toolkit's own interpreter stands in and ``source`` starts with
    :data:`PROVISION_FAILED` followed by the installer's message: the checks that need the
    project's environment report that error, the others run.

    ``project_venv=False`` (``verify --source``) never picks a ``.venv`` delivered inside the
    tree: a verifier runs an interpreter from a vendor's tree only when they name it.
    """
    if requested:
        candidate = Path(requested).expanduser()
        if not candidate.is_absolute() and os.sep not in requested:
            found = sandbox_which(requested)
            candidate = Path(found) if found else candidate
        if not candidate.exists():
            raise UsageError(f"--python {requested}: no such interpreter")
        path, source = str(candidate), "--python"
    else:
        venv_python = root / ".venv" / "bin" / "python"
        if project_venv and venv_python.exists():
            path, source = str(venv_python), "project .venv"
        elif installed_here(root):
            path, source = sys.executable, "the toolkit's own interpreter, where the project is installed from this folder"
        elif provisioning_enabled():
            from baseline.provision import ProvisionError, provision

            try:
                built = provision(root)
                path, source = built.python, f"{built.how} in {built.duration_s:.1f} s"
            except ProvisionError as exc:
                path, source = sys.executable, PROVISION_FAILED + str(exc)
            except OSError as exc:
                path, source = sys.executable, PROVISION_FAILED + f"{type(exc).__name__}: {exc}"
        else:
            path, source = sys.executable, TOOLKIT_FALLBACK
    probe = sandbox.run(
        [path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        cwd=root,
        limits=sandbox.Limits(timeout_s=30),
        confine=sandbox.Confine(readable=(root, path)),  # the project names the interpreter: it is target code
    )
    if probe.start_error:
        raise UsageError(f"interpreter {path} cannot be started: {probe.start_error}")
    version = probe.stdout.strip() if probe.ok else None
    return Interpreter(path=path, source=source, version=version)


def activated_environment(python: str) -> dict[str, str]:
    """What activating the interpreter's virtual environment sets: its ``bin`` first on PATH, VIRTUAL_ENV.

    A project's CI runs its tests in an activated environment, so tests and plugins that look up a
    tool by name (``mypy``, a console script of the project) find the environment's own. The folder
    is the interpreter's as given (a venv's ``bin/python`` is often a link to the base interpreter).
    """
    folder = os.path.dirname(os.path.abspath(python))
    env = {"PATH": os.pathsep.join(part for part in (folder, os.environ.get("PATH", os.defpath)) if part)}
    if os.path.isfile(os.path.join(os.path.dirname(folder), "pyvenv.cfg")):
        env["VIRTUAL_ENV"] = os.path.dirname(folder)
    return env


def sandbox_which(name: str) -> str | None:
    """Find an executable on PATH."""
    return shutil.which(name)


def describe_target(root: Path, interpreter: Interpreter, digest: tuple[str, int] | None = None) -> Target:
    """Collect the Target record for the report; ``digest`` is the tree digest taken before anything ran."""
    tree, count = digest if digest is not None else tree_digest(root)
    vcs, commit, dirty = git_state(root)
    return Target(
        path=str(root),
        name=project_name(root),
        vcs=vcs,
        commit=commit,
        dirty=dirty,
        tree_digest=tree,
        file_count=count,
        interpreter=interpreter.path,
        interpreter_source=interpreter.source,
        interpreter_version=interpreter.version,
    )


def project_name(root: Path) -> str:
    """The project's declared name (pyproject.toml), else the folder name."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = toml_loads(pyproject.read_text(encoding="utf-8"))
            name = data.get("project", {}).get("name")
            if isinstance(name, str) and name:
                return name
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
            pass
    return root.name


def excluded(relative: str, patterns: Iterable[str]) -> bool:
    """Whether a relative POSIX path matches one of the glob patterns (a folder pattern covers its files)."""
    return matches(relative, patterns)


def product_sources(root: Path) -> list[Path]:
    """The project's product code: the package folders and modules it ships (see :mod:`baseline.product`).

    Packaging metadata decides first; tests, docs, examples, benchmarks, scripts, task files and
    test servers are not product code.
    """
    return define_product(root).paths(root)


def is_product_path(root: Path, relative: str) -> bool:
    """Whether a project-relative path is product code (what the package ships, see :mod:`baseline.product`).

    Broader than ``not is_test_path``: task files, scripts, docs, benchmarks and test servers are
    neither tests nor product.
    """
    return _product_of(str(root.resolve()), _metadata_stamp(root)).contains(relative)


def _metadata_stamp(root: Path) -> tuple[float, ...]:
    stamps: list[float] = []
    for name in ("pyproject.toml", "setup.cfg"):
        try:
            stamps.append((root / name).stat().st_mtime)
        except OSError:
            stamps.append(0.0)
    return tuple(stamps)


@functools.lru_cache(maxsize=32)
def _product_of(root: str, stamp: tuple[float, ...]) -> Product:
    return define_product(Path(root))


def path_context(root: Path | None, relative: str) -> str:
    """Where a file belongs: ``test`` (the test suite), ``product`` (what the package ships) or
    ``tooling`` (neither: task files, scripts, docs, examples, build files). Without a root, every file
    that is not a test is product."""
    if is_test_path(relative):
        return "test"
    if root is None or is_product_path(root, relative):
        return "product"
    return "tooling"


def is_test_path(relative: str) -> bool:
    """True for files that belong to the test suite (by folder or file name); benchmarks count as tests."""
    parts = Path(relative).parts
    name = parts[-1] if parts else ""
    return (
        any(part in TEST_DIR_NAMES for part in parts[:-1])
        or (len(parts) > 1 and parts[0] in ("bench", "benchmarks"))
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )
