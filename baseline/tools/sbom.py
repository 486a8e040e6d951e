"""The project's own dependencies, read from what it declares and locks, as a CycloneDX 1.6 SBOM.

Sources, in order of precedence (the first that exists wins, so a lock file beats a loose
declaration): pylock.toml, uv.lock, poetry.lock, Pipfile.lock, requirements*.txt, then
pyproject.toml ``[project] dependencies``. Nothing is resolved against an index: an unpinned
requirement stays versionless and is reported, because it cannot be verified.
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


LOOKED_FOR = ("pylock.toml", "uv.lock", "poetry.lock", "Pipfile.lock", "requirements*.txt", "requirements/*.txt", "pyproject.toml [project] dependencies")

_PIN = re.compile(r"^===?\s*([^\s,;*]+)$")
_HASH = re.compile(r"--hash[=\s]+(\w+):([0-9a-fA-F]+)")


def collect(root: Path) -> Inventory:
    """Read the project's dependency declarations (see the module docstring for precedence)."""
    problems: list[str] = []
    for reader, pattern in (
        (_read_pylock, "pylock.toml"),
        (_read_uv_lock, "uv.lock"),
        (_read_poetry_lock, "poetry.lock"),
        (_read_pipfile_lock, "Pipfile.lock"),
    ):
        path = root / pattern
        if path.is_file():
            try:
                components = reader(path, root)
                return Inventory(tuple(components), (pattern,), tuple(problems), LOOKED_FOR)
            except ValueError as exc:  # TOML, JSON, UTF-8 and shape errors alike
                problems.append(f"{pattern}: unreadable ({exc}); falling back to other sources")
    requirement_files = sorted({*root.glob("requirements*.txt"), *root.glob("requirements/*.txt")})
    if requirement_files:
        components = []
        seen_files: set[Path] = set()
        for path in requirement_files:
            components.extend(_read_requirements(path, root, problems, seen_files))
        return Inventory(tuple(components), tuple(p.relative_to(root).as_posix() for p in requirement_files), tuple(problems), LOOKED_FOR)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = toml_loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"pyproject.toml: not valid TOML: {exc}")
            data = {}
        project = data.get("project") or {}
        declared = (project.get("dependencies") or []) if isinstance(project, dict) else []
        if not isinstance(declared, list):
            problems.append("pyproject.toml: [project] dependencies is not a list of requirement strings")
            declared = []
        if declared:
            parsed = [_component(text, "pyproject.toml", None, problems) for text in declared if isinstance(text, str)]
            return Inventory(tuple(c for c in parsed if c is not None), ("pyproject.toml",), tuple(problems), LOOKED_FOR)
    return Inventory((), (), tuple(problems), LOOKED_FOR)


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
    return Component(requirement.name, version, source, line, str(requirement.specifier), hashes, note=note)


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
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            logical.append((start, buffer.strip()))
        buffer = ""
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
            components.append(Component(line.split()[-1][:80], None, relative, number, note="editable install: not verifiable against advisories"))
            continue
        if line.startswith("-"):
            continue  # index options, --hash-only lines, constraints
        hashes = tuple((algorithm, digest.lower()) for algorithm, digest in _HASH.findall(line))
        requirement_text = _HASH.sub("", line).strip()
        if requirement_text.startswith((".", "/", "file:")) or re.match(r"^(git|hg|svn|bzr)\+", requirement_text) or "://" in requirement_text.split(";")[0] and "@" not in requirement_text:
            components.append(Component(requirement_text[:80], None, relative, number, note="local path or VCS/URL requirement: not verifiable against advisories"))
            continue
        component = _component(requirement_text, relative, number, problems, hashes)
        if component is not None:
            components.append(component)
    return components


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
                _name(package, where), version, "poetry.lock",
                hashes=_hash_pairs(_hash_texts(_field(package, "files", list, where, []), where)),
                dependencies=tuple(sorted(canonicalize_name(str(name)) for name in dependencies)),
            )
        )
    return out


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
                _name(package, where), _version(package, where), "uv.lock",
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
            out.append(Component(name, pinned, "Pipfile.lock", hashes=_hash_pairs(str(h) for h in hashes), note="" if pinned else "not pinned in the lock file"))
    return out


def _read_pylock(path: Path, root: Path) -> list[Component]:
    data = toml_loads(path.read_text(encoding="utf-8"))
    out = []
    for index, package in enumerate(_tables(data, "packages", "pylock.toml")):
        where = f"packages[{index}]"
        hashes: list[str] = []
        for wheel in _field(package, "wheels", list, where, []):
            digests = wheel.get("hashes") if isinstance(wheel, dict) else None
            if isinstance(digests, dict):
                hashes.extend(f"{algorithm}:{digest}" for algorithm, digest in digests.items())
        version = _version(package, where)
        out.append(Component(_name(package, where), version, "pylock.toml", hashes=_hash_pairs(hashes), note="" if version else "no version in the lock file"))
    return out


def build_sbom(inventory: Inventory, project_name: str, project_version: str | None = None) -> dict[str, Any]:
    """A CycloneDX 1.6 JSON document of the inventory, built with cyclonedx-python-lib."""
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    algorithms = {"sha256": HashAlgorithm.SHA_256, "sha384": HashAlgorithm.SHA_384, "sha512": HashAlgorithm.SHA_512, "md5": HashAlgorithm.MD5, "sha1": HashAlgorithm.SHA_1}
    bom = Bom()
    bom.metadata.component = CdxComponent(name=project_name, version=project_version, type=ComponentType.APPLICATION, bom_ref=f"project:{project_name}")
    refs: dict[str, CdxComponent] = {}
    for item in inventory.components:
        ref = f"{item.key}@{item.version or 'unpinned'}:{item.source}"
        if ref in refs:
            continue
        component = CdxComponent(
            name=item.name,
            version=item.version,
            type=ComponentType.LIBRARY,
            purl=PackageURL("pypi", None, item.key, item.version) if item.version or not item.note.startswith(("direct", "local", "editable")) else None,
            bom_ref=ref,
            hashes=[HashType(alg=algorithms[alg], content=digest) for alg, digest in item.hashes if alg in algorithms],
            properties=[Property(name="baseline:source", value=item.source)]
            + ([Property(name="baseline:specifier", value=item.specifier)] if item.specifier else [])
            + ([Property(name="baseline:note", value=item.note)] if item.note else []),
        )
        refs[ref] = component
        bom.components.add(component)
    by_name = {item.key: refs[f"{item.key}@{item.version or 'unpinned'}:{item.source}"] for item in inventory.components}
    for item in inventory.components:
        if item.dependencies:
            parent = by_name[item.key]
            bom.register_dependency(parent, [by_name[name] for name in item.dependencies if name in by_name])
    bom.register_dependency(bom.metadata.component, list(refs.values()))
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    # Reproducible output: no random serial number or generation time churns between scans.
    document.pop("serialNumber", None)
    document.get("metadata", {}).pop("timestamp", None)
    document.setdefault("metadata", {})["tools"] = {"components": [{"type": "application", "name": "baseline", "version": __version__}]}
    return document
