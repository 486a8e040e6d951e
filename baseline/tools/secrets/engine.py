"""The detector: a keyword pre-filter, then per-rule regular expressions near the keyword hits.

A buffer is lower-cased once and every rule keyword is located with ``bytes.find`` (a fast C scan);
a rule's regular expression only runs on the lines (or, for multi-line formats, the windows) around
its keywords' hits. Candidates then go through the rule's offline validator and the false-positive
filters. Values never leave this module: a :class:`Detection` carries a redaction and a SHA-256
fingerprint only.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from baseline.tools.secrets import generic
from baseline.tools.secrets.redact import canonical_pem, fingerprint, redact, redact_line
from baseline.tools.secrets.rules import GENERIC_RULE, PKCS12_RULE, RULES, Rule
from baseline.tools.secrets.validators import VALIDATORS

MAX_LINE_WINDOW = 2048  # bytes searched either side of a keyword on very long (minified) lines
BINARY_SNIFF = 8192

_COMPILED: tuple[tuple[Rule, re.Pattern[bytes]], ...] = tuple((rule, rule.compiled()) for rule in RULES)
_ANCHORS: tuple[re.Pattern[bytes] | None, ...] = tuple(rule.compiled_anchor() for rule in RULES)
# keyword -> indexes of the rules that use it (generic rule = -1)
_BY_KEYWORD: dict[bytes, list[int]] = {}
for _index, (_rule, _pattern) in enumerate(_COMPILED):
    for _keyword in _rule.keywords:
        _BY_KEYWORD.setdefault(_keyword.encode(), []).append(_index)
for _keyword in GENERIC_RULE.keywords:
    _BY_KEYWORD.setdefault(_keyword.encode(), []).append(-1)
KEYWORDS: tuple[bytes, ...] = tuple(_BY_KEYWORD)

_ALLOW = re.compile(rb"baseline:\s*allow-secret(?:\s*--\s*(?P<reason>[^\n]*?))?\s*(?:\*/|-->|$)", re.MULTILINE)
_PKCS7_DATA_OID = bytes.fromhex("2a864886f70d010701")


@dataclass(frozen=True)
class Detection:
    """One secret found in one buffer, already redacted."""

    rule_id: str
    start_line: int
    end_line: int
    secret_sha256: str
    length: int
    redacted: str
    snippet: str
    validated: bool
    confidence: str  # high | medium | low
    entropy: float | None = None
    allow_reason: str | None = None  # inline ``baseline: allow-secret -- reason``
    allow_without_reason: bool = False  # the inline comment is there but gives no reason


@dataclass
class _Candidate:
    rule: Rule
    start: int
    end: int
    value: bytes
    validated: bool
    entropy: float | None
    generic: bool


def degenerate(value: bytes) -> bool:
    """Placeholders such as ``ghp_xxxxxxxx...``: one character makes up half of the value."""
    return len(set(value)) <= 4 or max(value.count(bytes([byte])) for byte in set(value)) * 2 > len(value)


def _line_span(data: bytes, pos: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, pos) + 1
    if pos - start > MAX_LINE_WINDOW:
        start = pos - MAX_LINE_WINDOW
    end = data.find(b"\n", pos)
    if end < 0:
        end = len(data)
    if end - pos > MAX_LINE_WINDOW:
        end = pos + MAX_LINE_WINDOW
    return start, end


def _line_spans(data: bytes, positions: list[int]) -> list[tuple[int, int]]:
    """``_line_span`` of each position; a short line is located once for all its hits (positions increase)."""
    spans: list[tuple[int, int]] = []
    line_start = line_end = -1
    for pos in positions:
        if not line_start <= pos < line_end:
            line_start = data.rfind(b"\n", 0, pos) + 1
            line_end = data.find(b"\n", pos)
            if line_end < 0:
                line_end = len(data)
            if line_end - line_start > MAX_LINE_WINDOW:  # a long line: a window around each hit
                line_start = line_end = -1
        spans.append((line_start, line_end) if line_end >= 0 else _line_span(data, pos))
    return spans


def _rust_automaton() -> Any:
    """A byte-oriented Aho-Corasick automaton (ahocorasick-rs): the fastest pre-filter, when installed."""
    try:
        import ahocorasick_rs
    except ImportError:
        return None
    try:  # a DFA: about three times faster to search than the default NFA for this small keyword set
        return ahocorasick_rs.BytesAhoCorasick(list(KEYWORDS), implementation=ahocorasick_rs.Implementation.DFA)
    except (AttributeError, TypeError):  # an older release without the implementation choice
        return ahocorasick_rs.BytesAhoCorasick(list(KEYWORDS))


def _automaton() -> Any:
    """An Aho-Corasick automaton over all keywords (one pass per buffer), when pyahocorasick is installed."""
    try:
        import ahocorasick
    except ImportError:
        return None
    automaton = ahocorasick.Automaton()
    for keyword in KEYWORDS:
        automaton.add_word(keyword.decode("latin-1"), keyword)
    automaton.make_automaton()
    return automaton


_RUST_AUTOMATON = _rust_automaton()
_AUTOMATON = _automaton() if _RUST_AUTOMATON is None else None
PREFILTER = (
    "aho-corasick over bytes (ahocorasick-rs DFA, one pass)" if _RUST_AUTOMATON is not None
    else "aho-corasick (pyahocorasick, one pass)" if _AUTOMATON is not None else "bytes.find per keyword"
)


def keyword_hits(lowered: bytes) -> dict[bytes, list[int]]:
    """The pre-filter: every keyword's offsets in the lower-cased buffer."""
    hits: dict[bytes, list[int]] = {}
    if _RUST_AUTOMATON is not None:
        for index, start, _end in _RUST_AUTOMATON.find_matches_as_indexes(lowered, overlapping=True):
            hits.setdefault(KEYWORDS[index], []).append(start)
        return hits
    if _AUTOMATON is not None:
        # latin-1 maps each byte to one code point, so offsets stay byte offsets
        for end, keyword in _AUTOMATON.iter(lowered.decode("latin-1")):
            hits.setdefault(keyword, []).append(end - len(keyword) + 1)
        return hits
    for keyword in KEYWORDS:
        pos = lowered.find(keyword)
        if pos < 0:
            continue
        positions = []
        while pos >= 0:
            positions.append(pos)
            pos = lowered.find(keyword, pos + len(keyword))
        hits[keyword] = positions
    return hits


def _provider_candidates(data: bytes, hits: dict[bytes, list[int]], rejected: list[tuple[int, int]]) -> list[_Candidate]:
    """Provider-rule candidates; spans whose offline validation failed are added to ``rejected``."""
    spans: dict[int, set[tuple[int, int]]] = {}
    for keyword, positions in hits.items():
        indexes = [index for index in _BY_KEYWORD[keyword] if index >= 0]
        if not indexes:
            continue
        lines = _line_spans(data, positions)
        for index in indexes:
            rule = _COMPILED[index][0]
            bucket = spans.setdefault(index, set())
            anchor = _ANCHORS[index]
            if rule.window:
                bucket.update((start, min(len(data), pos + rule.window)) for (start, _end), pos in zip(lines, positions))
            elif anchor is None:
                bucket.update(lines)
            else:  # a short line is one window for all its hits: searched when the anchor holds at one of them
                bucket.update(span for span, pos in zip(lines, positions) if span[1] - span[0] >= MAX_LINE_WINDOW or anchor.match(data, pos))
    found: list[_Candidate] = []
    seen: set[tuple[int, int]] = set()
    for index, windows in spans.items():
        rule, pattern = _COMPILED[index]
        validator = VALIDATORS.get(rule.validator) if rule.validator else None
        for start, end in sorted(windows):
            for match in pattern.finditer(data, start, end):
                s_start, s_end = match.span("s")
                if (index, s_start) in seen:
                    continue
                seen.add((index, s_start))
                value = match.group("s")
                if known_example(value) or provider_placeholder(value):
                    continue  # documented example keys and placeholders
                entropy = None
                if rule.min_entropy:
                    entropy = generic.shannon_entropy(value)
                    if entropy < rule.min_entropy or generic.is_placeholder(value):
                        continue
                validated = False
                if validator is not None:
                    if not validator(value, data, s_start):
                        rejected.append((s_start, s_end))  # e.g. a broken checksum: not a token at all
                        continue
                    validated = True
                found.append(_Candidate(rule, s_start, s_end, value, validated, entropy, False))
    return found


_YAML_SUFFIXES = frozenset({".yaml", ".yml"})
_HCL_SUFFIXES = frozenset({".tf", ".hcl", ".tfvars"})


def _generic_candidates(data: bytes, lowered: bytes, hits: dict[bytes, list[int]], path: str) -> list[_Candidate]:
    suffix = os.path.splitext(path)[1].lower()
    code_file, prose = suffix in generic.CODE_SUFFIXES, suffix in generic.PROSE_SUFFIXES
    directives = suffix in generic.DIRECTIVE_SUFFIXES or os.path.basename(path).startswith(".")
    lines: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for keyword, positions in hits.items():
        if -1 in _BY_KEYWORD[keyword]:
            length = generic.NAME_KEYWORD_LENGTHS.get(keyword, 0)
            for pos, span in zip(positions, _line_spans(data, positions)):
                names = lines.setdefault(span, [])
                if length:
                    names.append((pos - span[0], length))
    found: list[_Candidate] = []
    gates = hits.keys()  # the keywords present in the file
    for (start, end), names in sorted(lines.items()):
        line = data[start:end]
        for v_start, v_end, _name, value, entropy in generic.find_assignments(
            line, code_file, prose, directives, lowered[start:end], names, gates
        ):
            if known_example(value):
                continue
            found.append(_Candidate(GENERIC_RULE, start + v_start, start + v_end, value, False, entropy, True))
    documents: list[tuple[int, int, bytes]] = []
    if b'"kty"' in hits:  # a pre-filter keyword: no second scan of the file
        documents += generic.find_jwk_private(data)
    if b"secret" in hits and b"kind:" in lowered:
        documents += generic.find_kubernetes_secrets(data)
    if b"value:" in lowered and b"name:" in lowered:
        documents += generic.find_name_value_pairs(data)
    if suffix in _YAML_SUFFIXES and (b": |" in data or b": >" in data):
        documents += generic.find_yaml_block_scalars(data)
    if os.path.basename(path) in generic.PGPASS_NAMES:
        documents += generic.find_pgpass(data)
    if suffix in _HCL_SUFFIXES and b"variable" in lowered:
        documents += generic.find_variable_defaults(data)
    if prose and b"--" in data and b"|" in data:  # a Markdown table whose header names a credential column
        documents += generic.find_table_columns(data)
    if prose and (b"# " in data or b"**\n" in data or b"**\r\n" in data):  # "### Token" then the value on its own line
        documents += generic.find_heading_values(data)
    if prose and b"= " in data:  # a reStructuredText simple table (=====  ===== borders)
        documents += generic.find_simple_tables(data)
    for v_start, v_end, value in documents:
        found.append(_Candidate(GENERIC_RULE, v_start, v_end, value, False, generic.shannon_entropy(value), True))
    if found and b"encrypted" in lowered:  # ciphertext under an "encrypted..." key is not a credential
        found = [candidate for candidate in found if not generic.under_encrypted_key(data, candidate.start)]
    return found


# Fingerprints (SHA-256) of example keys printed in vendors' documentation: they must not fire.
_KNOWN_EXAMPLES = frozenset(
    {
        "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",  # Stripe API reference test key
    }
)


def known_example(value: bytes) -> bool:
    """A documented example key: AWS's ``...EXAMPLE`` keys and the published samples listed above."""
    return value.endswith(b"EXAMPLE") or b"EXAMPLEKEY" in value or fingerprint(value) in _KNOWN_EXAMPLES


_PROVIDER_PLACEHOLDER = (b"xxxxx", b"XXXXX", b"${", b"{{", b"<", b"your_", b"your-", b"placeholder", b"redacted", b"changeme", b"not-a-real", b"...")


def provider_placeholder(value: bytes) -> bool:
    """A provider-shaped placeholder (``ghp_XXXX...``, ``sk_live_<your key>``, ``xoxb-...``)."""
    lowered = value.lower()
    return degenerate(value) or any(word.lower() in lowered for word in _PROVIDER_PLACEHOLDER)


def _drop_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """One finding per span: provider rules win over the generic rule, earlier rules over later."""
    order = {rule.id: index for index, rule in enumerate(RULES)}
    ranked = sorted(candidates, key=lambda c: (c.generic, order.get(c.rule.id, 10**6), c.start))
    kept: list[_Candidate] = []
    for candidate in ranked:
        if any(candidate.start < other.end and other.start < candidate.end for other in kept):
            continue
        kept.append(candidate)
    return sorted(kept, key=lambda c: c.start)


def _allow_comment(data: bytes, line_start: int, line_end: int) -> tuple[str | None, bool]:
    """An inline allow comment on the line of the secret or on the line just above it."""
    above = data.rfind(b"\n", 0, max(0, line_start - 1)) + 1
    for match in _ALLOW.finditer(data, above, line_end):
        reason = (match.group("reason") or b"").strip().decode("utf-8", "replace")
        return (reason, False) if reason else (None, True)
    return None, False


def _canonical(candidate: _Candidate) -> bytes:
    """The value a fingerprint is computed on: PEM keys without their layout."""
    if candidate.rule.validator in ("pem_der", "openssh", "pgp"):
        return candidate.rule.id.encode() + b":" + canonical_pem(candidate.value)
    return candidate.value


_PEM_BEGIN = re.compile(rb"(?m)^(?P<prefix>[^\n]{1,200}?)-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")


def _prefixed_pem_candidates(data: bytes) -> list[_Candidate]:
    """PEM keys copied from logs: every line carries a prefix (a timestamp, a process tag) of the same shape."""
    found: list[_Candidate] = []
    for match in _PEM_BEGIN.finditer(data):
        prefix = match.group("prefix")
        if not prefix.strip(b" \t\"'+=(,:"):
            continue  # indentation or quoting: the rules read it as it is
        shape = re.compile(re.sub(rb"\\d|\d", rb"\\d", re.escape(prefix)))
        starts: list[int] = []
        pieces: list[bytes] = []
        cursor = match.start()
        while cursor < len(data) and len(pieces) < 200:
            end = data.find(b"\n", cursor)
            end = len(data) if end < 0 else end
            line = data[cursor:end]
            if not shape.match(line):
                break
            starts.append(cursor + len(prefix))
            pieces.append(line[len(prefix) :])
            cursor = end + 1
            if b"-----END" in line:
                break
        cleaned = b"\n".join(pieces)
        offsets = [0]
        for piece in pieces[:-1]:
            offsets.append(offsets[-1] + len(piece) + 1)

        def original(pos: int) -> int:
            index = max(i for i, offset in enumerate(offsets) if offset <= pos)
            return starts[index] + pos - offsets[index]

        for candidate in _provider_candidates(cleaned, keyword_hits(cleaned.lower()), []):
            if candidate.rule.window:
                candidate.start, candidate.end = original(candidate.start), original(max(candidate.start, candidate.end - 1)) + 1
                found.append(candidate)
    return found


def _confidence(candidate: _Candidate) -> str:
    if candidate.validated or not (candidate.generic or candidate.rule.context_rule):
        return "high"
    if candidate.generic and (candidate.entropy or 0.0) < 3.0:
        return "low"
    return "medium"


def scan_bytes(data: bytes, path: str = "") -> list[Detection]:
    """Every secret in ``data`` (a text buffer). ``path`` decides how unquoted values are treated."""
    lowered = data.lower()
    hits = keyword_hits(lowered)
    if not hits and os.path.basename(path) not in generic.PGPASS_NAMES:
        return []
    rejected: list[tuple[int, int]] = []
    candidates = _provider_candidates(data, hits, rejected)
    if b"private" in hits and b"-----begin" in lowered:  # "PRIVATE KEY": a pre-filter keyword
        candidates += _prefixed_pem_candidates(data)
    candidates += [
        candidate
        for candidate in _generic_candidates(data, lowered, hits, path)
        if not any(candidate.start < end and start < candidate.end for start, end in rejected)
    ]
    if not candidates:
        return []
    kept = _drop_overlaps(candidates)
    values = [candidate.value for candidate in kept]
    detections: list[Detection] = []
    for candidate in kept:
        line_start = data.rfind(b"\n", 0, candidate.start) + 1
        line_end = data.find(b"\n", candidate.start)
        line_end = len(data) if line_end < 0 else line_end
        start_line = data.count(b"\n", 0, candidate.start) + 1
        end_line = start_line + candidate.value.count(b"\n")
        clip_start = max(line_start, candidate.start - 80)
        clip_end = min(line_end, candidate.end + 80) if candidate.end <= line_end else line_end
        for other in kept:  # never cut another secret of the line in half: its redaction needs all of it
            if other.start < clip_end and clip_start < other.end:
                clip_start, clip_end = min(clip_start, max(line_start, other.start)), max(clip_end, min(line_end, other.end))
        visible = [value for value in values] + [part for value in values for part in value.split(b"\n") if len(part) >= 8]
        snippet = redact_line(data[clip_start:clip_end], visible)
        if candidate.end > line_end:
            snippet += " " + redact(candidate.value)
        reason, missing = _allow_comment(data, line_start, line_end)
        detections.append(
            Detection(
                rule_id=candidate.rule.id,
                start_line=start_line,
                end_line=end_line,
                secret_sha256=fingerprint(_canonical(candidate)),
                length=len(candidate.value),
                redacted=redact(candidate.value),
                snippet=snippet,
                validated=candidate.validated,
                confidence=_confidence(candidate),
                entropy=round(candidate.entropy, 2) if candidate.entropy is not None else None,
                allow_reason=reason,
                allow_without_reason=missing,
            )
        )
    return detections


def scan_pkcs12(data: bytes) -> list[Detection]:
    """A binary PKCS#12 / PFX container: a DER SEQUENCE holding PKCS#7 data."""
    if len(data) < 64 or data[0] != 0x30 or _PKCS7_DATA_OID not in data[:64]:
        return []
    return [
        Detection(
            rule_id=PKCS12_RULE.id, start_line=1, end_line=1, secret_sha256=fingerprint(data), length=len(data),
            redacted=f"binary keystore ({len(data)} bytes)", snippet="(binary PKCS#12 content)", validated=True,
            confidence="high",
        )
    ]


def is_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB marks a binary file."""
    return b"\x00" in data[:BINARY_SNIFF]


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 / UTF-32 text (a byte order mark, or ASCII with the NUL pattern of a wide encoding)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:BINARY_SNIFF]
    if len(sample) < 16:
        return None
    quarter = len(sample) // 4
    zeros = [sample[i::4].count(0) for i in range(4)]
    if zeros[1] >= 0.95 * quarter and zeros[2] >= 0.95 * quarter and zeros[3] >= 0.95 * quarter and zeros[0] < 0.1 * quarter:
        return "utf-32-le"
    half = len(sample) // 2
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd >= 0.9 * half and even < 0.1 * half:
        return "utf-16-le"
    if even >= 0.9 * half and odd < 0.1 * half:
        return "utf-16-be"
    return None


def decode_wide(data: bytes) -> bytes | None:
    """UTF-8 bytes of a UTF-16 / UTF-32 file, or None when it is not one."""
    encoding = wide_encoding(data)
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    sample = text[:4096]
    if sum(1 for char in sample if char.isprintable() or char in "\r\n\t\ufeff") < 0.95 * len(sample):
        return None  # NUL-patterned binary data, not text
    return text.lstrip("\ufeff").encode("utf-8")


def scan_blob(data: bytes, path: str) -> tuple[list[Detection], str | None]:
    """Scan one file's content. Returns (detections, skip reason or None)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".p12", ".pfx"):
        return scan_pkcs12(data), None
    if is_binary(data):
        wide = decode_wide(data)
        if wide is None:
            return [], "binary"
        return scan_bytes(wide, path), None
    return scan_bytes(data, path), None
