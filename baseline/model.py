"""The typed records that cross module boundaries. All are frozen dataclasses.

The canonical JSON report is a direct rendering of these records (see reports/json_report.py),
so renaming a field here is a schema change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping


class Outcome(str, enum.Enum):
    """What a check (or a technique) concluded."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_EVALUATED = "not_evaluated"
    ERROR = "error"


class Severity(str, enum.Enum):
    """One severity scale for every tool."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 ... info=0."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or worse."""
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(str, enum.Enum):
    """How sure the tool is that a finding is real."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Provenance(str, enum.Enum):
    """Where a piece of evidence comes from."""

    EXECUTED = "executed"  # a tool or the target's code ran in this scan
    INSPECTED = "inspected"  # the project's files were read
    DECLARED = "declared"  # the project's own statement (e.g. a threat-model document)


class Lifecycle(str, enum.Enum):
    """Preview checks are reported but carry no weight."""

    PREVIEW = "preview"
    STABLE = "stable"


@dataclass(frozen=True)
class Technique:
    """One entry of the catalog (NIST IR 8397 technique)."""

    id: str
    slug: str
    title: str
    summary: str
    weight: float
    ssdf: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    nist_section: str = ""


@dataclass(frozen=True)
class PolicyItem:
    """A catalog item that is enforced by the gate, not scored (e.g. "fix critical bugs")."""

    id: str
    slug: str
    title: str
    summary: str
    default: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    """A loaded, validated technique catalog."""

    id: str
    version: str
    title: str
    source: str
    techniques: tuple[Technique, ...]
    policies: tuple[PolicyItem, ...] = ()
    check_weights: Mapping[str, float] = field(default_factory=dict)
    path: str = ""
    digest: str = ""

    def technique(self, key: str) -> Technique | None:
        """Find a technique by id (``T07``) or slug (``structural-coverage``), case-insensitively."""
        wanted = key.strip().lower()
        for technique in self.techniques:
            if technique.id.lower() == wanted or technique.slug.lower() == wanted:
                return technique
        return None


@dataclass(frozen=True)
class CheckSpec:
    """The static description of a check: everything except its result."""

    id: str
    technique: str
    title: str
    verifies: str
    why: str
    remediation: str
    evidence: str = ""
    scoring: str = ""
    references: tuple[str, ...] = ()
    cwe: tuple[int, ...] = ()
    lifecycle: Lifecycle = Lifecycle.STABLE
    weight: float = 1.0


@dataclass(frozen=True)
class Location:
    """Where a finding is: a path relative to the target root and a line range (1-based)."""

    path: str
    start_line: int | None = None
    end_line: int | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count: inline comment, accepted-findings entry or VEX statement."""

    kind: str
    reason: str
    owner: str | None = None
    expires: str | None = None


@dataclass(frozen=True)
class Finding:
    """One thing a check found. ``fingerprint`` excludes line numbers (see fingerprint.py)."""

    rule_id: str
    severity: Severity
    message: str
    tool: str
    location: Location | None = None
    confidence: Confidence = Confidence.HIGH
    cwe: tuple[int, ...] = ()
    fingerprint: str = ""
    suppression: Suppression | None = None
    context: str = "product"  # "product" (what ships), "test", "tooling" (scripts, docs, task files) or "history": where the finding lives
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def suppressed(self) -> bool:
        """A suppressed finding is kept and shown, but does not count against the gate."""
        return self.suppression is not None


@dataclass(frozen=True)
class Artifact:
    """A file a tool produced, kept as evidence."""

    path: str
    sha256: str
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Evidence:
    """What was executed or inspected to reach a result."""

    provenance: Provenance
    summary: str
    tool: str | None = None
    tool_version: str | None = None
    argv: tuple[str, ...] = ()
    exit_code: int | None = None
    duration_s: float | None = None
    input_digests: Mapping[str, str] = field(default_factory=dict)
    data_version: str | None = None
    data_date: str | None = None
    artifacts: tuple[Artifact, ...] = ()
    stderr_tail: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one target."""

    spec: CheckSpec
    outcome: Outcome
    score: float | None
    message: str
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TechniqueScore:
    """One line of the score breakdown."""

    technique: str
    title: str
    outcome: Outcome
    score: float | None
    weight: float
    contribution: float
    checks: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ScoreBreakdown:
    """The trust score and exactly what moved it."""

    trust_score: float
    techniques: tuple[TechniqueScore, ...]
    counted_weight: float
    excluded: tuple[str, ...]
    method: str


@dataclass(frozen=True)
class GateVerdict:
    """The policy decision and every reason behind it."""

    enabled: bool
    passed: bool
    incomplete: bool
    reasons: tuple[str, ...]
    policy: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """The project that was scanned."""

    path: str
    name: str
    vcs: str | None
    commit: str | None
    dirty: bool | None
    tree_digest: str
    file_count: int
    interpreter: str
    interpreter_source: str
    interpreter_version: str | None = None


@dataclass(frozen=True)
class Problem:
    """Something that went wrong outside a single check (e.g. a plugin failed to load)."""

    kind: str
    subject: str
    message: str


@dataclass(frozen=True)
class Span:
    """When one piece of a scan ran, in seconds from the scan's start: a check, or a run checks share."""

    name: str
    kind: str  # "check" or "shared" (one execution several checks read: the test run, the SBOM...)
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Report:
    """Everything one scan produced. The canonical JSON report renders this record."""

    schema_version: str
    tool_version: str
    target: Target
    catalog_id: str
    catalog_version: str
    catalog_digest: str
    started: str
    finished: str
    duration_s: float
    results: tuple[CheckResult, ...]
    breakdown: ScoreBreakdown
    gate: GateVerdict
    problems: tuple[Problem, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    sandbox: Mapping[str, Any] = field(default_factory=dict)
    unconfined: bool = False  # the operator passed --unconfined: the project's code ran without filesystem confinement
    timeline: tuple[Span, ...] = ()  # what ran when: shows which work ran beside which (not signed into any score)
