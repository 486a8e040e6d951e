from __future__ import annotations

from pathlib import Path

import pytest

from baseline.catalog import default_catalog_text, load_catalog, parse_catalog
from baseline.errors import CatalogError


def test_builtin_catalog_has_the_eleven_techniques_and_the_policy_item() -> None:
    catalog = load_catalog()
    assert [t.id for t in catalog.techniques] == [f"T{n:02d}" for n in range(1, 12)]
    assert catalog.technique("structural-coverage").id == "T07"
    assert catalog.technique("t07").slug == "structural-coverage"
    assert [p.slug for p in catalog.policies] == ["fix-critical-bugs"]
    assert all(t.summary and t.ssdf and t.evidence and t.weight > 0 for t in catalog.techniques)
    assert catalog.digest.startswith("sha256:")


def _without(text: str, line_start: str) -> str:
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(line_start))
    return "\n".join(lines[:index] + lines[index + 1 :])


def test_missing_field_names_the_technique_and_key() -> None:
    text, _ = default_catalog_text()
    broken = _without(text, 'title = "Fuzzing"')
    with pytest.raises(CatalogError, match=r"techniques\[T09\]\.title"):
        parse_catalog(broken, "mine.toml")


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda t: t.replace('weight = 1.5', 'weight = "heavy"', 1), r"weight is missing or not a number"),
        (lambda t: t.replace('id = "T02"', 'id = "T2"'), r"must look like 'T01'"),
        (lambda t: t.replace('id = "T03"', 'id = "T02"'), r"duplicate id"),
        (lambda t: t + '\n[extra]\nx = 1\n', r"unknown key 'extra'"),
        (lambda t: t.replace('[catalog]', '[catalog', 1), r"not valid TOML"),
    ],
)
def test_invalid_catalogs_are_rejected_with_a_clear_message(mutation, message) -> None:  # type: ignore[no-untyped-def]
    text, _ = default_catalog_text()
    with pytest.raises(CatalogError, match=message):
        parse_catalog(mutation(text), "mine.toml")


def test_custom_catalog_file_and_missing_file(tmp_path: Path) -> None:
    text, _ = default_catalog_text()
    custom = tmp_path / "custom.toml"
    custom.write_text(text.replace('id = "nist-ir-8397"', 'id = "my-catalog"'))
    assert load_catalog(custom).id == "my-catalog"
    with pytest.raises(CatalogError, match="file not found"):
        load_catalog(tmp_path / "nope.toml")
