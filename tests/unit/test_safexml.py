"""XML written by the target (JUnit reports) is parsed by defusedxml: no DTD, no entity expansion."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree as safe_et

from baseline.replay import junit_counts, replay_junit
from baseline.tools.pytest_run import parse_junit

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuites><testsuite><testcase classname="t" name="x">&lol2;</testcase></testsuite></testsuites>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><testsuite><testcase classname="t" name="&x;"/></testsuite>"""


def test_plain_junit_parses(tmp_path: Path) -> None:
    assert junit_counts(b'<testsuite><testcase classname="t" name="a"/></testsuite>')["passed"] == 1


@pytest.mark.parametrize("document", [LAUGHS, EXTERNAL], ids=["entity-expansion", "external-entity"])
def test_dtds_and_entities_are_refused(document: bytes, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_bytes(document)
    with pytest.raises(ValueError):
        parse_junit(junit, tmp_path)
    assert "not valid XML" in replay_junit(document, {"passed": 1})


def test_malformed_xml_is_a_parse_error() -> None:
    with pytest.raises(safe_et.ParseError):
        junit_counts(b"<testsuite><testcase></testsuite>")
