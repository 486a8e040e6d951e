"""The project's own dependencies, read from what it declares and locks, as a CycloneDX 1.6 SBOM.

Every folder of the tree that holds a manifest is read (the root, an ``app/`` with its own
requirements, the sub-projects of a monorepo), each as its own group named by its path. Within one
folder the sources have an order of precedence (the first that exists wins, so a lock file beats a
loose declaration): pylock.toml, uv.lock, poetry.lock, Pipfile.lock, requirements*.txt (and
requirements/*.txt), then pyproject.toml ``[project] dependencies`` (with its ``optional-dependencies`` extras and
PEP 735 ``[dependency-groups]`` as the optional scope). Nothing is resolved against an
index: an unpinned requirement stays versionless and is reported, because it cannot be verified,
unless the target's installed environment resolves it (baseline/tools/environment.py, which also
adds the transitive dependencies that ship).

Each component has a scope: ``required`` (what ships), ``optional`` (development, test,
documentation requirement files and lock sections) or ``excluded`` (manifests inside tests,
fixtures, examples, docs and benchmarks, which are not part of the product). Only the required
scope decides T11's verdict; the others are matched and reported.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from baseline import __version__
from baseline.parsing import json_loads, toml_loads


@dataclass(frozen=True)
class Component:
    """One dependency as the project declares or locks it."""

    name: str
    version: str | None  # None when not pinned to one exact version
    source: str  # relative path of the file it came from
    line: int | None = None
    specifier: str = ""
    hashes: tuple[tuple[str, str], ...] = ()  # (algorithm, hex digest)
    dependencies: tuple[str, ...] = ()  # canonical names, where the lock file records the graph
    note: str = ""  # why it cannot be verified (URL, VCS, local path, editable, unpinned)
    scope: str = "required"  # required (ships), optional (dev/test/docs) or excluded (not product)
    extras: tuple[str, ...] = ()  # extras the requirement asks for
    marker: str = ""  # the requirement's environment marker, as written
    installed: bool = False  # the version is the one installed in the target's environment
    via: tuple[str, ...] = ()  # a transitive component: the declared dependency that pulls it in, then the path to it

    @property
    def key(self) -> str:
        """Canonical name."""
        return canonicalize_name(self.name)

    @property
    def purl(self) -> str:
        """The package URL (normalised name, as PyPI and OSV use)."""
        return f"pkg:pypi/{self.key}" + (f"@{self.version}" if self.version else "")


@dataclass(frozen=True)
class Inventory:
    """Everything found about the project's dependencies."""

    components: tuple[Component, ...]
    sources: tuple[str, ...]
    problems: tuple[str, ...] = ()
    looked_for: tuple[str, ...] = field(default_factory=tuple)
    projects: tuple[str, ...] = ()  # the folders read, relative to the root ("." for the root)


LOOKED_FOR = ("pylock.toml", "uv.lock", "poetry.lock", "Pipfile.lock", "requirements*.txt", "requirements/*.txt", "pyproject.toml [project] dependencies")

_PIN = re.compile(r"^===?\s*([^\s,;*]+)$")
_HASH = re.compile(r"--hash[=\s]+(\w+):([0-9a-fA-F]+)")


LOCK_FILES = ("pylock.toml", "uv.lock", "poetry.lock", "Pipfile.lock")
# Requirement files whose name says they are not what ships (requirements-dev.txt, requirements/test.txt...).
_OPTIONAL_NAME = re.compile(r"(^|[-_./])(dev|devel|develop|test|tests|testing|docs?|lint|bench|typing|types|local|tox|style|qa)([-_.]|$)", re.IGNORECASE)


def _is_requirements(path: Path) -> bool:
    name = path.name.lower()
    if not name.endswith(".txt"):
        return False
    return name.startswith("requirements") or path.parent.name.lower() == "requirements"


def manifest_folders(root: Path) -> list[Path]:
    """Every folder of the tree that holds a dependency manifest, the root first."""
    from baseline.target import iter_files

    folders: set[Path] = set()
    for path in iter_files(root):
        name = path.name
        if name in LOCK_FILES or name == "pyproject.toml" or re.fullmatch(r"pylock\.[^/]+\.toml", name):
            folders.add(path.parent)
        elif _is_requirements(path):
            folders.add(path.parent.parent if path.parent.name.lower() == "requirements" and path.parent != root else path.parent)
    return sorted(folders, key=lambda folder: (folder != root, len(folder.relative_to(root).parts), folder.as_posix()))


def folder_scope(folder: Path, root: Path) -> str:
    """``excluded`` for a folder inside tests, fixtures, examples, docs or benchmarks; else ``required``."""
    from baseline.target import NON_PRODUCT_DIRS

    parts = {part.lower() for part in folder.relative_to(root).parts}
    return "excluded" if parts & (NON_PRODUCT_DIRS | {"fixtures", "fixture", "samples", "testdata"}) else "required"


def collect(root: Path) -> Inventory:
    """Read the dependency declarations of every manifest folder of the tree (see the module docstring)."""
    problems: list[str] = []
    components: list[Component] = []
    sources: list[str] = []
    projects: list[str] = []
    seen_files: set[Path] = set()
    for folder in manifest_folders(root):
        found, used = _collect_folder(folder, root, problems, seen_files)
        if not found and not used:
            continue
        scope = folder_scope(folder, root)
        if scope != "required":
            found = [_with_scope(component, scope) for component in found]
        components.extend(found)
        sources.extend(used)
        projects.append(folder.relative_to(root).as_posix())
    return Inventory(tuple(components), tuple(sources), tuple(problems), LOOKED_FOR, tuple(projects))


def _with_scope(component: Component, scope: str) -> Component:
    from dataclasses import replace

    return replace(component, scope=scope)


def _collect_folder(folder: Path, root: Path, problems: list[str], seen_files: set[Path]) -> tuple[list[Component], list[str]]:
    """(components, the manifests they came from) of one folder, by the precedence of the module docstring."""
    for reader, pattern in (
        (_read_pylock, "pylock.toml"),
        (_read_uv_lock, "uv.lock"),
        (_read_poetry_lock, "poetry.lock"),
        (_read_pipfile_lock, "Pipfile.lock"),
    ):
        path = folder / pattern
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            try:
                return (reader(path, root, problems) if reader is _read_pylock else reader(path, root)), [relative]
            except ValueError as exc:  # TOML, JSON, UTF-8 and shape errors alike
                problems.append(f"{relative}: unreadable ({exc}); falling back to other sources")
    requirement_files = sorted(
        {*(p for p in folder.glob("requirements*.txt") if p.is_file()), *(p for p in folder.glob("requirements/*.txt") if p.is_file())}
    )
    if requirement_files:
        found: list[Component] = []
        used: list[str] = []
        for path in requirement_files:
            read = _read_requirements(path, root, problems, seen_files)
            if _OPTIONAL_NAME.search(path.relative_to(folder).as_posix().lower().removeprefix("requirements")):
                read = [_with_scope(component, "optional") for component in read]
            if read or path.resolve() in seen_files:
                used.append(path.relative_to(root).as_posix())
            found.extend(read)
        return found, used
    pyproject = folder / "pyproject.toml"
    relative = pyproject.relative_to(root).as_posix()
    if pyproject.is_file():
        try:
            data = toml_loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{relative}: not valid TOML: {exc}")
            data = {}
        project = data.get("project") or {}
        declared = (project.get("dependencies") or []) if isinstance(project, dict) else []
        if not isinstance(declared, list):
            problems.append(f"{relative}: [project] dependencies is not a list of requirement strings")
            declared = []
        parsed = [_component(text, relative, None, problems) for text in declared if isinstance(text, str)]
        found = [c for c in parsed if c is not None]
        for _group, texts in _optional_groups(project if isinstance(project, dict) else {}, data, relative, problems):
            for text in texts:
                component = _component(text, relative, None, problems)
                if component is not None:
                    found.append(_with_scope(component, "optional"))
        if found:
            return found, [relative]
    return [], []


MAX_GROUP_INCLUDES = 64


def _optional_groups(project: Mapping[str, Any], data: Mapping[str, Any], relative: str, problems: list[str]) -> list[tuple[str, list[str]]]:
    """``[project.optional-dependencies]`` extras and PEP 735 ``[dependency-groups]`` (with ``include-group``)."""
    groups: list[tuple[str, list[str]]] = []
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for name, texts in extras.items():
            if isinstance(texts, list):
                groups.append((f"extra {name}", [t for t in texts if isinstance(t, str)]))
            else:
                problems.append(f"{relative}: optional-dependencies.{name} is not a list of requirement strings")
    raw = data.get("dependency-groups")
    if isinstance(raw, dict):
        for name in raw:
            members: list[str] = []
            pending: list[Any] = [name]
            seen: set[Any] = set()
            while pending and len(seen) < MAX_GROUP_INCLUDES:
                current = pending.pop()
                if current in seen:
                    continue
                seen.add(current)
                entries = raw.get(current)
                if not isinstance(entries, list):
                    problems.append(f"{relative}: dependency-groups.{str(current)[:60]} is not a list")
                    continue
                for entry in entries:
                    if isinstance(entry, str):
                        members.append(entry)
                    elif isinstance(entry, dict) and isinstance(entry.get("include-group"), str):
                        pending.append(entry["include-group"])
            groups.append((f"group {name}", members))
    return groups


def project_version(root: Path) -> str | None:
    """The static ``[project] version`` of the root pyproject.toml, when it declares one."""
    try:
        data = toml_loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    project = data.get("project") if isinstance(data, dict) else None
    version = project.get("version") if isinstance(project, dict) else None
    return version if isinstance(version, str) and version.strip() else None


def _component(text: str, source: str, line: int | None, problems: list[str], hashes: tuple[tuple[str, str], ...] = ()) -> Component | None:
    text = text.strip()
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        problems.append(f"{source}:{line or '?'}: cannot parse {text[:80]!r}: {exc}")
        return None
    if requirement.url:
        return Component(requirement.name, None, source, line, note=f"direct reference {requirement.url[:80]}: not verifiable against advisories")
    specifiers = list(requirement.specifier)
    version = None
    if len(specifiers) == 1 and specifiers[0].operator in ("==", "===") and "*" not in specifiers[0].version:
        version = specifiers[0].version
    note = "" if version else f"not pinned to one version ({str(requirement.specifier) or 'any version'})"
    return Component(
        requirement.name, version, source, line, str(requirement.specifier), hashes, note=note,
        extras=tuple(sorted(requirement.extras)), marker=str(requirement.marker) if requirement.marker else "",
    )


def _read_requirements(path: Path, root: Path, problems: list[str], seen: set[Path]) -> list[Component]:
    """A pip requirements file: pins, hashes, markers, extras, ``-r`` includes; URLs, VCS, paths, editables noted."""
    resolved = path.resolve()
    if resolved in seen:
        return []
    seen.add(resolved)
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        problems.append(f"{relative}: cannot read: {exc}")
        return []
    components: list[Component] = []
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = _COMMENT.sub("", raw).rstrip()  # as pip: '#' at the start or after whitespace
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            logical.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():  # a continuation on the last line ends there, as pip reads it
        logical.append((start, buffer.strip()))
    for number, line in logical:
        if line.startswith(("-r ", "--requirement ", "-r", "--requirement=")):
            target = re.split(r"[=\s]", line, maxsplit=1)[1].strip() if " " in line or "=" in line else line[2:].strip()
            included = (path.parent / target)
            try:
                found = included.is_file()
            except OSError as exc:  # a name too long for the file system, a loop of links...
                problems.append(f"{relative}:{number}: included file {target[:80]} cannot be read: {exc.strerror}")
                continue
            if found:
                components.extend(_read_requirements(included, root, problems, seen))
            else:
                problems.append(f"{relative}:{number}: included file {target[:80]} not found")
            continue
        if line.startswith(("-e ", "--editable")):
            components.append(Component(_direct_name(line.split()[-1]), None, relative, number, note="editable install: not verifiable against advisories"))
            continue
        if line.startswith("-"):
            continue  # index options, --hash-only lines, constraints
        simple = _plain_pin(line)
        if simple is not None:  # the common 'name==version' line, without the full PEP 508 parser
            components.append(Component(simple[0], simple[1], relative, number, "==" + simple[1]))
            continue
        hashes = tuple((algorithm, digest.lower()) for algorithm, digest in _HASH.findall(line))
        requirement_text = _HASH.sub("", line).strip()
        if requirement_text.startswith((".", "/", "file:")) or re.match(r"^(git|hg|svn|bzr)\+", requirement_text) or "://" in requirement_text.split(";")[0] and "@" not in requirement_text:
            components.append(Component(_direct_name(requirement_text), None, relative, number, note="local path or VCS/URL requirement: not verifiable against advisories"))
            continue
        component = _component(requirement_text, relative, number, problems, hashes)
        if component is not None:
            components.append(component)
    return components


_PLAIN_PIN = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==([0-9][0-9A-Za-z.+!_-]*)")


def _plain_pin(line: str) -> tuple[str, str] | None:
    """(name, version) of a line that is only ``name==version`` with a valid version, else None.

    What :func:`_component` gives for such a line, at a fraction of the cost (a 100,000-line file).
    """
    from packaging.version import InvalidVersion, Version

    match = _PLAIN_PIN.fullmatch(line)
    if match is None:
        return None
    try:
        Version(match[2])
    except InvalidVersion:
        return None
    return match[1], match[2]


_COMMENT = re.compile(r"(^|\s)#.*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def _direct_name(reference: str) -> str:
    """The project a path, URL or VCS requirement names (its ``#egg=``), else the reference itself."""
    egg = _EGG.search(reference)
    return egg.group(1) if egg else reference[:80]


def _hash_pairs(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        if ":" in value:
            algorithm, digest = value.split(":", 1)
            pairs.append((algorithm, digest.lower()))
    return tuple(pairs)


def _tables(data: Any, key: str, source: str) -> list[dict[str, Any]]:
    """The array of tables ``key`` of a lock file; raises ValueError naming the bad entry."""
    value = data.get(key, []) if isinstance(data, dict) else None
    if not isinstance(value, list):
        raise ValueError(f"'{key}' is not a list of tables")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValueError(f"{key}[{index}] is not a table")
    return value


def _field(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    """``table[key]`` of the given type (absent: ``default``); raises ValueError naming it otherwise."""
    value = table.get(key)
    if value is None:
        return default
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ValueError(f"{where}.{key} is not {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


_KIND_NAMES: dict[type, str] = {str: "a string", list: "a list", dict: "a table"}


def _name(table: Mapping[str, Any], where: str) -> str:
    name = _field(table, "name", str, where, "")
    if not name.strip():
        raise ValueError(f"{where} has no package name")
    return name


def _version(table: Mapping[str, Any], where: str) -> str | None:
    value = table.get("version")
    if value is None or value == "":
        return None
    if isinstance(value, (bool, dict, list)):
        raise ValueError(f"{where}.version is not a version")
    return str(value)


def _hash_texts(items: list[Any], where: str) -> list[str]:
    return [str(item.get("hash", "")) for item in items if isinstance(item, dict)]


def _read_poetry_lock(path: Path, root: Path) -> list[Component]:
    data = toml_loads(path.read_text(encoding="utf-8"))
    out = []
    for index, package in enumerate(_tables(data, "package", "poetry.lock")):
        where = f"package[{index}]"
        version = _version(package, where)
        if version is None:
            raise ValueError(f"{where} has no version")
        dependencies = _field(package, "dependencies", dict, where, {})
        out.append(
            Component(
                _name(package, where), version, path.relative_to(root).as_posix(),
                hashes=_hash_pairs(_hash_texts(_field(package, "files", list, where, []), where)),
                dependencies=tuple(sorted(canonicalize_name(str(name)) for name in dependencies)),
                scope=_poetry_scope(package),
            )
        )
    return out


def _poetry_scope(package: Mapping[str, Any]) -> str:
    """Poetry 1 marks development packages ``category = "dev"``; Poetry 2 lists ``groups``."""
    if package.get("category") == "dev":
        return "optional"
    groups = package.get("groups")
    if isinstance(groups, list) and groups and "main" not in groups:
        return "optional"
    if package.get("optional") is True:
        return "optional"
    return "required"


def _read_uv_lock(path: Path, root: Path) -> list[Component]:
    data = toml_loads(path.read_text(encoding="utf-8"))
    out = []
    for index, package in enumerate(_tables(data, "package", "uv.lock")):
        where = f"package[{index}]"
        source = _field(package, "source", dict, where, {})
        if "editable" in source or "virtual" in source or "directory" in source:
            continue  # the project itself
        hashes = _hash_texts(_field(package, "wheels", list, where, []), where)
        sdist = _field(package, "sdist", dict, where, {})
        if sdist:
            hashes.append(str(sdist.get("hash", "")))
        dependencies = _field(package, "dependencies", list, where, [])
        out.append(
            Component(
                _name(package, where), _version(package, where), path.relative_to(root).as_posix(),
                hashes=_hash_pairs(hashes),
                dependencies=tuple(sorted(canonicalize_name(str(dep["name"])) for dep in dependencies if isinstance(dep, dict) and "name" in dep)),
            )
        )
    return out


def _read_pipfile_lock(path: Path, root: Path) -> list[Component]:
    data = json_loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    out = []
    for section in ("default", "develop"):
        entries = _field(data, section, dict, "Pipfile.lock", {})
        for name, entry in entries.items():
            if not isinstance(entry, dict) or not str(name).strip():
                raise ValueError(f"{section}.{name} is not a package table")
            version = str(entry.get("version", ""))
            pinned = version[2:] if version.startswith("==") else None
            hashes = _field(entry, "hashes", list, f"{section}.{name}", [])
            out.append(
                Component(
                    name, pinned, path.relative_to(root).as_posix(), hashes=_hash_pairs(str(h) for h in hashes),
                    note="" if pinned else "not pinned in the lock file", scope="optional" if section == "develop" else "required",
                )
            )
    return out


def _read_pylock(path: Path, root: Path, problems: list[str] | None = None) -> list[Component]:
    """A PEP 751 lock file, validated by ``packaging.pylock`` (markers, sdists and direct sources kept).

    A file packaging rejects is still read field by field (so nothing is lost), with the validation
    error reported as a problem.
    """
    data = toml_loads(path.read_text(encoding="utf-8"))
    relative = path.relative_to(root).as_posix()
    try:
        from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError
    except ImportError:  # packaging older than 26: no pylock module
        return _read_pylock_fields(data, relative)
    try:
        lock = Pylock.from_dict(data)
    except (PylockValidationError, PylockUnsupportedVersionError) as exc:
        if problems is not None:
            problems.append(f"{relative}: not a valid PEP 751 lock file ({str(exc)[:200]}); read field by field")
        return _read_pylock_fields(data, relative)
    out = []
    for package in lock.packages:
        hashes = [f"{algorithm}:{digest}" for wheel in package.wheels or () for algorithm, digest in wheel.hashes.items()]
        if package.sdist is not None:
            hashes.extend(f"{algorithm}:{digest}" for algorithm, digest in package.sdist.hashes.items())
        version = str(package.version) if package.version is not None else None
        direct = package.vcs or package.directory or package.archive
        if direct is not None:
            kind = "VCS" if package.vcs else "local directory" if package.directory else "archive"
            where = getattr(direct, "url", None) or getattr(direct, "path", None) or ""
            version = version if package.archive is not None else None  # an archive's lock entry names its version
            note = f"direct reference ({kind} {str(where)[:80]})" + ("" if version else ": not verifiable against advisories")
        else:
            note = "" if version else "no version in the lock file"
        dependencies = tuple(
            sorted({canonicalize_name(str(d["name"])) for d in package.dependencies or () if isinstance(d.get("name"), str)})
        )
        out.append(
            Component(
                package.name, version, relative, hashes=_hash_pairs(hashes), note=note,
                marker=str(package.marker) if package.marker is not None else "", dependencies=dependencies,
            )
        )
    return out


def _read_pylock_fields(data: Any, relative: str) -> list[Component]:
    out = []
    for index, package in enumerate(_tables(data, "packages", "pylock.toml")):
        where = f"packages[{index}]"
        hashes: list[str] = []
        for wheel in _field(package, "wheels", list, where, []):
            digests = wheel.get("hashes") if isinstance(wheel, dict) else None
            if isinstance(digests, dict):
                hashes.extend(f"{algorithm}:{digest}" for algorithm, digest in digests.items())
        version = _version(package, where)
        out.append(Component(_name(package, where), version, relative, hashes=_hash_pairs(hashes), note="" if version else "no version in the lock file"))
    return out


_CDX_HASHES = {"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512", "md5": "MD5", "sha1": "SHA-1"}
_SCOPE_RANK = {"required": 0, "optional": 1, "excluded": 2}


_PURL_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")
_PURL_SAFE_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _purl(key: str, version: str | None, package_url: Any) -> str:
    """``pkg:pypi/NAME@VERSION``: written directly when nothing needs quoting, else by packageurl."""
    if _PURL_SAFE_NAME.fullmatch(key) and (version is None or _PURL_SAFE_VERSION.fullmatch(version)):
        return f"pkg:pypi/{key}" + (f"@{version}" if version else "")
    return str(package_url("pypi", None, key, version).to_string())


def build_sbom(inventory: Inventory, project_name: str, project_version: str | None = None) -> dict[str, Any]:
    """A CycloneDX 1.6 JSON document of the inventory.

    Written directly as the specification's JSON, in linear time: cyclonedx-python-lib's model keeps
    components in sorted sets compared through large tuples and scans its dependency list on every
    registration, which took hours on a 100,000-line requirements file. The output is validated
    against the CycloneDX 1.6 JSON schema (shipped with cyclonedx-python-lib) in the tests.

    One component per package and version, whatever the number of manifests naming it; its scope is
    the widest any of them gives (required beats optional beats excluded).
    """
    from packageurl import PackageURL

    grouped: dict[str, list[Component]] = {}
    for item in inventory.components:
        grouped.setdefault(f"{item.key}@{item.version or 'unpinned'}", []).append(item)
    project_ref = f"project:{project_name}"
    components: list[dict[str, Any]] = []
    first_ref: dict[str, str] = {}
    installed_ref: dict[str, str] = {}  # the version the environment holds, when a manifest pins another
    for ref, items in grouped.items():
        item = min(items, key=lambda candidate: _SCOPE_RANK.get(candidate.scope, 0))
        first_ref.setdefault(item.key, ref)
        if any(i.installed for i in items):
            installed_ref.setdefault(item.key, ref)
        entry: dict[str, Any] = {"bom-ref": ref, "type": "library", "name": item.name}
        if item.version:
            entry["version"] = item.version
        entry["scope"] = item.scope if item.scope in _SCOPE_RANK else "required"
        if item.version or not item.note.startswith(("direct", "local", "editable")):
            entry["purl"] = _purl(item.key, item.version, PackageURL)
        hashes = [
            {"alg": _CDX_HASHES[alg], "content": digest}
            for alg, digest in dict.fromkeys(h for i in items for h in i.hashes)
            if alg in _CDX_HASHES and re.fullmatch(r"[0-9a-f]{32,128}", digest)
        ]
        if hashes:
            entry["hashes"] = hashes
        properties = [{"name": "baseline:source", "value": source} for source in dict.fromkeys(i.source for i in items)]
        properties += [{"name": "baseline:specifier", "value": spec} for spec in dict.fromkeys(i.specifier for i in items if i.specifier)]
        if item.note:
            properties.append({"name": "baseline:note", "value": item.note})
        if item.installed:
            properties.append({"name": "baseline:version-source", "value": "installed environment"})
        if item.via:
            properties.append({"name": "baseline:dependency-path", "value": " -> ".join((*item.via, item.key))})
        entry["properties"] = properties
        components.append(entry)
    # The project depends on what it declares; a transitive component hangs under what requires it.
    direct = [ref for ref, items in grouped.items() if any(not i.via for i in items)]
    dependencies: list[dict[str, Any]] = [{"ref": project_ref, "dependsOn": direct}] if direct else [{"ref": project_ref}]
    for ref, items in grouped.items():
        names = sorted({name for i in items for name in i.dependencies})
        refs = installed_ref if any(i.installed for i in items) else {}
        depends = sorted({refs.get(name) or first_ref[name] for name in names if name in first_ref})
        dependencies.append({"ref": ref, "dependsOn": depends} if depends else {"ref": ref})
    metadata_component: dict[str, Any] = {"bom-ref": project_ref, "type": "application", "name": project_name}
    if project_version:
        metadata_component["version"] = project_version
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        # Reproducible output: no random serial number or generation time churns between scans.
        "metadata": {"component": metadata_component, "tools": {"components": [{"type": "application", "name": "baseline", "version": __version__}]}},
        "components": components,
        "dependencies": dependencies,
    }
