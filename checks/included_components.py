"""T11 check included software: known vulnerabilities in the project's own dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from baseline.model import CheckResult, CheckSpec, Confidence, Finding, Location, Outcome, Severity, Suppression

if TYPE_CHECKING:  # the tool modules are imported when the check runs (docs/writing-checks.md, "Start-up")
    from baseline.runner import ScanContext
    from baseline.tools.sbom import Component

# Points taken off the score per open (unsuppressed) vulnerability, by severity.
PENALTY = {Severity.CRITICAL: 4.0, Severity.HIGH: 2.5, Severity.MEDIUM: 1.5, Severity.LOW: 0.5, Severity.INFO: 0.0}

SPEC = CheckSpec(
    id="included-components.osv",
    technique="T11",
    title="No known vulnerability in the project's dependencies",
    verifies="Builds a CycloneDX SBOM of the dependencies the project itself declares or locks (never the "
    "toolkit's environment), adds what the target's installed environment ships (the closure of the declared "
    "runtime dependencies over the installed packages, read through the target's interpreter, confined; "
    "declared ranges take the installed version) and matches every pinned component against advisories: a "
    "local OSV database (components.osv_db) or, online, pip-audit's service. VEX statements triage matches. "
    "When the environment cannot be read, the message says transitive dependencies were not examined.",
    why="NIST IR 8397 asks vendors to gain assurance about the software they include and to look for known "
    "vulnerabilities in it; a dependency with a published advisory is the cheapest way in for an attacker.",
    remediation="Upgrade each affected component to a fixed version (listed in the finding), or record why the "
    "project is not affected in a VEX statement (vex.cdx.json or an OpenVEX file, with a justification). Pin "
    "every dependency to one version (a lock file or '==' pins) so that it can be verified.",
    evidence="the SBOM artifact and its digest, the advisory source (database path, record count, newest "
    "modified date, or the online service), the scan's results written as CycloneDX VEX.",
    scoring="score = 10 x (share of components that could be audited) - per open vulnerability 4 (critical), "
    "2.5 (high), 1.5 (medium), 0.5 (low), floored at 0. A VEX statement closes a match only when accepted: "
    "not_affected (or false_positive) needs a justification, fixed (or resolved) needs the version matcher to "
    "agree that the installed version is outside the affected range; accepted and rejected statements are "
    "listed in the message. Fail on any open vulnerability at or above "
    "components.fail_on (default low: any known vulnerability); not applicable when the project declares no "
    "dependency; error when no advisory source could be used.",
    references=("NIST IR 8397 section 2.11", "NIST SP 800-218 PW.4, RV.1.1", "CWE-1395"),
    cwe=(1395,),
)


class IncludedComponentsCheck:
    """Judge the components run."""

    spec = SPEC

    def run(self, context: ScanContext) -> CheckResult:
        """Findings per vulnerable component, unverifiable requirements, and the verdict."""
        from baseline.tools.components_run import COMPONENTS_RUN, unique_components

        result = context.shared(COMPONENTS_RUN)
        if result.status == "none":
            return CheckResult(SPEC, Outcome.NOT_APPLICABLE, None, result.message, evidence=result.evidence)
        if result.status == "error":
            unverifiable = tuple(
                Finding(rule_id="included-components.not-verifiable", severity=Severity.LOW, message=f"{name}: {reason}", tool="baseline")
                for name, reason in result.not_audited
            )
            return CheckResult(SPEC, Outcome.ERROR, 0.0, f"{result.message}; {result.environment.note()}", unverifiable, evidence=result.evidence, metrics=result.environment.metrics())
        threshold = Severity(str(context.config.get("components.fail_on")))
        findings: list[Finding] = []
        vex_accepted: list[str] = []
        vex_rejected: list[str] = []
        for match in result.matches:
            advisory, component = match.advisory, match.component
            fixed = ", ".join(advisory.fixed) or "no fixed release recorded"
            aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
            suppression = None
            vex_note = ""
            if match.vex is not None and match.vex.suppresses:
                # The match exists because the matcher found the installed version affected; an advisory
                # without ranges (an online service's answer) is affected by its own word.
                still_affected = advisory.affects(component.version) if (advisory.ranges or advisory.versions) and component.version else True
                accepted, why = match.vex.judge(still_affected)
                line = f"{advisory.id} in {component.name} {component.version}: {why} [{match.vex.source}]"
                if accepted:
                    vex_accepted.append(line)
                    suppression = Suppression(kind="vex", reason=f"{why} [{match.vex.source}]")
                else:
                    vex_rejected.append(line)
                    vex_note = f" [VEX {why}]"
            ships = component.scope == "required"
            findings.append(
                Finding(
                    rule_id=advisory.id,
                    # Only what ships decides the verdict: a development or fixture pin is reported, not gated.
                    severity=advisory.severity if ships else Severity.INFO,
                    message=f"{component.name} {component.version}{_provenance(component)} is affected by {advisory.id}{aliases}: "
                    f"{advisory.summary or 'see the advisory'}; fixed in: {fixed}"
                    + (f" [VEX {match.vex.state}: {match.vex.justification}]" if match.vex and not match.vex.suppresses else vex_note)
                    + ("" if ships else f" [{component.scope} scope, {advisory.severity.value} if it shipped: not part of what the project ships]"),
                    tool="osv" if result.source.startswith("OSV") else "pip-audit",
                    location=Location(path=component.source, start_line=component.line),
                    cwe=advisory.cwes,
                    suppression=suppression,
                    properties={
                        "package": component.name,
                        "version": component.version,
                        "purl": component.purl,
                        "aliases": list(advisory.aliases),
                        "fixed_versions": list(advisory.fixed),
                        "cvss": advisory.cvss_vector,
                        "source": result.source,
                        "scope": component.scope,
                        "advisory_severity": advisory.severity.value,
                        "installed": component.installed,
                        "dependency_path": [*component.via, component.key] if component.via else [],
                    },
                )
            )
        components = unique_components(result.inventory.components)
        shipped = [c for c in components if c.scope == "required"]
        unpinned_shipped = {c.name for c in shipped if not c.version}
        for name, reason in result.not_audited:
            source = next((c for c in result.inventory.components if c.name == name), None)
            ships = name in unpinned_shipped or source is None
            findings.append(
                Finding(
                    rule_id="included-components.not-verifiable",
                    severity=Severity.LOW if ships else Severity.INFO,
                    confidence=Confidence.HIGH,
                    message=f"{name}: {reason}; it cannot be checked for known vulnerabilities"
                    + ("" if ships else f" ({source.scope if source else 'other'} scope: not part of what the project ships)"),
                    tool="baseline",
                    location=Location(path=source.source, start_line=source.line) if source else None,
                    properties={"scope": "required" if ships else (source.scope if source else "other")},
                )
            )
        for problem in result.vex_problems + result.inventory.problems:
            findings.append(Finding(rule_id="included-components.input-problem", severity=Severity.INFO, message=problem, tool="baseline"))
        open_vulns = [f for f in findings if f.tool != "baseline" and not f.suppressed and f.properties.get("scope", "required") == "required"]
        other_scopes = sum(1 for f in findings if f.tool != "baseline" and not f.suppressed and f.properties.get("scope", "required") != "required")
        total = len(shipped)
        unaudited = sum(1 for c in shipped if not c.version) + sum(
            1 for name, _reason in result.not_audited if name not in unpinned_shipped and any(c.name == name and c.version for c in shipped)
        )
        if total == 0:
            # Nothing ships (a library without runtime dependencies): the audit of the development,
            # test and fixture manifests is the work done; their matches stay reported, not gated.
            total = len(components)
            unaudited = len(result.not_audited)
        audited_share = (total - unaudited) / total
        score = max(0.0, 10.0 * audited_share - sum(PENALTY[f.severity] for f in open_vulns))
        blocking = [f for f in open_vulns if f.severity.at_least(threshold)]
        suppressed = sum(1 for f in findings if f.suppressed)
        message = (
            f"{len(open_vulns)} open known vulnerabilities ({suppressed} triaged by VEX) in {total} components; "
            f"{unaudited} not verifiable; source: {result.source}"
            + (f"; {other_scopes} more in development, test or fixture manifests (reported, not gated)" if other_scopes else "")
            + f"; {result.environment.note()}"
        )
        if vex_accepted:
            message += "; VEX accepted: " + "; ".join(vex_accepted)
        if vex_rejected:
            message += "; VEX rejected: " + "; ".join(vex_rejected)
        metrics = {
            "components": total,
            "audited": total - unaudited,
            "components_not_shipped": len(components) - total,
            "vulnerabilities_open": len(open_vulns),
            "vulnerabilities_vex": suppressed,
            "vulnerabilities_not_shipped": other_scopes,
            "projects": list(result.inventory.projects),
            "vex_accepted": vex_accepted,
            "vex_rejected": vex_rejected,
            "source": result.source,
            "sbom_sources": list(result.inventory.sources),
            **result.environment.metrics(),
        }
        outcome = Outcome.FAIL if blocking else Outcome.PASS
        if total and unaudited >= total and not blocking:
            # Not one component was checked for known vulnerabilities: that is no pass.
            return CheckResult(
                SPEC, Outcome.ERROR, 0.0, f"none of the {total} components could be checked for known vulnerabilities; " + message,
                tuple(findings), result.evidence, metrics,
            )
        return CheckResult(SPEC, outcome, round(score, 2), message, tuple(findings), result.evidence, metrics)


def _provenance(component: Component) -> str:
    """How the version was found, when not from a pin: the installed environment, and the path to it."""
    if component.via:
        return f" (installed, required through {' -> '.join((*component.via, component.key))})"
    if component.installed:
        return f" (installed; declared {component.specifier or 'without a version'} in {component.source})"
    return ""


CHECK = IncludedComponentsCheck()
