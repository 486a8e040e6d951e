"""The generic rule: a credential-like value given to a password / secret / token / key name.

Works on one line at a time and reads the ways people write a credential: assignments in Python,
JS/TS, Java, C#, Go, Ruby, PHP, shell, Makefiles (``:=``, ``?=``) and C ``#define``; YAML, JSON,
INI, TOML, .env, properties and XML (elements, attributes, .NET ``<add key= value=>``, entity
escaped quotes); keyword arguments, typed defaults, comparisons, ``getenv("X", "default")`` and
``X || "default"``; command-line flags (``--password X``, ``-pX``, ``-u user:pass``); SQL
(``IDENTIFIED BY``, ``WITH PASSWORD``); Authorization headers; connection strings; framework settings
(``app.config['SECRET_KEY']``, ``jwt.encode(payload, key)``); Markdown tables and prose.

A name counts when one of its words (split in every case style) is a credential word and none is a
word that makes it metadata (``credentialId``, ``publicToken``, ``csrf_token``, ``PASSWORD_MIN_LENGTH``).
A value must pass placeholder and template filters, shape filters (identifiers, paths, URLs) that
step aside for random-looking values, and an entropy and character-class check.
"""

from __future__ import annotations

import base64
import functools
import binascii
import math
import re
from collections import Counter
from typing import Collection

# Files where an unquoted right-hand side is an expression (a variable, a call), not a literal.
CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyx", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".kt", ".go", ".rs", ".rb",
     ".php", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift", ".scala", ".lua", ".pl", ".r", ".m", ".dart", ".groovy"}
)
PROSE_SUFFIXES = frozenset({".md", ".rst", ".txt", ".adoc", ".html", ".htm", ".log"})
# Configuration files written as "name value" lines (redis.conf, ldap.conf, .netrc, .pgpass...).
DIRECTIVE_SUFFIXES = frozenset({".conf", ".cfg", ".config", ""})

# Keywords of the pre-filter (lower case): every generic match contains one of them.
KEYWORDS = (
    "pass", "pwd", "pw", "pswd", "secret", "token", "key", "auth", "salt", "nonce", "cred", "private",
    "signing", "hmac", "pepper", "identified", "bearer", "basic ", "mysql", "mariadb", "login", "-u ", "--user", "jwt.",
    '"kty"', "@tcp(", "sudo -s", "getconnection(", "ftp(", "ftp_tls(", "psk", "jwt::", "signwith", "signedstring", "setsigningkey", "sshpass", "redis-cli", "ldap", "sqlcmd", "mongo", "securestring",
    # a personal access token as the last word of a name (GITHUB_PAT=, ado_pat:): "pat" alone would
    # hit every "path" and "pattern", so the keyword carries the character after the name
    "_pat=", "_pat:", '_pat"', "_pat'", "_pat ", "-pat=", "-pat:",
    "/user:", "sqlplus", "sqlldr", "expdp", "impdp",
)

# --- names ---------------------------------------------------------------------------------------

_STRONG_WORDS = frozenset(
    {"password", "passwd", "passwort", "pass", "pwd", "pw", "pswd", "passphrase", "passcode", "secret", "secrets", "token",
     "credential", "credentials", "cred", "creds", "apikey", "privatekey", "secretkey", "accesskey", "authtoken", "requirepass",
     "bindpw", "masterauth", "psk", "pat"}
)
_WEAK_WORDS = frozenset({"key", "auth", "salt", "nonce", "private", "signing", "hmac", "pepper"})
# "key" after one of these makes a strong compound (api_key, signingKey, CLIENT-KEY...)
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "signing", "sign", "master", "encryption", "encrypt", "crypto", "app", "client",
     "auth", "session", "hmac", "jwt", "webhook", "aes", "shared", "account", "service", "storage",
     "subscription", "consumer", "admin", "root", "deploy", "ssh", "gpg", "pgp", "cipher", "symmetric", "primary", "secondary",
     "write", "read", "ingest", "integration", "server", "partner", "merchant", "mac", "hash"}
)
_COMPOUND = re.compile(rb"(?:password|passwd|passphrase|secret|token|apikey|credential|privatekey)")
_PASS_SUFFIX = re.compile(rb"(?:pass|pwd|pw|pswd)$")
_NOT_PASS_WORDS = frozenset({b"bypass", b"compass", b"surpass", b"overpass", b"underpass", b"trespass", b"encompass", b"firstpass"})
_NOT_CREDENTIAL_WORDS = frozenset(
    {"id", "ids", "name", "names", "file", "files", "filename", "path", "paths", "dir", "url", "uri", "urls", "type", "types",
     "len", "length", "size", "count", "counts", "field", "fields", "header", "headers", "prefix", "suffix", "env", "var",
     "vars", "format", "pattern", "patterns", "regex", "regexp", "re", "class", "endpoint", "ttl", "timeout", "version",
     "mode", "policy", "label", "template", "placeholder", "kind", "limit", "min", "max", "index", "param", "params",
     "method", "at", "date", "time", "rule", "rules", "lifetime", "expiry", "expires", "expired", "expiration", "hash",
     "hashed", "digest", "checksum", "sha", "sha1", "sha256", "sha512", "md5", "integrity", "fingerprint", "enabled",
     "required", "alphabet", "audience", "bucket", "scheme", "strength", "reset", "hint", "question", "provider", "store",
     "algorithm", "alg", "usage", "bits", "generator", "public", "pub", "publishable", "csrf", "xsrf", "page", "next",
     "continuation", "cursor", "stdin", "location", "column", "attr", "attribute", "arn", "ref", "mask", "masked", "input",
     "output", "confirmation", "validation", "validator", "handler", "callback", "manager", "event", "events", "error",
     "errors", "message", "msg", "text", "title", "description", "help", "display", "link", "icon", "style", "css",
     "button", "form", "widget", "keyboard", "shortcut", "binding", "bindings", "hotkey", "sort", "cache", "partition",
     "range", "lookup", "row", "column", "seconds", "minutes", "hours", "days", "ms", "secs", "tokens", "tokenizer",
     "tokenize", "tokenized", "lexer", "parser", "parse", "kid", "keyid", "keys", "keyring", "keystore", "env",
     "environment", "variable", "option", "options", "flag", "flags", "policy", "rotation", "rotate", "last", "used",
     "created", "updated", "len", "chars", "char", "separator", "delimiter", "encoding", "encoded", "bytes", "bits",
     "spec", "schema", "doc", "docs", "example", "sample", "dummy", "fake", "mock", "test", "placeholder", "default",
     "defaults", "question", "prompt", "reminder", "changed", "change", "forgot", "forgotten", "strength", "visible",
     "visibility", "toggle", "show", "hide", "hidden", "policy", "complexity", "salted", "uppercase", "lowercase",
     "digits", "symbols", "auth_method", "authentication", "authenticated", "authorize", "authorized", "authorization",
     "author", "authors", "authority", "oauth", "login", "signin", "signup", "type", "ref", "secretref", "keyref",
     "mount", "volume", "volumes", "source", "sources", "arn", "store", "vault", "manager", "ring", "press", "down", "up",
     "enter", "escape", "map", "mapping", "dict", "item", "items", "object", "property", "properties", "column", "table",
     "level", "bucket", "estimate", "budget", "usage", "per", "rate", "window", "authenticity",
     # Django query lookups: password__startswith="pbkdf2_"
     "startswith", "istartswith", "endswith", "iendswith", "contains", "icontains", "iexact", "isnull"}
)
# Metadata words that, before a final credential word, only say whose credential it is.
_QUALIFYING_WORDS = frozenset({"store", "keystore", "truststore", "login", "vault", "keyring", "source", "env", "environment", "cache", "default", "mount", "volume", "provider"})
_NAME_WORD = re.compile(rb"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_words(name: bytes) -> list[bytes]:
    """The words of a name in any case style: ``DB_PASSWORD``, ``dbPassword``, ``db-password``, ``db.password``."""
    last = re.split(rb"[.:/\[\]\"'>]+", name.strip(b"\"'[]:.$@"))
    tail = [part for part in last if part] or [name]
    return [word.lower() for word in _NAME_WORD.findall(tail[-1])]


@functools.lru_cache(maxsize=8192)
def name_strength(name: bytes) -> int:
    """2 for a credential name, 1 for a weak one (``key``, ``auth``, ``salt``...), 0 for anything else."""
    words = name_words(name)
    if not words:
        return 0
    if words[-1].decode() in _STRONG_WORDS and any(word.decode() in _NOT_CREDENTIAL_WORDS for word in words[:-1]):
        # "keyStorePassword", "login_password", "vault_password": what qualifies a final credential word
        # may be a metadata word of its own and still name a credential
        if all(word.decode() not in _NOT_CREDENTIAL_WORDS or word.decode() in _QUALIFYING_WORDS for word in words[:-1]):
            return 2
    if any(word.decode() in _NOT_CREDENTIAL_WORDS for word in words):
        return 0
    best = 0
    for index, word in enumerate(words):
        text = word.decode()
        if text in _STRONG_WORDS:
            return 2
        if text == "key" and index > 0 and words[index - 1].decode() in _KEY_QUALIFIERS:
            return 2
        if word not in _NOT_PASS_WORDS and (_COMPOUND.search(word) or (len(word) > 4 and _PASS_SUFFIX.search(word))):
            return 2
        if text in _WEAK_WORDS:
            best = 1
    return best


# --- values --------------------------------------------------------------------------------------

_PLACEHOLDER_WORDS = (
    b"changeme", b"change_me", b"change-me", b"changeit", b"placeholder", b"example", b"dummy", b"redacted",
    b"your_", b"your-", b"yourpass", b"xxxx", b"****", b"${", b"{{", b"$(", b"%(", b"<", b">", b"#{",
    b"os.environ", b"getenv", b"process.env", b"env(", b"env.", b"settings.", b"config.", b"vault:", b"secret(",
    b"fake", b"sample", b"replace", b"notasecret", b"not-a-secret", b"not_a_secret", b"insert", b"goes_here", b"goes-here",
    b"here>", b"todo", b"fixme", b"mock", b"secretsmanager", b"ssm:", b"arn:aws", b"...", b"secretkeyref", b"valuefrom",
)
_PLACEHOLDER_EXACT = frozenset(
    {b"password", b"passwd", b"secret", b"token", b"none", b"null", b"nil", b"true", b"false", b"test", b"testing",
     b"admin", b"root", b"default", b"empty", b"undefined", b"string", b"required", b"optional", b"bearer",
     b"basic", b"unset", b"hidden", b"private", b"public", b"secret_key", b"api_key", b"apikey", b"str", b"bytes",
     b"int", b"bool", b"object", b"any", b"self", b"value", b"str | none", b"optional[str]", b"username", b"user"}
)
_IDENTIFIER = re.compile(
    rb"^_*(?:[a-z][a-z0-9]*(?:[_.:-][a-z0-9]+)*|[A-Z][A-Z0-9]*(?:[_.:-][A-Z0-9]+)*|[a-z]+(?:[A-Z][a-z]+)+[0-9]*|"
    rb"[A-Z][a-z]+(?:[A-Z][a-z]+)+[0-9]*|[\w.]+\(\)?|[A-Za-z_]+\d*(?:\.[A-Za-z_]+\d*)+)$"
)
# An import reference (entry points, plugin tables): dotted.module.path:attribute
_IMPORT_REF = re.compile(
    rb"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+:(?:[A-Z][A-Z0-9_]*|[a-z_][a-z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)*)"
    rb"(?:\.[A-Za-z_]\w*)*$"
)
_PRINTF = re.compile(rb"%[sdr](?![A-Za-z0-9])|\{\}|\{\d\}")
_LETTERS_WORDY = re.compile(rb"^(?=.*[a-z]{3})[A-Za-z]{1,40}$")  # AWSAccessKeyId, SecretPassphrase
_DATE = re.compile(rb"^\d{4}-\d{2}-\d{2}")
_REGEX_OR_FORMAT = re.compile(rb"\(\?|\[\^|\\[dws]|\{[^}]*\}|\.\*.*[$)\]|]|[\^(\[|].*\.\*")
_HEX = re.compile(rb"^[0-9a-fA-F]+$")
_B64 = re.compile(rb"^[A-Za-z0-9+/_-]+={0,2}$")
_UUID = re.compile(rb"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# a stored password hash (Django, PHC strings, crypt): pbkdf2_sha256$..., $2b$12$..., $argon2id$..., $6$...
_PASSWORD_HASH = re.compile(rb"^(?:(?:pbkdf2_sha\d+|argon2|bcrypt(?:_sha256)?|scrypt|sha1|md5|unsalted_\w+)\$|\$(?:2[abxy]?|argon2(?:id|i|d)|[156]|apr1|scrypt|pbkdf2[\w-]*)\$)[^\s]{8,}$")
_SRI = re.compile(rb"^(?:sha(?:1|224|256|384|512)|md5)[-:=]")
_PATHLIKE = re.compile(rb"^(?:[.~]?/|[A-Za-z]:\\|[\w.-]+/[\w./-]*$|[\w.-]{1,40}:(?:/[\w.-]+)+/?$|[\w-]+\.(?:pem|key|crt|json|txt|yaml|yml|toml|cfg|ini|env)$)")
_URL = re.compile(rb"^[a-z][a-z0-9+.-]*://")
_LONE_TAG = re.compile(rb"^[!&*@#%][A-Za-z_][\w.-]*[!@%]?$")  # !vault, &anchor, *alias, @VAR@, #comment, %VAR%
_NUMBER = re.compile(rb"^[\d.,:_-]+$")
# a PowerShell cmdlet as the right-hand side: $password = Read-Host -AsSecureString
_CMDLET = re.compile(rb"^(?:Get|Set|Read|New|Remove|Add|Invoke|ConvertTo|ConvertFrom|Import|Export|Start|Stop|Write|Test|Select|Out)-[A-Z][A-Za-z]+$")
# a subscript or attribute expression quoted in prose: `args[token.index]`, `request.headers["X-Token"]`
_SUBSCRIPT = re.compile(rb"^[A-Za-z_][\w.]*(?:\[[\w.\"'-]+\])+(?:\.[A-Za-z_]\w*)*$")
_FLAG_OR_PROMPT = re.compile(rb"^--?[a-z][a-z0-9]*(?:-[a-z0-9]+)*$|[:?]\s*$")  # "--password" (a flag name), "Password: " (a prompt)


def _compiles(value: bytes) -> bool:
    try:
        re.compile(value)
    except (re.error, OverflowError, RecursionError):
        return False
    return True


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


def random_looking(value: bytes) -> bool:
    """Machine-made rather than a word: letters and digits interleaved, long hex, long mixed base64."""
    if len(value) < 10:
        return False
    classes = [(48 <= b <= 57) for b in value if (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122)]
    switches = sum(1 for a, b in zip(classes, classes[1:]) if a != b)
    if switches >= 4 and len(value) >= 12:
        return True
    if len(value) >= 16 and _HEX.match(value) and any(48 <= b <= 57 for b in value) and any(not 48 <= b <= 57 for b in value):
        return True
    if not (len(value) >= 20 and _B64.match(value) and char_classes(value) >= 3 and shannon_entropy(value) >= 4.0):
        return False
    kinds = [0 if 97 <= b <= 122 else 1 if 65 <= b <= 90 else 2 if 48 <= b <= 57 else 3 for b in value]
    return sum(1 for a, b in zip(kinds, kinds[1:]) if a != b) >= 0.45 * (len(value) - 1)  # words switch class rarely


def is_placeholder(value: bytes) -> bool:
    """Template variables, environment lookups, YAML tags and anchors, well-known placeholder words."""
    lowered = value.lower()
    if lowered in _PLACEHOLDER_EXACT or lowered.startswith(b"$") or _LONE_TAG.match(value):
        return True
    if lowered.startswith(b"%") and (lowered.endswith(b"%") or lowered.startswith(b"%(")):
        return True
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or _PRINTF.search(value):
        return True
    bare = lowered.strip(b"*_")
    if bare.startswith(b"(") and bare.endswith(b")"):
        return True  # "(none)", "*(required)*": a note in a table cell or a label's place
    return len(set(lowered)) <= 3


def looks_like_non_secret(value: bytes, name: bytes) -> bool:
    """Identifiers, paths, URLs, hashes, UUIDs and SRI strings: shapes that are not credentials."""
    if _URL.match(value) or _SRI.match(value) or _PASSWORD_HASH.match(value) or b" " in value.strip() or _DATE.match(value) or _NUMBER.match(value):
        return True
    if _FLAG_OR_PROMPT.search(value):
        return True
    if not random_looking(value):
        if (_IDENTIFIER.match(value) or _IMPORT_REF.match(value) or _PATHLIKE.match(value) or _LETTERS_WORDY.match(value)
                or _CMDLET.match(value)):
            return True
    if (_REGEX_OR_FORMAT.search(value) and _compiles(value)) or _SUBSCRIPT.match(value):
        return True  # a regular expression or a format string (a value no regex engine accepts is neither)
    weak = name_strength(name) < 2
    if weak and (_UUID.match(value) or (_HEX.match(value) and len(value) in (40, 64))):
        return True  # a git sha / digest / id under a bare "key": usually not a credential
    return name.lower().strip(b"_-.") in (value.lower(), value.lower().replace(b"-", b"_"))


def passes_strength(value: bytes, strength: int = 2) -> tuple[bool, float]:
    """Entropy and character-class gate; a weak name (``key``, ``salt``) needs a machine-made value."""
    entropy = shannon_entropy(value)
    classes = char_classes(value)
    if strength < 2:
        return len(value) >= 16 and entropy >= 3.3 and random_looking(value), entropy
    if len(value) < 8:
        return False, entropy
    if len(value) < 16:
        return classes >= 2 and entropy >= 2.5, entropy
    return (classes >= 2 and entropy >= 3.0) or entropy >= 3.5, entropy


# --- syntax --------------------------------------------------------------------------------------

_QUOTED = rb"(?:&quot;(?P<ev>[^&\n]{4,256}?)&quot;|[rbuflLN@]{0,2}(?P<q>\"\"\"|'''|[\"'`])(?P<qv>[^\"'`\n\\]{4,256})(?P=q))"
_UNQUOTED = rb"(?P<uv>(?:!!binary\s+)?(?:[^\s\"'`,;{}()\[\]<>|&]|&(?![\w.-]+=)){4,256})"
# calls that turn a literal into a key: []byte("..."), Encoding.UTF8.GetBytes("..."), Buffer.from('...'), SecretStr("...")
_WRAP = rb"(?:new\s+)?(?:\(\s*|[\w.\[\]]*(?:[Bb]ytes?|[Dd]ecode|[Ee]ncode|[Ff]rom|[Ss]ecret|SecretStr|[Kk]ey|str|String|unhexlify|fromhex|Password)\(\s*){0,3}"
_TYPE = rb"(?:\s*:\s*[A-Za-z_][\w.\[\], |]{0,30}?(?=\s*=)|\s+(?i:as)\s+[A-Za-z_][\w.]{0,30}(?=\s*=)|\s+(?P<type>[A-Za-z_][\w.\[\]*]{0,60})(?=\s*=))?"
_OP = rb"(?P<op>:=|\?\?=|\|\|=|\?=|\+=|=>|===|!==|==|!=|=|:|<-|\|\||\?\?|\s+or\s+|\.(?:equals|Equals|equalsIgnoreCase)\(|\s+(?:is|was):?\s+)"

# after a NAME: <op> value, with an optional closing quote / bracket and type annotation
AFTER_NAME = re.compile(rb"(?:[\"']?\]?|\[\d{0,4}\])" + _TYPE + rb"\s*" + _OP + rb"\s*(?:" + _WRAP + _QUOTED + rb"|" + _UNQUOTED + rb")")
NAME_KEYWORDS = frozenset(
    {b"pass", b"pwd", b"pw", b"pswd", b"secret", b"token", b"key", b"auth", b"salt", b"nonce", b"cred", b"private", b"signing",
     b"hmac", b"pepper", b"psk"}
)
_IDENT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.$@-")
_IDENT_MASK = bytes(ord("a") if byte in _IDENT else ord(" ") for byte in range(256))
_IDENT_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$@")


# keyword -> length of the name part of a hit (the "_pat=" keywords end one character after the name)
NAME_KEYWORD_LENGTHS: dict[bytes, int] = {
    **{keyword: len(keyword) for keyword in NAME_KEYWORDS},
    **{keyword.encode(): 4 for keyword in KEYWORDS if keyword[1:4] == "pat" and keyword[0] in "_-"},
}


def _keyword_hits(lowered: bytes) -> list[tuple[int, int]]:
    hits = []
    for keyword, length in NAME_KEYWORD_LENGTHS.items():
        pos = lowered.find(keyword)
        while pos >= 0:
            hits.append((pos, length))
            pos = lowered.find(keyword, pos + 1)
    return hits


_EQUALS_METHODS = (b".equalsIgnoreCase", b".equals", b".Equals")
# prose between a credential name and its colon: "for the staging vault", "of the `deploy` user"
_WHOSE = re.compile(rb"[ \t]+(?:for|of|on|in|to)[ \t]+(?:[\w.`@/()-]+[ \t]+){0,4}?[\w.`@/()-]+(?=[ \t]*:)")
# prose, a value in backticks right after the name: "user `demo`, password `value`" (not the verb "pass `--flag`")
_SPOKEN_WORDS = frozenset({"password", "passwd", "passphrase", "passcode", "pwd", "secret", "token", "apikey", "credential", "credentials"})
_SPOKEN_VALUE = re.compile(rb"[ \t]+(?P<q>`)(?P<qv>[^`\n]{4,256})(?P=q)")
# one to three words that open a line of prose before a credential name: "Encryption key: ...",
# "- Database password: ...", "1. Pre-shared key: ..." (a label, not a sentence)
_LABEL_BEFORE = re.compile(rb"[ \t]*(?:<!--[ \t]*)?(?:[-*+>][ \t]+|\d{1,2}[.)][ \t]+)?(?P<words>(?:[A-Za-z][A-Za-z0-9-]{0,30}[ \t]+){1,3})$")
_NOT_LABEL_WORDS = frozenset(
    {b"the", b"a", b"an", b"your", b"our", b"my", b"this", b"that", b"its", b"their", b"no", b"not", b"note", b"see", b"if",
     b"when", b"where", b"set", b"use", b"enter", b"change", b"reset", b"new", b"old", b"wrong", b"invalid", b"missing", b"empty",
     b"forgot", b"forgotten", b"lost", b"expired", b"any", b"each", b"every", b"which", b"what", b"is", b"are", b"and", b"or",
     b"for", b"with", b"without", b"to", b"of", b"in", b"on", b"by", b"from", b"via", b"click", b"type", b"paste", b"copy"}
)


def _names(line: bytes, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the names around credential keyword hits of a line (``DB_PASSWORD``, ``spring.datasource.password``)."""
    spans: list[tuple[int, int]] = []
    covered = -1
    mask = line.translate(_IDENT_MASK)  # a name character -> "a", anything else -> a space: names found by C scans
    for pos, length in sorted(hits):
        if pos < covered:
            continue  # inside a name already expanded
        start = mask.rfind(b" ", 0, pos) + 1
        end = mask.find(b" ", pos + length)
        if end < 0:
            end = len(line)
        covered = end
        if line.endswith(_EQUALS_METHODS, start, end):  # password.equals("...")
            for method in _EQUALS_METHODS:
                if line.endswith(method, start, end):
                    end -= len(method)
                    break
        while start < end and line[start] not in _IDENT_START:
            start += 1
        while end > start and line[end - 1] in b".-":
            end -= 1
        after_colon = start > 0 and line[start - 1] in b":/" and not line[max(0, start - 4) : start].lower() == b"env:"
        if after_colon and line[start - 1] == 58 and not line[: start - 1].strip() and line.startswith(b":", end):
            after_colon = False  # a reStructuredText field list: ":password: value"
        if after_colon and line.endswith(b"/:", 0, start) and line.startswith(b"=", end):
            after_colon = False  # an .npmrc registry scope: //registry.internal/:_authToken=value
        if end - start > 80 or after_colon or (start, end) in spans:
            continue
        spans.append((start, end))
    return spans
_KW = rb"(?i:pass|pwd|pw|pswd|secret|token|key|auth|salt|nonce|cred|private|signing|hmac|pepper|psk)"
# "NAME", "value" / ('NAME') { 'value' } / ('NAME') || 'value' inside a call
CALL_DEFAULT = re.compile(
    rb"(?:\(|\bset\s+)\s*(?:[\"'](?P<name>[\w.$@:-]{0,40}?" + _KW + rb"[\w.$@:-]{0,40})[\"']|:(?P<sym>\w{0,40}?" + _KW + rb"\w{0,40}))"
    rb"\s*(?:,|\)\s*\{|\)\s*(?:\|\||\?\?|or\b))\s*"
    + _WRAP + _QUOTED
)
# <add key="NAME" value="v"/>, <property name="NAME" value="v"/>, <entry key="NAME">v</entry>
XML_KEY_VALUE = re.compile(
    rb"(?i)\b(?:key|name)\s*=\s*[\"'](?P<name>[^\"'<>]{2,80})[\"'][^>]{0,80}?(?:\bvalue\s*=\s*[\"'](?P<qv>[^\"'\n]{4,256})[\"']|>(?P<uv>[^<\s]{4,256})</)"
)
# <td>password</td><td>value</td>, <th>API token</th><td><code>value</code></td>: a cell naming a credential, then its value
HTML_CELLS = re.compile(  # spaces only in bounded runs between fixed parts: no quadratic backtracking on long blank cells
    rb"(?i)<(?P<tag>td|th)\b[^>]{0,80}>[ \t]{0,8}(?:<(?:b|strong|code|em)>)?(?P<name>[\w.-](?:[\w .-]{0,38}[\w.-])?)"
    rb"(?:</(?:b|strong|code|em)>)?[ \t]{0,8}:?[ \t]{0,8}</(?P=tag)>"
    rb"[ \t]{0,8}<td\b[^>]{0,80}>[ \t]{0,8}(?:<(?:code|kbd|samp|tt)>)?(?P<uv>[^<\s]{4,256})(?:</(?:code|kbd|samp|tt)>)?[ \t]{0,8}</td>"
)
XML_ELEMENT = re.compile(rb"<(?P<name>[\w:.-]{2,80})>\s*(?P<uv>[^<\s]{4,256})\s*</(?P=name)>")
# --password X, --db-password=X, --auth X
CLI_FLAG = re.compile(rb"(?<![\w-])--?(?P<name>(?=[A-Za-z])[\w-]{0,30}?" + _KW + rb"[\w-]{0,30})(?:=|[ \t]+)(?:(?P<q>[\"'])(?P<qv>[^\"'\n$]{4,256})(?P=q)|(?P<uv>[^\s\"'`$-][^\s\"'`;|&)\]}]{3,255}))")
# mysql -pX / docker login -p X
CLI_P = re.compile(
    rb"\b(?:(?:mysql\w*|mariadb\w*|mongo\w*|sshpass|(?:docker|podman|buildah|nerdctl|oras|skopeo)\s+login|helm\s+registry\s+login)\b[^\n]*?\s-p"
    rb"|redis-cli\b[^\n]*?\s-a|(?:ldap\w+|ldap)\b[^\n]*?\s-w|(?:sqlcmd|bcp|osql)\b[^\n]*?\s-P)[ \t]*"
    rb"(?:(?P<q>[\"'])(?P<qv>[^\"'\n$]{4,256})(?P=q)|(?P<uv>[^\s\"'`$-][^\s\"'`;|&]{3,255}))"
)
# aws configure set aws_secret_access_key X, npm / yarn / pnpm config set NAME X, git config NAME X
CLI_CONFIG_SET = re.compile(
    rb"\b(?:configure\s+set|config\s+set|config(?:\s+--(?:global|local|system))?|setx)\s+(?P<name>[\w./:@-]{2,120})[ \t=]+"
    rb"(?:(?P<q>[\"'])(?P<qv>[^\"'\n$]{4,256})(?P=q)|(?P<uv>[^\s\"'`$-][^\s\"'`;|&]{3,255}))"
)
# curl -u user:pass, --user user:pass
CLI_USER = re.compile(
    rb"(?<![\w-])(?:(?:-u|--user|--proxy-user)[ \t=]+[\"']?[^\s:\"'$]{1,64}:|-U[ \t]+[\"']?[^\s%\"'$]{1,64}%"
    rb"|(?:-u|--username)[ \t=]+[\"']?[^\s\"'$-][^\s\"']{0,63}[\"']?[ \t]+(?:-p|--password)[ \t=]+)[\"']?(?P<uv>[^\s\"'$`]{4,256})"
)
# echo TOKEN | docker login --password-stdin
CLI_STDIN = re.compile(
    rb"\becho\s+(?:-n\s+)?[\"']?(?P<uv>[^\s\"'$|]{8,256})[\"']?\s*\|\s*"
    rb"(?:(?:sudo\s+)?\w+(?:\s+\w+)?\s+login\b|sudo\s+-\w*S|[\w-]+\b[^|\n]*--password-stdin|(?:sudo\s+)?chpasswd|(?:sudo\s+)?passwd\b[^|\n]*--stdin)"
)
# machine HOST login USER password VALUE (.netrc lines, also written by an echo in a Dockerfile)
NETRC = re.compile(rb"\bmachine\s+\S+\s+login\s+\S+\s+password\s+(?P<uv>[^\s\"'`]{4,256})")
# Go / MySQL DSN: user:pass@tcp(host:3306)/db
GO_DSN = re.compile(rb"[\"'`][\w.-]{1,64}:(?P<uv>[^\s\"'`@/]{4,128})@(?:tcp|unix)\(")
# ["--token", "VALUE"]: a flag and its value as items of an argument list
QUOTED_FLAG = re.compile(rb"[\"']--?(?P<name>[\w-]{0,30}?" + rb"(?i:pass|pwd|secret|token|key|auth|cred)" + rb"[\w-]{0,30})[\"']\s*,\s*" + _QUOTED)
SQL_PASSWORD = re.compile(
    rb"(?i)\b(?:identified\s+(?:with\s+['\"`]?\w+['\"`]?\s+)?by|password(?:\s+for\s+[^\s=;]{1,120})?)\s+(?:=\s*)?(?:password\s*\(\s*)?N?"
    rb"(?P<q>['\"])(?P<qv>[^'\"\n]{4,256})(?P=q)"
)
AUTH_HEADER = re.compile(
    rb"(?i)\b(?:authorization|proxy-authorization)[\"']?(?:\s*[:=,]\s*|[ \t]+(?=[`\"'](?:bearer|basic|token|digest)\s))[`\"']?\s*(?:(?P<scheme>bearer|basic|token|bot|apikey|digest|sso-key)\s+)?"
    rb"(?P<uv>[A-Za-z0-9._~+/=:-]{12,})|\bbearer\s+(?P<bv>[A-Za-z0-9._~+/-]{16,}=*)"
)
# prose: "Credentials: `svc_backup` / `value`", "login: admin:value" (a user, then its password)
CRED_PAIR = re.compile(
    rb"(?i)\b(?:credentials?|creds|log[ -]?in)\s*[:=]\s*[`\"']?[\w.@+-]{1,64}[`\"']?(?:[ \t]*/[ \t]*|:)"
    rb"(?:(?P<q>[`\"'])(?P<qv>[^`\"'\n]{4,256})(?P=q)|(?P<uv>[^\s`\"']{4,256}))"
)
# PowerShell: ConvertTo-SecureString "value" -AsPlainText (a literal turned into a credential)
SECURE_STRING = re.compile(rb"(?i)\bConvertTo-SecureString\s+(?:-String\s+)?" + _QUOTED + rb"(?=[^\n]*-AsPlainText)")
# prose, the value first: "Use `value` as the password", "log in with 'value' as your API key"
VALUE_AS_NAME = re.compile(
    rb"(?i)\b(?:use|using|with|enter|type|set)\s+(?P<q>[`\"'])(?P<qv>[^`\"'\n]{4,256})(?P=q)\s+as\s+(?:the\s+|your\s+|a\s+|an\s+)?"
    rb"(?P<name>(?:[\w-]+\s+){0,2}?(?:password|passphrase|passwd|pwd|token|secret|key|credential))\b"
)
# htpasswd -b FILE USER PASSWORD (batch mode: the password is the last argument)
HTPASSWD = re.compile(rb"\bhtpasswd\s+(?:-[A-Za-z]{1,8}\s+){0,6}?-[A-Za-z]{0,8}b[A-Za-z]{0,8}\s+(?:-[A-Za-z]{1,8}\s+){0,6}(?:[^\s-]\S*\s+){2}(?:(?P<q>[\"'])(?P<qv>[^\"'\n$]{4,256})(?P=q)|(?P<uv>[^\s\"'`$-][^\s\"'`;|&]{3,255}))")
# openssl -passin / -passout / -pass / -password pass:VALUE (env:, file:, fd: and stdin name no value)
OPENSSL_PASS = re.compile(rb"(?<![\w-])-pass(?:in|out|word)?[ \t]+[\"']?pass:(?P<uv>[^\s\"'`$][^\s\"'`;|&]{3,255})")
# the Redis AUTH command, at a line start or after a prompt: "127.0.0.1:6379> AUTH VALUE", "AUTH user VALUE"
REDIS_AUTH = re.compile(rb"(?:^|[>$#][ \t]*)[ \t]*AUTH[ \t]+(?:[^\s\"'<>$]+[ \t]+)?(?:(?P<q>[\"'])(?P<qv>[^\"'\n]{4,256})(?P=q)|(?P<uv>[^\s\"'<$][^\s\"']{3,255}))[ \t]*\r?$")
# Windows: net use \\host\share /user:DOMAIN\user VALUE; cmdkey /pass:VALUE, /password:VALUE switches
NET_USE = re.compile(rb"(?i)\bnet\s+use\b[^\n]*?/user:[^\s\"]+\s+(?:(?P<q>[\"'])(?P<qv>[^\"'\n]{4,256})(?P=q)|(?P<uv>[^\s*/\"'%$][^\s\"']{3,255}))")
WINDOWS_SWITCH = re.compile(rb"(?i)(?<![\w/])/(?:pass|password|pwd|pw)[:=](?:(?P<q>[\"'])(?P<qv>[^\"'\n]{4,256})(?P=q)|(?P<uv>[^\s\"'%$*][^\s\"']{3,255}))")
# Oracle connect strings: sqlplus user/VALUE@db
ORACLE_CONNECT = re.compile(rb"(?i)\b(?:sqlplus|sqlldr|expdp|impdp)\s+(?:-\w+\s+)*[\w$#]{1,30}/(?P<uv>[^\s@/\"'<>$][^\s/\"']{3,127})@[\w.:-]+(?:[\s/]|$)")
# a directive line of a configuration file: "requirepass VALUE", "bindpw VALUE", ".netrc ... password VALUE"
DIRECTIVE = re.compile(rb"(?:^|[ \t])(?P<name>[A-Za-z][\w.-]{1,60})[ \t]+(?P<uv>[^\s\"'`=:]{6,256})[ \t]*(?:$|#)")
TABLE_CELL = re.compile(rb"^\s*\|\s*`?(?P<name>[\w.-]{2,60})`?\s*\|\s*`?(?P<uv>[^\s|`]{4,256})`?\s*(?:\||\r?$)")  # AsciiDoc rows have no closing |
# {"name": "DB_PASSWORD", "value": "v"} (container definitions), name: X / value: v on one line
NAME_VALUE = re.compile(rb"(?i)[\"']?(?:name|key)[\"']?\s*[:=]\s*[\"'](?P<name>[\w.-]{2,80})[\"']\s*,\s*[\"']?value[\"']?\s*[:=]\s*" + _QUOTED)
DEFINE = re.compile(rb"#\s*define\s+(?P<name>\w{2,80})\s+" + _QUOTED)
JWT_CALL = re.compile(
    rb"\b(?:jwt|JWT)(?:\.|::)(?:encode|sign|decode|verify)\(\s*[^,()]{1,80}(?:\([^()]*\))?[^,()]{0,40},\s*" + _QUOTED
)
# signWith(SignatureAlgorithm.HS256, "k"), token.SignedString([]byte("k")), Algorithm.HMAC256("k"), hmac.new(b"k", ...)
SIGN_CALL = re.compile(rb"\b(?:signWith|setSigningKey|SignedString|HMAC(?:256|384|512)|hmac\.new)\(\s*(?:[\w.]+\s*,\s*)?" + _WRAP + _QUOTED)
# requests auth=("user", "pw"), HTTPBasicAuth("user", "pw"), smtp.login("user", "pw"), ldap bind(dn, pw)
AUTH_PAIR = re.compile(
    rb"(?:\bauth\s*[=:]\s*\(|(?:BasicAuth|DigestAuth|Credentials?|login|Login|simple_bind_s|bind_s|authenticate|set_credentials)\()"
    rb"\s*[\"'][^\"'\n]{1,120}[\"']\s*,\s*" + _WRAP + _QUOTED
)
# positional credentials: DriverManager.getConnection(url, "user", "pw"), FTP(host, "user", "pw"),
# mysqli_connect(host, user, "pw", db), Credentials.basic("user", "pw"): the index of the password
_PASSWORD_ARGUMENT = {
    b"getconnection": 2, b"ftp": 2, b"ftp_tls": 2, b"mysql_connect": 2, b"mysqli_connect": 2, b"mysqli": 2,
    b"basic": 1, b"passwordauthentication": 1, b"usernamepasswordcredentials": 1, b"usernamepasswordauthenticationtoken": 1,
    b"set_password": 2, b"basicauth": 1, b"httpbasicauth": 1, b"networkcredential": 1, b"plainauth": 2, b"setbasicauth": 1, b"basicauthcredentials": 1,
}
POSITIONAL_CALL = re.compile(
    rb"(?<![\w.])(?:new\s+)?(?:[A-Za-z_]\w*\.){0,3}(?P<call>(?i:getConnection|set_password|FTP(?:_TLS)?|mysqli?_connect|mysqli|basic|PasswordAuthentication|"
    rb"UsernamePasswordCredentials|UsernamePasswordAuthenticationToken|BasicAuth|HTTPBasicAuth|NetworkCredential|PlainAuth|SetBasicAuth|"
    rb"BasicAuthCredentials))\((?P<args>[^()\n]{0,400})\)"
)
_ARGUMENT = re.compile(rb"\s*(?:[rbuflL@]{0,2}(?P<q>[\"'`])(?P<qv>[^\"'`\n\\]{4,256})(?P=q)|[^,]*)\s*(?:,|$)")
# a setter or builder method named for a credential, given one literal: setPassword("..."),
# .WithAuthToken("..."), .password("...") (getters and lookups take a key's name, not a value)
SETTER_ARGUMENT = re.compile(rb"\(\s*" + _WRAP + _QUOTED + rb"\s*\)")
_NOT_SETTER = re.compile(rb"(?i)^_*(?:get|read|load|fetch|lookup|find|decrypt|delete|remove|has|is|parse|format|print|log|describe|list|require|validate|verify|hash|check|mask|redact|prompt|input|ask)")
# map.put(Context.SECURITY_CREDENTIALS, "pw"), config.set(DB_PASSWORD, "pw"): a constant as the name
CONSTANT_ARGUMENT = re.compile(rb"\s*,\s*" + _WRAP + _QUOTED)
_CONSTANT = re.compile(rb"(?:[A-Za-z_]\w*\.){0,3}(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})$")


def _call_argument(line: bytes, name_start: int, name_end: int, name: bytes) -> list[tuple[int, int, bytes, bytes, int]]:
    """A credential name in a call: a setter given one literal (``setPassword("...")``), or a constant
    naming the first argument (``env.put(Context.SECURITY_CREDENTIALS, "...")``)."""
    if line.startswith(b"(", name_end):
        last = name.rsplit(b".", 1)[-1]
        match = SETTER_ARGUMENT.match(line, name_end)
        if match is not None and not _NOT_SETTER.match(last):
            found = _value(match)
            if found is not None:
                return [(found[1], found[2], name, found[0], 2)]
        return []
    before = line[:name_start].rstrip()
    if before.endswith(b"(") and _CONSTANT.match(name):
        match = CONSTANT_ARGUMENT.match(line, name_end)
        if match is not None:
            found = _value(match)
            if found is not None:
                return [(found[1], found[2], name, found[0], 2)]
    return []

# a line that is one JSON string of an array (notebook cells: "source": ["line\n", ...])
_JSON_STRING_LINE = re.compile(rb'^[ \t]*"(?:[^"\\\n]|\\.)*"[ \t]*,?[ \t]*\r?$')
_ENTITIES = ((b"&quot;", b'"'), (b"&#34;", b'"'), (b"&apos;", b"'"), (b"&#39;", b"'"), (b"&lt;", b"<"), (b"&gt;", b">"))


def _value(match: re.Match[bytes]) -> tuple[bytes, int, int, bool] | None:
    for group in ("ev", "qv", "uv", "bv"):
        try:
            value = match.group(group)
        except IndexError:
            continue
        if value is not None:
            return value, match.start(group), match.end(group), group != "uv"
    return None


def _inside_string(line: bytes, pos: int) -> bool:
    """An odd number of double (or single) quotes before ``pos``: a connection string fragment in code."""
    before = line[:pos].replace(b'\\"', b"").replace(b"\\'", b"")
    return before.count(b'"') % 2 == 1 or before.count(b"'") % 2 == 1 or before.count(b"`") % 2 == 1


def _judge(name: bytes, value: bytes, strength: int) -> float | None:
    value = value.strip().strip(b"\\")
    if value.startswith(b"!!binary"):
        value = value[8:].strip()
    if is_placeholder(value) or looks_like_non_secret(value, name):
        return None
    strong, entropy = passes_strength(value, strength)
    return entropy if strong else None


# Pre-filter keywords that gate the syntax patterns below ("pass" for "password", "auth" for
# "authorization"): when the pre-filter found none in the file, no line of it is tested for the word.
CLI_TOOL_GATES = (b"login", b"mysql", b"mariadb", b"sshpass", b"redis-cli", b"ldap", b"sqlcmd", b"mongo")
JWT_GATES = (b"jwt.", b"jwt::")
_SIGN_GATES = (b"signwith", b"signedstring", b"setsigningkey", b"hmac")
AUTH_PAIR_GATES = (b"auth", b"login", b"cred", b"ldap")
GATE_KEYWORDS = frozenset({b"identified", b"pass", b"bearer", b"securestring", *CLI_TOOL_GATES, *JWT_GATES, *_SIGN_GATES, *AUTH_PAIR_GATES})


def _candidates(
    line: bytes, code_file: bool, prose: bool, directives: bool, lowered: bytes, hits: list[tuple[int, int]],
    gates: Collection[bytes] = GATE_KEYWORDS,
) -> list[tuple[int, int, bytes, bytes, int]]:
    """(start, end, name, value, name strength) before the value checks; ``gates``: see :func:`find_assignments`."""
    out: list[tuple[int, int, bytes, bytes, int]] = []
    for name_start, name_end in _names(line, hits):
        name = line[name_start:name_end]
        strength = name_strength(name)
        match = AFTER_NAME.match(line, name_end)
        if match is None and prose:
            if line.startswith(b" (", name_end):  # "Data key (base64): value"
                close = line.find(b")", name_end + 2, name_end + 40)
                if close > 0:
                    match = AFTER_NAME.match(line, close + 1)
            elif line.startswith(b" ", name_end):
                whose = _WHOSE.match(line, name_end)  # "Master key for the staging vault: value"
                if whose is not None:
                    match = AFTER_NAME.match(line, whose.end())
                elif strength == 2 and name_words(name)[-1:] and name_words(name)[-1].decode() in _SPOKEN_WORDS:
                    spoken = _SPOKEN_VALUE.match(line, name_end)  # "user `demo`, password `value`"
                    if spoken is not None:
                        out.append((spoken.start("qv"), spoken.end("qv"), name, spoken.group("qv"), 2))
                        continue
        if match is None:
            if name_end < len(line) and line[name_end] in b"(,) \t" and strength == 2:
                out += _call_argument(line, name_start, name_end, name)
            continue
        found = _value(match)
        if found is None:
            continue
        value, start, end, quoted = found
        if match.group("type") and name_strength(match.group("type")) > strength:
            name = match.group("type")  # "ENV API_TOKEN=" read as a name and a type
            strength = name_strength(name)
        if not strength:
            continue
        op = match.group("op").strip().rstrip(b":") or b":"  # "the token is: value" reads as "is"
        label = None
        if prose and op in (b":", b"=", b"is", b"was"):
            label = _LABEL_BEFORE.match(line, 0, name_start)
            if label is not None:  # "Encryption key: ...", "- Pre-shared key: ...": the words before are the name's
                words = label.group("words").split()
                joined = b"_".join(words) + b"_" + name
                if name_strength(joined) > strength:
                    name, strength = joined, name_strength(joined)
                elif words[0].lower() in _NOT_LABEL_WORDS:
                    label = None  # "the password: see the vault" is a sentence; "Database password: ..." a label
        if not quoted:
            if code_file and not _inside_string(line, start):
                continue  # code expressions: a variable, a call (a value inside a string literal is a literal)
            # prose: "the password is Hq7vX2...", "the wifi password is LunaDorm2024!" (a human-made password
            # mixes upper and lower case, digits and symbols; the words that follow "is" in prose do not)
            stated = op in (b"is", b"was") and prose and strength == 2 and (random_looking(value) or char_classes(value) == 4)
            if not stated and (op in (b"||", b"??", b"or", b"is", b"was", b"==", b"!=", b"===", b"!==") or op.startswith(b".")):
                continue
            if not stated and prose and not _inside_string(line, name_start) and b"`" not in line and b"=" not in op:
                if line[:name_start].strip(b" \t-*>#0123456789.:") and label is None:
                    continue  # prose: "the password: see the vault"; a "  passwd: value" line still counts
        out.append((start, end, name, value, strength))
    if (b"(" in line or b"set " in line) and (b'"' in line or b"'" in line or b"`" in line or b"&quot;" in line):
        for match in CALL_DEFAULT.finditer(line):  # (a quoted value needs a quote)
            name = match.group("name") or match.group("sym")
            found = _value(match)
            if found is not None and name_strength(name) == 2:
                out.append((found[1], found[2], name, found[0], 2))
    patterns = []
    closing, value_word = b"</" in line, b"value" in lowered
    if closing or value_word:  # each pattern only where its literals are
        if b"=" in line:
            patterns.append(XML_KEY_VALUE)
        if closing:
            patterns.append(XML_ELEMENT)
            if b"</t" in lowered:
                patterns.append(HTML_CELLS)
        if value_word and (b"name" in lowered or b"key" in lowered):
            patterns.append(NAME_VALUE)
    if b"|" in line and line.lstrip().startswith(b"|"):
        patterns.append(TABLE_CELL)
    if b"define" in lowered:
        patterns.append(DEFINE)
    for pattern in patterns:
        for match in pattern.finditer(line):
            found = _value(match)
            if found is not None:
                out.append((found[1], found[2], match.group("name"), found[0], name_strength(match.group("name"))))
    if b"-" in line:
        for match in CLI_FLAG.finditer(line):
            name = match.group("name")
            found = _value(match)
            if found is not None and (not code_file or _inside_string(line, match.start())):
                out.append((found[1], found[2], name, found[0], name_strength(name)))
    patterns = []
    login = b"login" in gates and b"login" in lowered
    if b" -" in line and any(tool in gates and tool in lowered for tool in CLI_TOOL_GATES):
        patterns.append(CLI_P)
    if b"-u" in lowered:  # "--user", "--proxy-user" and "--username" contain "-u"; smbclient's "-U user%pass"
        patterns.append(CLI_USER)
    if b"echo" in line and b"|" in line:
        patterns.append(CLI_STDIN)
    if prose and (b"cred" in lowered or b"login" in lowered or b"log in" in lowered):
        patterns.append(CRED_PAIR)
    if prose and b" as " in lowered:
        for match in VALUE_AS_NAME.finditer(line):
            if name_strength(match.group("name").replace(b" ", b"_")) == 2:
                out.append((match.start("qv"), match.end("qv"), match.group("name"), match.group("qv"), 2))
    if b"AUTH " in line:
        patterns.append(REDIS_AUTH)
    if b"/user:" in lowered and b"net" in lowered:
        patterns.append(NET_USE)
    if b"/p" in lowered and (b"/pass" in lowered or b"/pw" in lowered):
        patterns.append(WINDOWS_SWITCH)
    if b"sql" in lowered or b"expdp" in lowered or b"impdp" in lowered:
        if b"sqlplus" in lowered or b"sqlldr" in lowered or b"expdp" in lowered or b"impdp" in lowered:
            patterns.append(ORACLE_CONNECT)
    if b"htpasswd" in lowered:
        patterns.append(HTPASSWD)
    if b"pass:" in lowered:
        patterns.append(OPENSSL_PASS)
    if b"securestring" in gates and b"convertto-securestring" in lowered:
        patterns.append(SECURE_STRING)
    if b"machine" in lowered and b"login" in lowered:
        patterns.append(NETRC)
    if b"@tcp(" in line or b"@unix(" in line:
        patterns.append(GO_DSN)
    if (b"identified" in gates and b"identified" in lowered) or (b"pass" in gates and b"password" in lowered):
        patterns.append(SQL_PASSWORD)
    if (b"auth" in gates and b"authorization" in lowered) or (b"bearer" in gates and b"bearer" in lowered):
        patterns.append(AUTH_HEADER)
    if b"(" in line:
        if (b"jwt." in gates or b"jwt::" in gates) and (b"jwt." in lowered or b"jwt::" in lowered):
            patterns.append(JWT_CALL)
        if (b"signwith" in gates or b"signedstring" in gates or b"setsigningkey" in gates or b"hmac" in gates) and (
            b"signwith" in lowered or b"signedstring" in lowered or b"setsigningkey" in lowered or b"hmac" in lowered
        ):
            patterns.append(SIGN_CALL)
        if (b"auth" in gates or b"login" in gates or b"cred" in gates or b"ldap" in gates) and (
            b"auth=(" in lowered or b"auth = (" in lowered or b"auth: (" in lowered or b"auth(" in lowered
            or b"login(" in lowered or b"credential" in lowered or b"bind_s(" in lowered or b"authenticate(" in lowered
        ):
            patterns.append(AUTH_PAIR)
    if (b"config" in lowered and (b"config set" in lowered or b"configure set" in lowered or b"git config" in lowered)) or b"setx " in lowered:
        patterns.append(CLI_CONFIG_SET)
    for pattern in patterns:
        for match in pattern.finditer(line):
            found = _value(match)
            if found is None:
                continue
            if pattern is AUTH_HEADER and found[0] == match.group("uv") and not match.group("scheme") and not random_looking(found[0]):
                continue  # "Authorization", "Proxy-Authorization" in a list of header names
            if pattern is CLI_CONFIG_SET:
                strength = name_strength(match.group("name"))
                if strength:
                    out.append((found[1], found[2], match.group("name"), found[0], strength))
                continue
            out.append((found[1], found[2], b"password", found[0], 2))
    if b"-" in line and (b'"-' in line or b"'-" in line):
        for match in QUOTED_FLAG.finditer(line):
            found = _value(match)
            if found is not None and name_strength(match.group("name")) == 2:
                out.append((found[1], found[2], match.group("name"), found[0], 2))
    if b"," in line and b"(" in line and (
        b"getconnection" in lowered or b"ftp" in lowered or b"mysqli" in lowered or b"basic" in lowered
        or b"passwordauth" in lowered or b"credentials" in lowered or b"plainauth" in lowered or b"set_password" in lowered
    ):
        for match in POSITIONAL_CALL.finditer(line):
            index = _PASSWORD_ARGUMENT.get(match.group("call").lower())
            if index is None:
                continue
            arguments = list(_ARGUMENT.finditer(line, match.start("args"), match.end("args")))
            if len(arguments) > index and arguments[index].group("qv") is not None:
                argument = arguments[index]
                out.append((argument.start("qv"), argument.end("qv"), b"password", argument.group("qv"), 2))
    if directives:
        for match in DIRECTIVE.finditer(line):
            name = match.group("name")
            if name_strength(name) == 2:
                out.append((match.start("uv"), match.end("uv"), name, match.group("uv"), 2))
    return out


def find_assignments(
    line: bytes,
    code_file: bool,
    prose: bool = False,
    directives: bool = False,
    lowered: bytes | None = None,
    hits: list[tuple[int, int]] | None = None,
    gates: Collection[bytes] = GATE_KEYWORDS,
) -> list[tuple[int, int, bytes, bytes, float]]:
    """Credentials in one line: (start, end, name, value, entropy), offsets in ``line``.

    ``directives``: the file is a configuration file whose lines are ``name value`` (redis.conf, .netrc...).
    ``lowered`` and ``hits`` (offset, length of each credential keyword in the line) spare recomputing
    what the engine's pre-filter already knows; ``gates``, the keywords of :data:`GATE_KEYWORDS` the
    pre-filter found in the whole file, spares testing each line for words its file does not hold.
    """
    decoded = line
    if b"&" in line and any(entity in line for entity, _ in _ENTITIES):
        for entity, char in _ENTITIES:
            decoded = decoded.replace(entity, char)
        lowered, hits = None, None
    if prose and b"**" in decoded:  # Markdown bold, "**Password:** value", "**API key**: value": same offsets
        decoded = decoded.replace(b"**", b"  ")
    if b"\\" in decoded and _JSON_STRING_LINE.match(decoded):  # a notebook's source line: "API_KEY = \"...\"\n",
        decoded = decoded.replace(b"\\n", b"  ").replace(b"\\r", b"  ").replace(b'\\"', b'"')
        lowered, hits = None, None
    elif b'\\":' in decoded or b'=\\"' in decoded:  # JSON or code inside a string literal: {\"password\": \"...\"}
        decoded = decoded.replace(b'\\"', b'"')
        lowered, hits = None, None
    if lowered is None:
        lowered = decoded.lower()
    if hits is None:
        hits = _keyword_hits(lowered)
    found: list[tuple[int, int, bytes, bytes, float]] = []
    spans: list[tuple[int, int]] = []
    for start, end, name, value, strength in _candidates(decoded, code_file, prose, directives, lowered, hits, gates):
        if strength == 0:
            continue
        entropy = _judge(name, value, strength)
        if entropy is None:
            continue
        value = value.strip().strip(b"\\")
        if decoded is not line:  # map back to the original line
            start = line.find(value)
            start, end = (start, start + len(value)) if start >= 0 else (0, len(line))
        if any(start < other_end and other_start < end for other_start, other_end in spans):
            continue
        spans.append((start, end))
        found.append((start, end, name, value, entropy))
    return found


# --- ciphertext ----------------------------------------------------------------------------------

_ENCRYPTED_KEY = re.compile(rb"(?i)encrypted\w*[\"']?\s*[:=]")


def under_encrypted_key(data: bytes, pos: int) -> bool:
    """The value at ``pos`` is ciphertext: it sits under an ``encrypted...`` key, on its line
    (``"encrypted": {"token": "..."}``) or in an enclosing block of less indentation
    (``encryptedData:`` of a SealedSecret, an ``encrypted:`` map), up to 8 parents above."""
    line_start = data.rfind(b"\n", 0, pos) + 1
    if _ENCRYPTED_KEY.search(data, line_start, pos):
        return True
    line = data[line_start:pos]
    indent = len(line) - len(line.lstrip(b" \t-"))
    end, parents = line_start - 1, 0
    while end > 0 and parents < 8:
        start = data.rfind(b"\n", 0, end) + 1
        above = data[start:end]
        end = start - 1
        stripped = above.lstrip(b" \t-")
        if not stripped or stripped.startswith(b"#"):
            continue
        level = len(above) - len(stripped)
        if level < indent:
            parents += 1
            indent = level
            if _ENCRYPTED_KEY.match(stripped):
                return True
            if level == 0:
                break
    return False


# --- whole-document formats ----------------------------------------------------------------------

_JWK_PRIVATE = re.compile(rb"\"(?P<name>d|p|q|dp|dq|qi|k)\"\s*:\s*\"(?P<v>[A-Za-z0-9_+/=-]{16,})\"")
_K8S_SECRET = re.compile(rb"(?m)^kind:\s*[\"']?Secret[\"']?\s*$")
_K8S_BLOCK = re.compile(rb"(?m)^(?P<indent>[ \t]*)(?P<block>data|stringData):[ \t]*\n")
_K8S_ENTRY = re.compile(rb"(?P<indent>[ \t]+)(?P<name>[\w.-]+):[ \t]*[\"']?(?P<v>[^\s\"'#]{4,})[\"']?[ \t]*(?:#.*)?$")
_K8S_NOT_SECRET = frozenset({b"username", b"user", b"host", b"hostname", b"port", b"database", b"db", b"name", b"url", b"endpoint", b"region", b"namespace"})


_NAME_THEN_VALUE = re.compile(
    rb"(?m)^[ \t]*-?[ \t]*name:[ \t]*[\"']?(?P<name>[\w.-]{2,80})[\"']?[ \t]*\r?\n[ \t]*value:[ \t]*"
    rb"(?:(?P<q>[\"'])(?P<qv>[^\"'\n]{4,256})(?P=q)|(?P<uv>[^\s\"'#]{4,256}))[ \t]*$"
)


def _name_then_value_matches(data: bytes) -> list[re.Match[bytes]]:
    """``_NAME_THEN_VALUE.finditer(data)``, tried only at the starts of lines that hold ``name:``.

    The same matches: a match starts at a line start and its second line starts with ``value:``, so
    it never covers the start of another line that could match; scanning every position of a large
    file with the multi-line pattern costs far more than locating ``name:``.
    """
    matches = []
    tried = -1
    pos = data.find(b"name:")
    while pos >= 0:
        line_start = data.rfind(b"\n", 0, pos) + 1
        if line_start > tried:
            tried = line_start
            match = _NAME_THEN_VALUE.match(data, line_start)
            if match is not None:
                matches.append(match)
        pos = data.find(b"name:", pos + 5)
    return matches


def find_name_value_pairs(data: bytes) -> list[tuple[int, int, bytes]]:
    """``- name: DB_PASSWORD`` then ``value: ...`` (Kubernetes container env, CI variables)."""
    out = []
    for match in _name_then_value_matches(data):
        found = _value(match)
        if found is None:
            continue
        value, start, end, _ = found
        strength = name_strength(match.group("name"))
        if strength and _judge(match.group("name"), value, strength) is not None:
            out.append((start, end, value))
    return out


_TABLE_SEPARATOR = re.compile(rb"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")


def _cells(line: bytes) -> list[bytes]:
    return [cell.strip().strip(b"`").strip() for cell in line.strip().strip(b"|").split(b"|")]


def find_table_columns(data: bytes) -> list[tuple[int, int, bytes]]:
    """Values in a Markdown table column whose header names a credential (``| service | secret |``)."""
    out: list[tuple[int, int, bytes]] = []
    lines = data.split(b"\n")
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    for index in range(1, len(lines)):
        if not _TABLE_SEPARATOR.match(lines[index]) or b"|" not in lines[index - 1]:
            continue
        header = _cells(lines[index - 1])
        columns = [(column, name) for column, name in enumerate(header) if name and name_strength(name) == 2]
        if not columns:
            continue
        for row in range(index + 1, len(lines)):
            line = lines[row]
            if b"|" not in line or not line.strip():
                break
            cells = _cells(line)
            for column, name in columns:
                if column >= len(cells) or not cells[column]:
                    continue
                value = cells[column]
                if _judge(name, value, 2) is None:
                    continue
                start = line.find(value)
                out.append((offsets[row] + start, offsets[row] + start + len(value), value))
    return out


_SIMPLE_BORDER = re.compile(rb"(?m)^[ \t]*=+(?:[ \t]+=+)+[ \t]*\r?$")


def find_simple_tables(data: bytes) -> list[tuple[int, int, bytes]]:
    """Values in reStructuredText simple tables (columns under ``=====  =====`` borders): a row whose first
    cell names a credential (``password    value``), or a column whose header does."""
    out: list[tuple[int, int, bytes]] = []
    border = _SIMPLE_BORDER.search(data)
    while border is not None:
        columns = [(match.start() - border.start(), match.end() - border.start()) for match in re.finditer(rb"=+", border.group())]
        rows: list[tuple[int, bytes]] = []  # (offset, line) between the borders
        borders = 1
        pos = border.end() + 1
        while pos < len(data) and borders < 3 and len(rows) < 500:
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            line = data[pos:end].rstrip(b"\r")
            if _SIMPLE_BORDER.fullmatch(line):
                borders += 1
                rows.append((-1, b""))
            elif not line.strip() and (end >= len(data) or not data[end + 1 : end + 2].strip()):
                break
            else:
                rows.append((pos, line))
            pos = end + 1
        separators = [index for index, (offset, _) in enumerate(rows) if offset < 0]
        header = [row for row in rows[: separators[0]]] if len(separators) >= 2 else []
        body = [row for row in rows[separators[0] + 1 if len(separators) >= 2 else 0 :] if row[0] >= 0]

        def cells(line: bytes) -> list[tuple[int, bytes]]:
            spans = [(start, columns[index + 1][0] if index + 1 < len(columns) else len(line)) for index, (start, _) in enumerate(columns)]
            return [(start + len(line[start:end]) - len(line[start:end].lstrip()), line[start:end].strip()) for start, end in spans]

        names = [name for _, name in cells(header[0][1])] if header else []
        for offset, line in body:
            row = cells(line)
            readings = [(row[0][1], row[1])] if len(row) >= 2 and name_strength(row[0][1]) == 2 else []
            readings += [(names[index], row[index]) for index in range(min(len(names), len(row))) if name_strength(names[index]) == 2]
            for name, (start, value) in readings:
                value = value.strip(b"`")
                if value and b" " not in value and _judge(name, value, 2) is not None:
                    begin = offset + line.find(value, start)
                    out.append((begin, begin + len(value), value))
        border = _SIMPLE_BORDER.search(data, pos)
    return out


_YAML_BLOCK = re.compile(
    rb"(?m)^(?P<indent>[ \t]*)(?:-[ \t]+)?[\"']?(?P<name>[\w.-]{2,80})[\"']?:[ \t]*[|>][-+0-9]?[ \t]*\r?\n"
    rb"(?P<vindent>[ \t]+)(?P<v>[^\s#][^\s]{3,255})[ \t]*\r?(?:\n|$)"
)


def _matches_at_lines(pattern: re.Pattern[bytes], data: bytes, literals: tuple[bytes, ...], line_start: bool = True) -> list[re.Match[bytes]]:
    """``pattern`` tried only where one of ``literals`` occurs (at the start of its line, or at the literal)."""
    matches = []
    tried: set[int] = set()
    for literal in literals:
        pos = data.find(literal)
        while pos >= 0:
            start = data.rfind(b"\n", 0, pos) + 1 if line_start else pos
            if start not in tried:
                tried.add(start)
                match = pattern.match(data, start)
                if match is not None:
                    matches.append(match)
            pos = data.find(literal, pos + len(literal))
    return sorted(matches, key=lambda match: match.start())


def find_yaml_block_scalars(data: bytes) -> list[tuple[int, int, bytes]]:
    """``password: >-`` / ``token: |`` with the value alone on the next, more indented line."""
    out = []
    for match in _matches_at_lines(_YAML_BLOCK, data, (b": |", b": >")):
        if len(match.group("vindent")) <= len(match.group("indent")):
            continue
        following = data[match.end() : match.end() + 256].split(b"\n", 1)[0]
        if following.startswith(match.group("vindent")) and following.strip():
            continue  # a block of several lines: text, a certificate (the PEM rules read keys)
        name, value = match.group("name"), match.group("v")
        strength = name_strength(name)
        if strength and _judge(name, value, strength) is not None:
            out.append((match.start("v"), match.end("v"), value))
    return out


_TF_VARIABLE = re.compile(rb'\bvariable\s+"(?P<name>[^"\n]{2,80})"\s*\{(?P<body>[^{}]{0,800})\}')
_TF_DEFAULT = re.compile(rb'(?m)^\s*default\s*=\s*"(?P<v>[^"\n]{4,256})"')


def find_variable_defaults(data: bytes) -> list[tuple[int, int, bytes]]:
    """Terraform / HCL ``variable "db_password" { default = "..." }``: a credential as a variable's default."""
    out = []
    for match in _matches_at_lines(_TF_VARIABLE, data, (b'variable "',), line_start=False):
        name = match.group("name")
        strength = name_strength(name)
        default = _TF_DEFAULT.search(match.group("body"))
        if not strength or default is None:
            continue
        value = default.group("v")
        if _judge(name, value, strength) is not None:
            start = match.start("body") + default.start("v")
            out.append((start, start + len(value), value))
    return out


PGPASS_NAMES = frozenset({".pgpass", "pgpass.conf"})
_PGPASS = re.compile(rb"(?m)^(?!#)(?:(?:\\.|[^:\n\\])*:){4}(?P<v>(?:\\.|[^\n\r\\])+)\r?$")


def find_pgpass(data: bytes) -> list[tuple[int, int, bytes]]:
    """PostgreSQL password files (``.pgpass``): ``host:port:database:user:password`` lines."""
    out = []
    for match in _PGPASS.finditer(data):
        value = match.group("v")
        if _judge(b"password", value, 2) is not None:
            out.append((match.start("v"), match.end("v"), value))
    return out


_HEADING_VALUE = re.compile(
    rb"(?m)^(?:#{1,6}[ \t]+(?P<h>[A-Za-z][\w .-]{1,40}?)[ \t]*#*|\*\*(?P<b>[A-Za-z][\w .-]{1,40}?):?\*\*:?)[ \t]*\r?\n"
    rb"(?:[ \t]*\r?\n){0,2}[ \t]*(?P<q>`?)(?P<v>[^\s`]{8,256})(?P=q)[ \t]*\r?$"
)


def find_heading_values(data: bytes) -> list[tuple[int, int, bytes]]:
    """A Markdown heading or a bold line naming a credential, with the value alone on a following line
    (``### Token`` then `` `value` ``)."""
    out = []
    for match in _HEADING_VALUE.finditer(data):
        name = (match.group("h") or match.group("b")).replace(b" ", b"_")
        value = match.group("v")
        if name_strength(name) == 2 and _judge(name, value, 2) is not None:
            out.append((match.start("v"), match.end("v"), value))
    return out


def find_jwk_private(data: bytes) -> list[tuple[int, int, bytes]]:
    """Private members of JSON Web Keys (``d``, ``p``, ``q``, ``dp``, ``dq``, ``qi``; ``k`` of symmetric keys)."""
    out = []
    for match in _JWK_PRIVATE.finditer(data):
        around = data[max(0, match.start() - 2048) : match.end() + 2048]
        if b'"kty"' not in around:
            continue
        value = match.group("v")
        if shannon_entropy(value) >= 3.5 and not is_placeholder(value):
            out.append((match.start("v"), match.end("v"), value))
    return out


def find_kubernetes_secrets(data: bytes) -> list[tuple[int, int, bytes]]:
    """Values of ``data`` (base64) and ``stringData`` blocks of Kubernetes ``kind: Secret`` documents."""
    out: list[tuple[int, int, bytes]] = []
    for document_start, document in _documents(data):
        if not _K8S_SECRET.search(document):
            continue
        for block in _K8S_BLOCK.finditer(document):
            pos = block.end()
            entry_indent: bytes | None = None
            for raw in document[pos:].split(b"\n"):
                line_start = pos
                pos += len(raw) + 1
                entry = _K8S_ENTRY.match(raw)
                if entry is None or len(entry.group("indent")) <= len(block.group("indent")):
                    if raw.strip():
                        break
                    continue
                if entry_indent is None:
                    entry_indent = entry.group("indent")
                if entry.group("indent") != entry_indent:
                    continue
                name, value = entry.group("name"), entry.group("v")
                if name.lower() in _K8S_NOT_SECRET or is_placeholder(value):
                    continue
                text = value
                if block.group("block") == b"data":
                    try:
                        text = base64.b64decode(value, validate=True)
                    except (binascii.Error, ValueError):
                        continue
                if len(text) >= 6 and all(32 <= byte < 127 for byte in text) and not is_placeholder(text):
                    if passes_strength(text, 2)[0]:
                        start = document_start + line_start + entry.start("v")
                        out.append((start, start + len(value), value))
    return out


def _documents(data: bytes) -> list[tuple[int, bytes]]:
    out, start = [], 0
    for match in re.finditer(rb"(?m)^---[ \t]*$", data):
        out.append((start, data[start : match.start()]))
        start = match.end()
    out.append((start, data[start:]))
    return out
