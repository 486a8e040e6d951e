"""Threat-model credit from content: is each entry point and each dangerous sink covered?

An item of the attack surface is *covered* when one block of the model (a list item with its
sub-items, a table row, a paragraph, or a whole sub-section under a level-3+ heading) names it,
describes a threat to it, and names a test (``test_...``) that ran and passed in this scan. Blocks
that say the same thing for several items once their names are taken out (one boilerplate line per
sink), and blocks with almost no words besides names, cover nothing. Lines with placeholders
(TODO, TBD, <fill ...>) are not read at all, so an edited draft earns credit only where filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable

from baseline.tools.attack_surface import AttackSurface, SurfaceItem

_HEADING_START = re.compile(r"^(#{1,6})\s+(.*)$")


def heading(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line, the title without its closing ``#``s and spaces; None
    for any other line. Linear in the line: one pattern with a lazy title followed by optional runs
    of spaces and ``#``s backtracked cubically on a heading with a long run of spaces inside."""
    match = _HEADING_START.match(line)
    if match is None:
        return None
    return len(match.group(1)), match.group(2).rstrip().rstrip("#").rstrip()
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|_fill in|<fill", re.I)
TEST_NAME = re.compile(r"\b(test_[A-Za-z0-9_]+)\b(?!\.py)")
THREAT_WORDS = re.compile(
    r"threat|attack|malicious|hostile|adversar|untrusted|spoof|tamper|repudiat|disclos|leak|exfiltrat|steal|"
    r"denial of service|\bdos\b|exhaust|flood|bomb|hang|crash|elevation|privilege|inject|travers|forg|escape|"
    r"arbitrary (code|command|file)|\brce\b|ssrf|xss|csrf|overflow|poison|hijack|bypass|abuse|unsafe|replay",
    re.I,
)
_MIN_PROSE_WORDS = 4
_CODE_SPAN = re.compile(r"`[^`]*`")
_WORD = re.compile(r"[a-z]{2,}")
_DANGEROUS_FILE_SINKS = {"extractall"}
MAX_BLOCKS = 5000  # a model is read up to this many blocks (the rest is not credited)


@dataclass(frozen=True)
class Requirement:
    """One thing the model must cover: an entry point, or a dangerous sink (all its call sites in one file)."""

    kind: str
    name: str
    file: str
    line: int
    detail: str
    entry_point: bool

    @property
    def label(self) -> str:
        """How the item is shown in messages."""
        return f"{self.kind} '{self.name}'" + ("" if self.entry_point else f" in {self.file}")


@dataclass(frozen=True)
class Coverage:
    """How one requirement fares against the model."""

    requirement: Requirement
    covered: bool
    reason: str  # why not covered (empty when covered)
    tests: tuple[str, ...] = ()  # passing tests of the covering block(s)


def dangerous(item: SurfaceItem) -> bool:
    """A sink that must be named by the model: processes, dynamic code, unsafe deserialisers, archive extraction."""
    if item.kind == "subprocess":
        return True
    if item.kind == "deserialiser":
        return item.risky
    if item.kind == "file-sink":
        return item.name.rsplit(".", 1)[-1] in _DANGEROUS_FILE_SINKS
    return False


def requirements(surface: AttackSurface) -> tuple[Requirement, ...]:
    """Entry points one by one, and dangerous sinks grouped by (kind, name, file)."""
    found: dict[tuple[str, str, str], Requirement] = {}
    for item in surface.items:
        if item.is_entry_point:
            key = (item.kind, item.name, "")
        elif dangerous(item):
            key = (item.kind, item.name, item.file)
        else:
            continue
        found.setdefault(key, Requirement(item.kind, item.name, item.file, item.line, item.detail, item.is_entry_point))
    return tuple(found.values())


def markdown_blocks(text: str) -> tuple[str, ...]:
    """The blocks of a Markdown model: list items (with their sub-items and continuation lines),
    table rows, paragraphs, and every section under a level-3+ heading as a whole."""
    lines = [re.sub(r"<!--.*?-->", "", line) for line in text.splitlines() if not _PLACEHOLDER.search(line)]
    blocks: list[str] = []
    current: list[str] = []
    sections: list[tuple[int, list[str]]] = []  # open level-3+ sections: (level, lines)

    def flush() -> None:
        if current and any(part.strip() for part in current):
            blocks.append("\n".join(current).strip())
        current.clear()

    def close_sections(level: int) -> None:
        while sections and sections[-1][0] >= level:
            _, body = sections.pop()
            blocks.append("\n".join(body).strip())

    for line in lines:
        found = heading(line)
        if found:
            flush()
            level, title = found
            close_sections(level)
            if level >= 3:
                sections.append((level, [title]))
            continue
        for _, body in sections:
            body.append(line)
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("|"):
            flush()
            if not _TABLE_SEPARATOR.match(stripped):
                blocks.append(stripped)
            continue
        item = _LIST_ITEM.match(line)
        if item and len(item.group(1)) < 2:
            flush()
        current.append(line)
    flush()
    close_sections(0)
    return tuple(dict.fromkeys(block for block in blocks if block))[:MAX_BLOCKS]


def _module_names(file: str) -> tuple[str, ...]:
    path = PurePosixPath(file)
    dotted = ".".join(path.with_suffix("").parts)
    if dotted.endswith(".__init__"):
        dotted = dotted[: -len(".__init__")]
    return tuple(dict.fromkeys((file, path.name, dotted)))


def _names_word(text: str, word: str) -> bool:
    return bool(re.search(r"(?<![\w.-])" + re.escape(word.lower()) + r"(?![\w-])", text.lower()))


def names(requirement: Requirement, block: str) -> bool:
    """True when the block names the requirement (a sink: its call and its module)."""
    from baseline.tools.threat_review import mentions

    if requirement.kind == "network-listener":
        # "a server" is not enough: the listener's call or its module must be named as well.
        called = {requirement.name, requirement.name.rsplit(".", 1)[-1]}
        return mentions(SurfaceItem(requirement.kind, requirement.name, requirement.file, requirement.line), block) and any(
            _names_word(block, name) for name in called | set(_module_names(requirement.file))
        )
    if requirement.entry_point:
        return mentions(SurfaceItem(requirement.kind, requirement.name, requirement.file, requirement.line, requirement.detail), block)
    if not _names_word(block, requirement.name):
        return False
    return any(_names_word(block, name) or name.lower() in block.lower() for name in _module_names(requirement.file))


def _normalised(block: str, requirement_names: Iterable[str]) -> str:
    text = _CODE_SPAN.sub(" ", block.lower())
    text = TEST_NAME.sub(" ", text)
    for name in requirement_names:
        text = text.replace(name.lower(), " ")
    text = re.sub(r"[\w./-]+\.py\b|\b\w+(\.\w+)+\b", " ", text)
    return " ".join(_WORD.findall(text))


def judge(reqs: tuple[Requirement, ...], blocks: tuple[str, ...], outcomes: dict[str, str]) -> tuple[Coverage, ...]:
    """Coverage of each requirement; ``outcomes`` maps test function names to their outcome in this scan."""
    every_name = [req.name for req in reqs] + [name for req in reqs if not req.entry_point for name in _module_names(req.file)]
    normal = {block: _normalised(block, every_name) for block in blocks}
    counts: dict[str, int] = {}
    for text in normal.values():
        if text:
            counts[text] = counts.get(text, 0) + 1
    results: list[Coverage] = []
    for req in reqs:
        naming = [block for block in blocks if names(req, block)]
        if not naming:
            results.append(Coverage(req, False, "not named in the model"))
            continue
        reasons: list[str] = []
        covered_by: list[str] = []
        for block in naming:
            prose = normal[block]
            if counts.get(prose, 0) > 1:
                reasons.append("named only in boilerplate repeated for other items")
                continue
            if len(prose.split()) < _MIN_PROSE_WORDS:
                reasons.append("named without a description")
                continue
            if not THREAT_WORDS.search(_CODE_SPAN.sub(" ", block)):
                reasons.append("named without a threat")
                continue
            tests = tuple(dict.fromkeys(TEST_NAME.findall(block)))
            passing = tuple(test for test in tests if outcomes.get(test) == "passed")
            if not tests:
                reasons.append("its threat names no test as mitigation")
                continue
            if not passing:
                states = ", ".join(f"{test} {outcomes.get(test, 'not in the test run')}" for test in tests[:3])
                reasons.append(f"no mitigation test passed ({states})")
                continue
            covered_by.extend(passing)
        if covered_by:
            results.append(Coverage(req, True, "", tuple(dict.fromkeys(covered_by))))
        else:
            results.append(Coverage(req, False, "; ".join(dict.fromkeys(reasons))))
    return tuple(results)
