"""What GitHub code scanning accepts in a SARIF upload, checked on a SARIF document.

The schema is the OASIS SARIF 2.1.0 errata01 schema (``tests/schemas/sarif-schema-2.1.0.json``,
vendored). The limits are GitHub's documented hard limits ("SARIF results exceed limit" and
"SARIF support for code scanning"): at most 20 runs per file, 25,000 results and 25,000 rules per
run, 100 tool extensions per run, 1,000 locations per result, 10,000 thread-flow locations per
result, 20 tags per rule, and 10 MB for the gzip-compressed upload. Properties code scanning
needs: ``$schema`` and ``version`` 2.1.0, ``tool.driver.name``, a rule id and message text on
every result, and at least one location with an artifact URI.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"
MAX_RUNS = 20
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_EXTENSIONS = 100
MAX_LOCATIONS = 1_000
MAX_THREAD_FLOW_LOCATIONS = 10_000
MAX_TAGS = 20
MAX_GZIP_BYTES = 10 * 1024 * 1024


def validate_schema(doc: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``doc`` is not SARIF 2.1.0."""
    import jsonschema

    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(doc)


def assert_github_sarif_limits(doc: dict[str, Any], size: int | None = None) -> None:
    """Assert that code scanning would accept ``doc`` (schema, limits, required properties)."""
    validate_schema(doc)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert 1 <= len(doc["runs"]) <= MAX_RUNS
    text = json.dumps(doc).encode()
    assert len(gzip.compress(text)) <= MAX_GZIP_BYTES
    if size is not None:
        assert size > 0
    for run in doc["runs"]:
        driver = run["tool"]["driver"]
        assert driver["name"]
        rules = driver.get("rules", [])
        assert len(rules) <= MAX_RULES and len(run["tool"].get("extensions", [])) <= MAX_EXTENSIONS
        for rule in rules:
            tags = rule.get("properties", {}).get("tags", [])
            assert len(tags) <= MAX_TAGS, f"rule {rule['id']} has {len(tags)} tags"
            assert rule["id"] and rule.get("shortDescription", {}).get("text"), rule["id"]
            assert rule.get("helpUri", "").startswith("https://"), f"rule {rule['id']} has no helpUri"
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids)), "duplicate rule ids"
        results = run.get("results", [])
        assert len(results) <= MAX_RESULTS
        for result in results:
            assert result["ruleId"] and result["message"]["text"]
            if "ruleIndex" in result:
                assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            locations = result.get("locations", [])
            assert 1 <= len(locations) <= MAX_LOCATIONS, result["ruleId"]
            for location in locations:
                assert location["physicalLocation"]["artifactLocation"]["uri"]
            flows = sum(len(flow.get("locations", [])) for code in result.get("codeFlows", []) for flow in code.get("threadFlows", []))
            assert flows <= MAX_THREAD_FLOW_LOCATIONS
