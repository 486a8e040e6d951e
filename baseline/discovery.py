"""Plugin discovery as a pipeline of plain functions: find -> load -> validate -> classify.

A plugin that fails to import, is not a check, names an unknown technique or reuses a check id
is reported as a Problem naming the plugin; the others still run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Iterable, Protocol, runtime_checkable

from baseline.model import Catalog, CheckResult, CheckSpec

CHECKS_GROUP = "baseline.checks"
FORMATS_GROUP = "baseline.formats"


@runtime_checkable
class Check(Protocol):
    """What a check plugin provides: a spec and a ``run(context) -> CheckResult``."""

    spec: CheckSpec

    def run(self, context: Any) -> CheckResult:
        """Judge the target; expensive work goes through ``context.shared(...)``."""
        ...


@dataclass(frozen=True)
class LoadedCheck:
    """A validated check with the name of the plugin (entry point) that provided it."""

    plugin: str
    spec: CheckSpec
    check: Check


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be used, and why."""

    kind: str  # import-failed | invalid | unknown-technique | duplicate-id
    plugin: str
    message: str


@dataclass(frozen=True)
class Discovered:
    """The outcome of discovery."""

    checks: tuple[LoadedCheck, ...]
    problems: tuple[PluginProblem, ...]


def find_entry_points(group: str = CHECKS_GROUP) -> tuple[EntryPoint, ...]:
    """Step 1: the entry points registered under ``group``, in a stable order."""
    return tuple(sorted(entry_points(group=group), key=lambda ep: (ep.name, ep.value)))


def load_plugins(eps: Iterable[Any]) -> tuple[list[tuple[str, Any]], list[PluginProblem]]:
    """Step 2: import every entry point; an import failure is a problem, not a crash."""
    loaded: list[tuple[str, Any]] = []
    problems: list[PluginProblem] = []
    for ep in eps:
        name = f"{ep.name} ({ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:  # any import-time failure of a plugin
            problems.append(PluginProblem("import-failed", name, f"failed to import: {type(exc).__name__}: {exc}"))
            continue
        # An entry point may name a check object, a class to instantiate, or a list of checks.
        if isinstance(obj, type):
            try:
                obj = obj()
            except Exception as exc:
                problems.append(PluginProblem("invalid", name, f"could not instantiate: {type(exc).__name__}: {exc}"))
                continue
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        loaded.extend((name, item) for item in items)
    return loaded, problems


def validate_plugins(
    loaded: Iterable[tuple[str, Any]], catalog: Catalog
) -> tuple[list[LoadedCheck], list[PluginProblem]]:
    """Step 3: keep objects that are checks for a technique of the catalog."""
    valid: list[LoadedCheck] = []
    problems: list[PluginProblem] = []
    for name, obj in loaded:
        spec = getattr(obj, "spec", None)
        if not isinstance(spec, CheckSpec) or not callable(getattr(obj, "run", None)):
            problems.append(PluginProblem("invalid", name, "is not a check: needs a CheckSpec 'spec' and a 'run(context)' method"))
            continue
        technique = catalog.technique(spec.technique)
        if technique is None:
            problems.append(
                PluginProblem("unknown-technique", name, f"check {spec.id} names unknown technique {spec.technique!r} (catalog {catalog.id})")
            )
            continue
        if technique.id != spec.technique:
            spec = replace(spec, technique=technique.id)  # a slug was given: store the id
        if spec.id in catalog.check_weights:
            spec = replace(spec, weight=catalog.check_weights[spec.id])
        valid.append(LoadedCheck(plugin=name, spec=spec, check=obj))
    return valid, problems


def classify_plugins(checks: Iterable[LoadedCheck]) -> tuple[list[LoadedCheck], list[PluginProblem]]:
    """Step 4: reject duplicate check ids (every plugin that claims the id is named)."""
    by_id: dict[str, list[LoadedCheck]] = {}
    for check in checks:
        by_id.setdefault(check.spec.id, []).append(check)
    unique: list[LoadedCheck] = []
    problems: list[PluginProblem] = []
    for check_id, claimants in by_id.items():
        if len(claimants) == 1:
            unique.append(claimants[0])
        else:
            names = ", ".join(claimant.plugin for claimant in claimants)
            for claimant in claimants:
                problems.append(PluginProblem("duplicate-id", claimant.plugin, f"check id {check_id!r} is claimed by more than one plugin: {names}"))
    return unique, problems


def discover_checks(catalog: Catalog, eps: Iterable[Any] | None = None) -> Discovered:
    """Run the whole pipeline. ``eps`` lets tests pass fake entry points."""
    found = find_entry_points() if eps is None else tuple(eps)
    loaded, problems = load_plugins(found)
    valid, more = validate_plugins(loaded, catalog)
    unique, duplicates = classify_plugins(valid)
    return Discovered(checks=tuple(unique), problems=tuple(problems + more + duplicates))


def discover_formats() -> dict[str, EntryPoint]:
    """Formatters registered under ``baseline.formats``, by name (loaded lazily)."""
    return {ep.name: ep for ep in find_entry_points(FORMATS_GROUP)}
