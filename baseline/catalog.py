"""Load and validate a technique catalog (TOML). The built-in one is seeds/nist-ir-8397.toml."""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from baseline.errors import CatalogError
from baseline.model import Catalog, PolicyItem, Technique
from baseline.parsing import toml_loads

DEFAULT_CATALOG = "nist-ir-8397.toml"

_ID_PATTERN = re.compile(r"^[A-Z][0-9]{2}$")
_SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def default_catalog_text() -> tuple[str, str]:
    """Return (text, name) of the catalog that ships with the toolkit."""
    resource = resources.files("baseline.seeds").joinpath(DEFAULT_CATALOG)
    return resource.read_text(encoding="utf-8"), f"builtin:{DEFAULT_CATALOG}"


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load the catalog at ``path``, or the built-in one when ``path`` is None.

    Raises CatalogError with a message that names the file and the bad key.
    """
    if path is None:
        text, name = default_catalog_text()
    else:
        catalog_path = Path(path)
        name = str(catalog_path)
        try:
            text = catalog_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CatalogError(f"catalog {name}: file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"catalog {name}: cannot read: {exc}") from None
    return parse_catalog(text, name)


def parse_catalog(text: str, name: str = "<catalog>") -> Catalog:
    """Parse and validate catalog TOML text."""
    try:
        data = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog {name}: not valid TOML: {exc}") from None
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

    header = _table(data, "catalog", name)
    techniques_raw = data.get("techniques")
    if not isinstance(techniques_raw, list) or not techniques_raw:
        raise CatalogError(f"catalog {name}: missing key 'techniques' (a list of [[techniques]] tables)")
    _reject_unknown(data, {"catalog", "techniques", "policies", "checks"}, name, "")

    techniques: list[Technique] = []
    seen: set[str] = set()
    for index, raw in enumerate(techniques_raw):
        where = f"techniques[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(f"catalog {name}: {where} must be a table")
        _reject_unknown(
            raw,
            {"id", "slug", "title", "summary", "weight", "ssdf", "evidence", "nist_section"},
            name,
            where + ".",
        )
        technique_id = _str(raw, "id", name, where)
        where = f"techniques[{technique_id}]"
        if not _ID_PATTERN.match(technique_id):
            raise CatalogError(f"catalog {name}: {where}.id must look like 'T01', got {technique_id!r}")
        slug = _str(raw, "slug", name, where)
        if not _SLUG_PATTERN.match(slug):
            raise CatalogError(f"catalog {name}: {where}.slug must be lower-case words joined by '-', got {slug!r}")
        for key in (technique_id.lower(), slug):
            if key in seen:
                raise CatalogError(f"catalog {name}: {where}: duplicate id or slug {key!r}")
            seen.add(key)
        weight = raw.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise CatalogError(f"catalog {name}: {where}.weight is missing or not a number")
        if weight < 0 or not math.isfinite(weight):
            raise CatalogError(f"catalog {name}: {where}.weight must be a finite number, not negative")
        techniques.append(
            Technique(
                id=technique_id,
                slug=slug,
                title=_str(raw, "title", name, where),
                summary=_str(raw, "summary", name, where),
                weight=float(weight),
                ssdf=_str_list(raw, "ssdf", name, where),
                evidence=_str_list(raw, "evidence", name, where),
                nist_section=str(raw.get("nist_section", "")),
            )
        )

    policies: list[PolicyItem] = []
    policies_raw = data.get("policies", [])
    if not isinstance(policies_raw, list):
        raise CatalogError(f"catalog {name}: 'policies' must be a list of [[policies]] tables")
    for index, raw in enumerate(policies_raw):
        where = f"policies[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(f"catalog {name}: {where} must be a table")
        default = raw.get("default", {})
        if not isinstance(default, dict):
            raise CatalogError(f"catalog {name}: {where}.default must be a table")
        policies.append(
            PolicyItem(
                id=_str(raw, "id", name, where),
                slug=_str(raw, "slug", name, where),
                title=_str(raw, "title", name, where),
                summary=_str(raw, "summary", name, where),
                default=dict(default),
            )
        )

    check_weights: dict[str, float] = {}
    checks_raw = data.get("checks", {})
    if not isinstance(checks_raw, dict):
        raise CatalogError(f"catalog {name}: 'checks' must be a table of [checks.\"<check id>\"] tables")
    for check_id, raw in checks_raw.items():
        weight = raw.get("weight") if isinstance(raw, dict) else None
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0 or not math.isfinite(weight):
            raise CatalogError(f"catalog {name}: checks.{check_id}.weight must be a non-negative number")
        check_weights[check_id] = float(weight)

    return Catalog(
        id=_str(header, "id", name, "catalog"),
        version=_str(header, "version", name, "catalog"),
        title=_str(header, "title", name, "catalog"),
        source=str(header.get("source", "")),
        techniques=tuple(techniques),
        policies=tuple(policies),
        check_weights=check_weights,
        path=name,
        digest=digest,
    )


def _table(data: Mapping[str, Any], key: str, name: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise CatalogError(f"catalog {name}: missing table [{key}]")
    return value


def _str(data: Mapping[str, Any], key: str, name: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"catalog {name}: {where}.{key} is missing or not a non-empty string")
    return value.strip()


def _str_list(data: Mapping[str, Any], key: str, name: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogError(f"catalog {name}: {where}.{key} must be a list of strings")
    return tuple(value)


def _reject_unknown(data: Mapping[str, Any], allowed: set[str], name: str, prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise CatalogError(f"catalog {name}: unknown key '{prefix}{key}'")
