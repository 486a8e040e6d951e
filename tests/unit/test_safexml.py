"""XML written by the target (JUnit reports) is parsed without expanding entities."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline import safexml
from baseline.replay import replay_junit
from baseline.tools.pytest_run import parse_junit

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuites><testsuite><testcase classname="t" name="x">&lol2;</testcase></testsuite></testsuites>"""


def test_plain_junit_parses() -> None:
    root = safexml.fromstring(b'<testsuite><testcase classname="t" name="a"/></testsuite>')
    assert [case.get("name") for case in root.iter("testcase")] == ["a"]


def test_entity_declarations_are_refused_before_parsing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DTD"):
        safexml.fromstring(LAUGHS)
    junit = tmp_path / "junit.xml"
    junit.write_bytes(LAUGHS)
    with pytest.raises(ValueError):
        parse_junit(junit, tmp_path)
    assert "not valid XML" in replay_junit(LAUGHS, {"passed": 1})


def test_malformed_xml_is_a_parse_error() -> None:
    with pytest.raises(safexml.ParseError):
        safexml.fromstring(b"<testsuite><testcase></testsuite>")
