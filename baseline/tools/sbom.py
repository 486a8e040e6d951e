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
from typing import Any, Iterable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from baseline import __version__


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
            except (ValueError, KeyError, TypeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
                problems.append(f"{pattern}: unreadable ({type(exc).__name__}: {exc}); falling back to other sources")
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
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"pyproject.toml: not valid TOML: {exc}")
            data = {}
        declared = (data.get("project") or {}).get("dependencies") or []
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
            if included.is_file():
                components.extend(_read_requirements(included, root, problems, seen))
            else:
                problems.append(f"{relative}:{number}: included file {target} not found")
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


def _read_poetry_lock(path: Path, root: Path) -> list[Component]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for package in data.get("package", []):
        files = package.get("files") or []
        out.append(
            Component(
                package["name"], str(package["version"]), "poetry.lock",
                hashes=_hash_pairs(str(f.get("hash", "")) for f in files),
                dependencies=tuple(sorted(canonicalize_name(name) for name in (package.get("dependencies") or {}))),
            )
        )
    return out


def _read_uv_lock(path: Path, root: Path) -> list[Component]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for package in data.get("package", []):
        source = package.get("source") or {}
        if "editable" in source or "virtual" in source or "directory" in source:
            continue  # the project itself
        hashes = [str(wheel.get("hash", "")) for wheel in package.get("wheels") or []]
        if package.get("sdist"):
            hashes.append(str(package["sdist"].get("hash", "")))
        out.append(
            Component(
                package["name"], str(package.get("version")) if package.get("version") else None, "uv.lock",
                hashes=_hash_pairs(hashes),
                dependencies=tuple(sorted(canonicalize_name(dep["name"]) for dep in package.get("dependencies") or [] if "name" in dep)),
            )
        )
    return out


def _read_pipfile_lock(path: Path, root: Path) -> list[Component]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for section in ("default", "develop"):
        for name, entry in (data.get(section) or {}).items():
            version = str(entry.get("version", ""))
            pinned = version[2:] if version.startswith("==") else None
            out.append(Component(name, pinned, "Pipfile.lock", hashes=_hash_pairs(entry.get("hashes") or []), note="" if pinned else "not pinned in the lock file"))
    return out


def _read_pylock(path: Path, root: Path) -> list[Component]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for package in data.get("packages", []):
        hashes: list[str] = []
        for wheel in package.get("wheels") or []:
            hashes.extend(f"{algorithm}:{digest}" for algorithm, digest in (wheel.get("hashes") or {}).items())
        version = package.get("version")
        out.append(Component(package["name"], str(version) if version else None, "pylock.toml", hashes=_hash_pairs(hashes), note="" if version else "no version in the lock file"))
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
