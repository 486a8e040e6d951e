"""Normalisation of bandit and semgrep results: inline suppressions, de-duplication, Findings.

- Inline suppressions: ``# nosec B602 -- reason`` and ``# nosemgrep: rule-id -- reason`` are
  honoured only with at least one rule id and a reason after ``--``. A bare one suppresses nothing
  and is itself reported as a low finding. Suppressed findings stay in the report, marked.
- De-duplication: the same weakness (a shared CWE) at overlapping lines of one file reported by
  both tools becomes one finding that names both tools and both rule ids.
- A bandit hit of a weakness that our rule pack also covers (a taint or context rule for the same
  CWE ran on that file) and that the pack did not confirm is *downgraded*: low severity, low
  confidence, never gating, with the reason in its properties; it is kept, not dropped. bandit's
  tests are patterns (every ``subprocess`` call, every ``random`` call, every query built in an
  f-string) and cannot tell a constant from user input. Other unconfirmed data-flow hits are
  capped at medium.
- Each finding lists its specific CWE(s) first, then their parent classes (``CWE_CLASS``).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping

from baseline.model import Confidence, Finding, Location, Severity, Suppression
from baseline.reports.redact import redact as shared_redact
from baseline.target import is_test_path
from baseline.tools.static_common import CWE_TOP25_2024, TAINT_CWES, RawFinding, with_class

_DIRECTIVE = re.compile(r"#\s*(?P<kind>nosec|nosemgrep)\b(?P<rest>[^#]*)", re.IGNORECASE)
_RULE_TOKEN = re.compile(r"[A-Za-z0-9_.\-]+")
BARE_SUPPRESSION_RULE = "baseline-bare-suppression"


@dataclass(frozen=True)
class InlineDirective:
    """One ``# nosec`` / ``# nosemgrep`` comment and whether it is well-formed."""

    line: int
    kind: str
    rule_ids: tuple[str, ...]
    reason: str

    @property
    def valid(self) -> bool:
        """Only a directive naming a rule and giving a reason suppresses anything."""
        return bool(self.rule_ids) and bool(self.reason)


def _comments(text: str) -> list[tuple[int, str]] | None:
    """(line, text) of every comment token, or None when the file does not tokenize."""
    try:
        return [(token.start[0], token.string) for token in tokenize.generate_tokens(io.StringIO(text).readline) if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None


def parse_directives(text: str) -> tuple[InlineDirective, ...]:
    """Every suppression comment of a source file (1-based line numbers).

    Only comments count, as for bandit and semgrep: ``# nosec`` inside a string or a docstring (a
    file that documents the syntax) is text, not a directive. A file that does not tokenize is read
    line by line.
    """
    lowered = text.lower()
    if "nosec" not in lowered and "nosemgrep" not in lowered:
        return ()
    found: list[InlineDirective] = []
    comments = _comments(text)
    lines = comments if comments is not None else list(enumerate(text.splitlines(), start=1))
    for number, line in lines:
        if "nosec" not in line.lower() and "nosemgrep" not in line.lower():
            continue
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        rest = match.group("rest").strip().lstrip(":").strip()
        ids_part, _, reason = rest.partition("--")
        rule_ids = tuple(token for token in _RULE_TOKEN.findall(ids_part) if token != "-")
        found.append(InlineDirective(number, match.group("kind").lower(), rule_ids, reason.strip()))
    return tuple(found)


def redact(text: str) -> str:
    """Hide anything that looks like a credential value in a snippet (the shared redactor)."""
    return shared_redact(text, mask="***")


def _overlaps(a: RawFinding, b: RawFinding) -> bool:
    return a.path == b.path and a.start_line <= b.end_line and b.start_line <= a.end_line


def deduplicate(raw: Iterable[RawFinding]) -> list[list[RawFinding]]:
    """Group findings that report one weakness (shared CWE, overlapping lines, same file).

    Our own rule pack's result leads each group (its CWE is the precise one), then bandit's; within
    a tool the most severe result leads.
    """
    ordered = sorted(raw, key=lambda f: (f.path, f.start_line, 0 if f.tool == "semgrep" else 1, -f.severity.rank, f.rule_id))
    groups: list[list[RawFinding]] = []
    open_by_path: dict[str, list[list[RawFinding]]] = {}
    for finding in ordered:
        for group in open_by_path.get(finding.path, []):
            lead = group[0]
            same_rule = any(member.rule_id == finding.rule_id and member.tool == finding.tool for member in group)
            shared_cwe = bool(set(lead.cwe) & set(finding.cwe))
            if _overlaps(lead, finding) and (shared_cwe or same_rule):
                group.append(finding)
                break
        else:
            group = [finding]
            groups.append(group)
            open_by_path.setdefault(finding.path, []).append(group)
    return groups


def _suppression_for(group: list[RawFinding], directives: tuple[InlineDirective, ...]) -> Suppression | None:
    lead = group[0]
    names = {member.rule_id.lower() for member in group}
    names |= {str(member.properties.get("test_name", "")).lower() for member in group if member.properties.get("test_name")}
    for directive in directives:
        if not directive.valid or not lead.start_line <= directive.line <= max(lead.end_line, lead.start_line):
            continue
        if names & {rule.lower() for rule in directive.rule_ids}:
            return Suppression(kind=f"inline-{directive.kind}", reason=directive.reason)
    return None


# Tool results that are the normal idiom in test code, not a weakness there: pytest checks with
# assert (bandit B101 warns that asserts vanish under -O, which matters in product code only).
TEST_IDIOMS = frozenset({("bandit", "B101")})


def build_findings(
    raw: Iterable[RawFinding],
    read_source: Callable[[str], str | None],
    directives: Mapping[str, tuple[InlineDirective, ...]],
    *,
    taint_confirmed: bool,
    pack_cwes: frozenset[int] = frozenset(),
    pack_analysed: Callable[[str], bool] | None = None,
    context_of: Callable[[str], str] | None = None,
) -> tuple[Finding, ...]:
    """Turn raw tool results into de-duplicated, suppression-aware Findings.

    ``read_source(path)`` returns a file's text (or None); ``directives`` holds the suppression
    comments of every scanned file; ``taint_confirmed`` says whether our rule pack ran, so that an
    unconfirmed bandit data-flow hit may be capped at medium. ``pack_cwes`` are the CWEs our rule
    pack has rules for and ``pack_analysed(path)`` says whether it analysed that file: a bandit-only
    result of such a CWE in such a file is downgraded (see the module docstring).
    """
    raw = list(raw)
    sources: dict[str, str | None] = {}

    def text_of(path: str) -> str | None:
        if path not in sources:
            sources[path] = read_source(path)
        return sources[path]

    def where(path: str) -> str:
        return context_of(path) if context_of is not None else ("test" if is_test_path(path) else "product")

    findings: list[Finding] = []
    for group in deduplicate(raw):
        lead = group[0]
        if all((member.tool, member.rule_id) in TEST_IDIOMS for member in group) and is_test_path(lead.path):
            continue
        text = text_of(lead.path)
        lines = (text or "").splitlines()
        snippet = redact(lines[lead.start_line - 1].strip()) if 0 < lead.start_line <= len(lines) else None
        severity = max((member.severity for member in group if member.tool == lead.tool), key=lambda s: s.rank)
        properties: dict[str, object] = {
            "tools": sorted({member.tool for member in group}),
            "rule_ids": [f"{member.tool}:{member.rule_id}" for member in group],
            "owasp": sorted({item for member in group for item in member.owasp}),
            "cwe_top25_2024": any(c in CWE_TOP25_2024 for c in lead.cwe),
        }
        confidence = max((member.confidence for member in group), key=_confidence_rank)
        covered = sorted(set(lead.cwe) & pack_cwes)
        bandit_only = all(member.tool == "bandit" for member in group)
        if bandit_only and taint_confirmed and covered and pack_analysed is not None and pack_analysed(lead.path):
            properties["downgraded"] = True
            properties["downgraded_from"] = {"severity": severity.value, "confidence": confidence.value}
            properties["downgrade_reason"] = (
                f"the rule pack's data-flow rule for CWE-{covered[0]} analysed this file and found no flow from an "
                "untrusted input (or no security use) here; bandit's pattern alone cannot tell a constant from user input"
            )
            severity = Severity.LOW if severity.rank > Severity.LOW.rank else severity
            confidence = Confidence.LOW
        elif lead.tool == "bandit" and taint_confirmed and set(lead.cwe) & TAINT_CWES and severity.rank > Severity.MEDIUM.rank:
            properties["capped_from"] = severity.value
            properties["cap_reason"] = "no data flow from an untrusted input was confirmed by the taint rules"
            severity = Severity.MEDIUM
        findings.append(
            Finding(
                rule_id=lead.rule_id,
                severity=severity,
                message=lead.message,
                tool=lead.tool if len(properties["tools"]) == 1 else "+".join(properties["tools"]),  # type: ignore[arg-type]
                location=Location(lead.path, lead.start_line, lead.end_line, snippet),
                confidence=confidence,
                cwe=with_class(tuple(dict.fromkeys(c for member in group for c in member.cwe))),
                suppression=_suppression_for(group, directives.get(lead.path, ())),
                context=where(lead.path),
                properties=properties,
            )
        )
    for path in sorted(directives):
        for directive in directives[path]:
            if directive.valid:
                continue
            findings.append(
                Finding(
                    rule_id=BARE_SUPPRESSION_RULE,
                    severity=Severity.LOW,
                    message=f"'# {directive.kind}' without a rule id and a reason ('# {directive.kind} RULE -- why') "
                    "suppresses nothing here; name the rule and say why it is safe",
                    tool="baseline",
                    location=Location(path, directive.line, directive.line),
                    confidence=Confidence.HIGH,
                    context=where(path),
                    properties={"directive": directive.kind},
                )
            )
    return tuple(findings)


def _confidence_rank(confidence: Confidence) -> int:
    return {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}[confidence]


def count_by_severity(findings: Iterable[Finding], context: str | None = None) -> Mapping[str, int]:
    """Unsuppressed findings per severity (optionally only one context)."""
    counts = {severity.value: 0 for severity in Severity}
    for finding in findings:
        if finding.suppressed or (context is not None and finding.context != context):
            continue
        counts[finding.severity.value] += 1
    return counts


def with_context(finding: Finding, context: str) -> Finding:
    """A copy of ``finding`` in another context."""
    return replace(finding, context=context)
