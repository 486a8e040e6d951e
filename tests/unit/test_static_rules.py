"""Every rule of the pack is complete and has an annotated test file (checked without semgrep)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from baseline.tools.semgrep import rule_files, rules_dir

yaml = pytest.importorskip("yaml")

SEVERITIES = {"critical", "high", "medium", "low", "info"}
ANNOTATION = re.compile(r"(?:#|<!--)\s*(ruleid|ok):\s*([^>]+?)\s*(?:-->)?$")


def all_rules():
    for path in rule_files():
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            yield path, rule


def test_the_pack_is_shipped_and_not_empty():
    assert rules_dir().is_dir()
    assert len(list(all_rules())) >= 25


@pytest.mark.parametrize("path, rule", list(all_rules()), ids=lambda item: getattr(item, "name", None) or item.get("id", ""))
def test_rule_metadata_is_complete(path, rule):
    meta = rule["metadata"]
    assert "." not in rule["id"], "rule ids carry no dots (semgrep prefixes them with the config path)"
    assert rule["languages"] in (["python"], ["generic"])
    if rule["languages"] == ["generic"]:
        assert rule["paths"]["include"], "a text rule says which files it reads (templates)"
    assert len(meta["cwe"]) == 1 and re.match(r"^CWE-\d+: ", meta["cwe"][0])
    assert meta["owasp"] and re.match(r"^A\d\d:2021 - ", meta["owasp"][0])
    assert meta["baseline_severity"] in SEVERITIES
    assert meta["confidence"] in {"HIGH", "MEDIUM", "LOW"}
    assert len(rule["message"]) > 60, "the message says what to do"


def test_every_rule_has_two_positive_and_two_negative_test_lines():
    positives: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    for path in rule_files():
        candidates = [path.with_suffix(suffix) for suffix in (".py", ".html")]
        test_file = next((item for item in candidates if item.is_file()), candidates[0])
        assert test_file.is_file(), f"{path.name} has no test file"
        for line in test_file.read_text(encoding="utf-8").splitlines():
            match = ANNOTATION.search(line)
            if match:
                for rule_id in (item.strip() for item in match.group(2).split(",")):
                    (positives if match.group(1) == "ruleid" else negatives)[rule_id] += 1
    for _, rule in all_rules():
        assert positives[rule["id"]] >= 2, f"{rule['id']} has fewer than two '# ruleid:' lines"
        assert negatives[rule["id"]] >= 2, f"{rule['id']} has fewer than two '# ok:' lines"


def test_rule_ids_are_unique():
    ids = [rule["id"] for _, rule in all_rules()]
    assert len(ids) == len(set(ids))
