"""The VEX document the scan writes is CycloneDX 1.6, made by cyclonedx-python-lib, and reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baseline.tools.vex import read_vex, write_cyclonedx_vex


def test_written_vex_is_valid_cyclonedx_and_round_trips(tmp_path: Path) -> None:
    validation = pytest.importorskip("cyclonedx.validation.json")
    from cyclonedx.schema import SchemaVersion

    doc = write_cyclonedx_vex(
        [
            {"id": "PYSEC-2018-28", "aliases": ["CVE-2018-18074"], "purl": "pkg:pypi/requests@2.19.0", "severity": "high", "state": "fixed", "detail": "patched"},
            {"id": "GHSA-x", "aliases": [], "purl": "pkg:pypi/flask@0.12", "severity": "weird", "state": "under_investigation", "detail": ""},
        ]
    )
    errors = validation.JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    assert errors is None, errors
    states = {item["id"]: item["analysis"]["state"] for item in doc["vulnerabilities"]}
    assert states == {"PYSEC-2018-28": "resolved", "GHSA-x": "in_triage"}  # OpenVEX words in CycloneDX's states
    path = tmp_path / "vex.cdx.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    statements = {s.vulnerability: s for s in read_vex(path)}
    assert statements["PYSEC-2018-28"].suppresses and statements["PYSEC-2018-28"].packages == ("requests",)
    assert not statements["GHSA-x"].suppresses
