"""The generic rule: a credential-like value assigned to a password / secret / token / key name.

Works on one line at a time in Python, YAML, JSON, INI, TOML, .env and shell syntax. A candidate
must pass, in order: a name check (hash / checksum / path names are not credentials), placeholder
and template filters, shape filters (identifiers, paths, URLs, hashes, UUIDs) and an entropy and
character-class check.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_NAME = (
    r"(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|"
    r"passphrase|credentials?|client[_-]?key)"
)
ASSIGNMENT = re.compile(
    (
        r"(?i)(?<![\w.:/$@-])(?P<name>(?:[A-Za-z_$@][\w.$@-]{0,40}?)?" + _NAME + r"[\w.-]{0,24})(?:[\"'\]]?\s*(?::=|=>|==|=|:|<-)|(?P<comma>[\"']\s*,))\s*"
        r"(?:[rbuf]{0,2}(?P<q>[\"'`])(?P<qv>[^\"'`\n\\]{4,256})(?P=q)|(?P<uv>[^\s\"'`,;{}()\[\]<>|]{4,256}))"
    ).encode()
)

# Files where an unquoted right-hand side is an expression (a variable, a call), not a literal.
CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyx", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".kt", ".go", ".rs", ".rb",
     ".php", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift", ".scala", ".lua", ".pl", ".r", ".m", ".dart", ".groovy"}
)

_NOT_CREDENTIAL_NAME = re.compile(
    rb"(?i)(hash|sha\d*|md5|checksum|digest|integrity|fingerprint|_id$|_ids$|_name$|_names$|_file$|_path$|_dir$|_url$|_uri$|"
    rb"_type$|_len$|_length$|_size$|_count$|_field$|_header$|_prefix$|_env$|_var$|_key_name$|_format$|_pattern$|"
    rb"_regex$|_class$|_endpoint$|_expir|_ttl$|_timeout$|_version$|_mode$|_policy$|_label$|_template$|_placeholder|"
    rb"tokeni[sz]|tokens$|_kind$|_char|_limit$|_min|_max|_index|_param|_method|keyid$|last_?used|continuation|paginat|"
    rb"next_?token|page_?token|change_?token|output_?token|input_?token|_?tokens?_?type|public_?key|_at$|_date$|_time$|_rules?$)"
)
_PLACEHOLDER_WORDS = (
    b"changeme", b"change_me", b"change-me", b"changeit", b"placeholder", b"example", b"dummy", b"redacted",
    b"your_", b"your-", b"yourpass", b"xxxx", b"****", b"${", b"{{", b"$(", b"%(", b"<", b">",
    b"os.environ", b"getenv", b"process.env", b"env(", b"env.", b"settings.", b"config.", b"vault:", b"secret(",
    b"fake", b"sample", b"replace", b"notasecret", b"not-a-secret", b"insert", b"goes_here", b"goes-here", b"here>",
    b"todo", b"fixme", b"dummy", b"mock", b"secretsmanager", b"ssm:", b"arn:aws", b"...",
)
_PLACEHOLDER_EXACT = frozenset(
    {b"password", b"passwd", b"secret", b"token", b"none", b"null", b"nil", b"true", b"false", b"test", b"testing",
     b"admin", b"root", b"default", b"empty", b"undefined", b"string", b"required", b"optional", b"bearer",
     b"basic", b"unset", b"hidden", b"private", b"public", b"secret_key", b"api_key", b"apikey", b"str", b"bytes",
     b"int", b"bool", b"object", b"any", b"self", b"value", b"str | none", b"optional[str]"}
)
_IDENTIFIER = re.compile(
    rb"^(?:[a-z][a-z0-9]*(?:[_.:-][a-z0-9]+)*|[A-Z][A-Z0-9]*(?:[_.:-][A-Z0-9]+)*|[a-z]+(?:[A-Z][a-z]+)+[0-9]*|"
    rb"[A-Z][a-z]+(?:[A-Z][a-z]+)+[0-9]*|[\w.]+\(\)?|[\w]+(?:\.[\w]+)+)$"
)
# An import reference (entry points, plugin tables): dotted.module.path:attribute
_IMPORT_REF = re.compile(
    rb"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+:(?:[A-Z][A-Z0-9_]*|[a-z_][a-z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)*)"
    rb"(?:\.[A-Za-z_]\w*)*$"
)
_PRINTF = re.compile(rb"%[sdr](?![A-Za-z0-9])|\{\}|\{\d\}")
_LETTERS_WORDY = re.compile(rb"^(?=.*[a-z]{3})[A-Za-z]{1,40}$")  # AWSAccessKeyId, SecretPassphrase
_DATE = re.compile(rb"^\d{4}-\d{2}-\d{2}")
_REGEX_OR_FORMAT = re.compile(rb"\(\?|\[\^|\.\*|\\[dws]|\{[^}]*\}")
_HEX = re.compile(rb"^[0-9a-fA-F]+$")
_UUID = re.compile(rb"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SRI = re.compile(rb"^(?:sha(?:1|224|256|384|512)|md5)[-:=]")
_PATHLIKE = re.compile(rb"^(?:[.~]?/|[A-Za-z]:\\|[\w.-]+/[\w./-]*$|[\w-]+\.(?:pem|key|crt|json|txt|yaml|yml|toml|cfg|ini|env)$)")
_URL = re.compile(rb"^[a-z][a-z0-9+.-]*://")
_STRONG_NAME = re.compile(rb"(?i)(passw|pwd|secret|api[_-]?key|passphrase|private[_-]?key)")


def shannon_entropy(value: bytes) -> float:
    """Bits of entropy per character of ``value``."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(count / total * math.log2(count / total) for count in counts.values())


def char_classes(value: bytes) -> int:
    """How many of lower case, upper case, digits and other characters ``value`` uses."""
    text = value.decode("latin-1")
    return sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )


def is_placeholder(value: bytes) -> bool:
    """Template variables, environment lookups and well-known placeholder words."""
    lowered = value.lower()
    if lowered in _PLACEHOLDER_EXACT or lowered.startswith((b"$", b"%", b"@", b"&", b"!", b"#")):
        return True
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or _PRINTF.search(value):
        return True
    return len(set(lowered)) <= 3


def looks_like_non_secret(value: bytes, name: bytes) -> bool:
    """Identifiers, paths, URLs, hashes, UUIDs and SRI strings: shapes that are not credentials."""
    if _IDENTIFIER.match(value) or _IMPORT_REF.match(value) or _PATHLIKE.match(value) or _URL.match(value) or _SRI.match(value):
        return True
    if _LETTERS_WORDY.match(value) or _DATE.match(value) or _REGEX_OR_FORMAT.search(value):
        return True
    if b" " in value.strip():
        return True
    if _UUID.match(value) and not _STRONG_NAME.search(name):
        return True
    if _HEX.match(value) and len(value) in (32, 40, 56, 64, 96, 128) and not _STRONG_NAME.search(name):
        return True  # md5 / git sha / sha256 values under a token-ish name: usually digests
    return name.lower().strip(b"_-.") in (value.lower(), value.lower().replace(b"-", b"_"))


def passes_strength(value: bytes) -> tuple[bool, float]:
    """Entropy and character-class gate. Returns (passes, entropy)."""
    entropy = shannon_entropy(value)
    classes = char_classes(value)
    if len(value) < 8:
        return False, entropy
    if len(value) < 16:
        return classes >= 2 and entropy >= 2.5, entropy
    return (classes >= 2 and entropy >= 3.0) or entropy >= 3.5, entropy


def find_assignments(line: bytes, code_file: bool) -> list[tuple[int, int, bytes, bytes, float]]:
    """Credential assignments in one line: (start, end, name, value, entropy), offsets in ``line``."""
    found: list[tuple[int, int, bytes, bytes, float]] = []
    for match in ASSIGNMENT.finditer(line):
        name = match.group("name")
        if match.group("comma") and not line[: match.start("name")].rstrip(b" \"'").endswith(b"("):
            continue  # "a_token", "b" in a list: only getenv("NAME", "default") style calls count
        quoted = match.group("qv") is not None
        group = "qv" if quoted else "uv"
        value = match.group(group)
        if not quoted and (code_file or line[match.end("name") : match.start(group)].strip(b"\"'") == b":"):
            continue  # code expressions; "a:b" without a space is not a YAML/INI assignment
        if _NOT_CREDENTIAL_NAME.search(name):
            continue
        value = value.strip().strip(b"\\")
        if is_placeholder(value) or looks_like_non_secret(value, name):
            continue
        strong, entropy = passes_strength(value)
        if not strong:
            continue
        found.append((match.start(group), match.end(group), name, value, entropy))
    return found
