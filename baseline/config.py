"""Configuration: ``[tool.baseline]`` in the target's pyproject.toml, or a ``baseline.toml``.

Every key is declared once in :data:`KEYS` with its type, default, CLI flag and help text; the
CLI's options are generated from the same table, so every key has a flag and the CLI wins.
Nested tables are flattened to dotted keys: ``[tool.baseline.tests] timeout = 60`` is
``tests.timeout`` and the flag ``--tests-timeout``. Unknown keys and wrong types raise
ConfigError naming the key.

Who may say what: the project's own file describes the project. The keys in :data:`OPERATOR_ONLY`
(what runs outside the tests, what the toolkit trusts, where it writes), values above the
operator's limit for the keys in :data:`CAPPED`, and paths outside the project for the keys in
:data:`PROJECT_PATHS` are taken only from the operator (the command line, or a file named with
``--config``); in the project's file they are ignored and listed in :attr:`Config.ignored`, which
the report shows as ``config-ignored`` problems.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from baseline.errors import ConfigError
from baseline.model import Severity
from baseline.parsing import toml_loads

SEVERITIES = tuple(severity.value for severity in Severity)


@dataclass(frozen=True)
class KeySpec:
    """One configuration key."""

    name: str  # dotted name, e.g. "tests.timeout"
    kind: type  # str, int, float, bool or list (of str)
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def flag(self) -> str:
        """The CLI flag of this key."""
        return "--" + self.name.replace(".", "-").replace("_", "-")

    @property
    def dest(self) -> str:
        """The argparse destination of this key."""
        return "cfg__" + self.name.replace(".", "__")


CORE_KEYS: tuple[KeySpec, ...] = (
    KeySpec("catalog", str, None, "Technique catalog file (TOML); default: the built-in NIST IR 8397 catalog."),
    KeySpec("python", str, None, "Interpreter that runs the target's code; default: the project's .venv, else an environment built with uv."),
    KeySpec("gate", bool, False, "Apply the policy and exit non-zero when it fails."),
    KeySpec("min_score", float, 70.0, "Gate: minimum trust score (0-100).", minimum=0, maximum=100),
    KeySpec(
        "fail_on",
        str,
        "critical",
        "Gate: fail on any unsuppressed finding of this severity or worse (reporting is unaffected).",
        choices=SEVERITIES + ("none",),
    ),
    KeySpec("required", list, [], "Gate: techniques (ids or slugs) that must be evaluated and pass."),
    KeySpec("select", list, [], "Run only these checks (check ids, technique ids or slugs); the rest are not_evaluated."),
    KeySpec("disable", list, [], "Check ids not to run (reported as not_evaluated, scored 0)."),
    KeySpec("jobs", int, 2, "Checks working at once. A check waiting for a run another check is executing (the test run, the SBOM) gives its turn back, and checks that only read the source (static analysis, secrets) start first, so they run beside the test run; the report's `timeline` shows what ran when.", minimum=1, maximum=64),
    KeySpec(
        "work_dir", str, None,
        "Folder for the scan's work files and the fuzzing store (operator only); default: the project's folder under "
        "the user's data folder ($XDG_DATA_HOME/baseline/projects/...). Never inside the scanned tree.",
    ),
    KeySpec(
        "exclude", list, [],
        "Gitignore-style patterns (relative paths) of files that are not the product (vendored code, test data, deliberately "
        "vulnerable samples): static analysis, web detection and the attack surface skip them; secrets are still scanned.",
    ),
    KeySpec("allow_env", list, [], "Environment variables passed to target code although they look like credentials."),
    KeySpec("network", bool, False, "Let the target's code reach the network (default: loopback only, where the platform allows)."),
    KeySpec("tests.timeout", float, 900.0, "Wall-clock limit of the test run in seconds.", minimum=1),
    KeySpec("tests.memory_mb", int, 4096, "Address-space limit of the test run in MiB (0 = none).", minimum=0),
    KeySpec("tests.args", list, [], "Arguments passed to pytest; set (or tests.paths set), they replace the test command learned from the project's CI, tox, nox or make files."),
    KeySpec("tests.paths", list, [], "Test paths passed to pytest; default: those of the project's own test command (CI, tox, nox, make, testpaths)."),
    KeySpec("tests.dev_mode", bool, True, "Record warnings under Python development mode (-X dev -b); a separate pass when the project turns warnings into errors."),
    KeySpec("coverage.threshold", float, 80.0, "Minimum statement coverage in percent (NIST: 80).", minimum=0, maximum=100),
    KeySpec("coverage.source", list, [], "Packages or folders measured; default: the product (what the package ships, from its packaging metadata)."),
)


# Each subsystem declares its keys in its own tuple below (kept apart so that changes merge cleanly).

# Static analysis (T03): [tool.baseline.static]
STATIC_KEYS: tuple[KeySpec, ...] = (
    KeySpec("static.exclude", list, [], "Gitignore-style patterns (relative paths) of Python files the static analysis skips."),
    KeySpec("static.timeout", float, 900.0, "Wall-clock limit of each static-analysis tool run in seconds.", minimum=1),
    KeySpec("static.max_file_kb", int, 2048, "Python files larger than this (KiB) are noted and not analysed.", minimum=1),
    KeySpec("static.cache", bool, True, "Reuse per-file results of unchanged files from the user's cache folder ($XDG_CACHE_HOME/baseline)."),
    KeySpec(
        "static.min_analysed",
        float,
        90.0,
        "Percent of Python files both tools must analyse; below it the check cannot pass.",
        minimum=0,
        maximum=100,
    ),
    KeySpec(
        "static.fail_on",
        str,
        "high",
        "The check fails on any unsuppressed product finding of this severity or worse.",
        choices=SEVERITIES + ("none",),
    ),
    KeySpec("static.test_weight", float, 0.2, "Weight of findings in test code relative to product code in the score.", minimum=0, maximum=1),
)


# Hard-coded secrets (T04): [tool.baseline.secrets]
SECRETS_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "secrets.history",
        str,
        "auto",
        "Scan every blob of the git history: on, off, or auto (on when a CI environment is detected).",
        choices=("auto", "on", "off"),
    ),
    KeySpec("secrets.allow", list, [], "Accepted secrets: 'path-pattern -- reason' (gitignore-style) or 'sha256:<hex prefix> -- reason' (reason required)."),
    KeySpec("secrets.rotated", list, [], "History-only secrets already rotated: 'sha256:<hex prefix> -- reason' (reason required)."),
    KeySpec("secrets.max_file_kb", int, 2048, "Files (and history blobs) larger than this are skipped with a note.", minimum=1),
    KeySpec("secrets.workers", int, 0, "Processes scanning files in parallel (0 = one per CPU this process may use: affinity mask and cgroup quota, at most 8).", minimum=0, maximum=64),
    KeySpec("secrets.history_timeout", float, 900.0, "Wall-clock limit of each git command of the history scan, in seconds.", minimum=1),
)


# Included components (T11): [tool.baseline.components]
COMPONENTS_KEYS: tuple[KeySpec, ...] = (
    KeySpec("components.osv_db", str, None, "Local OSV database (a folder of OSV JSON/YAML records or an osv.dev all.zip): match offline."),
    KeySpec("components.online", bool, True, "Without components.osv_db, look advisories up online through pip-audit."),
    KeySpec("components.fail_on", str, "low", "T11 fails on any open known vulnerability of this severity or worse.", choices=SEVERITIES),
    KeySpec("components.vex", list, [], "VEX files (CycloneDX or OpenVEX) besides vex.cdx.json, *.vex.json, *.openvex.json and .vex/."),
    KeySpec("components.timeout", float, 300.0, "Time limit of the online lookup in seconds.", minimum=1),
    KeySpec("components.optional_scope", str, "optional", "Scope given to development, test, docs and optional groups: 'optional' or 'excluded' (reported either way; only what ships decides T11).", choices=("optional", "excluded")),
)


# Fuzzing (T09): [tool.baseline.fuzz]
FUZZ_KEYS: tuple[KeySpec, ...] = (
    KeySpec("fuzz.time", float, 60.0, "Total fuzzing budget of a scan in seconds (all harnesses together; 0 = no fuzzing).", minimum=0),
    KeySpec("fuzz.harness_time", float, 0.0, "Time cap per harness in seconds (0 = what is left of fuzz.time minus a floor for each later harness).", minimum=0),
    KeySpec(
        "fuzz.runs", int, 0,
        "Executions of a scan's fuzzing, shared by value (parsers first, a floor per harness; 0 = 20,000 per second of fuzz.time); fuzz.time stays the cap.",
        minimum=0,
    ),
    KeySpec("fuzz.input_timeout", int, 5, "Per-input timeout in seconds: one slow input counts as a hang.", minimum=1),
    KeySpec("fuzz.rss_limit_mb", int, 2048, "Memory limit of a fuzzing process in MiB: above it an input counts as out-of-memory.", minimum=64),
    KeySpec("fuzz.harnesses", list, [], "Harness files to run (relative to the target), in addition to the discovered ones."),
    KeySpec("fuzz.generate", bool, True, "Generate harnesses for the fuzzable entry points that no harness of the project covers."),
    KeySpec("fuzz.max_generated", int, 8, "At most this many generated harnesses per scan (parsers first).", minimum=0),
    KeySpec(
        "fuzz.startup_grace", float, 20.0,
        "Seconds allowed on top of a harness's budget for import and instrumentation: the first harness gets it, later ones 4 x the longest start-up measured in the scan (at least 10 s, at most this).",
        minimum=1,
    ),
    KeySpec(
        "fuzz.amplify", float, 0.2,
        "Share of fuzz.time for amplification probing: each harness's corpus inputs with one part repeated at doubling sizes, timed for super-linear growth (0 = off).",
        minimum=0,
    ),
    KeySpec("fuzz.minimize_time", int, 5, "Seconds spent minimising each new crash input (0 = keep it as found).", minimum=0),
)


# Language checks, black-box and regression tests (T05, T06, T08)
TESTING_KEYS: tuple[KeySpec, ...] = (
    KeySpec("tests.blackbox", list, [], "Black-box tests: gitignore-style path patterns (tests/e2e/*) or node-id prefixes; default: markers and conventions."),
    KeySpec(
        "tests.blackbox_markers",
        list,
        ["e2e", "integration", "functional", "blackbox", "acceptance", "system", "api", "cli"],
        "pytest markers that identify black-box tests.",
    ),
    KeySpec("regression.window", int, 200, "Number of recent commits examined for fix commits.", minimum=1, maximum=100000),
    KeySpec("regression.min_share", float, 50.0, "Minimum percentage of fix commits that also change tests.", minimum=0, maximum=100),
    KeySpec("regression.replay_timeout", float, 60.0, "Seconds allowed to replay one stored fuzz crash input.", minimum=1),
    KeySpec("typecheck.command", list, [], "Type checker command line to run instead of the detected one (e.g. mypy src)."),
    KeySpec("typecheck.timeout", float, 600.0, "Wall-clock limit of the type checker in seconds.", minimum=1),
)


# Web scanning and threat modeling (T10, T01): [tool.baseline.web], [tool.baseline.threat_model]
WEB_KEYS: tuple[KeySpec, ...] = (
    KeySpec("web.enabled", bool, True, "Run the dynamic web scan when a web surface is found."),
    KeySpec("web.app", str, None, "The WSGI/ASGI application object to serve, as 'package.module:attribute'."),
    KeySpec("web.command", str, None, "A command that starts the app ('{port}' and '{python}' are substituted); needs web.url."),
    KeySpec("web.url", str, None, "Start URL of the app started by web.command (loopback only; '{port}' substituted)."),
    KeySpec("web.time", float, 120.0, "Time budget of the scanner in seconds.", minimum=5),
    KeySpec("web.startup_timeout", float, 30.0, "Seconds to wait for the app to answer before giving up.", minimum=1),
    KeySpec(
        "web.modules",
        list,
        ["xss", "permanentxss", "sql", "timesql", "exec", "file", "redirect", "xxe", "crlf", "ssrf", "csrf", "methods", "http_headers", "cookieflags"],
        "wapiti attack modules to run.",
    ),
    KeySpec("web.paths", list, [], "Extra paths (with query strings) to scan besides the crawl and the extracted routes."),
    KeySpec("web.exclude", list, [], "Paths never requested (e.g. a logout or shutdown link)."),
    KeySpec("web.max_restarts", int, 3, "How often the app is restarted after it dies during the scan.", minimum=0),
    KeySpec("web.api_tests", bool, True, "Run schemathesis against the app's OpenAPI specification (T06 generated tests, T10 findings)."),
    KeySpec(
        "web.openapi",
        str,
        None,
        "The OpenAPI specification: a path the app serves ('/openapi.json') or a file of the project; default: probe the usual paths, then look for openapi/swagger files.",
    ),
    KeySpec("web.api_time", float, 120.0, "Time cap of schemathesis in seconds: it stops when its seeded examples are done (web.api_max_examples; every phase once) or at this cap, which the check reports (the results up to then are kept).", minimum=1),
    KeySpec("web.api_max_examples", int, 50, "Test cases schemathesis generates per API operation and round.", minimum=1),
    KeySpec("web.api_checks", list, ["all"], "schemathesis checks to run (e.g. not_a_server_error, response_schema_conformance)."),
    KeySpec("threat_model.path", str, None, "The threat model file; default: search the usual places."),
    KeySpec("threat_model.max_age_days", int, 180, "The model may be at most this many days older than the code.", minimum=0),
    KeySpec("threat_model.min_coverage", float, 100.0, "Percent of extracted entry points the model must mention to pass.", minimum=0, maximum=100),
)


# Reports, accepted findings, evidence bundles and history
REPORT_KEYS: tuple[KeySpec, ...] = (
    KeySpec("accepted_file", str, ".baseline/accepted.toml", "Accepted findings (reason, owner, expiry), relative to the target."),
    KeySpec("new_only", bool, False, "Gate: fail on every finding that is not accepted (any severity from low up), whatever fail_on says."),
    KeySpec("bundle", str, None, "Write the evidence bundle (zip) to this file after the scan (sign it with --sign)."),
    KeySpec("sign", str, None, "Ed25519 private key (PEM, from 'baseline keygen') that signs the bundle attestation (DSSE)."),
    KeySpec("history", bool, True, "Record the scan (score, outcomes, fingerprints) in the history database."),
    KeySpec(
        "history_db", str, None,
        "The history database (SQLite, operator only); default: history.db in the project's folder under the user's data folder.",
    ),
)


KEYS: tuple[KeySpec, ...] = (
    CORE_KEYS + STATIC_KEYS + SECRETS_KEYS + COMPONENTS_KEYS + FUZZ_KEYS + TESTING_KEYS + WEB_KEYS + REPORT_KEYS
)

KEYS_BY_NAME: dict[str, KeySpec] = {spec.name: spec for spec in KEYS}


def register_key(spec: KeySpec) -> None:
    """Add a key (used by subsystems that bring their own section, e.g. ``fuzz.time``)."""
    global KEYS
    if spec.name in KEYS_BY_NAME:
        return
    KEYS = KEYS + (spec,)
    KEYS_BY_NAME[spec.name] = spec


# Who may say what. The project's own configuration (its pyproject.toml or baseline.toml) describes
# facts about the project; these keys change what runs outside the tests, what the toolkit trusts or
# where it writes, so only the operator sets them: on the command line or in a file named with
# --config. In the project's file they are ignored and reported.
OPERATOR_ONLY: frozenset[str] = frozenset({
    "catalog", "python", "work_dir", "allow_env", "network", "bundle", "sign", "history", "history_db",
    "components.osv_db", "typecheck.command", "web.command", "web.url",
})

# Limits the project may lower but never raise above the operator's value (or the default).
# Keys where 0 means "no limit" are listed in UNLIMITED_AT_ZERO.
CAPPED: frozenset[str] = frozenset({
    "jobs", "tests.timeout", "tests.memory_mb", "static.timeout", "static.max_file_kb", "secrets.max_file_kb",
    "secrets.history_timeout", "components.timeout", "fuzz.time", "fuzz.harness_time", "fuzz.input_timeout",
    "fuzz.rss_limit_mb", "fuzz.startup_grace", "fuzz.minimize_time", "fuzz.amplify", "regression.replay_timeout", "typecheck.timeout",
    "web.time", "web.startup_timeout", "web.api_time", "web.max_restarts", "web.api_max_examples",
})
UNLIMITED_AT_ZERO: frozenset[str] = frozenset({"tests.memory_mb"})

# Paths the project may name, but only inside its own tree.
PROJECT_PATHS: frozenset[str] = frozenset({
    "accepted_file", "threat_model.path", "fuzz.harnesses", "components.vex", "tests.paths", "coverage.source",
})


@dataclass(frozen=True)
class Ignored:
    """A key of the project's own configuration that the scan did not honour, and why."""

    key: str
    value: Any
    reason: str
    source: str


@dataclass(frozen=True)
class Config:
    """Validated configuration values for one scan, plus where they came from."""

    values: Mapping[str, Any]
    source: str | None
    ignored: tuple[Ignored, ...] = ()

    def get(self, name: str) -> Any:
        """The value of a declared key (its default when unset)."""
        if name not in KEYS_BY_NAME:
            raise KeyError(name)
        return self.values.get(name, KEYS_BY_NAME[name].default)

    def as_dict(self) -> dict[str, Any]:
        """Every declared key with its effective value."""
        return {spec.name: self.get(spec.name) for spec in KEYS}


def find_config_file(target: Path) -> tuple[Path, str] | None:
    """Return (file, table prefix) of the target's configuration, if any.

    ``baseline.toml`` wins over ``pyproject.toml``; in baseline.toml keys live at top level (or
    under ``[tool.baseline]``, accepted too).
    """
    for name, prefix in (("baseline.toml", ""), ("pyproject.toml", "tool.baseline")):
        path = target / name
        if path.is_file():
            return path, prefix
        if os.path.lexists(path):
            # A folder, a dangling link or a link loop: the project's configuration must not be silently ignored.
            raise ConfigError(f"{name}: cannot read: it is not a regular file (a folder, a broken link or a link loop)")
    return None


def read_file_values(path: Path, prefix: str) -> dict[str, Any]:
    """Read and validate the values of one config file."""
    try:
        data = toml_loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read: {exc}") from None
    table: Any = data
    if prefix:
        for part in prefix.split("."):
            table = table.get(part, {}) if isinstance(table, dict) else {}
    elif isinstance(data.get("tool"), dict) and "baseline" in data["tool"]:
        table = data["tool"]["baseline"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path.name}: [{prefix}] must be a table")
    label = f"{path.name} [{prefix}]" if prefix else path.name
    return validate_values(_flatten(table), label)


def _flatten(table: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted names for nested tables (iterative: a file may nest tables thousands deep)."""
    flat: dict[str, Any] = {}
    pending: list[tuple[str, Mapping[str, Any]]] = [("", table)]
    while pending:
        prefix, current = pending.pop(0)
        for key, value in current.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and name not in KEYS_BY_NAME:
                pending.append((name + ".", value))
            else:
                flat[name] = value
    return flat


def validate_values(values: Mapping[str, Any], label: str) -> dict[str, Any]:
    """Check names and types; return the values converted to their declared kinds."""
    clean: dict[str, Any] = {}
    for name, value in values.items():
        spec = KEYS_BY_NAME.get(name)
        if spec is None:
            hint = difflib.get_close_matches(name, list(KEYS_BY_NAME), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ConfigError(f"{label}: unknown key '{name}'{suggestion}")
        clean[name] = coerce(spec, value, label)
    return clean


def coerce(spec: KeySpec, value: Any, label: str) -> Any:
    """Convert one value to the key's kind or raise ConfigError naming the key."""
    where = f"{label}: key '{spec.name}'"
    if spec.kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return value.lower() in {"true", "1", "yes"}
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if spec.kind is list:
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where} must be a list of strings, got {value!r}")
        return list(value)
    if spec.kind in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        try:
            number = spec.kind(value)
        except (TypeError, ValueError, OverflowError):
            raise ConfigError(f"{where} must be {'an integer' if spec.kind is int else 'a number'}, got {value!r}") from None
        if not math.isfinite(number):
            raise ConfigError(f"{where} must be a finite number, got {value!r}")
        if spec.kind is int and isinstance(value, float) and not value.is_integer():
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        if spec.minimum is not None and number < spec.minimum:
            raise ConfigError(f"{where} must be at least {spec.minimum:g}, got {number!r}")
        if spec.maximum is not None and number > spec.maximum:
            raise ConfigError(f"{where} must be at most {spec.maximum:g}, got {number!r}")
        return number
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {value!r}")
    if spec.choices and value not in spec.choices:
        close = difflib.get_close_matches(str(value), spec.choices, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"{where} must be one of {', '.join(spec.choices)}, got {value!r}{hint}")
    return value


def _limit(name: str, value: Any) -> float:
    number = float(value)
    return math.inf if name in UNLIMITED_AT_ZERO and number == 0 else number


def _escapes(root: Path, value: str) -> bool:
    """True when a path the project named points outside the project (absolute, ~, .. or a symlink out)."""
    text = value.split("::", 1)[0].strip()
    if not text:
        return False
    if text.startswith("~") or os.path.isabs(text):
        return True
    from baseline.state import inside

    return not inside(root, Path(text))


def project_values(target: Path, values: Mapping[str, Any], label: str, operator: Mapping[str, Any]) -> tuple[dict[str, Any], list[Ignored]]:
    """Split the project's own values into the honoured ones and the ignored ones (with the reason)."""
    kept: dict[str, Any] = {}
    ignored: list[Ignored] = []
    for name, value in values.items():
        if name in OPERATOR_ONLY:
            ignored.append(Ignored(name, value, "only the operator may set it (command line or --config FILE)", label))
            continue
        if name in CAPPED:
            cap = operator.get(name, KEYS_BY_NAME[name].default)
            if _limit(name, value) > _limit(name, cap):
                ignored.append(Ignored(name, value, f"above the operator's limit ({cap!r}); only the operator may raise it", label))
                continue
        if name in PROJECT_PATHS:
            items = value if isinstance(value, list) else [value]
            outside = [item for item in items if isinstance(item, str) and _escapes(target, item)]
            if outside:
                ignored.append(Ignored(name, value, f"names a path outside the project ({outside[0]!r})", label))
                continue
        kept[name] = value
    return kept, ignored


def load_config(target: Path, cli_values: Mapping[str, Any] | None = None, config_file: Path | None = None) -> Config:
    """The scan's configuration: the project's own file, then the operator's ``config_file``, then the CLI.

    The project's file (``baseline.toml`` or ``pyproject.toml`` in ``target``) may not set the
    operator-only keys, raise a capped limit or name paths outside the project: such values are
    ignored and listed in :attr:`Config.ignored`. Everything in the operator's file is honoured.
    """
    operator: dict[str, Any] = {}
    source: str | None = None
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config file {config_file} not found")
        operator.update(read_file_values(config_file, "tool.baseline" if config_file.name == "pyproject.toml" else ""))
        source = str(config_file)
    if cli_values:
        operator.update(validate_values(cli_values, "command line"))
    values: dict[str, Any] = {}
    ignored: list[Ignored] = []
    found = find_config_file(target)
    operator_named_it = found is not None and config_file is not None and _same_file(found[0], config_file)
    if found is not None and not operator_named_it:
        label = found[0].name
        kept, ignored = project_values(target, read_file_values(*found), label, operator)
        values.update(kept)
        source = label if source is None else f"{label} + {source}"
    values.update(operator)
    return Config(values=values, source=source, ignored=tuple(ignored))


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return False
