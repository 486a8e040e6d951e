"""VEX: read CycloneDX VEX and OpenVEX statements; write scan results as CycloneDX VEX."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from packaging.utils import canonicalize_name

from baseline.parsing import json_loads

# States under which a match may stop counting against the gate (it stays in the report, suppressed),
# once the statement is judged acceptable (see VexStatement.judge).
RESOLVED_STATES = frozenset({"not_affected", "fixed", "false_positive", "resolved", "resolved_with_pedigree"})
# A claim that the project is not affected: it needs a justification (a CycloneDX justification or
# detail, an OpenVEX justification or impact statement).
NOT_AFFECTED_STATES = frozenset({"not_affected", "false_positive"})
# A claim that the vulnerability is fixed: it holds only when the version matcher agrees.
FIXED_STATES = frozenset({"fixed", "resolved", "resolved_with_pedigree"})
_TRIVIAL = {"", "n/a", "na", "none", "-", "todo", "tbd", "fixed", "not affected", "not_affected", "false positive", "ok", "yes", "no"}


@dataclass(frozen=True)
class VexStatement:
    """One statement about one vulnerability (optionally limited to some packages)."""

    vulnerability: str
    state: str  # not_affected | fixed | under_investigation | affected | ...
    justification: str
    packages: tuple[str, ...]  # canonical names; empty = any package
    source: str

    def applies(self, ids: Iterable[str], package: str) -> bool:
        """True when this statement names one of ``ids`` and covers ``package``."""
        wanted = {identifier.upper() for identifier in ids}
        if self.vulnerability.upper() not in wanted:
            return False
        return not self.packages or canonicalize_name(package) in self.packages

    @property
    def suppresses(self) -> bool:
        """Whether the statement claims to resolve the match (under_investigation only annotates it)."""
        return self.state in RESOLVED_STATES

    @property
    def justified(self) -> bool:
        """True when the statement gives a reason that says something."""
        return self.justification.strip().strip(".").lower() not in _TRIVIAL

    def judge(self, still_affected: bool) -> tuple[bool, str]:
        """(accepted, why): ``not_affected`` needs a justification; ``fixed`` needs the version matcher
        to agree that the installed version is outside the affected range (``still_affected`` False)."""
        if self.state in NOT_AFFECTED_STATES:
            if self.justified:
                return True, f"{self.state}, justified: {self.justification}"
            return False, f"{self.state} without a justification: not accepted"
        if self.state in FIXED_STATES:
            if still_affected:
                return False, f"{self.state}, but the installed version is inside the affected range: not accepted"
            return True, f"{self.state}, and the installed version is outside the affected range"
        return False, f"{self.state}: does not resolve the match"


def _package_from_ref(ref: str) -> str | None:
    """The package name of a purl (``pkg:pypi/name@1.0``), else None."""
    if ref.startswith("pkg:pypi/"):
        return canonicalize_name(ref[len("pkg:pypi/") :].split("@", 1)[0].split("?", 1)[0])
    return None


def read_vex(path: Path) -> list[VexStatement]:
    """Statements of a CycloneDX VEX (``vulnerabilities[].analysis``) or OpenVEX (``statements``) JSON file.

    Raises ValueError with the file name when it is neither.
    """
    try:
        data: Any = json_loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"VEX file {path.name}: cannot read: {exc}") from None
    statements: list[VexStatement] = []

    def entries(key: str) -> list[dict[str, Any]]:
        for index, entry in enumerate(data[key]):
            if not isinstance(entry, dict):
                raise ValueError(f"VEX file {path.name}: {key}[{index}] must be an object, got {type(entry).__name__}")
        return list(data[key])

    def field(entry: dict[str, Any], key: str, kind: type, where: str) -> Any:
        value = entry.get(key)
        if value is None:
            return kind()
        if not isinstance(value, kind):
            raise ValueError(f"VEX file {path.name}: {where}.{key} must be {'an object' if kind is dict else 'a list'}, got {type(value).__name__}")
        return value

    if isinstance(data, dict) and isinstance(data.get("vulnerabilities"), list):
        for index, entry in enumerate(entries("vulnerabilities")):
            where = f"vulnerabilities[{index}]"
            analysis = field(entry, "analysis", dict, where)
            refs = [a.get("ref", "") if isinstance(a, dict) else "" for a in field(entry, "affects", list, where)]
            packages = tuple(p for p in (_package_from_ref(str(ref)) for ref in refs) if p)
            justification = str(analysis.get("justification") or "")
            detail = str(analysis.get("detail") or "")
            statements.append(
                VexStatement(
                    vulnerability=str(entry.get("id", "")),
                    state=str(analysis.get("state") or "in_triage"),
                    justification="; ".join(part for part in (justification, detail) if part),
                    packages=packages,
                    source=path.name,
                )
            )
        return statements
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        for index, entry in enumerate(entries("statements")):
            vulnerability = entry.get("vulnerability")
            name = vulnerability.get("name") if isinstance(vulnerability, dict) else vulnerability
            products = field(entry, "products", list, f"statements[{index}]")
            refs = [product.get("@id", "") if isinstance(product, dict) else str(product) for product in products]
            packages = tuple(p for p in (_package_from_ref(str(ref)) for ref in refs) if p)
            justification = "; ".join(
                str(part) for part in (entry.get("justification"), entry.get("impact_statement"), entry.get("status_notes")) if part
            )
            statements.append(
                VexStatement(vulnerability=str(name or ""), state=str(entry.get("status", "")), justification=justification, packages=packages, source=path.name)
            )
        return statements
    raise ValueError(f"VEX file {path.name}: neither CycloneDX VEX (vulnerabilities) nor OpenVEX (statements)")


# OpenVEX statuses in CycloneDX's analysis states (the written document is CycloneDX).
_CYCLONEDX_STATE = {"fixed": "resolved", "affected": "exploitable", "under_investigation": "in_triage"}


def write_cyclonedx_vex(matches: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A CycloneDX 1.6 VEX document of the scan's matches (each: id, aliases, purl, state, detail, severity).

    Built with cyclonedx-python-lib's vulnerability model and serialised by its JSON 1.6 writer
    (which validates nothing it cannot represent); returned as JSON data.
    """
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.impact_analysis import ImpactAnalysisState
    from cyclonedx.model.vulnerability import (
        BomTarget,
        Vulnerability,
        VulnerabilityAnalysis,
        VulnerabilityRating,
        VulnerabilityReference,
        VulnerabilitySeverity,
        VulnerabilitySource,
    )
    from cyclonedx.output.json import JsonV1Dot6

    bom = Bom()
    for match in matches:
        state = str(match.get("state") or "in_triage")
        try:
            analysis_state = ImpactAnalysisState(_CYCLONEDX_STATE.get(state, state))
        except ValueError:
            analysis_state = ImpactAnalysisState.IN_TRIAGE
        try:
            severity = VulnerabilitySeverity(str(match.get("severity") or "unknown"))
        except ValueError:
            severity = VulnerabilitySeverity.UNKNOWN
        bom.vulnerabilities.add(
            Vulnerability(
                id=str(match["id"]),
                references=[VulnerabilityReference(id=str(alias), source=VulnerabilitySource(name="alias")) for alias in match.get("aliases", [])],
                ratings=[VulnerabilityRating(severity=severity)],
                analysis=VulnerabilityAnalysis(state=analysis_state, detail=str(match["detail"]) if match.get("detail") else None),
                affects=[BomTarget(ref=str(match["purl"]))],
            )
        )
    data: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    return data
