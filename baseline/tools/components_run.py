"""The shared *components run*: SBOM of the project's own dependencies, matched against advisories.

Offline, a local OSV database (``components.osv_db``) is matched by our own matcher
(baseline/tools/osv.py). Online, pip-audit runs as a subprocess: its services (PyPI JSON API or
OSV) do the matching. pip-audit is run as a command, not imported, because its Python modules are
private and change between releases, and because a subprocess gives us its exit code and output
to keep as evidence. Every dependency pip-audit skips counts as not audited, never as clean.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from packaging.utils import canonicalize_name, canonicalize_version

from baseline import sandbox, state
from baseline.model import Artifact, Evidence, Provenance, Severity
from baseline.target import PROVISION_FAILED, TOOLKIT_FALLBACK, file_sha256, project_name
from baseline.tools.environment import EnvironmentReport, apply_environment, not_read, read_environment
from baseline.tools.ignore_files import read_ignore_files
from baseline.tools.osv import Advisory, load_database
from baseline.tools.sbom import Component, Inventory, build_sbom, collect, project_version
from baseline.tools.vex import VexStatement, read_vex, write_cyclonedx_vex

VEX_PATTERNS = ("vex.cdx.json", "*.vex.json", "*.openvex.json", ".vex/*.json")


@dataclass(frozen=True)
class Match:
    """A component affected by an advisory, with the VEX statement about it if any."""

    component: Component
    advisory: Advisory
    vex: VexStatement | None = None


@dataclass(frozen=True)
class ComponentsResult:
    """Everything the components run produced. ``status``: ok, none (no dependencies) or error."""

    status: str
    message: str
    inventory: Inventory
    source: str = ""
    matches: tuple[Match, ...] = ()
    not_audited: tuple[tuple[str, str], ...] = ()  # (component, reason)
    evidence: tuple[Evidence, ...] = ()
    vex_problems: tuple[str, ...] = ()
    environment: EnvironmentReport = field(default_factory=lambda: not_read("the installed environment was not read"))


class ComponentsRunner:
    """The shared run behind the T11 check."""

    key = "components"

    def execute(self, context: Any) -> ComponentsResult:
        """Collect, write the SBOM, match, apply VEX."""
        config = context.config
        return run_components(
            root=context.root,
            work_dir=context.artifact_dir("components"),
            osv_db=config.get("components.osv_db"),
            online=bool(config.get("components.online")),
            vex_files=list(config.get("components.vex")),
            timeout_s=float(config.get("components.timeout")),
            python=context.python,
            interpreter_source=context.target.interpreter_source,
            optional_scope=str(config.get("components.optional_scope")),
        )


COMPONENTS_RUN = ComponentsRunner()


def find_vex_files(root: Path, configured: list[str]) -> list[Path]:
    """Configured VEX files plus the conventional ones in the project."""
    found = [root / item for item in configured]
    for pattern in VEX_PATTERNS:
        found.extend(sorted(root.glob(pattern)))
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def run_components(
    *,
    root: Path,
    work_dir: Path,
    osv_db: str | None,
    online: bool,
    vex_files: list[str],
    timeout_s: float,
    python: str | None = None,
    interpreter_source: str = "",
    optional_scope: str = "optional",
) -> ComponentsResult:
    """Build the SBOM of the project's own dependencies and match it; never raises for tool failures.

    ``python`` is the target's interpreter: its installed environment resolves declared ranges and
    adds the transitive dependencies that ship (baseline/tools/environment.py). ``optional_scope``
    (``optional`` or ``excluded``) is the scope development, test, docs and optional groups get;
    it never touches a ``required`` component, so no setting can take what ships out of the verdict.
    """
    inventory = collect(root)
    if not inventory.components and inventory.problems:
        # A manifest is there but could not be read: nothing proves the project declares nothing.
        return ComponentsResult(
            "error",
            "no dependency could be read, and a manifest could not be parsed: " + "; ".join(inventory.problems[:5]),
            inventory,
            evidence=(Evidence(Provenance.INSPECTED, "looked for " + ", ".join(inventory.looked_for) + "; problems: " + "; ".join(inventory.problems[:10])),),
        )
    if not inventory.components:
        return ComponentsResult(
            "none",
            "the project declares no dependencies",
            inventory,
            evidence=(Evidence(Provenance.INSPECTED, "looked for " + ", ".join(inventory.looked_for) + ": none declares a dependency"),),
        )
    inventory, environment = resolve_environment(inventory, root, python, interpreter_source, timeout_s)
    inventory = with_optional_scope(inventory, optional_scope)
    sbom = build_sbom(inventory, project_name(root), project_version(root))
    sbom_path = work_dir / "sbom.cdx.json"
    # Indented for people; a very large SBOM is written compact (the indenting encoder is pure Python).
    indent = 2 if len(sbom["components"]) <= 5000 else None
    sbom_path.write_text(json.dumps(sbom, indent=indent, sort_keys=True) + "\n", encoding="utf-8")
    sbom_evidence = Evidence(
        Provenance.INSPECTED,
        f"CycloneDX 1.6 SBOM of {len(inventory.components) - environment.transitive} declared components from {', '.join(inventory.sources)}"
        + (f" and {environment.transitive} transitive components from the installed environment" if environment.transitive else ""),
        tool="baseline",  # written as the specification's JSON; the schema validation runs in the tests
        input_digests={source: "sha256:" + file_sha256(root / source) for source in inventory.sources if (root / source).is_file()},
        artifacts=(Artifact(str(sbom_path), file_sha256(sbom_path), "application/vnd.cyclonedx+json"),),
    )
    statements: list[VexStatement] = []
    vex_problems: list[str] = []
    for path in find_vex_files(root, vex_files):
        try:
            statements.extend(read_vex(path))
        except ValueError as exc:
            vex_problems.append(str(exc))
    ignored, ignore_problems = read_ignore_files(root)
    statements.extend(ignored)
    vex_problems.extend(ignore_problems)

    def stopped(outcome: str, message: str, **extra: Any) -> ComponentsResult:
        """A result that ends the run before matching: what was read so far is kept as evidence."""
        return ComponentsResult(
            outcome, message, inventory, evidence=(*environment.evidence, sbom_evidence), environment=environment,
            vex_problems=tuple(vex_problems), **extra,
        )

    components = unique_components(inventory.components)
    pinned = [component for component in components if component.version]
    not_audited = [(component.name, component.note or "no version") for component in components if not component.version]
    if not pinned and not any(component.scope == "required" for component in components):
        # A library with no runtime dependency whose extras and development groups are not pinned:
        # nothing ships, so there is nothing to gate; the unpinned groups are said, not judged.
        return stopped("none", f"the project ships no dependency; its {len(components)} optional or development components are not pinned")
    if not pinned:
        return stopped(
            "error",
            f"nothing could be audited: none of the {len(components)} components is pinned to one version "
            "(pin them with a lock file or '==' requirements)",
            not_audited=tuple(not_audited),
        )

    if osv_db:
        try:
            database = load_database(osv_db, cache_dir=state.cache_home() / "osv")
        except (ValueError, OSError) as exc:
            return stopped("error", f"the OSV database could not be used: {exc}")
        matches = [Match(component, advisory) for component in pinned for advisory in database.match(component.name, component.version or "")]
        info = database.info
        source = f"OSV database {info.source}"
        match_evidence = Evidence(
            Provenance.EXECUTED,
            f"matched {len(pinned)} pinned components against {info.pypi_records} PyPI advisories "
            f"({info.records} records, newest modified {info.newest_modified}); {len(info.skipped)} unreadable records skipped",
            tool="baseline-osv-matcher",
            input_digests={"osv-db": info.digest},
            data_version=info.digest,
            data_date=info.newest_modified,
        )
    elif online:
        outcome = _pip_audit(pinned, work_dir, timeout_s)
        if isinstance(outcome, str):
            return stopped("error", f"online advisory lookup failed: {outcome} (offline: set components.osv_db to a local OSV database)")
        matches, skipped, match_evidence = outcome
        not_audited.extend(skipped)
        source = "pip-audit (PyPI vulnerability service)"
    else:
        return stopped("error", "no advisory source: set components.osv_db to a local OSV database or allow components.online")

    merged = _merge_aliases(matches)
    with_vex = []
    for match in merged:
        statement = next((s for s in statements if s.applies(match.advisory.ids, match.component.name)), None)
        with_vex.append(Match(match.component, match.advisory, statement))
    vex_path = work_dir / "vex.cdx.json"
    vex_path.write_text(
        json.dumps(
            write_cyclonedx_vex(
                {
                    "id": m.advisory.id,
                    "aliases": list(m.advisory.aliases),
                    "purl": m.component.purl,
                    "severity": m.advisory.severity.value,
                    "state": m.vex.state if m.vex else "in_triage",
                    "detail": m.vex.justification if m.vex else "",
                }
                for m in with_vex
            ),
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    match_evidence = Evidence(
        match_evidence.provenance,
        match_evidence.summary,
        tool=match_evidence.tool,
        tool_version=match_evidence.tool_version,
        argv=match_evidence.argv,
        exit_code=match_evidence.exit_code,
        duration_s=match_evidence.duration_s,
        input_digests={**match_evidence.input_digests, "sbom": "sha256:" + file_sha256(sbom_path)},
        data_version=match_evidence.data_version,
        data_date=match_evidence.data_date,
        artifacts=(Artifact(str(vex_path), file_sha256(vex_path), "application/vnd.cyclonedx+json"),),
    )
    return ComponentsResult(
        "ok",
        f"{len(with_vex)} known vulnerabilities in {len({m.component.key for m in with_vex})} of {len(pinned)} pinned components ({source})",
        inventory,
        source=source,
        matches=tuple(with_vex),
        not_audited=tuple(not_audited),
        evidence=(*environment.evidence, sbom_evidence, match_evidence),
        environment=environment,
        vex_problems=tuple(vex_problems),
    )


def with_optional_scope(inventory: Inventory, optional_scope: str) -> Inventory:
    """The inventory with every ``optional`` component given ``optional_scope``; ``required`` ones never change."""
    if optional_scope == "optional":
        return inventory
    if optional_scope != "excluded":
        raise ValueError(f"optional scope must be 'optional' or 'excluded', not {optional_scope!r}")
    return replace(inventory, components=tuple(replace(c, scope="excluded") if c.scope == "optional" else c for c in inventory.components))


def resolve_environment(inventory: Inventory, root: Path, python: str | None, source: str, timeout_s: float) -> tuple[Inventory, EnvironmentReport]:
    """The inventory resolved against the target's installed environment, or unchanged with the reason it was not read."""
    if not python:
        return inventory, not_read("no interpreter of the target was given")
    if source == TOOLKIT_FALLBACK:
        return inventory, not_read(f"the scan runs on {source}, not an environment of the project (give --python or a .venv)")
    if source.startswith(PROVISION_FAILED):
        return inventory, not_read(f"the project's environment could not be built ({source[len(PROVISION_FAILED):][:200]})")
    environment, reason, evidence = read_environment(python, root, timeout_s=min(timeout_s, 120.0))
    if environment is None:
        report = not_read(reason)
        return inventory, replace(report, evidence=(evidence, *report.evidence))
    updated, report = apply_environment(inventory, environment)
    closure = Evidence(
        Provenance.INSPECTED,
        "closure of the declared runtime dependencies over the installed environment: " + report.note()
        + (f"; declared ranges resolved: {'; '.join(report.resolved[:10])}" if report.resolved else "")
        + (f"; not installed: {', '.join(report.not_installed[:10])}" if report.not_installed else "")
        + (f"; markers false on the target: {', '.join(report.markers_false[:10])}" if report.markers_false else "")
        + f"; {report.outside} installed distributions outside the closure do not ship",
        tool="baseline",
    )
    return updated, replace(report, evidence=(evidence, closure))


def _merge_aliases(matches: list[Match]) -> list[Match]:
    """One match per advisory and component; a record merges only into one it is the same weakness as.

    Two records are the same weakness when one names the other's id among its aliases (a PYSEC
    record and the GHSA it mirrors). Records that merely share an alias are distinct advisories and
    are both kept: merging them would make the second record's id vanish from the report. The kept
    record carries every id of the records merged into it.
    """
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.component.key, m.component.version or "", m.advisory.id)):
        advisory = match.advisory
        twin = next(
            (
                index
                for index, other in enumerate(kept)
                if other.component.key == match.component.key
                and other.component.version == match.component.version
                and (advisory.id in other.advisory.ids or other.advisory.id in advisory.aliases)
            ),
            None,
        )
        if twin is None:
            kept.append(match)
            continue
        other = kept[twin]
        aliases = tuple(dict.fromkeys(i for i in (*other.advisory.aliases, *advisory.ids) if i != other.advisory.id))
        fixed = tuple(dict.fromkeys((*other.advisory.fixed, *advisory.fixed)))
        kept[twin] = Match(other.component, replace(other.advisory, aliases=aliases, fixed=fixed), other.vex)
    return kept


def unique_components(components: Iterable[Component]) -> list[Component]:
    """One component per canonical name and version, the first declaration kept (counts are of these).

    A later declaration in the required scope replaces an earlier one of another scope: a package
    a development file pins that also ships (a runtime dependency requires it) ships.
    """
    seen: dict[tuple[str, str | None], Component] = {}
    for component in components:
        kept = seen.setdefault((component.key, component.version), component)
        if kept.scope != "required" and component.scope == "required":
            seen[(component.key, component.version)] = component
    return list(seen.values())


def _pip_audit(pinned: list[Component], work_dir: Path, timeout_s: float) -> str | tuple[list[Match], list[tuple[str, str]], Evidence]:
    """Run pip-audit on the pinned components; a string is the reason it failed."""
    executable = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or shutil.which("pip-audit")
    if executable is None:
        return "pip-audit is not installed (pip install 'baseline-verify[components]')"
    requirements = work_dir / "pinned-requirements.txt"
    requirements.write_text("".join(f"{c.key}=={c.version}\n" for c in pinned), encoding="utf-8")
    argv = [executable, "-r", str(requirements), "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off", "--timeout", "20"]
    process = sandbox.run(argv, cwd=work_dir, limits=sandbox.Limits(timeout_s=timeout_s))
    if process.timed_out or process.start_error or process.signal_name:
        return f"pip-audit {process.describe()}"
    try:
        data = json.loads(process.stdout)
    except json.JSONDecodeError:
        return f"pip-audit {process.describe()} without a JSON report: {process.stderr_tail(3)}"
    by_pin = {(c.key, canonicalize_version(c.version or "")): c for c in pinned}
    matches: list[Match] = []
    skipped: list[tuple[str, str]] = []
    answered: set[tuple[str, str]] = set()
    dependencies = data.get("dependencies", []) if isinstance(data, dict) else []
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if not isinstance(dependency, dict):
            continue
        pin = (canonicalize_name(str(dependency.get("name", ""))), canonicalize_version(str(dependency.get("version", ""))))
        component = by_pin.get(pin)
        if component is None or pin in answered:
            continue
        if "skip_reason" in dependency:
            skipped.append((component.name, f"not audited by pip-audit: {dependency['skip_reason']}"))
            answered.add(pin)
            continue
        answered.add(pin)
        for vuln in dependency.get("vulns", []):
            matches.append(
                Match(
                    component,
                    Advisory(
                        id=str(vuln.get("id")), aliases=tuple(vuln.get("aliases") or []), package=component.key,
                        summary=str(vuln.get("description") or "")[:300], severity=Severity.MEDIUM, cvss_vector=None,
                        cvss_score=None, fixed=tuple(vuln.get("fix_versions") or []), ranges=(), versions=frozenset(),
                        cwes=(), modified="",
                    ),
                )
            )
    skipped.extend((c.name, "not in pip-audit's report: not audited") for key, c in by_pin.items() if key not in answered)
    audited = len(by_pin) - len(skipped)
    if audited <= 0:
        return "pip-audit could not audit any dependency (" + "; ".join(reason for _, reason in skipped[:3]) + ")"
    evidence = Evidence(
        Provenance.EXECUTED,
        f"pip-audit audited {audited} of {len(by_pin)} pinned components online",
        tool="pip-audit",
        argv=process.argv,
        exit_code=process.exit_code,
        duration_s=round(process.duration_s, 3),
        stderr_tail=process.stderr_tail(5) or None,
    )
    return matches, skipped, evidence
