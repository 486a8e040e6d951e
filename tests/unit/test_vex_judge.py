"""VEX statements are accepted on their merits: a justification, or the version matcher's agreement."""

from __future__ import annotations

from baseline.tools.vex import VexStatement


def _statement(state: str, justification: str = "") -> VexStatement:
    return VexStatement("PYSEC-1", state, justification, ("demo",), "vex.cdx.json")


def test_not_affected_needs_a_justification_that_says_something() -> None:
    assert _statement("not_affected", "code_not_reachable; we never call the parser").judge(True)[0]
    assert not _statement("not_affected").judge(True)[0]
    assert not _statement("not_affected", " N/A ").judge(True)[0]
    assert not _statement("false_positive", "none").judge(False)[0]


def test_fixed_holds_only_when_the_installed_version_is_outside_the_range() -> None:
    accepted, why = _statement("fixed", "upgraded").judge(still_affected=True)
    assert not accepted and "inside the affected range" in why
    assert _statement("resolved").judge(still_affected=False)[0]
    assert not _statement("under_investigation", "looking").judge(False)[0]
