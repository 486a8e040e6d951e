"""Find and read a project's threat model: Markdown (THREAT_MODEL.md, docs/threat-model*, a
"Threat model" section of SECURITY.md), an OWASP Threat Dragon JSON file, or a pytm model.

Contents are read, not just names: which of assets, entry points, trust boundaries, threats and
mitigations it describes, its text (to see which extracted entry points it mentions), the tests
its mitigations name, and whether it is still the untouched draft ``baseline threat-model init``
wrote.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from baseline.tools.threat_content import heading, markdown_blocks
from baseline.parsing import parse_python

ELEMENTS = ("assets", "entry points", "trust boundaries", "threats", "mitigations")
_ELEMENT_HEADINGS = {
    "assets": re.compile(r"\bassets?\b|what we protect|crown jewels", re.I),
    "entry points": re.compile(r"entry[ -]?points?|attack surface|interfaces?|external inputs?", re.I),
    "trust boundaries": re.compile(r"trust[ -]?boundar|boundar(y|ies)", re.I),
    "threats": re.compile(r"^(?!.*threat[ -]?model).*(threats?|stride|abuse cases?|attack scenarios?|risks?)\b", re.I),
    "mitigations": re.compile(r"mitigations?|countermeasures?|controls?|defen[cs]es?", re.I),
}
_STRIDE = re.compile(r"spoofing|tampering|repudiation|information disclosure|denial of service|elevation of privilege", re.I)
_PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|_fill in|<fill", re.I)
_TEST_NAME = re.compile(r"\b(test_[A-Za-z0-9_]+)\b")
DRAFT_MARKER = re.compile(r"(?:<!-- |# )baseline:threat-model-draft sha256=([0-9a-f]{64})(?: -->)?\n?")
_MARKDOWN_NAMES = ("THREAT_MODEL.md", "THREATMODEL.md", "threat_model.md", "threat-model.md", "THREAT-MODEL.md")
_PYTM_CLASSES = {
    "assets": {"Datastore", "Data", "Asset", "Server", "Process", "Lambda"},
    "entry points": {"Actor", "ExternalEntity", "Dataflow"},
    "trust boundaries": {"Boundary"},
}
_PYTM_CONTROLS = re.compile(r"sanitizes|encodes|validates|authenticat|authoriz|isHardened|hasAccessControl|isEncrypted|checksInput|usesParameterizedInput|implementsCSRFToken")


@dataclass(frozen=True)
class ThreatModelDoc:
    """One threat model as read from the project."""

    path: str  # relative to the target root
    format: str  # markdown | markdown-section | threat-dragon | pytm
    text: str  # the text used to decide which entry points are mentioned
    elements: tuple[str, ...]  # the ELEMENTS it describes with real content
    digest: str
    draft_untouched: bool = False
    draft_edited: bool = False
    tests_named: tuple[str, ...] = ()
    parse_error: str | None = None
    notes: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()  # units of content judged one by one (see baseline.tools.threat_content)


def draft_digest(body: str) -> str:
    """The digest a generated draft carries of its own body (marker line excluded)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def mark_draft(body: str, python: bool = False) -> str:
    """Prefix a generated draft with the marker that lets an untouched copy be recognised."""
    if python:
        return f"# baseline:threat-model-draft sha256={draft_digest(body)}\n" + body
    return f"<!-- baseline:threat-model-draft sha256={draft_digest(body)} -->\n" + body


def draft_state(text: str) -> tuple[bool, bool, str]:
    """(untouched, edited, body without marker) of a possibly generated draft."""
    marker = DRAFT_MARKER.search(text)
    body = DRAFT_MARKER.sub("", text, count=1)
    untouched = bool(marker) and draft_digest(body) == marker.group(1)  # type: ignore[union-attr]
    return untouched, bool(marker) and not untouched, body


def _substantive(lines: list[str]) -> bool:
    for line in lines:
        text = re.sub(r"<!--.*?-->", "", line).strip(" \t|-*>:`_")
        if text and not _PLACEHOLDER.search(line) and not re.fullmatch(r"[\s|:-]*", text):
            return True
    return False


def read_markdown(text: str, path: str, fmt: str = "markdown") -> ThreatModelDoc:
    """Read a Markdown threat model (whole document or extracted section)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    untouched, edited, body = draft_state(text)
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        parsed = heading(line)
        if parsed:
            sections.append((parsed[1], []))
        else:
            sections[-1][1].append(line)
    found: list[str] = []
    mitigation_text: list[str] = []
    for element, pattern in _ELEMENT_HEADINGS.items():
        for title, lines in sections:
            if title and pattern.search(title) and _substantive(lines):
                found.append(element)
                break
    if "threats" not in found and any(_STRIDE.search(line) and not _PLACEHOLDER.search(line) for _, lines in sections for line in lines):
        found.append("threats")
    for title, lines in sections:
        if title and _ELEMENT_HEADINGS["mitigations"].search(title):
            mitigation_text.extend(line for line in lines if not _PLACEHOLDER.search(line))
    tests = tuple(dict.fromkeys(_TEST_NAME.findall("\n".join(mitigation_text))))
    live = "\n".join(line for line in body.splitlines() if not _PLACEHOLDER.search(line))
    ordered = tuple(element for element in ELEMENTS if element in found)
    return ThreatModelDoc(path, fmt, live, ordered, digest, untouched, edited, tests, blocks=markdown_blocks(body))


def security_section(text: str) -> str | None:
    """The "Threat model" section of a document (heading to the next heading of the same level)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found = heading(line)
        if found and re.search(r"threat[ -]?model", found[1], re.I):
            level = found[0]
            end = len(lines)
            for later in range(index + 1, len(lines)):
                other = heading(lines[later])
                if other and other[0] <= level:
                    end = later
                    break
            return "\n".join(lines[index:end])
    return None


def read_threat_dragon(text: str, path: str) -> ThreatModelDoc:
    """Read an OWASP Threat Dragon model (v1 or v2 JSON)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    data = json.loads(text)
    diagrams = data.get("detail", {}).get("diagrams", [])
    kinds: dict[str, int] = {}
    words: list[str] = [str(data.get("summary", {}).get("title", "")), str(data.get("summary", {}).get("description", ""))]
    threats = mitigations = 0
    mitigation_text: list[str] = []
    blocks: list[str] = []
    for diagram in diagrams:
        cells = diagram.get("cells") or diagram.get("diagramJson", {}).get("cells", [])
        for cell in cells:
            info = cell.get("data") if isinstance(cell.get("data"), dict) else cell
            kind = str(info.get("type") or cell.get("type") or cell.get("shape") or "")
            kinds[kind] = kinds.get(kind, 0) + 1
            words += [str(info.get("name", "")), str(info.get("description", "")), str(cell.get("attrs", {}).get("text", {}).get("text", "") if isinstance(cell.get("attrs"), dict) else "")]
            for threat in info.get("threats", []) or []:
                threats += 1
                words += [str(threat.get("title", "")), str(threat.get("description", ""))]
                blocks.append("\n".join(str(part) for part in (info.get("name", ""), info.get("description", ""), threat.get("title", ""), threat.get("type", ""), threat.get("description", ""), threat.get("mitigation", "")) if part))
                if str(threat.get("mitigation", "")).strip():
                    mitigations += 1
                    mitigation_text.append(str(threat["mitigation"]))
                    words.append(str(threat["mitigation"]))
    has = lambda *names: any(kinds.get(name, 0) for name in names)  # noqa: E731
    found = []
    if has("tm.Store", "tm.Process"):
        found.append("assets")
    if has("tm.Actor", "tm.Flow"):
        found.append("entry points")
    if has("tm.Boundary", "tm.BoundaryBox"):
        found.append("trust boundaries")
    if threats:
        found.append("threats")
    if mitigations:
        found.append("mitigations")
    tests = tuple(dict.fromkeys(_TEST_NAME.findall("\n".join(mitigation_text))))
    return ThreatModelDoc(path, "threat-dragon", "\n".join(words), tuple(found), digest, tests_named=tests, blocks=tuple(blocks))


def read_pytm(text: str, path: str) -> ThreatModelDoc:
    """Read a pytm model by its AST (it is not run)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    tree = parse_python(text)
    found: set[str] = set()
    strings: list[str] = []
    blocks: list[str] = []
    processed = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            texts = [sub.value for sub in ast.walk(node) if isinstance(sub, ast.Constant) and isinstance(sub.value, str)]
            if texts:
                blocks.append("\n".join(texts))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append(node.value)
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            for element, classes in _PYTM_CLASSES.items():
                if name in classes:
                    found.add(element)
            if name in ("process", "resolve"):
                processed = True
            if name in ("Finding", "Threat"):
                found.add("threats")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is True:
            if any(_PYTM_CONTROLS.search(ast.unparse(target)) for target in node.targets):
                found.add("mitigations")
    if processed:
        found.add("threats")  # pytm derives threats from its library when the model is processed
    tests = tuple(dict.fromkeys(name for value in strings for name in _TEST_NAME.findall(value)))
    ordered = tuple(element for element in ELEMENTS if element in found)
    untouched, edited, _ = draft_state(text)
    return ThreatModelDoc(path, "pytm", "\n".join(strings), ordered, digest, untouched, edited, tests, blocks=tuple(dict.fromkeys(blocks)))


def candidate_files(root: Path, configured: str | None) -> list[Path]:
    """Files that may hold a threat model, best first."""
    if configured:
        return [root / configured]
    found: list[Path] = []
    for folder in (root, root / "docs", root / "doc", root / ".github"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            lowered = path.name.lower()
            if path.is_file() and (path.name in _MARKDOWN_NAMES or re.match(r"threat[-_ ]?model", lowered)):
                found.append(path)
    for folder in (root, root / "docs", root / "threatmodel", root / "threat_model"):
        if folder.is_dir():
            found += [path for path in sorted(folder.glob("*.py")) if _imports_pytm(path)]
    for name in ("SECURITY.md", "docs/SECURITY.md", ".github/SECURITY.md", "docs/security.md"):
        if (root / name).is_file():
            found.append(root / name)
    return list(dict.fromkeys(found))


def _imports_pytm(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return False
    return bool(re.search(r"^\s*(from pytm\b|import pytm\b)", head, re.M))


def read_model(root: Path, path: Path) -> ThreatModelDoc | None:
    """Read one candidate; None when it holds no threat model (e.g. SECURITY.md without the section)."""
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ThreatModelDoc(relative, "unknown", "", (), "", parse_error=f"cannot read: {exc}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        if path.suffix == ".json":
            return read_threat_dragon(text, relative)
        if path.suffix == ".py":
            return read_pytm(text, relative)
    except (ValueError, SyntaxError, AttributeError, TypeError) as exc:
        return ThreatModelDoc(relative, "threat-dragon" if path.suffix == ".json" else "pytm", "", (), digest, parse_error=f"{type(exc).__name__}: {exc}")
    if path.name.lower() in ("security.md",):
        section = security_section(text)
        return read_markdown(section, relative, "markdown-section") if section else None
    return read_markdown(text, relative)


def find_models(root: Path, configured: str | None = None) -> list[ThreatModelDoc]:
    """Every threat model the project has (configured path only, when given)."""
    models: list[ThreatModelDoc] = []
    for path in candidate_files(root, configured):
        if not path.is_file():
            models.append(ThreatModelDoc(configured or path.name, "unknown", "", (), "", parse_error="configured threat model file does not exist"))
            continue
        model = read_model(root, path)
        if model is not None:
            models.append(model)
    return models
