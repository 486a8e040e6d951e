"""A labeled secrets corpus, generated at run time from a fixed seed.

Nothing that looks like a live credential is committed: every token is built here, from the rule
patterns (or a format-specific generator), when the corpus is needed. Each rule gets two true
positives in realistic context and look-alikes that must stay quiet (a placeholder with the rule's
prefix, a truncated display form, and for validated formats a value with a broken checksum or
structure). A generic set adds hashes, UUIDs, SRI strings, placeholders and random identifiers.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from dataclasses import dataclass

try:  # Python 3.11+
    from re import _constants as C, _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

from baseline.tools.secrets.rules import RULES, Rule
from baseline.tools.secrets.validators import github_checksum

ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Sample:
    """One file of the corpus: is it a secret, which rule should find it, and its content."""

    name: str
    content: str
    positive: bool
    rule_id: str | None
    kind: str  # tp | placeholder | truncated | invalid | generic-negative | generic-positive


def _category(cat: object, rng: random.Random) -> str:
    if cat == C.CATEGORY_DIGIT:
        return rng.choice(string.digits)
    if cat == C.CATEGORY_SPACE:
        return " "
    return rng.choice(ALNUM + "_")


def _in_set(items: list, rng: random.Random) -> str:
    negate = any(op == C.NEGATE for op, _ in items)
    chars: list[str] = []
    for op, arg in items:
        if op == C.LITERAL:
            chars.append(chr(arg))
        elif op == C.RANGE:
            chars.extend(chr(code) for code in range(arg[0], arg[1] + 1))
        elif op == C.CATEGORY:
            chars.append(_category(arg, rng))
    if negate:
        pool = [c for c in ALNUM if c not in chars]
        return rng.choice(pool)
    # keep tokens printable and free of whitespace/quotes for realistic contexts
    usable = [c for c in chars if c not in " \t\r\n\"'\\,:"] or chars
    return rng.choice(usable)


def _generate(tree: list, rng: random.Random, out: list[str], groups: dict[str, tuple[int, int]], names: dict[int, str]) -> None:
    for op, arg in tree:
        if op == C.LITERAL:
            out.append(chr(arg))
        elif op == C.NOT_LITERAL:
            out.append(rng.choice([c for c in ALNUM if ord(c) != arg]))
        elif op == C.ANY:
            out.append(rng.choice(ALNUM))
        elif op == C.IN:
            out.append(_in_set(arg, rng))
        elif op == C.BRANCH:
            _generate(list(rng.choice(arg[1])), rng, out, groups, names)
        elif op == C.SUBPATTERN:
            group, _, _, sub = arg
            start = len("".join(out))
            _generate(list(sub), rng, out, groups, names)
            if group is not None and group in names:
                groups[names[group]] = (start, len("".join(out)))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            if high == C.MAXREPEAT:
                high = low + rng.randint(8, 30)
            for _ in range(rng.randint(low, min(high, low + 30)) if high > low else low):
                _generate(list(sub), rng, out, groups, names)
        # AT, ASSERT, ASSERT_NOT, GROUPREF: produce nothing


def from_pattern(pattern: str, rng: random.Random) -> tuple[str, str]:
    """A random string matching ``pattern``, and its ``s`` group."""
    parsed = P.parse(pattern)
    names = {index: name for name, index in parsed.state.groupdict.items()}
    out: list[str] = []
    groups: dict[str, tuple[int, int]] = {}
    _generate(list(parsed), rng, out, groups, names)
    text = "".join(out)
    start, end = groups.get("s", (0, len(text)))
    return text, text[start:end]


def literal_prefix(pattern: str) -> int:
    """How many literal characters open the ``s`` group."""
    parsed = P.parse(pattern)
    target = parsed.state.groupdict.get("s")

    def find(tree: list) -> list | None:
        for op, arg in tree:
            if op == C.SUBPATTERN:
                if arg[0] == target:
                    return list(arg[3])
                found = find(list(arg[3]))
                if found is not None:
                    return found
        return None

    body = find(list(parsed)) or []
    count = 0
    for op, _ in body:
        if op != C.LITERAL:
            break
        count += 1
    return count


def _rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def github_token(rng: random.Random, prefix: str = "ghp_") -> str:
    """A well-formed GitHub / npm style token (30 random characters + CRC32)."""
    body = _rand(rng, 30)
    return prefix + body + github_checksum(body)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt_token(rng: random.Random) -> str:
    """A structurally valid JWT with a random signature."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": str(rng.randint(1, 10**9)), "name": "svc", "iat": 1700000000 + rng.randint(0, 10**6)}).encode())
    return f"{header}.{payload}.{_b64url(rng.randbytes(32))}"


def pem_block(rng: random.Random, label: str, body: bytes) -> str:
    """A PEM block around ``body``."""
    encoded = base64.b64encode(body).decode()
    lines = "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----"


def _der(rng: random.Random) -> bytes:
    payload = rng.randbytes(600)
    return bytes([0x30, 0x82]) + len(payload).to_bytes(2, "big") + payload


def pypi_token(rng: random.Random, test: bool = False) -> str:
    """A PyPI-shaped token: a macaroon-like body whose location is pypi.org."""
    location = b"test.pypi.org" if test else b"pypi.org"
    body = b"\x02\x01\x08" + location if not test else b"\x02\x01\x0d" + location
    body += b"\x02\x26" + rng.randbytes(96)
    return "pypi-" + _b64url(body)


def _special(rule: Rule, rng: random.Random) -> tuple[str, str] | None:
    """(line of text, secret) for formats that need structure or a checksum."""
    rid = rule.id
    gh = {"secrets.github-pat-classic": "ghp_", "secrets.github-oauth-token": "gho_", "secrets.github-user-to-server": "ghu_",
          "secrets.github-server-to-server": "ghs_", "secrets.github-refresh-token": "ghr_", "secrets.npm-token": "npm_"}
    if rid in gh:
        token = github_token(rng, gh[rid])
        return token, token
    if rid == "secrets.jwt":
        token = jwt_token(rng)
        return token, token
    if rid in ("secrets.pypi-token", "secrets.testpypi-token"):
        token = pypi_token(rng, rid == "secrets.testpypi-token")
        return token, token
    labels = {"secrets.private-key-rsa": "RSA PRIVATE KEY", "secrets.private-key-ec": "EC PRIVATE KEY",
              "secrets.private-key-dsa": "DSA PRIVATE KEY", "secrets.private-key-pkcs8": "PRIVATE KEY",
              "secrets.private-key-encrypted": "ENCRYPTED PRIVATE KEY"}
    if rid in labels:
        block = pem_block(rng, labels[rid], _der(rng))
        return block, block
    if rid == "secrets.private-key-openssh":
        block = pem_block(rng, "OPENSSH PRIVATE KEY", b"openssh-key-v1\x00" + rng.randbytes(400))
        return block, block
    if rid == "secrets.private-key-pgp":
        block = pem_block(rng, "PGP PRIVATE KEY BLOCK", bytes([0x95, 0x03]) + rng.randbytes(500))
        block = block.replace("-----\n", "-----\nVersion: GnuPG v2\n\n", 1)
        return block, block
    if rid == "secrets.private-key-putty":
        pub = base64.b64encode(rng.randbytes(270)).decode()
        priv = base64.b64encode(rng.randbytes(600)).decode()
        lines = lambda data: "\n".join(data[i : i + 64] for i in range(0, len(data), 64))  # noqa: E731
        text = (f"PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: deploy\nPublic-Lines: {len(lines(pub).splitlines())}\n{lines(pub)}\n"
                f"Private-Lines: {len(lines(priv).splitlines())}\n{lines(priv)}\nPrivate-MAC: {_rand(rng, 40, '0123456789abcdef')}")
        return text, priv[:64]
    if rid == "secrets.gcp-service-account":
        key_id = _rand(rng, 40, "0123456789abcdef")
        doc = {"type": "service_account", "project_id": "demo-prod", "private_key_id": key_id,
               "private_key": pem_block(rng, "PRIVATE KEY", _der(rng)).replace("\n", "\\n"),
               "client_email": "svc@demo-prod.iam.gserviceaccount.com"}
        return json.dumps(doc, indent=2).replace("\\\\n", "\\n"), key_id
    if rid == "secrets.docker-config-auth":
        auth = base64.b64encode(f"deployer:{_rand(rng, 20)}".encode()).decode()
        return json.dumps({"auths": {"registry.example.io": {"auth": auth}}}), auth
    if rid == "secrets.azure-storage-account-key":
        key = base64.b64encode(rng.randbytes(64)).decode()
        return f"DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey={key};EndpointSuffix=core.windows.net", key
    if rid == "secrets.azure-shared-access-key":
        key = base64.b64encode(rng.randbytes(32)).decode()
        return f"Endpoint=sb://prod.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}", key
    if rid in ("secrets.database-url-password", "secrets.broker-url-password", "secrets.basic-auth-url"):
        scheme = {"secrets.database-url-password": rng.choice(["postgresql", "mysql", "mongodb+srv", "redis"]),
                  "secrets.broker-url-password": rng.choice(["amqp", "amqps", "mqtt"]),
                  "secrets.basic-auth-url": rng.choice(["https", "ftp"])}[rid]
        password = _rand(rng, 14)
        return f"{scheme}://svc_user:{password}@host-{rng.randint(1, 99)}.internal:5432/app", password
    if rid == "secrets.twitter-bearer-token":
        token = "A" * 22 + _rand(rng, 20) + "%2F" + _rand(rng, 20) + "%3D" + _rand(rng, 30)
        return token, token
    named = {"secrets.aws-secret-access-key": ("AWS_SECRET_ACCESS_KEY", _rand(rng, 40, ALNUM + "/+")),
             "secrets.aws-session-token": ("AWS_SESSION_TOKEN", _rand(rng, 180, ALNUM + "/+")),
             "secrets.heroku-api-key": ("HEROKU_API_KEY", "-".join(_rand(rng, n, "0123456789abcdef") for n in (8, 4, 4, 4, 12))),
             "secrets.datadog-api-key": ("DD_API_KEY", _rand(rng, 32, "0123456789abcdef")),
             "secrets.twilio-api-key": ("TWILIO_API_KEY", "SK" + _rand(rng, 32, "0123456789abcdef")),
             "secrets.twilio-auth-token": ("TWILIO_AUTH_TOKEN", _rand(rng, 32, "0123456789abcdef"))}
    if rid in named:
        name, value = named[rid]
        return f"{name}={value}", value
    return None


def _contexts(name: str, text: str, secret: str, variant: int) -> tuple[str, str]:
    """(file name suffix, content) putting ``text`` in a realistic file."""
    if "\n" in text or text.startswith("{"):
        if variant == 0:
            return ".pem" if "BEGIN" in text else ".json", text + "\n"
        return ".py", f'CONFIG = """\n{text}\n"""\n'
    if re.match(r"^[A-Z][A-Z_]+=", text) and text != secret:
        if variant == 0:
            return ".env", text + "\n"
        key, _, value = text.partition("=")
        return ".py", f'import os\n\n{key} = os.environ.get("{key}", "{value}")\n'
    if variant == 0:
        return ".py", f'import requests\n\n{name} = "{text}"\nsession = requests.Session()\n'
    return ".yaml", f"service:\n  name: billing\n  {name.lower()}: {text}\n  retries: 3\n"


def rule_samples(rule: Rule, rng: random.Random) -> list[Sample]:
    """Two true positives and the look-alikes of one rule."""
    base = rule.id.split(".", 1)[1]
    name = base.upper().replace("-", "_")
    out: list[Sample] = []
    secret = ""
    for variant in (0, 1):
        special = _special(rule, rng)
        text, secret = special if special else from_pattern(rule.pattern, rng)
        suffix, content = _contexts(name, text, secret, variant)
        out.append(Sample(f"{base}-tp{variant}{suffix}", content, True, rule.id, "tp"))
    if "\n" in secret:  # multi-line keys: a placeholder body and a truncated body
        first = secret.splitlines()[0]
        last = secret.splitlines()[-1]
        out.append(Sample(f"{base}-placeholder.txt", f"{first}\n...\n{last}\n", False, rule.id, "placeholder"))
        out.append(Sample(f"{base}-invalid.txt", f"{first}\n" + "your key goes here, base64 encoded\n" * 3 + f"{last}\n", False, rule.id, "invalid"))
        return out
    prefix_len = literal_prefix(rule.pattern) if not _special(rule, random.Random(0)) else len(re.match(r"[A-Za-z]*[_.-]?", secret).group(0))
    prefix = secret[:prefix_len]
    body_len = max(8, len(secret) - prefix_len)
    out.append(Sample(f"{base}-placeholder.py", f'{name} = "{prefix}{"x" * body_len}"  # set in deployment\n', False, rule.id, "placeholder"))
    out.append(Sample(f"{base}-truncated.md", f"Your key is shown once, e.g. `{secret[:prefix_len + 4]}...` in the settings page.\n", False, rule.id, "truncated"))
    if rule.validator in ("github_crc32", "jwt"):
        broken = secret[:-6] + ("000000" if secret[-6:] != "000000" else "111111")
        if rule.validator == "jwt":
            broken = _b64url(b'{"kid": 1}') + secret[secret.index("."):]  # header without an algorithm
        out.append(Sample(f"{base}-invalid.py", f'{name} = "{broken}"\n', False, rule.id, "invalid"))
    return out


GENERIC_POSITIVES = (
    ("settings.py", 'DATABASES = {"default": {"USER": "app", "PASSWORD": "{pw}"}}\n'),
    ("config.yaml", "database:\n  user: app\n  password: {pw}\n"),
    ("app.ini", "[smtp]\nhost = mail.internal\nsmtp_password = {pw}\n"),
    (".env", "APP_SECRET={pw}\nDEBUG=false\n"),
    ("settings.toml", '[auth]\nclient_secret = "{pw}"\n'),
    ("deploy.sh", "#!/bin/sh\nexport API_TOKEN={pw}\n./run\n"),
    ("client.py", 'client = Client(api_key="{pw}", timeout=5)\n'),
    ("conf.json", '{"service": "mail", "auth_token": "{pw}"}\n'),
)

GENERIC_NEGATIVES = (
    ("requirements.txt", "requests==2.31.0 \\\n    --hash=sha256:{hex64}\n"),
    ("package-lock.json", '{"node_modules/x": {"version": "1.0.0", "integrity": "sha512-{b64_86}=="}}\n'),
    ("index.html", '<script src="x.js" integrity="sha384-{b64_64}" crossorigin="anonymous"></script>\n'),
    ("ids.py", 'REQUEST_ID = "{uuid}"\nTRACE_TOKEN_ID = "{uuid}"\n'),
    ("git.py", 'COMMIT = "{hex40}"\nPINNED_REV = "{hex40}"\n'),
    ("hash.py", 'PASSWORD_HASH = "{hex64}"\nfile_sha256 = "{hex64}"\n'),
    ("ph1.py", 'DB_PASSWORD = "changeme"\nAPI_TOKEN = "<your-api-token>"\n'),
    ("ph2.yaml", "db:\n  password: ${DB_PASSWORD}\n  token: '{{ vault_token }}'\n"),
    ("ph3.py", 'import os\napi_key = os.environ["API_KEY"]\npassword = get_password()\nsecret = settings.SECRET\n'),
    ("ph4.py", 'password = "xxxxxxxxxxxx"\ntoken = "************"\n'),
    ("ph5.ini", "[db]\npassword = %(DB_PASSWORD)s\n"),
    ("ident.py", 'TOKEN_TYPE = "access_token"\ntoken_url = "https://auth.example.com/oauth/token"\nPASSWORD_FIELD = "password"\n'),
    ("keys.py", 'SECRET_KEY_NAME = "app-secret-key"\naws_secret_access_key_env = "AWS_SECRET_ACCESS_KEY"\n'),
    ("aws_doc.md", "Use `AKIA" + "IOSFODNN7EXAMPLE` and `wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY` as in the AWS docs.\n"),
    ("random_ids.py", 'CSS_CLASS = "{rand20}"\nCACHE_KEY_PREFIX = "v2"\nmodule_token = tokenize.generate_tokens\n'),
    ("types.py", "def login(password: str, token: Optional[str] = None) -> bool:\n    return check(password=password, token=token)\n"),
    ("paths.py", 'PRIVATE_KEY_PATH = "/etc/ssl/private/server.key"\nsecret_file = "secrets/app.json"\n'),
    ("docs.rst", "Set ``password=<password>`` and ``token=$TOKEN`` in the environment.\n"),
    ("names.py", '__all__ = ["IDToken", "CodeIDToken", "ImplicitIDToken", "OpenIDToken", "UserInfoToken"]\n'),
    ("arn.json", '{"ARN": "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyDbSecret-a1b2c3", "Action": "secretsmanager:GetSecretValue"}\n'),
    ("lexer.py", "_token = rf'(?:[^\\s\\\\]|\\\\.)+'\nident_token = f'([{start}][{cont}]*)'\n"),
    ("paging.json", '{"nextPageToken": "{b64_64}", "PasswordLastUsed": "2016-09-19T21:12:05Z"}\n'),
    ("consts.py", "ACCESS_KEY = 'AWSAccessKeyId'\nSECRET_KEY = 'AWSSecretAccessKey'\n"),
)


def _fill(template: str, rng: random.Random) -> str:
    uuid = "-".join(_rand(rng, n, "0123456789abcdef") for n in (8, 4, 4, 4, 12))
    values = {"hex64": _rand(rng, 64, "0123456789abcdef"), "hex40": _rand(rng, 40, "0123456789abcdef"),
              "b64_86": _rand(rng, 86, ALNUM + "+/"), "b64_64": _rand(rng, 64, ALNUM + "+/"), "uuid": uuid,
              "rand20": _rand(rng, 20, string.ascii_lowercase + "-"),
              "pw": _rand(rng, 6, string.ascii_letters) + rng.choice("!#%&*") + _rand(rng, 8, ALNUM)}
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def build_corpus(seed: int = 8397) -> list[Sample]:
    """The whole corpus, deterministic for a given seed."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for rule in RULES:
        samples.extend(rule_samples(rule, rng))
    for index, (name, template) in enumerate(GENERIC_POSITIVES):
        for variant in (0, 1):
            samples.append(Sample(f"generic-pos{index}-{variant}-{name}", _fill(template, rng), True, "secrets.generic-assignment", "generic-positive"))
    for index, (name, template) in enumerate(GENERIC_NEGATIVES):
        samples.append(Sample(f"generic-neg{index}-{name}", _fill(template, rng), False, None, "generic-negative"))
    return samples
