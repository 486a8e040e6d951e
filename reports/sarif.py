"""SARIF 2.1.0: one merged run whose driver is baseline.

Why one merged run and not one run per tool: GitHub code scanning treats each run as one analysis
and no longer accepts several runs of the same tool and category in one upload; a single run gives
one analysis per scan, one rule table (check rules from each CheckSpec plus the rule ids the tools
reported) and one place for the scan's outcomes (``invocations``). The tool that produced each
finding is kept in the result's properties and in the rule descriptor.
"""

from __future__ import annotations

import json
from typing import Any

from baseline.model import CheckResult, Finding, Outcome, Report, Severity
from baseline.reports.redact import redact

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "baselineFingerprint/v1"
PROJECT_FILE = "pyproject.toml"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
# GitHub's security-severity scale (0-10) for code-scanning severities.
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0", Severity.INFO: "0.0"}
# GitHub code scanning rejects a rule with more than 20 tags and displays only the first 10: tags
# stop at 10 (the full CWE list stays in the rule's ``cwe`` property).
MAX_TAGS = 10
NIST_URI = "https://csrc.nist.gov/pubs/ir/8397/final"
_TOOL_DOCS = {
    "bandit": "https://bandit.readthedocs.io/en/latest/plugins/index.html",
    "semgrep": "https://semgrep.dev/docs/writing-rules/rule-syntax",
    "pip-audit": "https://osv.dev/list",
    "osv": "https://osv.dev/list",
    "wapiti": "https://wapiti-scanner.github.io/",
}


def _cwe_tags(cwes: tuple[int, ...]) -> list[str]:
    return [f"external/cwe/cwe-{number}" for number in sorted(set(cwes))]


def _tags(leading: list[str], cwes: tuple[int, ...]) -> list[str]:
    """The rule's tags: the leading ones, then CWE tags, at most MAX_TAGS in all."""
    return (leading + _cwe_tags(cwes))[:MAX_TAGS]


def _help_uri(references: tuple[str, ...], cwes: tuple[int, ...], tool: str | None = None) -> str:
    """Where a reader learns more: a web reference of the check, the weakness's CWE page, the tool's
    rule documentation, else NIST IR 8397 itself."""
    for reference in references:
        if reference.startswith("https://"):
            return reference
    if cwes:
        return f"https://cwe.mitre.org/data/definitions/{min(cwes)}.html"
    if tool and tool in _TOOL_DOCS:
        return _TOOL_DOCS[tool]
    return NIST_URI


def is_notification(finding: Finding) -> bool:
    """An informational finding with no weakness attached (a file that could not be read, a tool note):
    reported as a tool notification, not as a code scanning alert."""
    return finding.severity is Severity.INFO and not finding.cwe


def _check_rule(result: CheckResult) -> dict[str, Any]:
    spec = result.spec
    help_text = f"{spec.verifies}\n\nWhy: {spec.why}\n\nRemediation: {spec.remediation}"
    help_markdown = f"**What it verifies.** {spec.verifies}\n\n**Why.** {spec.why}\n\n**Remediation.** {spec.remediation}"
    if spec.scoring:
        help_text += f"\n\nScoring: {spec.scoring}"
        help_markdown += f"\n\n**Scoring.** {spec.scoring}"
    if spec.references:
        help_markdown += "\n\n**References.** " + "; ".join(spec.references)
    return {
        "id": spec.id,
        "name": spec.id.replace(".", "/"),
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": spec.verifies},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": _help_uri(spec.references, spec.cwe),
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": _tags(["baseline-check", spec.technique], spec.cwe),
            "cwe": [f"CWE-{number}" for number in sorted(set(spec.cwe))],
            "technique": spec.technique,
            "lifecycle": spec.lifecycle.value,
        },
    }


def _finding_rule(finding: Finding, result: CheckResult) -> dict[str, Any]:
    spec = result.spec
    return {
        "id": finding.rule_id,
        "shortDescription": {"text": f"{finding.tool} {finding.rule_id}"},
        "fullDescription": {"text": f"Reported by {finding.tool} for check {spec.id}: {spec.title}"},
        "help": {"text": f"{spec.remediation}", "markdown": f"Reported by **{finding.tool}** under check `{spec.id}`. {spec.remediation}"},
        "helpUri": _help_uri((), finding.cwe, finding.tool),
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {
            "tags": _tags(["security", spec.technique], finding.cwe),
            "tool": finding.tool,
            "check": spec.id,
            "security-severity": _SECURITY_SEVERITY[finding.severity],
        },
    }


def _result(finding: Finding, result: CheckResult, rule_index: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": redact(finding.message) or finding.rule_id},
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "tool": finding.tool,
            "check": result.spec.id,
            "technique": result.spec.technique,
            "context": finding.context,
            "tags": _tags([], finding.cwe),
        },
    }
    if finding.cwe:
        # Each CWE (the specific one first, then its class) as a taxon of the run's CWE taxonomy.
        item["taxa"] = [{"id": str(number), "toolComponent": {"name": "CWE"}} for number in dict.fromkeys(finding.cwe)]
    if finding.fingerprint:
        item["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    location = finding.location
    if location is not None and location.path:
        physical: dict[str, Any] = {"artifactLocation": {"uri": location.path, "uriBaseId": "%SRCROOT%"}}
        if location.start_line:
            region: dict[str, Any] = {"startLine": max(1, location.start_line)}
            if location.end_line and location.end_line >= region["startLine"]:
                region["endLine"] = location.end_line
            if location.snippet:
                region["snippet"] = {"text": redact(location.snippet)}
            physical["region"] = region
        item["locations"] = [{"physicalLocation": physical}]
    else:
        # GitHub code scanning rejects results without a location ("expected at least one location",
        # github/codeql-action#1738): a project-level finding is placed on the project file.
        item["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": PROJECT_FILE, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}}]
        item["properties"]["projectLevel"] = True
    if finding.suppression is not None:
        suppression: dict[str, Any] = {
            "kind": "inSource" if finding.suppression.kind == "inline" else "external",
            "status": "accepted",
            "justification": finding.suppression.reason,
            "properties": {"kind": finding.suppression.kind},
        }
        if finding.suppression.owner:
            suppression["properties"]["owner"] = finding.suppression.owner
        if finding.suppression.expires:
            suppression["properties"]["expires"] = finding.suppression.expires
        item["suppressions"] = [suppression]
    if "acceptance_expired" in finding.properties:
        item["properties"]["acceptanceExpired"] = str(finding.properties["acceptance_expired"])
    return item


def _notifications(report: Report, rule_index: dict[str, int]) -> list[dict[str, Any]]:
    """What kept a check from verifying (error, not evaluated) and informational notes of the tools.

    A failing check is not a notification: its findings are the results.
    """
    notes = []
    for result in report.results:
        if result.outcome in (Outcome.ERROR, Outcome.NOT_EVALUATED):
            notes.append(
                {
                    "level": "error" if result.outcome is Outcome.ERROR else "warning",
                    "message": {"text": redact(f"{result.spec.id}: {result.outcome.value}: {result.message}")},
                    "descriptor": {"id": result.spec.id, "index": rule_index[result.spec.id]},
                    "properties": {"outcome": result.outcome.value},
                }
            )
        for finding in result.findings:
            if is_notification(finding):
                where = finding.location.path if finding.location is not None and finding.location.path else ""
                notes.append(
                    {
                        "level": "note",
                        "message": {"text": redact(f"{finding.rule_id}: {where + ': ' if where else ''}{finding.message}")},
                        "descriptor": {"id": result.spec.id, "index": rule_index[result.spec.id]},
                        "properties": {"tool": finding.tool, "rule": finding.rule_id},
                    }
                )
    return notes


def build_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as plain JSON data."""
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for result in report.results:
        rule_index[result.spec.id] = len(rules)
        rules.append(_check_rule(result))
    results: list[dict[str, Any]] = []
    for result in report.results:
        for finding in result.findings:
            if is_notification(finding):
                continue
            if finding.rule_id not in rule_index:
                rule_index[finding.rule_id] = len(rules)
                rules.append(_finding_rule(finding, result))
            results.append(_result(finding, result, rule_index[finding.rule_id]))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "baseline",
                "version": report.tool_version,
                "informationUri": NIST_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the scanned project."}}},
        "invocations": [
            {
                # The scan ran to its end (a report exists); what a check could not do is in the notifications.
                "executionSuccessful": True,
                "startTimeUtc": report.started,
                "endTimeUtc": report.finished,
                "toolExecutionNotifications": _notifications(report, rule_index),
            }
        ],
        "results": results,
        "properties": {
            "trustScore": report.breakdown.trust_score,
            "gatePassed": report.gate.passed,
            "gateReasons": list(report.gate.reasons),
            "catalog": f"{report.catalog_id} {report.catalog_version}",
            "treeDigest": report.target.tree_digest,
            "techniques": {t.technique: {"outcome": t.outcome.value, "score": t.score} for t in report.breakdown.techniques},
        },
    }
    cwes = sorted({int(taxon["id"]) for item in results for taxon in item.get("taxa", ())})
    if cwes:
        run["taxonomies"] = [{
            "name": "CWE",
            "organization": "MITRE",
            "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
            "informationUri": "https://cwe.mitre.org/",
            "taxa": [{"id": str(number), "helpUri": f"https://cwe.mitre.org/data/definitions/{number}.html"} for number in cwes],
        }]
    if report.unconfined:
        run["properties"]["unconfined"] = True  # the project's code ran without filesystem confinement
    if report.target.commit:
        run["versionControlProvenance"] = [{"repositoryUri": "urn:local", "revisionId": report.target.commit, "mappedTo": {"uriBaseId": "%SRCROOT%"}}]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def format_report(report: Report) -> str:
    """Render the report as SARIF 2.1.0 (stable key order)."""
    return json.dumps(build_sarif(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
