"""Parsing XML written by the target's own processes (JUnit reports), which the toolkit does not trust.

The standard library's parser resolves no external entities, but it does expand internal ones; a
hostile test suite could write a report with nested entity definitions. Documents that declare a
DTD are refused before parsing: JUnit reports never need one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405 -- only used through fromstring below, after the DTD check

ParseError = ET.ParseError
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def fromstring(data: bytes) -> ET.Element:
    """The root element of ``data``; ValueError when it declares a DTD, ParseError when malformed."""
    if _DTD.search(data):
        raise ValueError("the XML document declares a DTD or entities; refused")
    return ET.fromstring(data)  # nosec B314 -- DTDs and entity declarations are refused above
