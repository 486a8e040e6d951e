"""A hand-labelled corpus of credentials as people write them, generated at run time from a seed.

Each case is a short file in a real-world syntax (configuration formats, languages, CI and
infrastructure files, documentation) written by hand for this corpus, with ``§gen§`` markers where
a value is generated. A positive case holds exactly one secret: the first marker whose generator
is a secret generator. A negative case holds only look-alikes (placeholders, environment lookups,
digests, UUIDs under non-secret names, identifiers, public keys, published example keys) and must
not fire. Nothing here is taken from another scanner's test data or rules.

Values are random (fixed seed) and built when the corpus is needed, so nothing that looks like a
live credential is committed. The split is stable: the held-out third (``held_out``, stratified by
kind of source and label) is measured only at the end of a tuning round.

Each case names the ``cause`` of issue 20 it exercises (1 syntax, 2 names, 3 shape filters,
4 provider formats, 5 false fires, 6 silent gaps, 7 leaks and fingerprints) and a ``kind`` of source:
config, code, infra (containers, Kubernetes, Terraform, CI) or docs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import string
from dataclasses import dataclass, replace
from typing import Callable

LOWER, UPPER, DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
ALNUM = LOWER + UPPER + DIGITS
HEX = "0123456789abcdef"
PW_SYMBOLS = "!*+-_.@^~#"
SYLLABLES = ("ka", "ro", "mi", "ve", "lun", "dor", "tez", "qua", "bri", "sol", "nim", "pax", "zel", "wo", "fyr", "gant")


def _r(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mixed(rng: random.Random, n: int, alphabet: str) -> str:
    """``n`` characters from ``alphabet`` with at least one lower case letter, upper case letter and digit."""
    while True:
        value = _r(rng, n, alphabet)
        if any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value):
            return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _word(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def _pem(rng: random.Random, label: str = "RSA PRIVATE KEY") -> str:
    payload = rng.randbytes(620)
    der = bytes([0x30, 0x82]) + len(payload).to_bytes(2, "big") + payload
    encoded = _b64(der)
    return f"-----BEGIN {label}-----\n" + "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64)) + f"\n-----END {label}-----"


def _jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": f"svc-{rng.randint(1, 99999)}", "role": "service", "iat": 1700000000 + rng.randint(0, 10**7)}).encode())
    return f"{header}.{payload}.{_b64url(rng.randbytes(32))}"


def _discord(rng: random.Random) -> str:
    user = str(rng.randint(10**17, 10**19))
    return _b64url(user.encode()) + "." + _r(rng, 6, ALNUM + "-_") + "." + _r(rng, 38, ALNUM + "-_")


# Secret generators: every value is random; shapes follow how each kind of credential looks.
SECRET_GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "pw": lambda rng: _mixed(rng, rng.randint(12, 20), ALNUM + PW_SYMBOLS.replace("#", "")),
    "pwurl": lambda rng: _mixed(rng, rng.randint(12, 18), ALNUM + "-_.~"),
    "pwxml": lambda rng: _mixed(rng, rng.randint(12, 18), ALNUM + "!*+-_.@^~"),
    "pwsh": lambda rng: _mixed(rng, rng.randint(12, 18), ALNUM + "-_.@+"),
    "human": lambda rng: _word(rng).capitalize() + _word(rng).capitalize() + str(rng.randint(10, 9999)) + rng.choice("!*.#@"),
    "camel": lambda rng: _word(rng) + _word(rng).capitalize() + str(rng.randint(10, 999)) + _word(rng, 1).capitalize(),
    "bang": lambda rng: "!" + _mixed(rng, 15, ALNUM + "*-_"),
    "hexlow": lambda rng: rng.choice("abcdef") + _r(rng, 31, HEX),
    "hex40": lambda rng: rng.choice("abcdef") + _r(rng, 39, HEX),
    "hex64": lambda rng: rng.choice("abcdef") + _r(rng, 63, HEX),
    "lowalnum": lambda rng: rng.choice(LOWER) + _r(rng, 23, LOWER + DIGITS),
    "b64slash": lambda rng: _r(rng, 8, ALNUM) + "/" + _r(rng, 14, ALNUM) + "/" + _r(rng, 8, ALNUM + "+") + "+" + _r(rng, 7, ALNUM),
    "b64key": lambda rng: _b64(rng.randbytes(32)),
    "b64_48": lambda rng: _b64(rng.randbytes(48)),
    "uuidtok": lambda rng: "-".join(_r(rng, n, HEX) for n in (8, 4, 4, 4, 12)),
    "djangokey": lambda rng: "django-insecure-" + _r(rng, 50, LOWER + DIGITS + "!@^*(-_=+)"),
    "flaskkey": lambda rng: _r(rng, 24, ALNUM + "_-"),
    "jwtkey": lambda rng: _mixed(rng, 32, ALNUM),
    "jwt": _jwt,
    "pem": _pem,
    "pemec": lambda rng: _pem(rng, "EC PRIVATE KEY"),
    "pem8": lambda rng: _pem(rng, "PRIVATE KEY"),
    "slack_legacy": lambda rng: f"xoxp-{rng.randint(10**11, 10**12)}-{rng.randint(10**11, 10**12)}-{rng.randint(10**12, 10**13)}-{_r(rng, 32, HEX)}",
    "slack_bot": lambda rng: f"xoxb-{rng.randint(10**12, 10**13)}-{rng.randint(10**12, 10**13)}-{_r(rng, 24)}",
    "ghs_long": lambda rng: "ghs_" + _r(rng, 180),
    "glpat_new": lambda rng: "glpat-" + _r(rng, 27, ALNUM + "-_") + ".01." + _r(rng, 9, LOWER + DIGITS),
    "glrt": lambda rng: "glrt-t" + rng.choice("123") + "_" + _r(rng, 27, ALNUM + "-_"),
    "glcbt": lambda rng: "glcbt-" + _r(rng, 2, HEX) + "_" + _r(rng, 20, ALNUM + "-_"),
    "heroku": lambda rng: "HRKU-AA" + _r(rng, 58, ALNUM + "-_"),
    "heroku_legacy": lambda rng: "-".join(_r(rng, n, HEX) for n in (8, 4, 4, 4, 12)),
    "supabase_secret": lambda rng: "sb_secret_" + _r(rng, 31, ALNUM + "-_"),
    "supabase_sbp": lambda rng: "sbp_" + _r(rng, 40, HEX),
    "notion_legacy": lambda rng: "secret_" + _r(rng, 43),
    "notion_ntn": lambda rng: "ntn_" + _r(rng, 11, DIGITS) + _r(rng, 35),
    "sendgrid": lambda rng: "SG." + _r(rng, 22, ALNUM + "-_") + "." + _r(rng, 43, ALNUM + "-_"),
    "atlassian": lambda rng: "ATATT3xFfGF0" + _r(rng, 170, ALNUM + "-_") + "=" + _r(rng, 8, HEX.upper()),
    "docker_pat": lambda rng: "dckr_pat_" + _r(rng, 27, ALNUM + "-_"),
    "docker_oat": lambda rng: "dckr_oat_" + _r(rng, 32, ALNUM + "-_"),
    "sonar": lambda rng: rng.choice(("squ_", "sqp_", "sqa_")) + _r(rng, 40, HEX),
    "anthropic": lambda rng: "sk-ant-api03-" + _r(rng, 93, ALNUM + "-_") + "AA",
    "cloudflare": lambda rng: _r(rng, 40, ALNUM + "-_"),
    "cloudflare_global": lambda rng: _r(rng, 37, HEX),
    "posthog": lambda rng: "phx_" + _r(rng, 47),
    "vercel": lambda rng: _r(rng, 24),
    "netlify": lambda rng: "nfp_" + _r(rng, 36) + _r(rng, 4, HEX),
    "dropbox": lambda rng: "sl.u." + _r(rng, 140, ALNUM + "-_"),
    "discord": _discord,
    "newrelic_license": lambda rng: _r(rng, 36, HEX) + "NRAL",
    "newrelic_insert": lambda rng: "NRII-" + _r(rng, 32, ALNUM + "-_"),
    "onepassword": lambda rng: "ops_eyJ" + _r(rng, 300, ALNUM + "+/"),
    "sourcegraph": lambda rng: "sgp_" + _r(rng, 16, HEX) + "_" + _r(rng, 40, HEX),
    "openai": lambda rng: "sk-proj-" + _r(rng, 74, ALNUM + "-_") + "T3BlbkFJ" + _r(rng, 74, ALNUM + "-_"),
    "aws_id": lambda rng: "AKIA" + _r(rng, 16, UPPER + "234567"),
    "gcp_api": lambda rng: "AIza" + _r(rng, 35, ALNUM + "-_"),
    "stripe_live": lambda rng: "sk_live_" + _r(rng, 99),
    "azure_conn_key": lambda rng: _b64(rng.randbytes(64)),
    "mailgun": lambda rng: "key-" + _r(rng, 32, HEX),
    "twilio": lambda rng: _r(rng, 32, HEX),
    "datadog": lambda rng: _r(rng, 32, HEX),
    "k8s_b64": lambda rng: _b64(_mixed(rng, 18, ALNUM + "!*-_").encode()),
    "basic_b64": lambda rng: _b64(("deploy:" + _mixed(rng, 16, ALNUM + "!*-_")).encode()),
}

# Generators for values that are not secrets (used in negative cases and around secrets).
LOOKALIKE_GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "uuid": lambda rng: "-".join(_r(rng, n, HEX) for n in (8, 4, 4, 4, 12)),
    "sha256": lambda rng: _r(rng, 64, HEX),
    "sha1": lambda rng: _r(rng, 40, HEX),
    "md5": lambda rng: _r(rng, 32, HEX),
    "sri512": lambda rng: "sha512-" + _b64(rng.randbytes(64)),
    "sri384": lambda rng: "sha384-" + _b64(rng.randbytes(48)),
    "goh1": lambda rng: "h1:" + _b64(rng.randbytes(32)),
    "ident": lambda rng: _word(rng, 2) + "_" + _word(rng, 2),
    "pubkey": lambda rng: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _r(rng, 43, ALNUM + "+/") + " deploy@ci",
    "b64blob": lambda rng: _b64(rng.randbytes(45)),
    "csrf": lambda rng: _r(rng, 64, ALNUM + "-_"),
    "phc": lambda rng: "phc_" + _r(rng, 43),
    "pk_live": lambda rng: "pk_live_" + _r(rng, 99),
    "nonce_hex": lambda rng: _r(rng, 24, HEX),
    "version": lambda rng: f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
}


@dataclass(frozen=True)
class Case:
    """One labelled file of the corpus."""

    id: str
    kind: str  # config | code | infra | docs
    cause: int  # 1..7 (issue 20)
    name: str  # file name, decides the syntax rules
    content: str
    positive: bool
    secrets: tuple[str, ...]  # the labelled secret values (empty for negatives)
    secret_lines: tuple[int, ...]  # 1-based line where each secret starts
    held_out: bool = False  # in the held-out third (see build_cases)
    round: int = 1  # 1: the first set of cases; 2 to 9: written later, each with its own held-out third


# (kind, cause, file name, template). P = must fire, N = must not fire.
_P: list[tuple[str, int, str, str]] = []
_N: list[tuple[str, int, str, str]] = []


def P(kind: str, cause: int, name: str, template: str) -> None:
    _P.append((kind, cause, name, template))


def N(kind: str, cause: int, name: str, template: str) -> None:
    _N.append((kind, cause, name, template))


# ---------------------------------------------------------------------------------------------
# 1. syntax the generic rule cannot read
# ---------------------------------------------------------------------------------------------
P("infra", 1, "deploy.sh", "#!/bin/sh\nmysql -h db.internal -u app --password §pwsh§ -e 'select 1'\n")
P("infra", 1, "backup.sh", "#!/bin/bash\nmysqldump -u backup -p§pwsh§ --all-databases > dump.sql\n")
P("infra", 1, "ci/fetch.sh", "curl -fsS -u deployer:§pwurl§ https://artifacts.internal/repo/app.tgz -o app.tgz\n")
P("infra", 1, "run.sh", "./server --db-user app --db-password=§pwsh§ --port 8080\n")
P("infra", 1, "login.sh", "echo logging in\ndocker login -u ci-bot -p §pwsh§ registry.internal\n")
P("code", 1, "schema.sql", "CREATE USER 'reporting'@'%' IDENTIFIED BY '§pwxml§';\nGRANT SELECT ON sales.* TO 'reporting'@'%';\n")
P("code", 1, "roles.sql", "CREATE ROLE app_rw WITH LOGIN PASSWORD '§pwxml§';\n")
P("code", 1, "alter.sql", "ALTER USER analytics WITH ENCRYPTED PASSWORD '§pwxml§' VALID UNTIL 'infinity';\n")
P("code", 1, "init.sql", "CREATE LOGIN app_login WITH PASSWORD = '§pwxml§', CHECK_POLICY = OFF;\n")
P("config", 1, "Web.config", '<configuration>\n  <appSettings>\n    <add key="SmtpPassword" value="§pwxml§" />\n  </appSettings>\n</configuration>\n')
P("config", 1, "App.config", '<appSettings>\n  <add key="ApiKey" value="§jwtkey§"/>\n</appSettings>\n')
P("config", 1, "server.xml", '<Resource name="jdbc/app" auth="Container" username="app" password="§pwxml§" driverClassName="org.postgresql.Driver"/>\n')
P("config", 1, "settings.xml", "<settings>\n  <servers>\n    <server>\n      <id>nexus</id>\n      <username>deploy</username>\n      <password>§pwxml§</password>\n    </server>\n  </servers>\n</settings>\n")
P("config", 1, "config.xml", "<config><db user=&quot;app&quot; password=&quot;§pwurl§&quot;/></config>\n")
P("docs", 1, "install.html", '<pre>&lt;add key=&quot;password&quot; value=&quot;§pwurl§&quot; /&gt;</pre>\n')
P("code", 1, "config.h", '#ifndef CONFIG_H\n#define CONFIG_H\n#define WIFI_PASSWORD "§pwsh§"\n#endif\n')
P("code", 1, "secrets.h", '#define API_KEY "§hexlow§"\n#define API_HOST "api.internal"\n')
P("code", 1, "Makefile", "REGISTRY := registry.internal\nREGISTRY_PASSWORD := §pwsh§\n\npush:\n\tdocker push $(REGISTRY)/app\n")
P("code", 1, "deploy.mk", "DEPLOY_TOKEN ?= §lowalnum§\n")
P("code", 1, "auth.py", 'def check(user, password):\n    return user == "admin" and password == "§pw§"\n')
P("code", 1, "Auth.java", 'if (password.equals("§pw§")) {\n    grant();\n}\n')
P("code", 1, "auth.js", 'if (req.body.token === "§lowalnum§") { next(); }\n')
P("code", 1, "Config.java", 'private static final String DB_PASSWORD = "§pw§";\n')
P("code", 1, "Settings.cs", 'public const string ApiSecret = "§jwtkey§";\n')
P("code", 1, "config.go", 'const dbPassword string = "§pw§"\n')
P("code", 1, "config.ts", 'export const apiToken: string = "§lowalnum§";\n')
P("code", 1, "settings.kt", 'val signingSecret: String = "§jwtkey§"\n')
P("code", 1, "db.py", 'conn = psycopg2.connect(host="db", user="app", password="§pw§", dbname="app")\n')
P("code", 1, "client.rb", "client = Mysql2::Client.new(host: 'db', username: 'app', password: '§pw§')\n")
P("code", 1, "db.php", "<?php\n$pdo = new PDO($dsn, 'app', '§pw§');\n$config = ['password' => '§pw§'];\n")
P("code", 1, "settings.py", 'import os\nDB_PASSWORD = os.getenv("DB_PASSWORD", "§pw§")\n')
P("code", 1, "config.js", "const secret = process.env.JWT_SECRET || '§jwtkey§';\n")
P("code", 1, "main.go", 'token := getEnv("API_TOKEN", "§lowalnum§")\n')
P("config", 1, "config.yaml", "redis:\n  host: cache\n  password:§pwurl§\n")
P("config", 1, "app.properties", "spring.datasource.username=app\nspring.datasource.password=§pw§\n")
P("code", 1, "client.py", 'headers = {"Authorization": "Bearer §lowalnum§"}\n')
P("code", 1, "api.js", "fetch(url, { headers: { Authorization: `Bearer §jwtkey§` } });\n")
P("infra", 1, "call.sh", 'curl -H "Authorization: Bearer §b64key§" https://api.internal/v1/jobs\n')
P("infra", 1, "call2.sh", "curl -H 'Authorization: Basic §basic_b64§' https://repo.internal/\n")
P("docs", 1, "api.http", "GET https://api.internal/v1/users\nAuthorization: token §hex40§\n")
P("config", 1, "appsettings.json", '{\n  "ConnectionStrings": {\n    "Default": "Server=db;Database=app;User Id=app;Password=§pwurl§;"\n  }\n}\n')
P("code", 1, "Db.cs", 'var cs = "Data Source=sql01;Initial Catalog=Sales;User ID=sa;Pwd=§pwurl§;";\n')
P("config", 1, "jdbc.properties", "url=jdbc:postgresql://db:5432/app?user=app&password=§pwurl§\n")
P("code", 1, "mongo.js", "mongoose.connect('mongodb://app:§pwurl§@mongo-0.internal:27017/app');\n")
P("config", 1, ".env", "DATABASE_URL=postgresql://app:§pwurl§@db.internal:5432/app\n")
P("config", 1, "pip.conf", "[global]\nindex-url = https://deploy:§pwurl§@pypi.internal/simple\n")
P("config", 1, "jwk.json", '{"kty": "RSA", "kid": "k1", "n": "§b64blob§", "e": "AQAB", "d": "§b64_48§", "p": "§b64blob§"}\n')
P("config", 1, "jwk-ec.json", '{"kty":"EC","crv":"P-256","x":"§b64blob§","y":"§b64blob§","d":"§b64key§"}\n')
P("infra", 1, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: YXBw\n  db-pass: §k8s_b64§\n")
P("infra", 1, "k8s/registry.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-env\nstringData:\n  ADMIN_PW: §pw§\n")
P("code", 1, "settings_prod.py", "DEBUG = False\nSECRET_KEY = '§djangokey§'\n")
P("code", 1, "app.py", "from flask import Flask\napp = Flask(__name__)\napp.secret_key = '§flaskkey§'\n")
P("code", 1, "factory.py", "app.config['SECRET_KEY'] = '§flaskkey§'\n")
P("code", 1, "auth_jwt.py", 'def make(payload):\n    return jwt.encode(payload, "§jwtkey§", algorithm="HS256")\n')
P("code", 1, "sign.js", "const token = jwt.sign({ id: user.id }, '§jwtkey§', { expiresIn: '1h' });\n")
P("code", 1, "app.rb", "set :session_secret, '§hex64§'\n")
P("code", 1, "config.py", 'app.config.update(SECRET_KEY="§flaskkey§", DEBUG=False)\n')
P("code", 1, "main.py", 'def main(password: str = "§pw§") -> None:\n    connect(password)\n')

# ---------------------------------------------------------------------------------------------
# 2. names the generic rule does not know
# ---------------------------------------------------------------------------------------------
P("config", 2, ".env", "DB_PW=§pw§\n")
P("config", 2, "db.ini", "[db]\nhost = db\npwd = §pw§\n")
P("config", 2, "config.yml", "smtp:\n  user: mailer\n  pass: §pw§\n")
P("code", 2, "conf.py", 'MYSQL_PASSWD = "§pw§"\n')
P("code", 2, "login.js", "const pswd = '§pw§';\n")
P("config", 2, "service.toml", '[upstream]\nauth = "§lowalnum§"\n')
P("config", 2, "hmac.yaml", "webhook:\n  signing_key: §hex64§\n")
P("code", 2, "crypto.py", 'SALT = "§b64key§"\n')
P("code", 2, "Crypto.java", 'private static final String NONCE = "§hexlow§";\n')
P("config", 2, "creds.json", '{"credential": "§pw§", "user": "svc"}\n')
P("config", 2, "settings.json", '{"credentials": {"user": "svc", "value": "§b64key§"}}\n')
P("code", 2, "keys.ts", "const privateKey = '§b64key§';\n")
P("code", 2, "sign.go", 'signingKey := []byte("§jwtkey§")\n')
P("config", 2, "app.env", "STRIPE_KEY=§lowalnum§\n")
P("code", 2, "Keys.cs", 'var encryptionKey = "§b64key§";\n')
P("code", 2, "user.rb", "ADMIN_PASS = '§human§'\n")
P("code", 2, "kotlin.kt", 'val masterKey = "§hex64§"\n')
P("config", 2, "compose.env", "POSTGRES_PASS=§pw§\n")
P("code", 2, "client.php", "<?php\n$dbPass = '§pw§';\n")
P("config", 2, "rclone.conf", "[remote]\ntype = s3\naccess_key_id = AKIAXXXXXXXXXXXXXXXX\nsecret_access_key = §b64slash§\n")
P("code", 2, "mail.go", 'smtpPwd := "§pw§"\n')
P("config", 2, "app.yaml", "auth:\n  appKey: §b64key§\n")
P("code", 2, "cfg.py", 'WEBHOOK_SIGNING_SECRET = "§hex64§"\n')
P("code", 2, "auth.ts", "const clientCredential = '§pw§';\n")
P("code", 2, "cfg.js", "module.exports = { 'private': '§b64key§' };\n")
P("config", 2, "ldap.conf", "binddn cn=reader,dc=corp\nbindpw §pw§\n")
P("config", 2, "redis.conf", "requirepass §pw§\n")
P("config", 2, ".netrc", "machine api.internal login deploy password §pwsh§\n")
P("config", 2, ".pgpass", "db.internal:5432:app:app:§pwurl§\n")

# ---------------------------------------------------------------------------------------------
# 3. shape filters that drop real values
# ---------------------------------------------------------------------------------------------
P("config", 3, ".env", "API_KEY=§hexlow§\n")
P("code", 3, "settings.py", 'SECRET_KEY = "§hexlow§"\n')
P("config", 3, "config.yaml", "service:\n  password: §camel§\n")
P("code", 3, "db.js", "const password = '§camel§';\n")
P("config", 3, "aws.ini", "[default]\naws_access_key_id = AKIAXXXXXXXXXXXXXXXX\naws_secret_access_key = §b64slash§\n")
P("code", 3, "s3.py", 's3 = boto3.client("s3", aws_secret_access_key="§b64slash§")\n')
P("config", 3, "tokens.yaml", "api:\n  token: §uuidtok§\n")
P("code", 3, "heroku.py", 'HEROKU_API_KEY = "§heroku_legacy§"\n')
P("config", 3, ".env", "ACCESS_TOKEN=§hexlow§\n")
P("config", 3, "conf.toml", 'api_token = "§hex64§"\n')
P("code", 3, "auth.py", 'AUTH_TOKEN = "§hex40§"\n')
P("config", 3, "app.yaml", "admin:\n  password: §bang§\n")
P("config", 3, "pw.yaml", "db:\n  password: §lowalnum§\n")
P("code", 3, "keys.py", 'api_key = "§lowalnum§"\n')
P("config", 3, "ansible.yml", "db_password: §human§\n")
P("code", 3, "Token.java", 'String accessToken = "§uuidtok§";\n')

# ---------------------------------------------------------------------------------------------
# 4. provider formats
# ---------------------------------------------------------------------------------------------
P("code", 4, "slack.py", 'client = WebClient(token="§slack_legacy§")\n')
P("config", 4, "slack.yaml", "notifier:\n  slack: §slack_bot§\n")
P("infra", 4, ".github/workflows/release.yml", "jobs:\n  release:\n    steps:\n      - run: gh release create v1\n        env:\n          GH_TOKEN: §ghs_long§\n")
P("config", 4, ".env", "GITLAB=§glpat_new§\n")
P("infra", 4, "register.sh", "gitlab-runner register --url https://gitlab.internal --token §glrt§\n")
P("infra", 4, ".gitlab-ci.yml", "trigger:\n  script:\n    - curl -X POST -F token=§glcbt§ https://gitlab.internal/api/v4/projects/4/trigger/pipeline\n")
P("config", 4, "heroku.json", '{"heroku": "§heroku§"}\n')
P("code", 4, "supa.ts", "const supabase = createClient(url, '§supabase_secret§');\n")
P("config", 4, "supa.env", "SUPA=§supabase_sbp§\n")
P("code", 4, "notion.py", 'notion = Client(auth="§notion_legacy§")\n')
P("code", 4, "notion2.js", "const notion = new Client({ auth: '§notion_ntn§' });\n")
P("code", 4, "mail.py", 'sg = SendGridAPIClient("§sendgrid§")\n')
P("infra", 4, "jira.sh", "curl -u me@corp.com:§atlassian§ https://corp.atlassian.net/rest/api/3/myself\n")
P("infra", 4, "docker.sh", "echo §docker_pat§ | docker login -u ci --password-stdin\n")
P("infra", 4, "docker-org.sh", "echo '§docker_oat§' | docker login -u corp --password-stdin\n")
P("infra", 4, "sonar-project.properties", "sonar.projectKey=app\nsonar.login=§sonar§\n")
P("code", 4, "claude.py", 'client = anthropic.Anthropic(api_key="§anthropic§")\n')
P("config", 4, ".env.production", "CLOUDFLARE_API_TOKEN=§cloudflare§\n")
P("config", 4, "cf.ini", "[cloudflare]\nemail = ops@corp.com\ncf_api_key = §cloudflare_global§\n")
P("code", 4, "posthog.py", 'posthog.personal_api_key = "§posthog§"\n')
P("infra", 4, "vercel.yml", "env:\n  VERCEL_TOKEN: §vercel§\n")
P("infra", 4, "netlify.sh", "netlify deploy --prod --auth §netlify§\n")
P("code", 4, "dropbox.py", 'dbx = dropbox.Dropbox("§dropbox§")\n')
P("code", 4, "bot.py", "client.run('§discord§')\n")
P("config", 4, "newrelic.yml", "common: &default_settings\n  license_key: §newrelic_license§\n")
P("config", 4, "nr.env", "NEW_RELIC=§newrelic_insert§\n")
P("infra", 4, "op.yml", "env:\n  OP_SERVICE_ACCOUNT: §onepassword§\n")
P("config", 4, "sg.env", "SRC=§sourcegraph§\n")
P("code", 4, "ai.py", 'openai.api_key = "§openai§"\n')
P("config", 4, "aws.json", '{"Id": "§aws_id§"}\n')
P("code", 4, "maps.js", "const key = '§gcp_api§';\n")
P("config", 4, "billing.yaml", "stripe: §stripe_live§\n")
P("config", 4, "storage.env", "AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=corpdata;AccountKey=§azure_conn_key§;EndpointSuffix=core.windows.net\n")
P("code", 4, "mail.rb", "Mailgun::Client.new('§mailgun§')\n")
P("config", 4, "twilio.env", "TWILIO_AUTH_TOKEN=§twilio§\n")
P("config", 4, "datadog.yaml", "dd_api_key: §datadog§\n")
P("infra", 4, "docker/config.json", '{"auths": {"registry.internal": {"auth": "§basic_b64§"}}}\n')
P("infra", 4, "pipeline.yml", "steps:\n  - script: ./deploy.sh\n    env:\n      SERVICE_JWT: §jwt§\n")

# ---------------------------------------------------------------------------------------------
# 6. silent gaps (PEM written in code, with log prefixes; see also the UTF-16 cases built below)
# ---------------------------------------------------------------------------------------------
P("code", 6, "key.py", "KEY = (\n§pemconcat§\n)\n")
P("code", 6, "Key.java", "String key = §pemjava§;\n")
P("docs", 6, "incident.log", "§pemlog§\n")
P("config", 6, "tls.yaml", "tls:\n  key: |\n§pemindent§\n")
P("config", 6, "service-account.json", '{"type": "service_account", "private_key": "§pemjson§", "client_email": "svc@proj.iam.gserviceaccount.com"}\n')
P("config", 6, "deploy_key", "§pem8§\n")
P("config", 6, "ec.key", "§pemec§\n")

# ---------------------------------------------------------------------------------------------
# 7. two secrets on one line: the one not detected must not leak (positive for the first)
# ---------------------------------------------------------------------------------------------
P("code", 7, "s3conn.py", 'conn = connect(key_id="§aws_id§", region="eu-west-1")\n')
P("code", 7, "pair.py", 'login(user="svc", pw="§pw§")\n')

# ---------------------------------------------------------------------------------------------
# documentation and CI files
# ---------------------------------------------------------------------------------------------
P("docs", 1, "README.md", "Connect with:\n\n```\npsql postgresql://admin:§pwurl§@prod-db.corp.internal:5432/main\n```\n")
P("docs", 2, "SETUP.md", "The staging database password is `§pw§` (ask ops before rotating).\n")
P("docs", 1, "notes.md", "```bash\nexport GITHUB_TOKEN=§ghs_long§\n```\n")
P("docs", 3, "runbook.md", "| setting | value |\n|---|---|\n| api_key | §hexlow§ |\n")
P("docs", 1, "deploy.rst", ".. code-block:: ini\n\n   [db]\n   password = §pw§\n")
P("infra", 1, "Jenkinsfile", "pipeline {\n  environment {\n    DEPLOY_PASSWORD = '§pw§'\n  }\n}\n")
P("infra", 1, ".travis.yml", "env:\n  global:\n    - SONAR_TOKEN=§hex40§\n")
P("infra", 1, ".circleci/config.yml", "jobs:\n  build:\n    docker:\n      - image: corp/app\n        auth:\n          username: ci\n          password: §pw§\n")
P("infra", 1, "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: §pw§\n")
P("infra", 1, "compose.yaml", "services:\n  app:\n    environment:\n      - SECRET_KEY=§flaskkey§\n")
P("infra", 1, "Dockerfile", "FROM python:3.12\nENV API_TOKEN=§lowalnum§\nRUN pip install app\n")
P("infra", 1, "main.tf", 'resource "aws_db_instance" "main" {\n  engine   = "postgres"\n  username = "app"\n  password = "§pw§"\n}\n')
P("infra", 1, "provider.tf", 'provider "datadog" {\n  api_key = "§datadog§"\n  app_key = "§hex40§"\n}\n')
P("infra", 1, "values.yaml", "postgresql:\n  auth:\n    postgresPassword: §pw§\n")
P("infra", 1, "deployment.yaml", "      containers:\n        - name: app\n          env:\n            - name: DB_PASSWORD\n              value: §pw§\n")
P("infra", 1, "playbook.yml", "- name: create user\n  mysql_user:\n    name: app\n    password: §pw§\n")
P("infra", 1, "azure-pipelines.yml", "variables:\n  registryPassword: §pw§\n")
P("config", 1, "application.yml", "spring:\n  datasource:\n    url: jdbc:mysql://db/app\n    password: §pw§\n")
P("config", 1, "config.toml", '[database]\nuser = "app"\npassword = "§pw§"\n')
P("config", 1, "settings.ini", "[mail]\nsmtp_pass=§pw§\n")
P("config", 1, "wp-config.php", "<?php\ndefine( 'DB_PASSWORD', '§pw§' );\n")
P("config", 1, "config.exs", 'config :app, App.Repo,\n  username: "app",\n  password: "§pw§"\n')
P("config", 1, "local.properties", "keystore.password=§pw§\n")
P("config", 1, "gradle.properties", "signing.password=§pw§\nsigning.keyId=ABCD1234\n")
P("config", 1, "database.yml", "production:\n  adapter: postgresql\n  password: <%= ENV.fetch('DB_PASSWORD') { '§pw§' } %>\n")
P("code", 1, "settings.py", "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'PASSWORD': '§pw§',\n    }\n}\n")
P("code", 1, "ssh.py", 'client.connect("host", username="root", password="§pw§")\n')
P("code", 1, "Mail.java", 'props.put("mail.smtp.password", "§pw§");\n')
P("code", 1, "redis.go", 'rdb := redis.NewClient(&redis.Options{Addr: "cache:6379", Password: "§pw§"})\n')
P("code", 1, "Startup.cs", 'services.AddAuthentication().AddJwtBearer(o => o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("§jwtkey§")));\n')
P("code", 1, "knexfile.js", "module.exports = { client: 'pg', connection: { user: 'app', password: '§pw§' } };\n")
P("code", 1, "mailer.rb", "config.action_mailer.smtp_settings = { user_name: 'app', password: '§pw§' }\n")

P("docs", 1, "CONTRIBUTING.md", "To test the API locally:\n\n    curl -H 'Authorization: Bearer §jwtkey§' http://localhost:8000/api/\n")
P("docs", 1, "wiki.md", "1. `docker login registry.corp.internal -u release -p §pwsh§`\n2. push the image\n")
P("docs", 1, "troubleshooting.md", "If the pool fails, check `jdbc:mysql://db01:3306/app?user=app&password=§pwurl§`.\n")
P("docs", 2, "howto.txt", "Staging login\n  username: admin\n  passwd: §pw§\n")
P("docs", 1, "analysis.ipynb", '{"cells": [{"cell_type": "code", "source": ["import openai\\n", "client = openai.OpenAI(api_key=\\"§openai§\\")\\n"]}]}\n')
P("docs", 3, "README.rst", "Deploy with::\n\n    export AWS_SECRET_ACCESS_KEY=§b64slash§\n    ./deploy.sh\n")
P("docs", 4, "bot.md", "Bot token for the test workspace: `§slack_bot§`\n")
P("docs", 1, "env.md", "```dotenv\nSTRIPE_SECRET=§stripe_live§\nSESSION_SECRET=§hex64§\n```\n")

# ---------------------------------------------------------------------------------------------
# must not fire
# ---------------------------------------------------------------------------------------------
N("config", 5, ".env.example", "DB_PASSWORD=\nAPI_KEY=<your-api-key>\nSECRET_KEY=changeme\n")
N("config", 5, "values.yaml", "auth:\n  password: ${DB_PASSWORD}\n  token: '{{ .Values.token }}'\n")
N("code", 5, "settings.py", 'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\nDB_PASSWORD = os.getenv("DB_PASSWORD")\n')
N("code", 5, "config.js", "const password = process.env.DB_PASSWORD;\nconst apiKey = process.env['API_KEY'] ?? '';\n")
N("code", 5, "Config.java", 'String password = System.getenv("DB_PASSWORD");\n')
N("code", 5, "main.go", 'password := os.Getenv("DB_PASSWORD")\n')
N("code", 5, "Program.cs", 'var password = Environment.GetEnvironmentVariable("DB_PASSWORD");\n')
N("code", 5, "app.rb", "password = ENV.fetch('DB_PASSWORD')\n")
N("code", 5, "db.php", "<?php\n$password = getenv('DB_PASSWORD');\n")
N("infra", 5, "deploy.sh", 'mysql -u app --password "$DB_PASSWORD" -e "select 1"\ncurl -u "$USER:$TOKEN" https://x.internal\n')
N("infra", 5, "ci.yml", "env:\n  GH_TOKEN: ${{ secrets.GH_TOKEN }}\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n")
N("infra", 5, ".gitlab-ci.yml", "deploy:\n  script:\n    - docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY\n")
N("infra", 5, "main.tf", 'resource "aws_db_instance" "main" {\n  password = var.db_password\n  username = local.user\n}\n')
N("infra", 5, "secret.tf", 'variable "db_password" {\n  type      = string\n  sensitive = true\n}\n')
N("infra", 5, "deployment.yaml", "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n")
N("infra", 5, "compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n")
N("infra", 5, "Dockerfile", "ARG NPM_TOKEN\nRUN --mount=type=secret,id=npm_token npm ci\n")
N("config", 5, "package-lock.json", '{"node_modules/left-pad": {"version": "1.3.0", "integrity": "§sri512§"}}\n')
N("config", 5, "yarn.lock", 'left-pad@^1.3.0:\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#§sha1§"\n  integrity §sri512§\n')
N("config", 5, "poetry.lock", '[[package]]\nname = "requests"\nfiles = [\n    {file = "requests-2.31.0.tar.gz", hash = "sha256:§sha256§"},\n]\n')
N("config", 5, "Cargo.lock", '[[package]]\nname = "serde"\nversion = "1.0.190"\nchecksum = "§sha256§"\n')
N("config", 5, "go.sum", "github.com/pkg/errors v0.9.1 §goh1§\n")
N("config", 5, "requirements.txt", "requests==2.31.0 \\\n    --hash=sha256:§sha256§\n")
N("config", 5, "Gemfile.lock", "CHECKSUMS\n  rake (13.1.0) sha256=§sha256§\n")
N("config", 5, "composer.lock", '{"packages": [{"name": "monolog/monolog", "dist": {"shasum": "§sha1§", "reference": "§sha1§"}}]}\n')
N("code", 5, "ids.py", 'REQUEST_ID = "§uuid§"\ncorrelation_id = "§uuid§"\n')
N("code", 5, "tenant.ts", "const tenantId = '§uuid§';\nconst subscriptionId = '§uuid§';\n")
N("config", 5, "azure.json", '{"clientId": "§uuid§", "tenantId": "§uuid§"}\n')
N("code", 5, "webauthn.js", "const credentialId = '§csrf§';\nconst rawCredentialId = base64url.decode(credentialId);\n")
N("code", 5, "plaid.ts", "const publicToken = '§csrf§';\n")
N("docs", 5, "layout.html", '<meta name="csrf-token" content="§csrf§">\n')
N("code", 5, "form.py", 'csrf_token = "§csrf§"\n')
N("code", 5, "fields.py", 'PASSWORD_FIELD = "user_password"\ntoken_type = "bearer"\nTOKEN_URL = "https://auth.internal/oauth/token"\n')
N("code", 5, "names.java", 'public static final String PASSWORD_PARAM = "password";\nprivate static final String TOKEN_HEADER = "X-Auth-Token";\n')
N("code", 5, "lexer.py", "class Token:\n    def __init__(self, kind, value):\n        self.kind = kind\n        self.value = value\ntoken = next_token(stream)\n")
N("code", 5, "tokenizer.py", "tokens = tokenizer.tokenize(text)\nmax_tokens = 4096\ntoken_count = len(tokens)\n")
N("code", 5, "auth.py", "def login(password: str, token: str | None = None) -> bool:\n    return verify(password=password, token=token)\n")
N("code", 5, "forms.py", 'password = forms.CharField(widget=forms.PasswordInput, label="Password")\n')
N("code", 5, "User.java", "private String password;\npublic void setPassword(String password) { this.password = password; }\n")
N("code", 5, "models.py", 'password_hash = "pbkdf2_sha256$600000$§ident§$§b64blob§"\n')
N("code", 5, "hashes.py", 'EXPECTED_SHA256 = "§sha256§"\nfile_md5 = "§md5§"\n')
N("config", 5, "known_hosts.yml", "deploy:\n  public_key: §pubkey§\n")
N("code", 5, "pk.js", "const stripe = Stripe('§pk_live§');\n")
N("code", 5, "posthog.js", "posthog.init('§phc§', { api_host: 'https://eu.posthog.com' })\n")
N("docs", 5, "aws.md", "Example credentials from the AWS documentation: §awsexample§\n")
N("code", 5, "stripe_test.py", 'stripe.api_key = "§stripeexample§"\n')
N("docs", 5, "jwt.md", "A sample token: `§jwtexample§`\n")
N("docs", 5, "slack.md", "Use `token=§slackexample§` in the examples.\n")
N("docs", 5, "config.md", "Set `password: <your password>` and `api_key: YOUR_API_KEY` in `config.yaml`.\n")
N("docs", 5, "usage.md", "```\nmysql -u root -p\ncurl -u USERNAME:PASSWORD https://api.example.com\n```\n")
N("docs", 5, "api.md", "Send `Authorization: Bearer <token>` or `Authorization: Bearer $TOKEN`.\n")
N("code", 5, "auth.go", 'req.Header.Set("Authorization", "Bearer "+token)\n')
N("code", 5, "client.py", 'headers = {"Authorization": f"Bearer {token}"}\n')
N("config", 5, "pg.env", "DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app\nREDIS_URL=redis://cache:6379/0\n")
N("config", 5, "urls.yaml", "mirror: https://user@git.internal/repo.git\ndocs: https://docs.internal/path?page=2\n")
N("code", 5, "Db.cs", 'var cs = $"Server=db;User Id=app;Password={password};";\n')
N("code", 5, "schema.sql", "CREATE USER app IDENTIFIED BY :app_password;\nALTER ROLE app WITH PASSWORD NULL;\n")
N("config", 5, "Web.config", '<appSettings>\n  <add key="PasswordMinLength" value="12" />\n  <add key="TokenLifetime" value="3600" />\n</appSettings>\n')
N("config", 5, "settings.xml", "<server>\n  <id>nexus</id>\n  <password>${env.NEXUS_PASSWORD}</password>\n</server>\n")
N("code", 5, "config.h", '#define PASSWORD_MAX_LEN 64\n#define TOKEN_BUCKET_SIZE 128\n#define SECRET_FILE "/etc/app/secret"\n')
N("code", 5, "Makefile", "TOKEN ?= $(shell cat .token)\nPASSWORD := $(DB_PASSWORD)\n")
N("code", 5, "check.py", 'if password == "":\n    raise ValueError("empty")\nif token == None:\n    pass\n')
N("code", 5, "validators.js", "if (password === confirmPassword) { ok(); }\n")
N("code", 5, "crypto.py", 'salt = os.urandom(16)\nnonce = secrets.token_bytes(12)\nkey = derive_key(password, salt)\n')
N("code", 5, "enc.go", 'key := make([]byte, 32)\nif _, err := rand.Read(key); err != nil {\n    return err\n}\n')
N("code", 5, "keys.py", 'KEY_ID = "§ident§"\nkey_name = "primary-signing"\nsort_key = "created_at"\n')
N("config", 5, "i18n.json", '{"password": "Password", "forgot_password": "Forgot your password?", "token_expired": "Your session expired"}\n')
N("config", 5, "routes.yaml", "password_reset:\n  path: /account/password/reset/{token}\n")
N("code", 5, "test_data.py", 'PASSWORD_REGEX = r"^(?=.*[A-Z])(?=.*\\d).{12,}$"\n')
N("config", 5, "nonce.yaml", "csp:\n  nonce_length: 24\n  nonce_alphabet: base64\n")
N("code", 5, "pager.py", 'next_page_token = "§csrf§"\ncontinuation_token = "§b64blob§"\n')
N("config", 5, "cache.yaml", "cache:\n  key_prefix: app-v2\n  key: user-sessions\n")
N("code", 5, "git.py", 'COMMIT = "§sha1§"\nPINNED_REVISION = "§sha1§"\n')
N("infra", 5, "workflow.yml", "steps:\n  - uses: actions/checkout@§sha1§\n  - uses: actions/setup-python@§sha1§\n")
N("infra", 5, "k8s-configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LOG_LEVEL: info\n  TOKEN_AUDIENCE: api\n")
N("infra", 5, "sealed.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata: {}\n")
N("infra", 5, "helm-secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.password | b64enc }}\n")
N("infra", 5, "cert-manager.yaml", "spec:\n  secretName: tls-app\n  privateKey:\n    algorithm: ECDSA\n    size: 256\n")
N("code", 5, "public.pem.py", 'PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----\n§b64blob§\n§b64blob§\n-----END PUBLIC KEY-----"""\n')
N("docs", 5, "pem.md", "A key file starts with `-----BEGIN RSA PRIVATE KEY-----` and ends with `-----END RSA PRIVATE KEY-----`.\n")
N("code", 5, "argparse.py", 'parser.add_argument("--password", help="database password")\nparser.add_argument("-p", "--port", type=int)\n')
N("infra", 5, "usage.sh", 'usage() { echo "usage: $0 --password PASSWORD --token TOKEN"; }\n')
N("config", 5, "jwk.json", '{"kty": "RSA", "kid": "§ident§", "use": "sig", "n": "§b64blob§", "e": "AQAB"}\n')
N("code", 5, "keyboard.py", 'KEY_ENTER = "enter"\nhotkey = "ctrl+shift+p"\n')
N("config", 5, "vscode.json", '{"keybindings": [{"key": "ctrl+k ctrl+s", "command": "workbench.action.openGlobalKeybindings"}]}\n')
N("code", 5, "oauth.py", 'GRANT_TYPE = "client_credentials"\nauth_method = "client_secret_basic"\n')
N("code", 5, "versions.py", 'TOKEN_VERSION = "§version§"\npassword_scheme = "argon2id"\n')
N("docs", 5, "CHANGELOG.md", "- Rotated the deploy token (see commit §sha1§).\n- Password reset now expires after 1 hour.\n")
N("config", 5, "renovate.json", '{"hostRules": [{"matchHost": "npm.internal", "encrypted": {"token": "§b64blob§"}}]}\n')
N("code", 5, "i18n.py", "_('Your password must contain at least 12 characters.')\n")
N("code", 5, "mock.py", 'API_KEY = "test"\nPASSWORD = "password"\nTOKEN = "dummy-token"\n')
N("infra", 5, "vault.yaml", "db:\n  password: vault:secret/data/db#password\n  token: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n")
N("config", 5, "uuid.yaml", "service:\n  instance_id: §uuid§\n  build: §sha1§\n")
N("code", 5, "ci.py", 'GITHUB_SHA = "§sha1§"\nIMAGE_DIGEST = "sha256:§sha256§"\n')
N("code", 5, "sri.html", '<script src="/app.js" integrity="§sri384§" crossorigin="anonymous"></script>\n')
N("code", 5, "password_policy.ts", "export const passwordMinLength = 12;\nexport const tokenTtlSeconds = 3600;\n")
N("code", 5, "redact.py", 'password = "********"\ntoken = "<redacted>"\n')
N("config", 5, "ssh_config", "Host bastion\n  IdentityFile ~/.ssh/id_ed25519\n  PasswordAuthentication no\n")
N("config", 5, "sshd_config", "PermitRootLogin no\nPasswordAuthentication no\nPubkeyAuthentication yes\n")
N("code", 5, "secret_names.py", 'SECRET_NAME = "prod/app/db"\nsecret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app/db-AbCdEf"\n')
N("code", 5, "gh.py", 'GH_TOKEN_PREFIX = "ghp_"\nTOKEN_PATTERN = r"ghp_[A-Za-z0-9]{36}"\n')
N("code", 5, "types.ts", "interface Credentials { username: string; password: string; token?: string }\n")
N("code", 5, "sql_params.py", 'cursor.execute("ALTER USER app WITH PASSWORD %s", (new_password,))\n')


# =============================================================================================
# Round 2: more cases written later, with their own held-out third (``round == 2``), frozen
# before any rule changed for them. Values come from a second random stream, so the cases of
# round 1 and their split are unchanged.
# =============================================================================================
_P2: list[tuple[str, int, str, str]] = []
_N2: list[tuple[str, int, str, str]] = []


def P2(kind: str, cause: int, name: str, template: str) -> None:
    _P2.append((kind, cause, name, template))


def N2(kind: str, cause: int, name: str, template: str) -> None:
    _N2.append((kind, cause, name, template))


def _crc_token(rng: random.Random, prefix: str) -> str:
    """A token of GitHub's / npm's format: 30 random base62 characters and their CRC32 in 6 base62 digits."""
    import zlib

    body = _r(rng, 36)[:30]  # 36 draws, as for the other 36-character bodies
    value, digits = zlib.crc32(body.encode()), ""
    for _ in range(6):
        value, digit = divmod(value, 62)
        digits = (DIGITS + UPPER + LOWER)[digit] + digits
    return prefix + body + digits


SECRET_GENERATORS.update({
    "passphrase": lambda rng: "-".join(_word(rng, 2) for _ in range(4)),
    "vault": lambda rng: "hvs." + _r(rng, 24) if rng.random() < 0.5 else "hvs.CAESI" + _r(rng, 86, ALNUM + "-_"),
    "npm": lambda rng: _crc_token(rng, "npm_"),
    "pypi": lambda rng: "pypi-AgEIcHlwaS5vcmc" + _r(rng, 140, ALNUM + "-_"),
    "github_pat": lambda rng: "github_pat_11" + _r(rng, 20, UPPER + DIGITS) + "_" + _r(rng, 59),
    "ghp": lambda rng: _crc_token(rng, "ghp_"),
    "gho": lambda rng: _crc_token(rng, "gho_"),
    "shopify": lambda rng: "shpat_" + _r(rng, 32, HEX),
    "linear": lambda rng: "lin_api_" + _r(rng, 40),
    "grafana_sa": lambda rng: "glsa_" + _r(rng, 32) + "_" + _r(rng, 8, HEX),
    "databricks": lambda rng: "dapi" + _r(rng, 32, HEX),
    "pulumi": lambda rng: "pul-" + _r(rng, 40, HEX),
    "tfc": lambda rng: _r(rng, 14) + ".atlasv1." + _r(rng, 67, ALNUM),
    "do_pat": lambda rng: "dop_v1_" + _r(rng, 64, HEX),
    "mailchimp": lambda rng: _r(rng, 32, HEX) + "-us" + str(rng.randint(1, 21)),
    "twilio_sk": lambda rng: "SK" + _r(rng, 32, HEX),
    "postman": lambda rng: "PMAK-" + _r(rng, 24, HEX) + "-" + _r(rng, 34, HEX),
    "age": lambda rng: "AGE-SECRET-KEY-1" + _r(rng, 58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
    "hf": lambda rng: "hf_" + _r(rng, 34, LOWER + UPPER),
    "groq": lambda rng: "gsk_" + _r(rng, 52),
    "replicate": lambda rng: "r8_" + _r(rng, 37),
    "rk_live": lambda rng: "rk_live_" + _r(rng, 99),
    "slack_hook": lambda rng: f"https://hooks.slack.com/services/T{_r(rng, 10, UPPER + DIGITS)}/B{_r(rng, 10, UPPER + DIGITS)}/{_r(rng, 24)}",
    "discord_hook": lambda rng: f"https://discord.com/api/webhooks/{rng.randint(10**17, 10**18)}/{_r(rng, 68, ALNUM + '-_')}",
    "telegram": lambda rng: f"{rng.randint(10**8, 10**10)}:AA{_r(rng, 33, ALNUM + '-_')}",
    "gocspx": lambda rng: "GOCSPX-" + _r(rng, 28, ALNUM + "-_"),
    "azure_ad": lambda rng: _r(rng, 3) + str(rng.randint(0, 9)) + "Q~" + _r(rng, 34, ALNUM + "-_.~"),
    "mapbox": lambda rng: "sk.eyJ1Ijoi" + _r(rng, 40) + "." + _r(rng, 22, ALNUM + "-_"),
    "laravel": lambda rng: "base64:" + _b64(rng.randbytes(32)),
    "b64_64": lambda rng: _b64(rng.randbytes(64)),
    "pwdollar": lambda rng: _mixed(rng, 8, ALNUM) + "$" + _mixed(rng, 7, ALNUM),
    "pwhash": lambda rng: _mixed(rng, 6, ALNUM) + "#" + _mixed(rng, 8, ALNUM) + "!",
    "alnum20": lambda rng: _mixed(rng, 20, ALNUM),
    "lowhex_uuid": lambda rng: "-".join(_r(rng, n, HEX) for n in (8, 4, 4, 4, 12)),
    "pemssh": lambda rng: "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(
        _b64(b"openssh-key-v1\x00" + rng.randbytes(380))[i : i + 70] for i in range(0, 528, 70)) + "\n-----END OPENSSH PRIVATE KEY-----",
})
LOOKALIKE_GENERATORS.update({
    "sops": lambda rng: f"ENC[AES256_GCM,data:{_b64(rng.randbytes(18))},iv:{_b64(rng.randbytes(32))},tag:{_b64(rng.randbytes(16))},type:str]",
    "sealed": lambda rng: "AgB" + _r(rng, 300, ALNUM + "+/") + "==",
    "vaulthex": lambda rng: "\n".join(_r(rng, 80, DIGITS + "abcdef") for _ in range(3)),
    "bcrypt": lambda rng: "$2b$12$" + _r(rng, 53, ALNUM + "./"),
    "cert": lambda rng: "-----BEGIN CERTIFICATE-----\n" + "\n".join(_b64(rng.randbytes(48)) for _ in range(4)) + "\n-----END CERTIFICATE-----",
    "xs": lambda rng: "x" * rng.choice((16, 24, 32, 40)),
    "lfsoid": lambda rng: "sha256:" + _r(rng, 64, HEX),
})

# --- 1. syntax --------------------------------------------------------------------------------
P2("infra", 1, "psql.sh", 'psql "host=db.internal port=5432 user=app password=§pwsh§ dbname=app sslmode=require"\n')
P2("infra", 1, "restore.sh", "#!/bin/sh\nPGPASSWORD=§pwsh§ pg_restore -h db -U app -d app dump.bin\n")
P2("infra", 1, "ssh-deploy.sh", "sshpass -p '§pwsh§' ssh deploy@10.0.0.5 'systemctl restart app'\n")
P2("infra", 1, "cache-check.sh", "redis-cli -h cache -a §pwsh§ ping\n")
P2("infra", 1, "mirror.sh", "git clone https://oauth2:§lowalnum§@gitlab.internal/platform/infra.git\n")
P2("infra", 1, "make-secret.sh", "kubectl create secret generic db-creds --from-literal=username=app --from-literal=password=§pwsh§\n")
P2("infra", 1, "dev-db.sh", "docker run -d --name pg -e POSTGRES_PASSWORD=§pwsh§ -p 5432:5432 postgres:16\n")
P2("infra", 1, "aws-setup.sh", "aws configure set aws_access_key_id AKIAXXXXXXXXXXXXXXXX\naws configure set aws_secret_access_key §b64slash§\n")
P2("infra", 1, "site.sh", 'ansible-playbook site.yml -i prod --extra-vars "db_password=§pwsh§ env=prod"\n')
P2("infra", 1, "pack.sh", "openssl pkcs12 -export -in app.crt -inkey app.key -out app.p12 -passout pass:§pwsh§\n")
P2("infra", 1, "keystore.sh", "keytool -genkeypair -alias app -keystore app.jks -storepass §pwsh§ -dname CN=app\n")
P2("code", 1, "grant.sql", "GRANT ALL PRIVILEGES ON app.* TO 'app'@'localhost' IDENTIFIED BY \"§pwxml§\";\n")
P2("code", 1, "native.sql", "CREATE USER 'svc'@'%' IDENTIFIED WITH mysql_native_password BY '§pwxml§';\n")
P2("code", 1, "setpw.sql", "SET PASSWORD FOR 'app'@'%' = PASSWORD('§pwxml§');\n")
P2("code", 1, "link.sql", "CREATE DATABASE LINK sales CONNECT TO reporter IDENTIFIED BY §jwtkey§ USING 'ORCL';\n")
P2("config", 1, "Web.Release.config", '<connectionStrings>\n  <add name="Db" connectionString="Server=sql01;Database=Shop;User ID=shop;Password=§pwurl§" providerName="System.Data.SqlClient" />\n</connectionStrings>\n')
P2("config", 1, "applicationContext.xml", '<bean id="ds" class="org.apache.commons.dbcp2.BasicDataSource">\n  <property name="username" value="app"/>\n  <property name="password" value="§pwxml§"/>\n</bean>\n')
P2("config", 1, "strings.xml", '<resources>\n    <string name="app_name">Shop</string>\n    <string name="maps_api_secret">§jwtkey§</string>\n</resources>\n')
P2("config", 1, "hibernate.cfg.xml", '<session-factory>\n  <property name="hibernate.connection.username">app</property>\n  <property name="hibernate.connection.password">§pwxml§</property>\n</session-factory>\n')
P2("config", 1, "jmx.properties.xml", '<entry key="jmx.remote.secret">§jwtkey§</entry>\n')
P2("code", 1, "mailer.py", 'server = smtplib.SMTP_SSL("smtp.corp.com", 465)\nserver.login("alerts@corp.com", "§pw§")\n')
P2("code", 1, "fetch.py", 'r = requests.get(url, auth=("svc-reader", "§pw§"), timeout=10)\n')
P2("code", 1, "basic.py", 'session.auth = HTTPBasicAuth("svc", "§pw§")\n')
P2("code", 1, "legacy_db.py", 'db = mysql.connector.connect(host="db", user="app", passwd="§pw§")\n')
P2("code", 1, "atlas.py", 'client = MongoClient("mongodb+srv://app:§pwurl§@cluster0.x1y2z.mongodb.net/?retryWrites=true")\n')
P2("code", 1, "engine.py", 'engine = create_engine("mysql+pymysql://app:§pwurl§@db.internal/app")\n')
P2("config", 1, "celery.yaml", "broker_url: amqp://worker:§pwurl§@rabbit.internal:5672/prod\n")
P2("config", 1, "cache.env", "REDIS_URL=redis://:§pwurl§@cache.internal:6379/0\n")
P2("docs", 1, "upload.md", "Upload the build with `lftp ftp://deploy:§pwurl§@ftp.corp.internal/releases`.\n")
P2("code", 1, "defaults.py", 'API_TOKEN = os.environ.get("API_TOKEN", "§lowalnum§")\n')
P2("code", 1, "secrets.rb", 'SESSION_SECRET = ENV.fetch("SESSION_SECRET", "§hex64§")\n')
P2("code", 1, "Env.java", 'String pass = System.getenv().getOrDefault("DB_PASS", "§pw§");\n')
P2("infra", 1, "entrypoint.sh", 'export DB_PASSWORD="${DB_PASSWORD:-§pwsh§}"\nexec ./server\n')
P2("infra", 1, "docker-compose.dev.yml", "services:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD:-§pwsh§}\n")
P2("config", 1, "application-dev.properties", "spring.datasource.password=${DB_PASSWORD:§pw§}\n")
P2("code", 1, "conf_reader.py", 'password = cfg.get("password", "§pw§")\n')
P2("code", 1, "upload.js", 'xhr.setRequestHeader("Authorization", "Bearer §jwtkey§");\n')
P2("infra", 1, "search.sh", 'curl -s --header "X-Api-Key: §hexlow§" https://search.internal/indexes\n')
P2("code", 1, "client.go", 'req.Header = http.Header{"Authorization": {"Basic §basic_b64§"}}\n')
P2("code", 1, "drf_client.py", 'HEADERS = {"Authorization": "Token §hex40§"}\n')
P2("docs", 1, "requests.http", "POST https://api.internal/v2/orders\nX-API-Key: §lowalnum§\nContent-Type: application/json\n")
P2("config", 1, "hmac-jwk.json", '{"keys": [{"kty": "oct", "kid": "hmac-1", "alg": "HS256", "k": "§b64key§"}]}\n')
P2("infra", 1, "pull-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/basic-auth\ndata:\n  username: ZGVwbG95\n  password: §k8s_b64§\n")
P2("code", 1, "secrets.yml", "production:\n  secret_key_base: §hex64§\n")
P2("config", 1, "laravel.env", "APP_NAME=Shop\nAPP_KEY=§laravel§\nAPP_DEBUG=false\n")
P2("code", 1, "settings_base.py", 'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "§djangokey§")\n')
P2("code", 1, "server.js", "app.use(session({ secret: '§jwtkey§', resave: false, saveUninitialized: false }));\n")
P2("code", 1, "cookies.js", "app.use(cookieParser('§jwtkey§'));\n")
P2("code", 1, "token.php", "<?php\n$jwt = JWT::encode($payload, '§jwtkey§', 'HS256');\n")
P2("code", 1, "Tokens.java", 'String jws = Jwts.builder().setSubject(user).signWith(SignatureAlgorithm.HS256, "§jwtkey§").compact();\n')
P2("code", 1, "jwt.go", 'signed, err := token.SignedString([]byte("§jwtkey§"))\n')
P2("config", 1, "prod.exs", 'config :shop, ShopWeb.Endpoint,\n  secret_key_base: "§b64_48§"\n')
P2("code", 1, "config_flask.py", 'class Config:\n    SECRET_KEY = "§flaskkey§"\n    JWT_SECRET_KEY = "§jwtkey§"\n')

# --- 2. names ---------------------------------------------------------------------------------
P2("config", 2, "wpa_supplicant.conf", 'network={\n    ssid="corp-iot"\n    psk="§pw§"\n}\n')
P2("config", 2, "keepalived.conf", "vrrp_instance VI_1 {\n    authentication {\n        auth_type PASS\n        auth_pass §pwsh§\n    }\n}\n")
P2("config", 2, "bitcoin.conf", "server=1\nrpcuser=node\nrpcpassword=§pw§\n")
P2("config", 2, "postgresql.env", "ROOT_PW=§pw§\n")
P2("code", 2, "admin.ts", "const adminPass = '§pw§';\n")
P2("code", 2, "ldap.java", 'env.put(Context.SECURITY_CREDENTIALS, "§pw§");\n')
P2("config", 2, "smtp.yaml", "mail:\n  smtp-pass: §pw§\n")
P2("code", 2, "crypto_cfg.py", 'HMAC_SALT = "§b64key§"\n')
P2("config", 2, "gpg.env", "GPG_PASSPHRASE=§pw§\n")
P2("code", 2, "signing.gradle", "android {\n  signingConfigs {\n    release {\n      storePassword '§pw§'\n      keyPassword '§pw§'\n    }\n  }\n}\n")
P2("code", 2, "oauth_cfg.py", 'CLIENT_SECRET = "§alnum20§"\n')
P2("config", 2, "twitter.yaml", "twitter:\n  consumer_secret: §alnum20§\n  access_secret: §alnum20§\n")
P2("code", 2, "ext.js", "const privKey = '§b64key§';\n")
P2("config", 2, "refresh.json", '{"refresh_token": "§lowalnum§", "expires_in": 3600}\n')
P2("code", 2, "app_secret.go", 'var appSecret = "§hexlow§"\n')
P2("config", 2, "cookie.toml", '[server]\ncookie_secret = "§b64key§"\n')
P2("config", 2, "master.ini", "[crypto]\nMasterKey = §b64key§\n")
P2("code", 2, "bot.ts", "const botToken = '§lowalnum§';\n")
P2("config", 2, "license.yml", "agent:\n  license_key: §hexlow§\n")
P2("code", 2, "Sftp.cs", 'var sftpPassword = "§pw§";\n')
P2("config", 2, "Pass.ini", "[login]\nUser=svc\nPass=§pw§\n")
P2("config", 2, "UPPER.env", "SMTP_PASS=§pw§\n")
P2("config", 2, "pkcs.properties", "ssl.key.password=§pw§\nssl.keystore.location=/etc/app/ks.jks\n")
P2("code", 2, "s3conf.js", "module.exports = { secretAccessKey: '§b64slash§', region: 'eu-west-1' };\n")
P2("config", 2, "pass_phrase.yaml", "backup:\n  pass_phrase: §pw§\n")
P2("docs", 2, "handover.txt", "VPN: user ops-admin, pwd §pw§ (rotate after the audit)\n")

# --- 3. shape filters -------------------------------------------------------------------------
P2("config", 3, "search.yaml", "algolia:\n  admin_api_key: §hexlow§\n")
P2("config", 3, "vault-pass.yml", "vault_password: §passphrase§\n")
P2("code", 3, "uuidkey.py", 'SENDGRID_API_KEY_ID = "x"\nPAYMENT_API_KEY = "§uuidtok§"\n')
P2("config", 3, "tok.env", "SLACK_SIGNING_SECRET=§hexlow§\n")
P2("config", 3, "bang.env", 'ADMIN_PASSWORD="§bang§"\n')
P2("config", 3, "dollar.yaml", "db:\n  password: '§pwdollar§'\n")
P2("config", 3, "hash.env", 'DB_PASS="§pwhash§"\n')
P2("code", 3, "secret64.py", 'ENCRYPTION_KEY = "§b64_64§"\n')
P2("config", 3, "camel.properties", "mail.password=§camel§\n")
P2("code", 3, "keys.rb", "config.api_secret = '§hex40§'\n")
P2("infra", 3, "tf.tfvars", 'aws_secret_key = "§b64slash§"\n')
P2("docs", 3, "ops.md", "Rotate the token `§hex64§` used by the nightly export.\n")

# --- 4. provider formats ----------------------------------------------------------------------
P2("infra", 4, "vault.sh", "export VAULT_ADDR=https://vault.internal\nexport VAULT_TOKEN=§vault§\n")
P2("config", 4, ".npmrc", "//registry.npmjs.org/:_authToken=§npm§\n")
P2("config", 4, ".pypirc", "[pypi]\nusername = __token__\npassword = §pypi§\n")
P2("infra", 4, "gh-release.yml", "env:\n  RELEASE: §github_pat§\n")
P2("docs", 4, "token.md", "I used `§ghp§` for the migration run.\n")
P2("code", 4, "gh_oauth.py", 'gh = Github("§gho§")\n')
P2("code", 4, "shop.rb", "ShopifyAPI::Context.setup(api_key: 'k', api_secret_key: 's', access_token: '§shopify§')\n")
P2("config", 4, "linear.env", "LINEAR=§linear§\n")
P2("infra", 4, "grafana.yaml", "grafana:\n  sa: §grafana_sa§\n")
P2("code", 4, "dbx.py", 'w = WorkspaceClient(host=HOST, token="§databricks§")\n')
P2("infra", 4, "pulumi.yml", "env:\n  PULUMI_ACCESS_TOKEN: §pulumi§\n")
P2("config", 4, ".terraformrc", 'credentials "app.terraform.io" {\n  token = "§tfc§"\n}\n')
P2("infra", 4, "doctl.sh", "doctl auth init --access-token §do_pat§\n")
P2("code", 4, "mc.py", 'client.set_config({"api_key": "§mailchimp§", "server": "us6"})\n')
P2("code", 4, "twilio_key.py", 'client = Client("§twilio_sk§", API_SECRET, ACCOUNT_SID)\n')
P2("infra", 4, "newman.sh", "newman run https://api.getpostman.com/collections/1?apikey=§postman§\n")
P2("config", 4, "age.txt", "# created: 2024-03-01T10:00:00Z\n§age§\n")
P2("code", 4, "hf.py", 'login(token="§hf§")\n')
P2("config", 4, "llm.env", "GROQ=§groq§\n")
P2("code", 4, "gen.js", "const replicate = new Replicate({ auth: '§replicate§' });\n")
P2("config", 4, "billing.json", '{"stripe_restricted": "§rk_live§"}\n')
P2("config", 4, "alerts.yaml", "notify:\n  slack_webhook: §slack_hook§\n")
P2("code", 4, "notify.py", 'WEBHOOK = "§discord_hook§"\n')
P2("code", 4, "tg.py", 'bot = telebot.TeleBot("§telegram§")\n')
P2("config", 4, "client_secret.json", '{"web": {"client_id": "123-abc.apps.googleusercontent.com", "client_secret": "§gocspx§"}}\n')
P2("config", 4, "entra.env", "AZ=§azure_ad§\n")
P2("code", 4, "map.js", "mapboxgl.accessToken = '§mapbox§';\n")
P2("docs", 4, "deploy-notes.md", "```\nnpm config set //registry.npmjs.org/:_authToken §npm§\n```\n")

# --- 6. silent gaps ---------------------------------------------------------------------------
P2("code", 6, "keys.go", "const deployKey = `§pem§`\n")
P2("infra", 6, "tls.tf", 'resource "tls_private_key" "x" {}\nlocals {\n  key = <<EOF\n§pem8§\nEOF\n}\n')
P2("config", 6, "id_deploy", "§pemssh§\n")
P2("config", 6, "crlf.key", "§pemcrlf§\n")
P2("docs", 6, "debug.log", "§pemlog§\n")
P2("code", 6, "build/settings.py", 'DB_PASSWORD = "§pw§"\n')
P2("code", 6, "dist/config.js", "const apiToken = '§lowalnum§';\n")
P2("config", 6, "env/prod.env", "API_SECRET=§hex64§\n")
P2("config", 6, "node_modules/.cache/app/config.json", '{"password": "§pw§"}\n')
P2("config", 6, "venv/app.cfg", "[auth]\npassword = §pw§\n")

# --- 7. two secrets on one line ---------------------------------------------------------------
P2("code", 7, "two.py", 'connect(user="svc", password="§pw§", api_key="§hexlow§")\n')
P2("infra", 7, "two.sh", "mysql -u app -p§pwsh§ -e \"SET @k='§jwtkey§'\"\n")

# --- documentation ----------------------------------------------------------------------------
P2("docs", 1, "QUICKSTART.md", "Run the stack locally:\n\n```sh\ndocker run -e MYSQL_ROOT_PASSWORD=§pwsh§ -p 3306:3306 mysql:8\n```\n")
P2("docs", 1, "onboarding.md", "## Staging\n\n- host: `stage-db.corp.internal`\n- user: `qa`\n- password: `§pw§`\n")
P2("docs", 2, "wiki.txt", "Shared mailbox alerts@corp.com / pass: §pw§\n")
P2("docs", 1, "api-guide.rst", "Example request::\n\n    curl -H \"Authorization: Bearer §lowalnum§\" https://api.corp.internal/v1/ping\n")
P2("docs", 1, "setup.ipynb", '{"cells": [{"cell_type": "code", "source": ["import os\\n", "os.environ[\\"HF_TOKEN\\"] = \\"§hf§\\"\\n"]}]}\n')
P2("docs", 4, "incident-2024-03.md", "The leaked key was `§stripe_live§`; it was rolled the same day.\n")
P2("docs", 1, "runbook.html", "<p>Connect with <code>mongosh \"mongodb://ops:§pwurl§@mongo.internal:27017/admin\"</code></p>\n")
P2("docs", 3, "handbook.md", "| service | secret |\n|---|---|\n| billing webhook | `§hex64§` |\n")
P2("docs", 1, "install.txt", "Set the admin account in config.ini:\n\n    [admin]\n    password = §pw§\n")

# --- must not fire ----------------------------------------------------------------------------
N2("config", 5, ".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n")
N2("code", 5, "gen_key.py", "SECRET_KEY = get_random_secret_key()\napi_key = settings.API_KEY\n")
N2("code", 5, "headers.py", 'token = request.headers.get("Authorization")\npassword = getpass.getpass("Password: ")\n')
N2("infra", 5, "start.sh", "password=$(cat /run/secrets/db)\nPGPASSWORD=\"$(vault kv get -field=password db)\" psql -h db\n")
N2("infra", 5, "run-pg.sh", "docker run -e POSTGRES_PASSWORD -e POSTGRES_USER postgres:16\n")
N2("infra", 5, "server.sh", "./server --password-file /run/secrets/pw --token-file /run/secrets/token\n")
N2("infra", 5, "aws.j2", "[default]\naws_secret_access_key = {{ aws_secret }}\n")
N2("code", 5, "fmt.py", 'DSN = "postgresql://%(user)s:%(password)s@%(host)s/app"\n')
N2("code", 5, "react.js", "const apiKey = process.env.REACT_APP_API_KEY;\nconst token = localStorage.getItem('token');\n")
N2("docs", 5, "aws-cli.md", "aws_access_key_id = AKIAI44QH8DH" + "BEXAMPLE\n")
N2("config", 5, "oidc.yaml", "oidc:\n  tokenEndpoint: https://login.corp.com/oauth2/v2.0/token\n  auth_type: oauth2\n  auth_domain: corp.eu.auth0.com\n")
N2("config", 5, "azure.yaml", "secret_name: prod-db\nkey_vault_name: kv-prod-weu\nkeyAlias: upload\n")
N2("code", 5, "thresholds.py", "pass_threshold = 0.75\npassenger_count = 4\nprivate_network = True\n")
N2("code", 5, "jwtcfg.py", 'SIGNING_ALGORITHM = "RS256"\nnonce_size = 12\nsalt_rounds = 10\n')
N2("config", 5, "tls.yaml", "tls:\n  private_key_path: /etc/ssl/private/app.key\n  passphrase_file: /etc/ssl/private/app.pass\n")
N2("code", 5, "users.py", 'hashed_password = "§bcrypt§"\n')
N2("config", 5, "lfs.txt", "version https://git-lfs.github.com/spec/v1\noid §lfsoid§\nsize 1048576\n")
N2("config", 5, "secrets.enc.yaml", "db:\n  password: §sops§\n")
N2("infra", 5, "sealed-secret.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    password: §sealed§\n")
N2("infra", 5, "group_vars.yml", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n§vaulthex§\n")
N2("docs", 5, "CONFIG.md", "Set the `API_KEY` environment variable to your key, and `DB_PASSWORD` to the database password.\n")
N2("code", 5, "JwtConfig.java", '@Value("${jwt.secret}")\nprivate String jwtSecret;\n')
N2("code", 5, "Login.cs", '[JsonProperty("password")]\npublic string Password { get; set; }\n')
N2("code", 5, "user.go", 'type User struct {\n    Password string `json:"password" yaml:"password"`\n}\n')
N2("code", 5, "users.sql", "CREATE TABLE users (\n  id SERIAL PRIMARY KEY,\n  password VARCHAR(255) NOT NULL\n);\nALTER USER app PASSWORD EXPIRE;\n")
N2("infra", 5, "call.sh", 'curl -u "$API_USER:$API_KEY" https://api.internal/\n')
N2("docs", 5, "auth.http", "GET https://api.internal/me\nAuthorization: Bearer {{access_token}}\n")
N2("infra", 5, "keys.sh", "openssl rand -hex 32 > secret.key\nssh-keygen -t ed25519 -N '' -f deploy_key\n")
N2("config", 5, "empty.yaml", 'db:\n  password: ""\n  token: null\n  secret: ~\n')
N2("code", 5, "oauth_form.py", 'body = "grant_type=password&username=" + user + "&password=" + pw\n')
N2("config", 5, "en.json", '{"passwordPlaceholder": "Enter your password", "tokenExpired": "Your token has expired"}\n')
N2("code", 5, "lengths.py", "KEY_LENGTH = 32\nTOKEN_BYTES = 48\n")
N2("config", 5, "public-jwk.json", '{"kty": "EC", "crv": "P-256", "x": "§b64blob§", "y": "§b64blob§", "use": "sig"}\n')
N2("config", 5, "ca.pem", "§cert§\n")
N2("docs", 5, "tokens.md", "Your token looks like `ghp_§xs§` and your password `<PASSWORD>`.\n")
N2("docs", 5, "logs.md", "```\npassword=**** token=[REDACTED] Authorization: Bearer <hidden>\n```\n")
N2("config", 5, "tfstate.json", '{"version": 4, "serial": 12, "lineage": "§uuid§"}\n')
N2("code", 5, "stripe_pub.js", "const stripe = Stripe('§pk_live§', { apiVersion: '2024-06-20' });\n")
N2("code", 5, "webauthn.py", 'credential_id = "§csrf§"\npublic_token = "§csrf§"\n')
N2("docs", 5, "meta.html", '<meta name="csrf-token" content="§csrf§">\n<input type="hidden" name="authenticity_token" value="§csrf§">\n')
N2("code", 5, "nonce.js", "const nonce = crypto.randomBytes(16).toString('base64');\nconst salt = await bcrypt.genSalt(10);\n")
N2("infra", 5, "k8s-secret-ref.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  DB_PASSWORD: ${DB_PASSWORD}\n")
N2("code", 5, "tests_const.py", 'TEST_PASSWORD = "hunter2"\nFAKE_TOKEN = "fake-token-for-tests"\n')
N2("code", 5, "etag.py", 'ETAG = "§md5§"\ncache_key = "§sha1§"\n')
N2("infra", 5, "gh-actions.yml", "steps:\n  - uses: docker/login-action@v3\n    with:\n      password: ${{ secrets.REGISTRY_TOKEN }}\n")
N2("config", 5, "hosts.ini", "[web]\nweb1 ansible_host=10.0.0.1 ansible_password=\"{{ vault_web_password }}\"\n")
N2("code", 5, "migrations.py", 'op.add_column("users", sa.Column("password_digest", sa.String(128)))\n')
N2("docs", 5, "faq.rst", "Q: What is the default password?\nA: There is none; the installer asks for one.\n")
N2("config", 5, "keymap.json", '{"key": "cmd+shift+k", "when": "editorTextFocus"}\n')


# =============================================================================================
# Round 3: documentation as people write it (Markdown / RST / AsciiDoc code blocks, shell
# sessions, prose, tables, field lists, notes files) and a few more configuration, code and
# infrastructure shapes, with their own held-out third (``round == 3``), frozen before any rule
# changed for them. Values come from a third random stream: rounds 1 and 2 are unchanged.
# =============================================================================================
_P3: list[tuple[str, int, str, str]] = []
_N3: list[tuple[str, int, str, str]] = []


def P3(kind: str, cause: int, name: str, template: str) -> None:
    _P3.append((kind, cause, name, template))


def N3(kind: str, cause: int, name: str, template: str) -> None:
    _N3.append((kind, cause, name, template))


# --- docs: code blocks in Markdown, RST and AsciiDoc ---
P3("docs", 1, "README.md", "## Quick start\n\n```bash\nexport API_TOKEN=§lowalnum§\n./run.sh --port 8080\n```\n")
P3("docs", 1, "README.md", "Configure the client:\n\n```sh\nexport AWS_ACCESS_KEY_ID=§aws_id§\nexport AWS_SECRET_ACCESS_KEY=§b64slash§\n```\n")
P3("docs", 1, "docs/install.md", "```shell\n$ export DB_PASSWORD='§pwsh§'\n$ make migrate\n```\n")
P3("docs", 1, "docs/install.rst", "Installation\n============\n\n.. code-block:: bash\n\n   export SECRET_KEY=§flaskkey§\n   flask run\n")
P3("docs", 1, "docs/settings.rst", "Put this in ``settings.py``::\n\n    SECRET_KEY = '§djangokey§'\n    DEBUG = False\n")
P3("docs", 1, "docs/deploy.adoc", "== Deploy\n\n[source,bash]\n----\nexport GITLAB_TOKEN=§glpat_new§\n----\n")
P3("docs", 1, "README.md", "```python\nimport stripe\nstripe.api_key = \"§stripe_live§\"\n```\n")
P3("docs", 1, "docs/client.md", "```python\nclient = Client(api_key=\"§hexlow§\", region=\"eu\")\n```\n")
P3("docs", 1, "docs/config.md", "Example configuration:\n\n```yaml\ndatabase:\n  host: db.internal\n  password: §human§\n```\n")
P3("docs", 1, "docs/config.md", "```json\n{\n  \"client_id\": \"web-app\",\n  \"client_secret\": \"§b64key§\"\n}\n```\n")
P3("docs", 1, "docs/env.md", "Create a `.env` file:\n\n```\nREDIS_URL=redis://cache:6379/0\nREDIS_PASSWORD=§pwsh§\n```\n")
P3("docs", 1, "docs/api.md", "```bash\ncurl -H \"Authorization: Bearer §jwt§\" https://api.internal/v1/users\n```\n")
P3("docs", 1, "docs/search.md", "Check the cluster:\n\n    curl -u elastic:§pwurl§ http://localhost:9200/_cluster/health\n")
P3("docs", 1, "docs/docker.md", "```console\n$ docker run -d -e POSTGRES_PASSWORD=§pwsh§ -p 5432:5432 postgres:16\n```\n")
P3("docs", 1, "docs/k8s.md", "```\nkubectl create secret generic db-creds --from-literal=password=§pwsh§\n```\n")
P3("docs", 1, "docs/heroku.md", "    $ heroku config:set SECRET_KEY=§flaskkey§ --app web-prod\n")
P3("docs", 1, "docs/windows.md", "```powershell\nPS> $env:API_KEY = \"§lowalnum§\"\nPS> .\\run.ps1\n```\n")
P3("docs", 1, "docs/windows.md", "```bat\nset DB_PASSWORD=§pwsh§\nstart app.exe\n```\n")
P3("docs", 1, "docs/ci.md", "```\ngh secret set NPM_TOKEN --body \"§pw§\"\n```\n")
P3("docs", 1, "README.md", "Connect with:\n\n```\npsql postgresql://app:§pwurl§@db.internal:5432/app\n```\n")
P3("docs", 1, "docs/mysql.md", "```\n$ mysql -h db.internal -u root -p§pwsh§ app\n```\n")
P3("docs", 1, "docs/index.html", "<pre><code>export SLACK_TOKEN=§slack_bot§\n</code></pre>\n")
P3("docs", 1, "docs/ssh.md", "```\n-----BEGIN OPENSSH PRIVATE KEY-----\n```\nis how the file starts; ours is:\n\n```\n§pem§\n```\n")
P3("docs", 1, "docs/notebook.md", "```ipython\nIn [1]: import openai\nIn [2]: openai.api_key = '§openai§'\n```\n")
P3("docs", 1, "docs/toml.md", "```toml\n[auth]\nsigning_secret = \"§jwtkey§\"\n```\n")
P3("docs", 1, "docs/ini.rst", ".. code-block:: ini\n\n   [smtp]\n   user = mailer\n   password = §pw§\n")
# --- docs: prose, bold and inline code ---
P3("docs", 1, "docs/onboarding.md", "The staging admin password is `§human§` until we move to SSO.\n")
P3("docs", 1, "docs/onboarding.md", "Log in as `admin` with password `§pw§` and change it on first use.\n")
P3("docs", 1, "SETUP.md", "- **Username:** admin\n- **Password:** §pw§\n")
P3("docs", 1, "SETUP.md", "**API key**: `§hexlow§`\n")
P3("docs", 1, "notes.txt", "staging box\nuser: deploy\npass: §pw§\n")
P3("docs", 1, "docs/wifi.txt", "Office wifi: network GuestNet, the password is §human§\n")
P3("docs", 1, "docs/run.md", "Then start it with `API_KEY=§hexlow§ npm start`.\n")
P3("docs", 1, "docs/setup.md", "Set `SECRET_KEY` to `§djangokey§` in production.\n")
P3("docs", 1, "docs/setup.md", "Use the token §ghs_long§ for the bot account.\n")
P3("docs", 1, "docs/vpn.md", "Pre-shared key: `§pw§`\n")
P3("docs", 1, "CHANGELOG.md", "## 1.4.0\n- Rotated the webhook secret (old value: `§hexlow§`).\n")
P3("docs", 2, "docs/handover.md", "The Grafana pwd is §pw§ (shared account).\n")
P3("docs", 2, "docs/runbook.md", "* Credentials: `svc_backup` / `§pw§`\n")
# --- docs: tables and field lists ---
P3("docs", 1, "docs/environments.md", "| Variable | Value |\n|---|---|\n| `DB_USER` | app |\n| `DB_PASSWORD` | `§pw§` |\n")
P3("docs", 1, "docs/accounts.md", "| Service | User | Password |\n|---|---|---|\n| grafana | admin | §human§ |\n")
P3("docs", 1, "docs/keys.md", "| Environment | API key |\n| --- | --- |\n| staging | `§lowalnum§` |\n")
P3("docs", 1, "docs/settings.rst", ":host: db.internal\n:user: app\n:password: §pw§\n")
P3("docs", 1, "docs/accounts.rst", "==========  ====================\nSetting     Value\n==========  ====================\nuser        admin\npassword    §pw§\n==========  ====================\n")
P3("docs", 1, "docs/grid.rst", "+-----------+----------------------+\n| Name      | Value                |\n+===========+======================+\n| api_token | §lowalnum§ |\n+-----------+----------------------+\n")
P3("docs", 1, "docs/wiki.txt", "h2. Accounts\n\n||Host||User||Password||\n|db01|root|§pw§|\n")
# --- docs: provider formats in prose ---
P3("docs", 4, "docs/integrations.md", "Our Sonar token for CI: §sonar§\n")
P3("docs", 4, "docs/integrations.md", "SendGrid key (prod): §sendgrid§\n")
P3("docs", 4, "docs/llm.md", "Example run:\n\n```\nANTHROPIC_API_KEY=§anthropic§ python agent.py\n```\n")
P3("docs", 3, "docs/aws.md", "aws_secret_access_key = §b64slash§\n")
P3("docs", 3, "docs/keys.md", "Encryption key: §b64key§\n")

# --- docs: look-alikes that must not fire ---
N3("docs", 5, "README.md", "```bash\nexport API_TOKEN=<your-token>\n./run.sh\n```\n")
N3("docs", 5, "README.md", "```bash\nexport API_TOKEN=xxxxxxxxxxxxxxxxxxxx\n```\n")
N3("docs", 5, "README.md", "```bash\nexport API_TOKEN=${API_TOKEN}\nexport DB_PASSWORD=\"$DB_PASSWORD\"\n```\n")
N3("docs", 5, "docs/config.md", "```yaml\ndatabase:\n  password: changeme\n```\n")
N3("docs", 5, "docs/config.md", "Set `PASSWORD` to your own password before the first start.\n")
N3("docs", 5, "docs/faq.md", "The password is stored in Vault under `secret/app/db`.\n")
N3("docs", 5, "docs/faq.md", "The token is valid for 24 hours; the password is required.\n")
N3("docs", 5, "docs/api.md", "```bash\ncurl -H \"Authorization: Bearer $TOKEN\" https://api.internal/v1/users\n```\n")
N3("docs", 5, "docs/api.md", "```bash\ncurl -H 'Authorization: Bearer <access-token>' https://api.internal/v1/me\n```\n")
N3("docs", 5, "docs/docker.md", "```\ndocker run -e POSTGRES_PASSWORD=mysecretpassword -d postgres\n```\n")
N3("docs", 5, "docs/django.md", "```\nDJANGO_SECRET_KEY=your-secret-key-here\n```\n")
N3("docs", 5, "docs/env.md", "| Variable | Required | Description |\n|---|---|---|\n| `DB_PASSWORD` | yes | Password of the database user |\n| `API_TOKEN` | no | Token for the metrics API |\n")
N3("docs", 5, "docs/env.md", "| Name | Type | Default |\n|---|---|---|\n| `secret_key` | string | `None` |\n| `token_ttl` | int | `3600` |\n")
N3("docs", 5, "docs/api.rst", ":param password: the user's password\n:param token: an access token with the ``repo`` scope\n")
N3("docs", 5, "docs/cli.md", "```\nOptions:\n  -p, --password TEXT   password of the account\n  --token TOKEN         API token (or set API_TOKEN)\n```\n")
N3("docs", 5, "docs/openai.md", "```python\nopenai.api_key = \"sk-...\"\n```\n")
N3("docs", 5, "docs/openai.md", "```\nOPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n```\n")
N3("docs", 5, "docs/github.md", "```\nexport GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n```\n")
N3("docs", 5, "docs/settings.md", "```python\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n```\n")
N3("docs", 5, "CHANGELOG.md", "- Fix token refresh when the password contains `%` or `#`.\n")
N3("docs", 5, "docs/release.md", "Release signing key fingerprint: `§sha1§`\n")
N3("docs", 5, "docs/ssh.md", "Add this public key to the server: `§pubkey§`\n")
N3("docs", 5, "docs/ansible.md", "```yaml\nvault_token: \"{{ lookup('env', 'VAULT_TOKEN') }}\"\ndb_password: \"********\"\n```\n")
N3("docs", 5, "docs/env.md", "```\nPASSWORD=<password>\nSECRET_KEY=\nAPI_KEY=\n```\n")
N3("docs", 5, "docs/rails.md", "```yaml\nsecret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n```\n")
N3("docs", 5, "docs/api.md", "Send `Authorization: Basic <base64 of user:password>` with each request.\n")
N3("docs", 5, "docs/mysql.md", "```\n$ mysql -u root -p\nEnter password:\n```\n")
N3("docs", 5, "docs/k8s.md", "```\nkubectl create secret generic db --from-literal=password='<db-password>'\n```\n")
N3("docs", 5, "docs/heroku.md", "```\nheroku config:set SECRET_KEY=$(openssl rand -hex 32)\n```\n")
N3("docs", 5, "docs/logs.md", "Each log line carries `request_id: §uuid§`.\n")
N3("docs", 5, "docs/jwt.md", "A token looks like this: `§jwtexample§`\n")
N3("docs", 5, "docs/aws.md", "```ini\n[default]\naws_access_key_id = §awsexample§\n```\n")
N3("docs", 5, "docs/output.md", "```\n$ app token create\nToken created: ****************\n```\n")
N3("docs", 5, "docs/curl.md", "```bash\ncurl -u \"$API_USER:$API_PASSWORD\" https://api.internal/\n```\n")
N3("docs", 5, "docs/settings.rst", ":password: see the team vault\n:token: your personal token\n")
N3("docs", 5, "docs/tables.md", "| Key | Description |\n|---|---|\n| `Ctrl+K` | open the command palette |\n| `Ctrl+P` | quick open |\n")
N3("docs", 5, "docs/security.md", "Passwords are hashed with argon2; the salt is random per user.\n")
N3("docs", 2, "docs/glossary.md", "**Token bucket**: a rate-limiting algorithm.\n**Secret sharing**: splitting a key into parts.\n")
N3("docs", 5, "docs/upgrade.md", "The `auth_token` setting was renamed to `api_token` in 3.0.\n")
N3("docs", 5, "docs/integrity.md", "Verify the download: `sha256sum app.tar.gz` should print `§sha256§`.\n")

# --- config / code / infra: a few more shapes ---
P3("config", 1, "config/app.ini", "[oauth]\nclient_secret=§b64_48§\n")
P3("config", 1, "settings.local.json", '{\n  "Smtp": {\n    "Host": "smtp.internal",\n    "Password": "§pwxml§"\n  }\n}\n')
P3("config", 2, ".env.production", "SENTRY_AUTH=§hex64§\nNODE_ENV=production\n")
P3("config", 3, "config/keys.yml", "webhook:\n  signing_key: §hex40§\n")
P3("code", 1, "app/mail.py", 'server.login("alerts@corp.internal", "§human§")\n')
P3("code", 1, "src/db.ts", "const pool = new Pool({ user: 'app', password: '§pw§', host: 'db' });\n")
P3("code", 1, "app/config.rb", 'config.secret_key_base = "§hex64§"\n')
P3("code", 2, "cmd/main.go", 'const apiPasswd = "§pw§"\n')
P3("infra", 1, ".github/workflows/deploy.yml", "    steps:\n      - run: ./deploy.sh\n        env:\n          DEPLOY_TOKEN: §lowalnum§\n")
P3("infra", 1, "docker-compose.yml", "services:\n  db:\n    environment:\n      - MYSQL_ROOT_PASSWORD=§pwsh§\n")
P3("infra", 1, "Dockerfile", "FROM node:20\nARG NPM_TOKEN=§pw§\nRUN npm ci\n")
P3("infra", 1, "main.tf", 'resource "aws_db_instance" "main" {\n  username = "app"\n  password = "§pw§"\n}\n')
N3("config", 5, "config/app.ini", "[oauth]\nclient_secret=${OAUTH_CLIENT_SECRET}\n")
N3("config", 5, "settings.json", '{"Smtp": {"Password": ""}, "TokenLifetime": "00:30:00"}\n')
N3("code", 5, "app/mail.py", 'server.login(user, os.environ["SMTP_PASSWORD"])\n')
N3("code", 5, "src/db.ts", "const pool = new Pool({ user: 'app', password: process.env.DB_PASSWORD });\n")
N3("infra", 5, ".github/workflows/deploy.yml", "        env:\n          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n")
N3("infra", 5, "docker-compose.yml", "services:\n  db:\n    environment:\n      - MYSQL_ROOT_PASSWORD_FILE=/run/secrets/db_root\n")


# =============================================================================================
# Round 4: more documentation (here-documents, REPL sessions, HTTP examples, HTML tables and
# definition lists, AsciiDoc attributes, front matter, URLs with credentials, Windows shells) and
# its look-alikes, with their own held-out third (``round == 4``), frozen before any rule changed
# for them. Values come from a fourth random stream: earlier rounds are unchanged.
# =============================================================================================
_P4: list[tuple[str, int, str, str]] = []
_N4: list[tuple[str, int, str, str]] = []


def P4(kind: str, cause: int, name: str, template: str) -> None:
    _P4.append((kind, cause, name, template))


def N4(kind: str, cause: int, name: str, template: str) -> None:
    _N4.append((kind, cause, name, template))


P4("docs", 1, "README.md", "```bash\ncat > .env <<EOF\nSTRIPE_SECRET_KEY=§stripe_live§\nEOF\n```\n")
P4("docs", 1, "docs/grafana.md", "```yaml\nservices:\n  grafana:\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=§pwsh§\n```\n")
P4("docs", 1, "docs/flask.rst", ".. code-block:: python\n\n    app = Flask(__name__)\n    app.config[\"SECRET_KEY\"] = \"§flaskkey§\"\n")
P4("docs", 1, "docs/storage.md", "```pycon\n>>> client = Minio(\"s3.internal\", access_key=\"minio\", secret_key=\"§b64key§\")\n```\n")
P4("docs", 1, "docs/requests.md", "```pycon\n>>> r = requests.get(url, auth=(\"api\", \"§pw§\"))\n>>> r.status_code\n200\n```\n")
P4("docs", 1, "docs/accounts.html", "<table>\n<tr><td>user</td><td>admin</td></tr>\n<tr><td>password</td><td>§pw§</td></tr>\n</table>\n")
P4("docs", 1, "docs/keys.html", "<dl>\n<dt>API token</dt>\n<dd><code>§lowalnum§</code></dd>\n</dl>\n")
P4("docs", 1, "docs/image.md", "> **Note:** the root password of the image is `§human§`.\n")
P4("docs", 1, "docs/vault.md", "1. Log in:\n\n   ```\n   export VAULT_TOKEN=§pw§\n   vault status\n   ```\n")
P4("docs", 1, "docs/git.md", "```\ngit clone https://oauth2:§glpat_new§@gitlab.com/org/repo.git\n```\n")
P4("docs", 1, "docs/pip.md", "```\npip install --index-url https://deploy:§pwurl§@pypi.internal/simple app\n```\n")
P4("docs", 1, "docs/npm.md", "```\necho \"//npm.internal/:_authToken=§pw§\" >> ~/.npmrc\n```\n")
P4("docs", 1, "ticket.txt", "Issue: CI cannot pull images\nToken: §lowalnum§\nReporter: ops\n")
P4("docs", 1, "docs/deploy.md", "Password for the `deploy` user: `§pw§`\n")
P4("docs", 2, "notes.txt", "jenkins\npw: §pw§\n")
P4("docs", 1, "docs/manual.adoc", "= Manual\n:api-token: §lowalnum§\n:toc:\n")
P4("docs", 1, "docs/guide.md", "---\ntitle: Setup\napi_key: §hexlow§\n---\n\n# Setup\n")
P4("docs", 1, "INSTALL.txt", "Before running:\n\n    export OPENAI_API_KEY=\"§openai§\"\n")
P4("docs", 1, "docs/windows.md", "```cmd\nsetx API_TOKEN \"§pw§\"\n```\n")
P4("docs", 1, "docs/powershell.md", "```powershell\n$password = ConvertTo-SecureString \"§pw§\" -AsPlainText -Force\n```\n")
P4("docs", 1, "docs/spring.md", "```\njava -Dspring.datasource.password=§pwsh§ -jar app.jar\n```\n")
P4("docs", 1, "docs/local.md", "```\nDATABASE_URL=postgres://app:§pwurl§@localhost/app\n```\n")
P4("docs", 1, "docs/redis.md", "```\nredis-cli -h cache.internal -a §pwsh§ ping\n```\n")
P4("docs", 1, "docs/api.md", "```http\nGET /api/items HTTP/1.1\nHost: api.internal\nAuthorization: Token §hex40§\n```\n")
P4("docs", 1, "docs/api.md", "```http\nGET /v2/orders HTTP/1.1\nX-API-Key: §lowalnum§\n```\n")
P4("docs", 1, "docs/curl.md", "```\ncurl -H \"X-Api-Key: §lowalnum§\" https://api.internal/v1/ping\n```\n")
P4("docs", 1, "docs/maps.md", "Open https://maps.internal/tiles?api_key=§hexlow§ in the browser.\n")
P4("docs", 1, "docs/mail.md", "| Variable | Value | Notes |\n|---|---|---|\n| `SMTP_PASSWORD` | `§pw§` | mail relay |\n")
P4("docs", 3, "docs/crypto.md", "Data key (base64): `§b64_48§`\n")
P4("docs", 4, "docs/discord.md", "Bot token: §discord§\n")

N4("docs", 5, "README.md", "```bash\ncat > .env <<EOF\nSTRIPE_SECRET_KEY=sk_live_...\nEOF\n```\n")
N4("docs", 5, "docs/grafana.md", "```yaml\nenvironment:\n  - GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_PASSWORD:-admin}\n```\n")
N4("docs", 5, "docs/flask.rst", ".. code-block:: python\n\n    app.config[\"SECRET_KEY\"] = os.urandom(24)\n")
N4("docs", 5, "docs/storage.md", "```pycon\n>>> client = Minio(\"s3.internal\", access_key=\"ACCESS_KEY\", secret_key=\"SECRET_KEY\")\n```\n")
N4("docs", 5, "docs/accounts.html", "<table>\n<tr><td>password</td><td>The account's password</td></tr>\n</table>\n")
N4("docs", 5, "docs/git.md", "```\ngit clone https://oauth2:$GITLAB_TOKEN@gitlab.com/org/repo.git\n```\n")
N4("docs", 5, "docs/pip.md", "```\npip install --index-url https://__token__:<pypi-token>@pypi.internal/simple app\n```\n")
N4("docs", 5, "docs/accounts.md", "Token: (none)\nPassword: N/A\n")
N4("docs", 5, "docs/windows.md", "```cmd\nsetx API_TOKEN \"%API_TOKEN%\"\n```\n")
N4("docs", 5, "docs/powershell.md", "```powershell\n$password = Read-Host -AsSecureString\n```\n")
N4("docs", 5, "docs/api.md", "```http\nAuthorization: Token <your token>\nX-API-Key: YOUR_API_KEY\n```\n")
N4("docs", 5, "docs/nasa.md", "Try it with `https://api.internal/planetary?api_key=DEMO_KEY`.\n")
N4("docs", 5, "docs/mail.md", "| Variable | Value | Notes |\n|---|---|---|\n| `SMTP_PASSWORD` | *(required)* | mail relay |\n")
N4("docs", 5, "docs/keys.md", "Keys are rotated every 90 days; the signing key is kept in the HSM.\n")
N4("docs", 5, "docs/policy.md", "The password must contain at least one of `!@#$%^&*`.\n")
N4("docs", 5, "docs/ui.md", "Press `Ctrl+Shift+P`, then type `token` to find the command.\n")
N4("docs", 5, "docs/secret.md", "Run `openssl rand -base64 32` and paste the output as `SECRET_KEY`.\n")
N4("docs", 5, "docs/manual.adoc", "= Manual\n:api-token: <token>\n:toc:\n")
N4("docs", 5, "docs/release.md", "| File | sha256 |\n|---|---|\n| app.tar.gz | §sha256§ |\n")
N4("docs", 5, "docs/image.md", "Default credentials: `admin` / `admin` (change them on first login).\n")
N4("docs", 5, "docs/ansible.md", "```yaml\ndb_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  §sha256§\n```\n")
N4("docs", 5, "docs/ssh.md", "```\nThe key fingerprint is SHA256:§b64blob§\n```\n")
N4("docs", 5, "docs/jwt.md", "```\ncurl -H \"Authorization: Bearer §jwtexample§\" https://api.internal/\n```\n")
N4("docs", 5, "docs/output.md", "```\n$ app whoami\nuser: ci-bot\npassword: ********\n```\n")
N4("docs", 5, "docs/mysql.md", "```\nmysql -u root -p\"$MYSQL_ROOT_PASSWORD\" app\n```\n")
N4("docs", 5, "docs/npm.md", "```\necho \"//npm.internal/:_authToken=${NPM_TOKEN}\" >> ~/.npmrc\n```\n")
N4("docs", 5, "ticket.txt", "Issue: CI cannot pull images\nToken: expired, see INC-4411\n")
N4("docs", 2, "docs/keys.html", "<dl>\n<dt>API token</dt>\n<dd>Create one under Settings, then Tokens.</dd>\n</dl>\n")


# =============================================================================================
# Round 5: more documentation and command lines in documentation (numbered steps, RST notes and
# literal blocks, AsciiDoc tables, onboarding prose, value-before-name sentences, htpasswd / openssl
# / keytool), with their own held-out third (``round == 5``), frozen before any rule changed for
# them. Values come from a fifth random stream: earlier rounds are unchanged.
# =============================================================================================
_P5: list[tuple[str, int, str, str]] = []
_N5: list[tuple[str, int, str, str]] = []


def P5(kind: str, cause: int, name: str, template: str) -> None:
    _P5.append((kind, cause, name, template))


def N5(kind: str, cause: int, name: str, template: str) -> None:
    _N5.append((kind, cause, name, template))


P5("docs", 1, "docs/registry.md", "1. Install Docker.\n2. Run `docker login -u ci -p §pwsh§ registry.internal`.\n")
P5("docs", 1, "docs/welcome.md", "Your access token is: `§lowalnum§`\n")
P5("docs", 1, "docs/keys.txt", "API Key = §hexlow§\n")
P5("docs", 1, "docs/admin.rst", ".. note::\n\n   The admin password is ``§human§``.\n")
P5("docs", 1, "docs/config.adoc", "|===\n| Name | Value\n\n| user | app\n| password | §pw§\n|===\n")
P5("docs", 1, "docs/setup.md", "- Database:\n  - host: db.internal\n  - password: §pw§\n")
P5("docs", 1, "docs/cache.rst", "Example::\n\n    redis:\n      host: cache\n      password: §pw§\n")
P5("docs", 1, "docs/mongo.md", "Connect using `mongodb+srv://app:§pwurl§@cluster0.internal/app`.\n")
P5("docs", 1, "docs/psql.md", "Run `PGPASSWORD=§pwsh§ psql -h db -U app` to open a shell.\n")
P5("docs", 1, "docs/terraform.md", "```hcl\nprovider \"github\" {\n  token = \"§lowalnum§\"\n}\n```\n")
P5("docs", 1, "docs/netrc.md", "Add to `~/.netrc`:\n\n    machine api.internal login bot password §pw§\n")
P5("docs", 1, "docs/client.md", "```json\n{\"endpoint\": \"https://api.internal\", \"apiKey\": \"§lowalnum§\"}\n```\n")
P5("docs", 1, "docs/mail.md", "```properties\nmail.smtp.user=alerts\nmail.smtp.password=§pw§\n```\n")
P5("docs", 2, "docs/keys.md", "key: §b64key§\n")
P5("docs", 1, "docs/config.md", "`token`: `§lowalnum§`\n")
P5("docs", 1, "docs/quickstart.md", "Use `§pw§` as the password when the installer asks.\n")
P5("docs", 1, "docs/email.md", "> Hi, the account is ready.\n> Password: §pw§\n")
P5("docs", 2, "docs/gpg.md", "Passphrase for the signing key: §human§\n")
P5("docs", 1, "docs/nginx.md", "```\nhtpasswd -b -c /etc/nginx/.htpasswd admin §pwsh§\n```\n")
P5("docs", 1, "docs/tls.md", "```\nopenssl pkcs12 -export -in cert.pem -inkey key.pem -out app.p12 -passout pass:§pwsh§\n```\n")
P5("docs", 1, "docs/java.md", "```\nkeytool -importcert -file ca.pem -keystore truststore.jks -storepass §pwsh§\n```\n")
P5("docs", 1, "docs/azure.md", "The command prints:\n\n```json\n{\n  \"appId\": \"§uuid§\",\n  \"password\": \"§pw§\",\n  \"tenant\": \"§uuid§\"\n}\n```\n")
P5("docs", 1, "docs/wget.md", "```\nwget --http-user=ci --http-password=§pwsh§ https://artifacts.internal/app.tgz\n```\n")
P5("docs", 1, "docs/smtp.md", "SMTP credentials (prod): `mailer@corp.internal` / `§pw§`\n")
P5("config", 1, "config/mail.properties", "mail.smtp.password = §pw§\n")
P5("infra", 1, "scripts/bootstrap.sh", "htpasswd -b -c /etc/nginx/.htpasswd admin §pwsh§\n")

N5("docs", 5, "docs/quickstart.md", "Use `<password>` as the password when the installer asks.\n")
N5("docs", 5, "docs/welcome.md", "Your access token is: (shown once, copy it now)\n")
N5("docs", 5, "docs/keys.txt", "API Key = YOUR-API-KEY\n")
N5("docs", 5, "docs/admin.rst", ".. note::\n\n   The default admin password is ``admin``; change it.\n")
N5("docs", 5, "docs/config.adoc", "|===\n| Name | Value\n\n| password | _set at install time_\n|===\n")
N5("docs", 5, "docs/mongo.md", "Connect using `mongodb+srv://<user>:<password>@cluster0.internal/app`.\n")
N5("docs", 5, "docs/psql.md", "Run `PGPASSWORD=$DB_PASS psql -h db -U app` to open a shell.\n")
N5("docs", 5, "docs/terraform.md", "```hcl\nprovider \"github\" {\n  token = var.github_token\n}\n```\n")
N5("docs", 5, "docs/client.md", "```json\n{\"endpoint\": \"https://api.internal\", \"apiKey\": \"YOUR_API_KEY\"}\n```\n")
N5("docs", 5, "docs/mail.md", "```properties\nmail.smtp.password=${SMTP_PASSWORD}\n```\n")
N5("docs", 5, "docs/nginx.md", "```\nhtpasswd -c /etc/nginx/.htpasswd admin\n```\n")
N5("docs", 5, "docs/tls.md", "```\nopenssl pkcs12 -export -in cert.pem -out app.p12 -passout env:P12_PASSWORD\n```\n")
N5("docs", 5, "docs/azure.md", "```json\n{\"appId\": \"§uuid§\", \"password\": null, \"tenant\": \"§uuid§\"}\n```\n")
N5("docs", 5, "docs/reference.md", "`api_key` (string): your API key, from the dashboard.\n")
N5("docs", 5, "docs/history.md", "The password `hunter2` became a famous joke.\n")
N5("docs", 5, "docs/tokens.md", "Token format: `ghp_` followed by 36 characters.\n")
N5("docs", 5, "docs/smtp.md", "SMTP credentials: ask in #ops (never paste them here).\n")
N5("docs", 5, "docs/java.md", "```\nkeytool -list -keystore truststore.jks -storepass changeit\n```\n")
N5("docs", 5, "docs/errors.md", "`401 Unauthorized`: the token expired or the password is wrong.\n")
N5("docs", 5, "docs/welcome.md", "Keep your key safe: anyone with it can act as you.\n")
N5("config", 5, "config/mail.properties", "mail.smtp.password = ${SMTP_PASSWORD}\n")
N5("infra", 5, "scripts/bootstrap.sh", 'htpasswd -b -c /etc/nginx/.htpasswd admin "$ADMIN_PASSWORD"\n')


# =============================================================================================
# Round 6: configuration, code and infrastructure files as people write them (language literals
# and calls, client configuration files, build properties, Helm / Ansible / CloudFormation /
# systemd / cron), with their own held-out third (``round == 6``), frozen before any rule changed
# for them. Values come from a sixth random stream: earlier rounds are unchanged.
# =============================================================================================
_P6: list[tuple[str, int, str, str]] = []
_N6: list[tuple[str, int, str, str]] = []


def P6(kind: str, cause: int, name: str, template: str) -> None:
    _P6.append((kind, cause, name, template))


def N6(kind: str, cause: int, name: str, template: str) -> None:
    _N6.append((kind, cause, name, template))


P6("code", 1, "mysite/settings.py", 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "§pw§"}}\n')
P6("code", 1, "app/env.py", 'os.environ.setdefault("API_KEY", "§lowalnum§")\n')
P6("code", 1, "tests/conftest.py", 'os.environ["API_TOKEN"] = "§pw§"\n')
P6("code", 1, "src/auth.js", "const config = { clientId: 'web', clientSecret: '§b64key§' };\n")
P6("code", 1, "src/jwt.service.ts", 'export class JwtService {\n  private readonly secret = "§jwtkey§";\n}\n')
P6("code", 1, "src/main/java/app/Db.java", '@Value("${db.password:§pw§}")\nprivate String password;\n')
P6("code", 1, "src/main/java/app/Mail.java", 'props.setProperty("mail.smtp.password", "§pw§");\n')
P6("code", 1, "Data/Db.cs", 'var conn = new SqlConnection("Server=db;User Id=sa;Password=§pwxml§;");\n')
P6("code", 1, "Startup.cs", 'options.ClientSecret = "§b64key§";\n')
P6("code", 1, "internal/config/config.go", 'var cfg = Config{\n\tUser:     "app",\n\tPassword: "§pw§",\n}\n')
P6("code", 1, "src/main.rs", 'let api_key = "§hexlow§";\n')
P6("code", 1, "wp-config.php", "define( 'DB_PASSWORD', '§pw§' );\n")
P6("code", 1, "config/database.php", "    'password' => '§pw§',\n")
P6("code", 1, "app/src/main/java/app/Keys.kt", 'const val API_SECRET = "§pw§"\n')
P6("code", 1, "Sources/App/Config.swift", 'let clientSecret = "§b64key§"\n')
P6("code", 1, "client.py", 'resp = requests.get(url, headers={"Authorization": "Bearer §lowalnum§"})\n')
P6("code", 1, "client.py", 'headers = {"X-Api-Key": "§lowalnum§", "Accept": "application/json"}\n')
P6("code", 1, "src/api.js", "axios.get(url, { headers: { 'x-api-key': '§lowalnum§' } });\n")
P6("code", 1, "db.py", 'engine = create_engine("postgresql://app:§pwurl§@db.internal/app")\n')
P6("code", 1, "cache.py", 'r = redis.Redis(host="cache", port=6379, password="§pw§")\n')
P6("code", 1, "init.lua", 'local password = "§pw§"\n')
P6("code", 1, "deploy.pl", "my $password = '§pw§';\n")
P6("config", 1, ".pgpass", "db.internal:5432:app:app:§pw§\n")
P6("config", 1, "my.cnf", "[client]\nuser=backup\npassword=\"§pw§\"\n")
P6("config", 1, "pip.conf", "[global]\nindex-url = https://deploy:§pwurl§@pypi.internal/simple\n")
P6("config", 1, ".npmrc", "//registry.npmjs.org/:_authToken=§lowalnum§\n")
P6("config", 1, "settings.xml", "<servers>\n  <server>\n    <id>releases</id>\n    <username>deploy</username>\n    <password>§pwxml§</password>\n  </server>\n</servers>\n")
P6("config", 1, ".git-credentials", "https://bot:§pwurl§@github.com\n")
P6("config", 1, ".docker/config.json", '{"auths": {"registry.internal": {"auth": "§basic_b64§"}}}\n')
P6("config", 1, ".s3cfg", "[default]\naccess_key = §aws_id§\nsecret_key = §b64slash§\n")
P6("config", 1, "inventory/hosts.ini", "[web]\nweb1 ansible_host=10.0.0.5 ansible_user=deploy ansible_password=§pw§\n")
P6("config", 1, "odbc.ini", "[app]\nDriver = PostgreSQL\nServername = db\nPassword = §pw§\n")
P6("config", 2, ".Renviron", "GITHUB_PAT=§lowalnum§\n")
P6("config", 2, "gradle.properties", "signing.keyId=24875D73\nsigning.password=§pw§\nossrhPassword=§pw§\n")
P6("config", 1, "sentry.properties", "defaults.org=acme\nauth.token=§hex64§\n")
P6("infra", 1, "values.yaml", "postgresql:\n  auth:\n    postgresPassword: §pw§\n")
P6("infra", 1, "k8s/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  DB_PASSWORD: \"§pw§\"\n")
P6("infra", 1, "group_vars/all.yml", "ansible_become_pass: §pw§\n")
P6("infra", 1, "prod.tfvars", 'db_password = "§pw§"\n')
P6("infra", 1, "template.yaml", "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUsername: admin\n      MasterUserPassword: §pw§\n")
P6("infra", 1, "app.service", '[Service]\nEnvironment="API_TOKEN=§pw§"\nExecStart=/usr/bin/app\n')
P6("infra", 1, "nginx.conf", 'location / {\n  proxy_set_header Authorization "Basic §basic_b64§";\n}\n')
P6("infra", 1, "Jenkinsfile", "sh 'curl -fsS -u admin:§pwurl§ https://nexus.internal/service/rest/v1/status'\n")
P6("infra", 1, "Vagrantfile", 'config.vm.provision "shell", inline: "echo root:§pwsh§ | chpasswd"\n')
P6("infra", 1, "crontab", "0 3 * * * PGPASSWORD=§pwsh§ pg_dump -h db app > /backup/app.sql\n")

N6("code", 5, "mysite/settings.py", 'DATABASES = {"default": {"PASSWORD": os.environ["DB_PASSWORD"]}}\n')
N6("code", 5, "app/env.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
N6("code", 5, "src/auth.js", "const config = { clientId: 'web', clientSecret: process.env.CLIENT_SECRET };\n")
N6("code", 5, "src/main/java/app/Db.java", '@Value("${db.password}")\nprivate String password;\n')
N6("code", 5, "Startup.cs", 'options.ClientSecret = Configuration["Auth:ClientSecret"];\n')
N6("code", 5, "config/database.php", "    'password' => env('DB_PASSWORD', ''),\n")
N6("code", 5, "client.py", 'resp = requests.get(url, headers={"Authorization": f"Bearer {token}"})\n')
N6("code", 5, "build.py", 'BUILD_ID = "§sha1§"\nCOMMIT = "§sha1§"\n')
N6("code", 5, "models.py", 'password = models.CharField(max_length=128)\ntoken = models.UUIDField(default=uuid.uuid4)\n')
N6("config", 5, ".htpasswd", "admin:$apr1$§nonce_hex§$§b64blob§\n")
N6("config", 5, "pip.conf", "[global]\nindex-url = https://pypi.org/simple\ntrusted-host = pypi.internal\n")
N6("config", 5, ".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")
N6("config", 5, "settings.xml", "<server>\n  <id>releases</id>\n  <password>${env.MAVEN_PASSWORD}</password>\n</server>\n")
N6("config", 5, "gradle.properties", "signing.password=\nossrhPassword=\norg.gradle.jvmargs=-Xmx2g\n")
N6("infra", 5, "values.yaml", "postgresql:\n  auth:\n    existingSecret: db-credentials\n    secretKeys:\n      adminPasswordKey: postgres-password\n")
N6("infra", 5, "templates/deployment.yaml", "        - name: DB_PASSWORD\n          value: {{ .Values.db.password | quote }}\n")
N6("infra", 5, "template.yaml", "      MasterUserPassword: !Ref DbPassword\n      Token: '{{resolve:secretsmanager:prod/app:SecretString:token}}'\n")
N6("infra", 5, "prod.tfvars", "db_password_secret_name = \"prod/app/db\"\n")
N6("infra", 5, "app.service", "[Service]\nEnvironmentFile=/etc/app/secrets.env\nLoadCredential=token:/etc/app/token\n")
N6("infra", 5, "crontab", "0 3 * * * PGPASSFILE=/root/.pgpass pg_dump -h db app > /backup/app.sql\n")


# =============================================================================================
# Round 7: documentation again (issue reports, collapsible blocks, MDX, Org mode, log and stack
# trace excerpts, RST substitutions, a value under a heading, form and HTTPie requests, keyword
# DSNs) and a few code shapes, with their own held-out third (``round == 7``), frozen before any
# rule changed for them. Values come from a seventh random stream: earlier rounds are unchanged.
# =============================================================================================
_P7: list[tuple[str, int, str, str]] = []
_N7: list[tuple[str, int, str, str]] = []


def P7(kind: str, cause: int, name: str, template: str) -> None:
    _P7.append((kind, cause, name, template))


def N7(kind: str, cause: int, name: str, template: str) -> None:
    _N7.append((kind, cause, name, template))


P7("docs", 1, "ISSUE.md", "Steps to reproduce:\n\n1. `export SENTRY_AUTH_TOKEN=§hex64§`\n2. `sentry-cli releases list`\n")
P7("docs", 1, "docs/mail.md", "<details><summary>Full config</summary>\n\n```yaml\nsmtp_password: §pw§\n```\n</details>\n")
P7("docs", 1, "docs/deploy.mdx", "<Tabs>\n<TabItem value=\"npm\">\n\n```bash\nDEPLOY_TOKEN=\"§lowalnum§\" npm run deploy\n```\n\n</TabItem>\n</Tabs>\n")
P7("docs", 1, "notes.org", "* Database\n#+begin_src sh\nexport DB_PASS=§pwsh§\n#+end_src\n")
P7("docs", 1, "docs/troubleshooting.md", "```\n2024-05-01 12:00:01 ERROR auth failed for user=app password=§pw§\n```\n")
P7("docs", 1, "docs/errors.md", "```\nsqlalchemy.exc.OperationalError: could not connect to postgresql://app:§pwurl§@db:5432/app\n```\n")
P7("docs", 1, "docs/demo.md", "Credentials for the demo: user `demo`, password `§pw§`.\n")
P7("docs", 1, "docs/admin.md", "Admin login: `admin` / `§human§`\n")
P7("docs", 1, "docs/conf.rst", ".. |token| replace:: §lowalnum§\n\nUse |token| in the header.\n")
P7("docs", 1, "docs/testing.md", "Bearer token for testing: §jwt§\n")
P7("docs", 1, "docs/wiki.md", "### Token\n\n`§lowalnum§`\n")
P7("docs", 1, "docs/config.md", "```yaml\nsmtp:\n  password: §pw§  # rotate monthly\n```\n")
P7("docs", 1, "docs/start.md", "Start it with `PASSWORD=§pw§ ./start.sh`.\n")
P7("docs", 1, "docs/oauth.md", "```\ncurl -d \"client_secret=§b64key§&grant_type=client_credentials\" https://auth.internal/token\n```\n")
P7("docs", 1, "docs/login.md", "```\ncurl https://api.internal/login --data-urlencode \"password=§pw§\"\n```\n")
P7("docs", 1, "docs/httpie.md", "```\nhttp POST api.internal/login username=admin password=§pw§\n```\n")
P7("docs", 1, "docs/azure.md", "```\naz login -u me@corp.internal -p §pwsh§\n```\n")
P7("docs", 1, "docs/psql.md", "```\npsql \"host=db user=app password=§pw§ dbname=app\"\n```\n")
P7("docs", 1, "docs/ssh.md", "```\nssh-keygen -t ed25519 -f deploy_key -N \"§pw§\"\n```\n")
P7("docs", 1, "docs/sql.md", "```sql\nCREATE USER app WITH PASSWORD '§pw§';\n```\n")
P7("docs", 2, "docs/secrets.md", "Master key for the staging vault: §b64key§\n")
P7("docs", 3, "docs/hex.md", "The HMAC secret is `§hex64§`.\n")
P7("code", 1, "main.go", 'os.Setenv("API_TOKEN", "§pw§")\n')
P7("code", 1, "src/Db.java", 'String url = "jdbc:postgresql://db/app?user=app&password=§pwurl§";\n')
P7("code", 1, "src/keys.c", 'static const char *api_key = "§hexlow§";\n')
P7("code", 1, "tests/conftest.py", "@pytest.fixture\ndef client():\n    return Client(token=\"§lowalnum§\")\n")
P7("code", 1, "src/db.js", "mongoose.connect('mongodb://admin:§pwurl§@db:27017/app');\n")
P7("code", 1, "app/jwt.py", 'token = jwt.encode(payload, "§jwtkey§", algorithm="HS256")\n')

N7("docs", 5, "docs/demo.md", "Credentials for the demo: user `demo`, password `demo`.\n")
N7("docs", 5, "docs/conf.rst", ".. |token| replace:: ``<token>``\n")
N7("docs", 5, "docs/wiki.md", "### Token\n\nGenerate it under Settings, then Developer settings.\n")
N7("docs", 5, "docs/oauth.md", "```\ncurl -d \"client_secret=$CLIENT_SECRET&grant_type=client_credentials\" https://auth.internal/token\n```\n")
N7("docs", 5, "docs/httpie.md", "```\nhttp POST api.internal/login username=admin password=$PASSWORD\n```\n")
N7("docs", 5, "docs/psql.md", "```\npsql \"host=db user=app password=secret dbname=app\"\n```\n")
N7("docs", 5, "docs/sql.md", "```sql\nCREATE USER app WITH PASSWORD 'password';\n```\n")
N7("docs", 5, "docs/troubleshooting.md", "```\n2024-05-01 12:00:01 ERROR auth failed for user=app password=***\n2024-05-01 12:00:02 WARN token expired for session §uuid§\n```\n")
N7("docs", 5, "docs/ssh.md", "```\nssh-keygen -t ed25519 -f deploy_key -N \"\"\n```\n")
N7("docs", 5, "docs/mail.md", "<details><summary>Full config</summary>\n\n```yaml\nsmtp_password: \"{{ smtp_password }}\"\n```\n</details>\n")
N7("docs", 5, "docs/hashes.md", "Stored password hashes look like `$2b$12$§b64blob§`.\n")
N7("docs", 5, "docs/cli.md", "The `--password` flag is deprecated; use `--password-file` instead.\n")
N7("docs", 5, "notes.org", "#+begin_src sh\nexport DB_PASS=$(pass show db/app)\n#+end_src\n")
N7("docs", 5, "docs/keys.md", "| Key | Action |\n|---|---|\n| `Enter` | confirm |\n| `Esc` | cancel |\n")
N7("docs", 5, "docs/start.md", "Start it with `PASSWORD=$(cat /run/secrets/pw) ./start.sh`.\n")
N7("code", 5, "main.go", 'os.Setenv("API_TOKEN", token)\n')
N7("code", 5, "src/Db.java", 'String url = "jdbc:postgresql://db/app?user=app&password=" + System.getenv("DB_PASSWORD");\n')
N7("code", 5, "src/keys.c", 'static const char *api_key = getenv("API_KEY");\n')
N7("code", 5, "gen.py", 'password = "".join(secrets.choice(alphabet) for _ in range(20))\n')
N7("code", 5, "check.py", 'if token == "" or password is None:\n    raise ValueError("missing credentials")\n')


# =============================================================================================
# Round 8: documents that are not prose (notebooks, OpenAPI examples, Postman collections,
# password-manager CSV exports, e-mails, HTML comments) and Windows / Oracle command lines in
# documentation, with their own held-out third (``round == 8``), frozen before any rule changed
# for them. Values come from an eighth random stream: earlier rounds are unchanged.
# =============================================================================================
_P8: list[tuple[str, int, str, str]] = []
_N8: list[tuple[str, int, str, str]] = []


def P8(kind: str, cause: int, name: str, template: str) -> None:
    _P8.append((kind, cause, name, template))


def N8(kind: str, cause: int, name: str, template: str) -> None:
    _N8.append((kind, cause, name, template))


P8("docs", 1, "examples/demo.ipynb", '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": [\n    "API_KEY = \\"§lowalnum§\\"\\n",\n    "client = Client(API_KEY)"\n   ]\n  }\n ]\n}\n')
P8("docs", 1, "examples/auth.ipynb", '{\n "cells": [\n  {\n   "outputs": [\n    {\n     "text": [\n      "Token: §lowalnum§\\n"\n     ]\n    }\n   ]\n  }\n ]\n}\n')
P8("docs", 1, "docs/openapi.yaml", "paths:\n  /login:\n    post:\n      requestBody:\n        content:\n          application/json:\n            example:\n              username: admin\n              password: §pw§\n")
P8("docs", 1, "docs/collection.postman_collection.json", '{"request": {"header": [{"key": "Authorization", "value": "Bearer §lowalnum§", "type": "text"}]}}\n')
P8("docs", 1, "docs/staging.postman_environment.json", '{"values": [{"key": "api_token", "value": "§pw§", "enabled": true}]}\n')
P8("config", 1, "passwords.csv", "name,url,username,password\nGrafana,https://grafana.internal,admin,§pw§\n")
P8("docs", 1, "mail/welcome.eml", "Subject: your account\n\nHi,\nyour temporary password: §pw§\nPlease change it.\n")
P8("docs", 1, "README.md", "# App\n\n<!-- staging token: §lowalnum§ -->\n")
P8("docs", 1, "docs/login.md", "Open https://app.internal/login?user=admin&pwd=§pwurl§ to sign in.\n")
P8("docs", 1, "docs/windows.md", "```\nnet use Z: \\\\\\\\files\\\\share /user:corp\\\\svc §pwsh§\n```\n")
P8("docs", 1, "docs/windows.md", "```\ncmdkey /add:files.internal /user:svc /pass:§pwsh§\n```\n")
P8("docs", 1, "docs/oracle.md", "```\nsqlplus system/§pwsh§@ORCL\n```\n")
P8("docs", 1, "docs/rsync.md", "```\nrsync -av rsync://backup:§pwurl§@backup.internal/data ./data\n```\n")
P8("docs", 1, "docs/mongo.md", "```\nmongosh -u admin -p §pwsh§ --authenticationDatabase admin\n```\n")
P8("docs", 1, "docs/influx.md", "```\ninflux -username admin -password §pwsh§ -execute 'SHOW DATABASES'\n```\n")
P8("docs", 1, "docs/wordpress.md", "```\nwp user create bob bob@corp.internal --user_pass=§pw§\n```\n")
P8("docs", 1, "docs/ini.md", "```ini\n[api]\nsecret=§pw§\n```\n")
P8("docs", 1, "docs/readonly.md", "Token (read-only): `§lowalnum§`\n")

N8("docs", 5, "examples/demo.ipynb", '{\n "cells": [\n  {\n   "source": [\n    "API_KEY = os.environ[\\"API_KEY\\"]\\n"\n   ]\n  }\n ]\n}\n')
N8("docs", 5, "docs/collection.postman_collection.json", '{"request": {"header": [{"key": "Authorization", "value": "Bearer {{token}}", "type": "text"}]}}\n')
N8("config", 5, "passwords.csv", "name,url,username,password\n")
N8("docs", 5, "README.md", "# App\n\n<!-- TODO: document where the token comes from -->\n")
N8("docs", 5, "docs/windows.md", "```\nnet use Z: \\\\\\\\files\\\\share /user:corp\\\\svc *\n```\n")
N8("docs", 5, "docs/windows.md", "```\ncmdkey /add:files.internal /user:svc /pass\n```\n")
N8("docs", 5, "docs/oracle.md", "```\nsqlplus system/<password>@ORCL\nsqlplus / as sysdba\n```\n")
N8("docs", 5, "docs/openapi.yaml", "components:\n  schemas:\n    Login:\n      properties:\n        password:\n          type: string\n          example: <password>\n")
N8("docs", 5, "docs/influx.md", "```\ninflux -username admin -password '' -execute 'SHOW DATABASES'\n```\n")
N8("docs", 5, "docs/shell.md", "Run `pwd` to see the working directory, for example `/home/app/releases`.\n")
N8("docs", 5, "mail/reset.eml", "Subject: password reset\n\nFollow the link to reset your password: https://app.internal/reset\n")
N8("docs", 5, "docs/staging.postman_environment.json", '{"values": [{"key": "api_token", "value": "", "enabled": true}]}\n')


# =============================================================================================
# Round 9: product documentation for tools people run (CI actions, Terraform, kubectl, Helm, the
# AWS CLI, git, Docker, Ansible, Vault, RabbitMQ, Redis, MongoDB, Grafana, PostgreSQL, passwd),
# with their own held-out third (``round == 9``), frozen before any rule changed for them. Values
# come from a ninth random stream: earlier rounds are unchanged.
# =============================================================================================
_P9: list[tuple[str, int, str, str]] = []
_N9: list[tuple[str, int, str, str]] = []


def P9(kind: str, cause: int, name: str, template: str) -> None:
    _P9.append((kind, cause, name, template))


def N9(kind: str, cause: int, name: str, template: str) -> None:
    _N9.append((kind, cause, name, template))


P9("docs", 1, "docs/ci.md", "```yaml\n- uses: docker/login-action@v3\n  with:\n    username: ci\n    password: §pw§\n```\n")
P9("docs", 1, "docs/terraform.md", "```\nexport TF_VAR_db_password=§pwsh§\nterraform apply\n```\n")
P9("docs", 1, "docs/registry.md", "```\nkubectl create secret docker-registry regcred --docker-username=ci --docker-password=§pwsh§\n```\n")
P9("docs", 1, "docs/helm.md", "```\nhelm install db bitnami/postgresql --set auth.postgresPassword=§pwsh§\n```\n")
P9("docs", 1, "docs/aws.md", "```\naws configure set aws_secret_access_key §b64slash§\n```\n")
P9("docs", 1, "docs/git.md", "```\ngit remote add origin https://ci:§pwurl§@git.internal/app.git\n```\n")
P9("docs", 1, "docs/docker.md", "```\ndocker run -e \"API_KEY=§lowalnum§\" app:latest\n```\n")
P9("docs", 1, "docs/ansible.md", "```\nansible-playbook site.yml -e \"ansible_password=§pw§\"\n```\n")
P9("docs", 1, "docs/vault.md", "```\nvault kv put secret/app password=§pw§\n```\n")
P9("docs", 1, "docs/pgadmin.md", "```yaml\nenvironment:\n  PGADMIN_DEFAULT_PASSWORD: §pw§\n```\n")
P9("docs", 1, "docs/rabbitmq.md", "```\nrabbitmqctl add_user app §pwsh§\n```\n")
P9("docs", 1, "docs/redis.md", "```\n127.0.0.1:6379> AUTH §pwsh§\nOK\n```\n")
P9("docs", 1, "docs/mongo.md", "```js\ndb.createUser({user: \"app\", pwd: \"§pw§\", roles: [\"readWrite\"]})\n```\n")
P9("docs", 1, "docs/jenkins.md", "initial admin password: §hexlow§\n")
P9("docs", 1, "docs/grafana.md", "```\ngrafana-cli admin reset-admin-password §pwsh§\n```\n")
P9("docs", 1, "docs/postgres.md", "```sql\nALTER ROLE app WITH LOGIN PASSWORD '§pw§';\n```\n")
P9("docs", 1, "docs/users.md", "```\necho \"§pwsh§\" | passwd --stdin deploy\n```\n")

N9("docs", 5, "docs/ci.md", "```yaml\n- uses: docker/login-action@v3\n  with:\n    username: ci\n    password: ${{ secrets.REGISTRY_PASSWORD }}\n```\n")
N9("docs", 5, "docs/terraform.md", "```\nexport TF_VAR_db_password=$(vault read -field=password secret/db)\n```\n")
N9("docs", 5, "docs/registry.md", "```\nkubectl create secret docker-registry regcred --docker-password=$REGISTRY_PASSWORD\n```\n")
N9("docs", 5, "docs/helm.md", "```\nhelm install db bitnami/postgresql --set auth.postgresPassword=$PG_PASSWORD\n```\n")
N9("docs", 5, "docs/vault.md", "```\nvault kv get -field=password secret/app\n```\n")
N9("docs", 5, "docs/rabbitmq.md", "```\nrabbitmqctl change_password app \"$NEW_PASSWORD\"\n```\n")
N9("docs", 5, "docs/redis.md", "```\n127.0.0.1:6379> AUTH <password>\n```\n")
N9("docs", 5, "docs/mongo.md", "```js\ndb.createUser({user: \"app\", pwd: passwordPrompt(), roles: [\"readWrite\"]})\n```\n")
N9("docs", 5, "docs/grafana.md", "```\ngrafana-cli admin reset-admin-password \"$GF_PASSWORD\"\n```\n")
N9("docs", 5, "docs/users.md", "```\necho \"$DEPLOY_PASSWORD\" | passwd --stdin deploy\n```\n")
N9("docs", 5, "docs/jenkins.md", "The initial admin password is in `/var/jenkins_home/secrets/initialAdminPassword`.\n")


def _round2_variants(rng: random.Random) -> dict[str, tuple[str, str]]:
    pem = _pem(rng)
    return {"pemcrlf": (pem.replace("\n", "\r\n"), pem)}


def _pem_variants(rng: random.Random) -> dict[str, tuple[str, str]]:
    """(rendered text, labelled secret) for PEM keys written in code or logs."""
    pem = _pem(rng)
    lines = pem.split("\n")
    concat = "\n".join(f'    "{line}\\n"' for line in lines)
    java = " +\n    ".join(f'"{line}\\n"' for line in lines)
    log = "\n".join(f"2024-05-02T10:11:12Z app[web.1]: {line}" for line in lines)
    indent = "\n".join("    " + line for line in lines)
    json_form = "\\n".join(lines) + "\\n"
    return {"pemconcat": (concat, pem), "pemjava": (java, pem), "pemlog": (log, pem), "pemindent": (indent, pem), "pemjson": (json_form, pem)}


def _published_examples() -> dict[str, str]:
    """Example keys printed in vendors' documentation, assembled so the source holds no such literal."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps({"sub": "1234567890", "name": "John Doe", "iat": 1516239022}, separators=(",", ":")).encode())
    signature = _b64url(hmac.new(b"your-256-bit-secret", f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return {
        "awsexample": "AKIA" + "IOSFODNN7" + "EXAMPLE and wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
        "stripeexample": "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "jwtexample": f"{header}.{payload}.{signature}",
        "slackexample": "xoxb-" + "not-a-real-token-this-will-not-work",
    }


_MARKER = re.compile(r"§(\w+)§")


def _render(template: str, rng: random.Random, positive: bool) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    """The file text, its secret values and the 1-based line where each starts."""
    pem_variants = _pem_variants(rng)
    if "§pemcrlf§" in template:
        pem_variants.update(_round2_variants(rng))
    examples = _published_examples()
    secrets: list[str] = []
    offsets: list[int] = []
    out: list[str] = []
    last = 0
    for match in _MARKER.finditer(template):
        name = match.group(1)
        out.append(template[last : match.start()])
        last = match.end()
        if name in pem_variants:
            text, value = pem_variants[name]
        elif name in SECRET_GENERATORS:
            text = value = SECRET_GENERATORS[name](rng)
        elif name in LOOKALIKE_GENERATORS:
            text, value = LOOKALIKE_GENERATORS[name](rng), ""
        elif name in examples:
            text, value = examples[name], ""
        else:
            raise KeyError(f"unknown generator {name!r} in {template!r}")
        if value:
            secrets.append(value)
            offsets.append(len("".join(out)))
        out.append(text)
    out.append(template[last:])
    content = "".join(out)
    if positive != bool(secrets):
        raise ValueError(f"{'positive case without' if positive else 'negative case with'} a secret: {template!r}")
    return content, tuple(secrets), tuple(content.count("\n", 0, offset) + 1 for offset in offsets)


def _utf16_cases(rng: random.Random) -> list[Case]:
    """UTF-16 and UTF-32 encoded files (Windows tools write them): the content must still be read."""
    out = []
    for encoding, name in (("utf-16", "settings.reg.txt"), ("utf-16-le", "App.ps1"), ("utf-32", "creds.txt")):
        value = SECRET_GENERATORS["pw"](rng)
        text = f"[database]\r\npassword = {value}\r\n"
        encoded = text.encode(encoding)
        out.append(Case(f"utf:{encoding}:{name}", "config", 6, name, encoded.decode("latin-1"), True, (value,), (2,)))
    return out


def _table_cases(tables: tuple[tuple[bool, list[tuple[str, int, str, str]]], ...], rng: random.Random, prefix: str) -> list[Case]:
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for positive, table in tables:
        for kind, cause, name, template in table:
            base = f"{prefix}{'P' if positive else 'N'}:{name}:{hashlib.sha256(template.encode()).hexdigest()[:10]}"
            seen[base] = seen.get(base, 0) + 1
            case_id = base if seen[base] == 1 else f"{base}:{seen[base]}"
            content, secrets, lines = _render(template, rng, positive)
            cases.append(Case(case_id, kind, cause, name, content, positive, secrets, lines))
    return cases


def _held_out_third(cases: list[Case]) -> set[str]:
    """Within each kind of source and label, every third case in the order of the hashes of their
    ids (a stratified split that does not depend on the order of the tables)."""
    ranked: dict[tuple[str, bool], list[Case]] = {}
    for case in cases:
        ranked.setdefault((case.kind, case.positive), []).append(case)
    held: set[str] = set()
    for group in ranked.values():
        group.sort(key=lambda case: hashlib.sha256(case.id.encode()).hexdigest())
        held.update(case.id for case in group[::3])
    return held


def _utf_round2(rng: random.Random) -> list[Case]:
    """More encodings: UTF-16 big endian with a byte order mark, UTF-8 with a byte order mark."""
    out = []
    for encoding, name, line in (("utf-16-be", "Deploy.ps1", '$Password = "{}"'), ("utf-8-sig", "appsettings.Development.json", '{{"ApiSecret": "{}"}}')):
        value = SECRET_GENERATORS["pw"](rng)
        text = "# settings\r\n" + line.format(value) + "\r\n"
        encoded = (b"\xfe\xff" if encoding == "utf-16-be" else b"") + text.encode(encoding)
        out.append(Case(f"r2:utf:{encoding}:{name}", "config", 6, name, encoded.decode("latin-1"), True, (value,), (2,), round=2))
    return out


def build_cases(seed: int = 2020) -> list[Case]:
    """Every case, deterministic for a seed. ``content`` of UTF-16/32 cases is their bytes as latin-1.

    Each round keeps its own held-out third, so adding a round moved no case of an earlier one.
    """
    rng = random.Random(seed)
    first = _table_cases(((True, _P), (False, _N)), rng, "")
    first.extend(_utf16_cases(rng))
    rng2 = random.Random(seed * 1000 + 2)
    second = [replace(case, round=2) for case in _table_cases(((True, _P2), (False, _N2)), rng2, "r2:")]
    second.extend(_utf_round2(rng2))
    rng3 = random.Random(seed * 1000 + 3)
    third = [replace(case, round=3) for case in _table_cases(((True, _P3), (False, _N3)), rng3, "r3:")]
    rng4 = random.Random(seed * 1000 + 4)
    fourth = [replace(case, round=4) for case in _table_cases(((True, _P4), (False, _N4)), rng4, "r4:")]
    rng5 = random.Random(seed * 1000 + 5)
    fifth = [replace(case, round=5) for case in _table_cases(((True, _P5), (False, _N5)), rng5, "r5:")]
    rng6 = random.Random(seed * 1000 + 6)
    sixth = [replace(case, round=6) for case in _table_cases(((True, _P6), (False, _N6)), rng6, "r6:")]
    rng7 = random.Random(seed * 1000 + 7)
    seventh = [replace(case, round=7) for case in _table_cases(((True, _P7), (False, _N7)), rng7, "r7:")]
    rng8 = random.Random(seed * 1000 + 8)
    eighth = [replace(case, round=8) for case in _table_cases(((True, _P8), (False, _N8)), rng8, "r8:")]
    rng9 = random.Random(seed * 1000 + 9)
    ninth = [replace(case, round=9) for case in _table_cases(((True, _P9), (False, _N9)), rng9, "r9:")]
    rounds = (first, second, third, fourth, fifth, sixth, seventh, eighth, ninth)
    held = set().union(*(_held_out_third(part) for part in rounds))
    return [replace(case, held_out=case.id in held) for part in rounds for case in part]


def content_bytes(case: Case) -> bytes:
    """The bytes of a case's file."""
    if case.id.startswith(("utf:", "r2:utf:")):
        return case.content.encode("latin-1")
    return case.content.encode("utf-8")


def write_cases(cases: list[Case], folder: "object") -> list[str]:
    """Write each case to ``folder/<index>/<name>``; returns the relative paths in order."""
    from pathlib import Path

    root = Path(str(folder))
    names = []
    for index, case in enumerate(cases):
        relative = f"{index:04d}/{case.name}"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content_bytes(case))
        names.append(relative)
    return names
