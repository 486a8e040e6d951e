from __future__ import annotations

from dataclasses import replace

from baseline.fingerprint import assign_fingerprints
from tests.helpers import finding


def test_fingerprint_survives_line_moves() -> None:
    (a,) = assign_fingerprints([finding(line=3)])
    (b,) = assign_fingerprints([finding(line=30)])
    assert a.fingerprint == b.fingerprint


def test_look_alikes_get_distinct_occurrences() -> None:
    first, second = assign_fingerprints([finding(line=10), finding(line=20)])
    assert first.fingerprint != second.fingerprint
    assert first.fingerprint.split(":")[0] == second.fingerprint.split(":")[0]
    assert first.fingerprint.endswith(":0") and second.fingerprint.endswith(":1")


def test_different_content_or_rule_gives_different_fingerprints() -> None:
    base = finding()
    prints = {f.fingerprint for f in assign_fingerprints([base, replace(base, rule_id="r2"), finding(snippet="y = 2")])}
    assert len(prints) == 3
