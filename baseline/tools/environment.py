"""The target's installed environment and the closure of what ships.

The target's interpreter is asked, confined and without network, what it has installed: a small
script prints, through ``importlib.metadata``, every distribution's name, version and
``Requires-Dist`` lines, and the marker environment (the values PEP 508 markers compare, computed
from ``sys`` and ``platform`` as ``packaging.markers.default_environment`` does; nothing is imported
into the target). Its output is hostile input: bounded, parsed defensively, every entry checked.

What ships is the closure of the project's declared runtime dependencies (the ``required`` scope)
over the installed distributions' requirements, markers evaluated for the target's interpreter.
Extras a requirement asks for are followed; a requirement behind ``extra == ...`` is otherwise
not. Installed distributions outside the closure (test tools, the toolkit's overlay) do not ship.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from baseline import sandbox
from baseline.model import Evidence, Provenance
from baseline.parsing import json_loads
from baseline.tools.sbom import Component, Inventory

MAX_DISTRIBUTIONS = 20_000
MAX_REQUIRES = 500  # Requires-Dist lines kept per distribution
MAX_TEXT = 1_000  # characters kept per string
OUTPUT_CAP = 16 * 1024 * 1024
MAX_PROBLEMS = 20
_MARK = "BASELINE-ENVIRONMENT "
MARKER_KEYS = (
    "implementation_name", "implementation_version", "os_name", "platform_machine", "platform_release",
    "platform_system", "platform_version", "python_full_version", "platform_python_implementation",
    "python_version", "sys_platform",
)
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,127}$")  # PEP 440 and legacy versions; no spaces or control characters

# Runs on the target's interpreter (Python 3.8 or later), under ``-I``: no import from the project's
# folder or PYTHONPATH. Prints one marked line of JSON after whatever a ``.pth`` file may print.
PROBE = r"""
import json, os, platform, re, sys
limit_dists, limit_requires, limit_text = (int(a) for a in sys.argv[1:4])
def clip(value):
    return None if value is None else str(value)[:limit_text]
def full_version(info):
    text = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        text += info.releaselevel[0] + str(info.serial)
    return text
out = {"markers": {
    "implementation_name": sys.implementation.name,
    "implementation_version": full_version(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}, "distributions": [], "errors": [], "truncated": False}
try:
    import importlib.metadata as metadata
except ImportError as exc:
    metadata = None
    out["errors"].append("importlib.metadata is not available: %s" % exc)
if metadata is not None:
    for count, dist in enumerate(metadata.distributions()):
        if count >= limit_dists:
            out["truncated"] = True
            break
        try:
            name = dist.metadata["Name"]
            requires = list(dist.requires or [])
            out["distributions"].append({
                "name": None if name is None else re.sub(r"[-_.]+", "-", clip(name)).lower(),
                "version": clip(dist.version),
                "requires": [clip(line) for line in requires[:limit_requires]],
            })
        except Exception as exc:
            if len(out["errors"]) < 20:
                out["errors"].append(clip("%s: %s" % (type(exc).__name__, exc)))
sys.stdout.write("\n" + "BASELINE-ENVIRONMENT " + json.dumps(out) + "\n")
"""


@dataclass(frozen=True)
class Installed:
    """One installed distribution as the target's interpreter reports it."""

    name: str  # canonical
    version: str
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Environment:
    """What the target's interpreter has installed (the first distribution of a name on its path wins)."""

    distributions: Mapping[str, Installed]
    markers: Mapping[str, str]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Root:
    """A declared runtime dependency the closure starts from."""

    name: str
    extras: tuple[str, ...] = ()
    marker: str = ""


@dataclass(frozen=True)
class Reached:
    """An installed distribution in the closure, with the first path that reached it (root first)."""

    name: str
    version: str
    path: tuple[str, ...]
    dependencies: tuple[str, ...] = ()  # installed distributions it requires here, canonical names


@dataclass(frozen=True)
class Closure:
    """The closure of the declared runtime dependencies over the installed environment."""

    reached: Mapping[str, Reached]
    missing: tuple[tuple[str, ...], ...] = ()  # paths ending at a required distribution that is not installed
    skipped: tuple[str, ...] = ()  # declared roots whose marker is false for the target
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnvironmentReport:
    """What reading the environment gave, for the check's message, metrics and evidence."""

    read: bool
    reason: str = ""  # why it was not read
    distributions: int = 0
    closure: int = 0
    transitive: int = 0
    resolved: tuple[str, ...] = ()  # declared ranges resolved to the installed version
    not_installed: tuple[str, ...] = ()
    outside: int = 0  # installed distributions outside the closure (do not ship)
    markers_false: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def note(self) -> str:
        """One line for the check's message."""
        if not self.read:
            return f"transitive dependencies were not examined: {self.reason}"
        return (
            f"installed environment read ({self.distributions} distributions): {self.closure} ship "
            f"({self.transitive} transitive added; declared ranges resolved to the installed version: {len(self.resolved)})"
            + (f"; {len(self.not_installed)} declared or required but not installed" if self.not_installed else "")
        )

    def metrics(self) -> dict[str, Any]:
        """The figures the check reports."""
        return {
            "environment_read": self.read,
            "environment_distributions": self.distributions,
            "closure_components": self.closure,
            "transitive_added": self.transitive,
            "ranges_resolved": list(self.resolved),
            "not_installed": list(self.not_installed),
            "installed_not_shipped": self.outside,
        }


def _bounded(problems: list[str]) -> tuple[str, ...]:
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    return (*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more")


def parse_probe(stdout: str) -> Environment:
    """The probe's output as an :class:`Environment`; raises ValueError for anything else."""
    line = next((text for text in reversed(stdout.splitlines()) if text.startswith(_MARK)), None)
    if line is None:
        raise ValueError("the probe printed no environment record")
    data = json_loads(line[len(_MARK):])
    if not isinstance(data, dict):
        raise ValueError("the environment record is not a JSON object")
    raw_markers = data.get("markers")
    if not isinstance(raw_markers, dict):
        raise ValueError("the environment record has no marker environment")
    markers = {key: raw_markers[key] for key in MARKER_KEYS if isinstance(raw_markers.get(key), str)}
    if set(markers) != set(MARKER_KEYS):
        raise ValueError("the marker environment lacks " + ", ".join(sorted(set(MARKER_KEYS) - set(markers))))
    entries = data.get("distributions")
    if not isinstance(entries, list):
        raise ValueError("the environment record has no list of distributions")
    errors = data.get("errors")
    problems: list[str] = [f"the interpreter said: {str(e)[:200]}" for e in (errors[:MAX_PROBLEMS] if isinstance(errors, list) else [])]
    if data.get("truncated") is True:
        problems.append(f"more than {MAX_DISTRIBUTIONS} distributions installed: the first {MAX_DISTRIBUTIONS} were read")
    distributions: dict[str, Installed] = {}
    for index, entry in enumerate(entries[:MAX_DISTRIBUTIONS]):
        name = entry.get("name") if isinstance(entry, dict) else None
        version = entry.get("version") if isinstance(entry, dict) else None
        requires = entry.get("requires") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not _NAME.match(name) or not isinstance(version, str) or not _VERSION.match(version) or not isinstance(requires, list):
            problems.append(f"installed distribution #{index + 1} has no usable name, version or requirements: skipped")
            continue
        key = canonicalize_name(name)
        if key in distributions:
            continue  # shadowed by the first one on the interpreter's path, which is the one imported
        distributions[key] = Installed(key, version, tuple(str(r)[:MAX_TEXT] for r in requires[:MAX_REQUIRES] if isinstance(r, str)))
    return Environment(distributions, markers, _bounded(problems))


def read_environment(python: str, cwd: Path, *, timeout_s: float = 60.0) -> tuple[Environment | None, str, Evidence]:
    """(environment or None, why not, evidence) of the target's interpreter; never raises for the target's failures."""
    argv = [python, "-I", "-c", PROBE, str(MAX_DISTRIBUTIONS), str(MAX_REQUIRES), str(MAX_TEXT)]
    shown = (python, "-I", "-c", "<environment probe>", *argv[4:])
    digest = {"probe": "sha256:" + hashlib.sha256(PROBE.encode()).hexdigest()}
    try:
        process = sandbox.run(
            argv,
            cwd=cwd,
            limits=sandbox.Limits(timeout_s=timeout_s, memory_mb=2048, output_cap=OUTPUT_CAP, network=False),
            confine=sandbox.Confine(readable=(cwd, python), network=False),  # the target's interpreter: target code
        )
    except sandbox.ConfinementUnavailable as exc:
        return None, f"the interpreter could not run confined ({exc})", Evidence(Provenance.INSPECTED, f"installed environment not read: {exc}", input_digests=digest)

    def failed(reason: str) -> tuple[None, str, Evidence]:
        return None, reason, Evidence(
            Provenance.EXECUTED, f"installed environment not read: {reason}", tool="importlib.metadata", argv=shown,
            exit_code=process.exit_code, duration_s=round(process.duration_s, 3), input_digests=digest, stderr_tail=process.stderr_tail(5) or None,
        )

    if not process.ok:
        return failed(f"the interpreter's probe failed ({process.describe()}: {process.stderr_tail(2)[:300]})")
    if process.stdout_truncated:
        return failed(f"the interpreter's probe printed more than {OUTPUT_CAP // (1024 * 1024)} MB")
    try:
        environment = parse_probe(process.stdout)
    except ValueError as exc:
        return failed(f"the interpreter's probe gave no usable answer ({str(exc)[:200]})")
    evidence = Evidence(
        Provenance.EXECUTED,
        f"read the installed environment of {python} (confined, no network): {len(environment.distributions)} distributions, "
        f"Python {environment.markers['python_full_version']} on {environment.markers['sys_platform']}",
        tool="importlib.metadata", argv=shown, exit_code=process.exit_code, duration_s=round(process.duration_s, 3), input_digests=digest,
    )
    return environment, "", evidence


def marker_applies(marker: Marker | None, markers: Mapping[str, str], extras: Iterable[str] = ()) -> bool:
    """Whether a requirement's marker holds on the target; ``extra`` is each requested extra, else none.

    Raises ValueError when the marker cannot be evaluated.
    """
    if marker is None:
        return True
    try:
        return any(marker.evaluate({**markers, "extra": extra}) for extra in ("", *extras))
    except Exception as exc:  # packaging raises several types for values it cannot compare
        raise ValueError(f"marker {str(marker)[:120]!r} cannot be evaluated: {exc}") from exc


def closure(roots: Iterable[Root], environment: Environment) -> Closure:
    """The installed distributions the roots require, transitively, on the target (breadth first: shortest paths)."""
    installed = environment.distributions
    markers = environment.markers
    problems: list[str] = []
    missing: list[tuple[str, ...]] = []
    skipped: list[str] = []
    paths: dict[str, tuple[str, ...]] = {}
    followed: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    parsed: dict[str, list[Requirement]] = {}
    queue: deque[tuple[str, frozenset[str], tuple[str, ...]]] = deque()
    for root in roots:
        key: str = canonicalize_name(root.name)
        if root.marker:
            try:
                if not marker_applies(Marker(root.marker), markers):
                    skipped.append(key)
                    continue
            except (InvalidMarker, ValueError) as exc:
                problems.append(f"{root.name}: {exc}; followed")
        if key not in installed:
            missing.append((key,))
            continue
        queue.append((key, frozenset(canonicalize_name(e) for e in root.extras), (key,)))
    while queue:
        key, extras, path = queue.popleft()
        done = followed.get(key)
        if done is not None and extras <= done:
            continue
        if done is None:
            paths[key] = path
            done = followed[key] = set()
        done.update(extras)
        if key not in parsed:
            requirements: list[Requirement] = []
            for line in installed[key].requires:
                try:
                    requirements.append(Requirement(line))
                except InvalidRequirement as exc:
                    problems.append(f"{key}: Requires-Dist {line[:80]!r} cannot be parsed: {exc}")
            parsed[key] = requirements
        for requirement in parsed[key]:
            try:
                applies = marker_applies(requirement.marker, markers, sorted(done))
            except ValueError as exc:
                problems.append(f"{key}: {exc}; followed")
                applies = True
            if not applies:
                continue
            child = canonicalize_name(requirement.name)
            if child == key:
                continue  # a self-reference for extras: ``pkg[a]`` asking ``pkg[b]`` is followed below
            if child not in installed:
                if path + (child,) not in missing:
                    missing.append(path + (child,))
                continue
            children.setdefault(key, set()).add(child)
            queue.append((child, frozenset(canonicalize_name(e) for e in requirement.extras), path + (child,)))
        for requirement in parsed[key]:  # self-references (``pkg[all]`` requiring ``pkg[a,b]``)
            if canonicalize_name(requirement.name) == key and not {canonicalize_name(e) for e in requirement.extras} <= done:
                try:
                    applies = marker_applies(requirement.marker, markers, sorted(done))
                except ValueError:
                    applies = True
                if applies:
                    queue.append((key, frozenset(canonicalize_name(e) for e in requirement.extras) | done, path))
    reached = {
        key: Reached(key, installed[key].version, path, tuple(sorted(children.get(key, ()))))
        for key, path in paths.items()
    }
    return Closure(reached, tuple(missing), tuple(skipped), _bounded(problems))


def apply_environment(inventory: Inventory, environment: Environment) -> tuple[Inventory, EnvironmentReport]:
    """The inventory with installed versions, the graph and the transitive components that ship."""
    declared = list(inventory.components)
    roots = [Root(c.name, c.extras, c.marker) for c in declared if c.scope == "required" and _NAME.match(c.name)]
    result = closure(roots, environment)
    python = f"Python {environment.markers.get('python_full_version', '?')} on {environment.markers.get('sys_platform', '?')}"
    problems: list[str] = []
    resolved: list[str] = []
    markers_false: list[str] = []
    components: list[Component] = []
    for component in declared:
        key = component.key
        if component.scope == "required" and key in result.skipped:
            markers_false.append(component.name)
            components.append(replace(component, scope="optional", note=f"marker '{component.marker}' is false for the target interpreter ({python}): not installed there"))
            continue
        reached = result.reached.get(key) if component.scope == "required" else None
        if reached is None:
            if component.scope == "required" and component.version is None and _NAME.match(component.name):
                component = replace(component, note=f"{component.note or 'no version'}; not installed in the target's environment")
            components.append(component)
            continue
        changes: dict[str, Any] = {}
        if not component.dependencies:
            changes["dependencies"] = reached.dependencies
        if component.version is None and not component.note.startswith(("direct", "local", "editable")):
            changes.update(version=reached.version, note="", installed=True)
            resolved.append(f"{component.name} {reached.version} (declared {component.specifier or 'any version'} in {component.source})")
        elif component.version is not None and _differs(component.version, reached.version):
            problems.append(f"{component.name}: {component.source} pins {component.version}, the target's environment has {reached.version} installed")
        components.append(replace(component, **changes) if changes else component)
    # A package another manifest (a sub-project) pins at a different version is still installed at
    # the reached version: only a shipped component of the same version stands for it.
    shipped = [(c.key, c.version) for c in components if c.scope == "required"]
    by_root = {c.key: c for c in declared if c.scope == "required"}
    transitive: list[Component] = []
    for key, reached in sorted(result.reached.items(), key=lambda item: (len(item[1].path), item[0])):
        if any(k == key and (v is None or not _differs(v, reached.version)) for k, v in shipped):
            continue
        root = by_root.get(reached.path[0])
        transitive.append(
            Component(
                key, reached.version, root.source if root else "installed environment", root.line if root else None,
                dependencies=reached.dependencies, scope="required", installed=True, via=reached.path[:-1],
            )
        )
    not_installed = [" -> ".join(path) for path in result.missing]
    report = EnvironmentReport(
        read=True,
        distributions=len(environment.distributions),
        closure=len(result.reached),
        transitive=len(transitive),
        resolved=tuple(resolved),
        not_installed=tuple(not_installed[:MAX_PROBLEMS]),
        outside=len(environment.distributions) - len(result.reached),
        markers_false=tuple(markers_false),
        problems=_bounded([*environment.problems, *result.problems, *problems]),
    )
    updated = replace(inventory, components=(*components, *transitive), problems=(*inventory.problems, *report.problems))
    return updated, report


def _differs(declared: str, installed: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(declared) != Version(installed)
    except InvalidVersion:
        return declared != installed


def not_read(reason: str) -> EnvironmentReport:
    """The report when the environment was not read, with evidence that says so."""
    return EnvironmentReport(read=False, reason=reason, evidence=(Evidence(Provenance.INSPECTED, f"transitive dependencies were not examined: {reason}"),))
