"""Modules imported for types and helpers only: no weakness on a mere import."""
import pickle  # label: safe CWE-502
import subprocess  # label: safe CWE-78
import xml.etree.ElementTree as ET  # label: safe CWE-611
from xml.dom import minidom  # label: safe CWE-611

PROTOCOL = pickle.HIGHEST_PROTOCOL
PIPE = subprocess.PIPE


def pretty(element: ET.Element) -> str:
    return minidom.parseString(ET.tostring(element)).toprettyxml()
