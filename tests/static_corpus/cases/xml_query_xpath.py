"""User search over an XML directory (lxml xpath, ElementTree find)."""
import xml.etree.ElementTree as ET

from flask import Flask, request
from lxml import etree

app = Flask(__name__)
DIRECTORY = etree.parse("users.xml")
TREE = ET.parse("users.xml")


@app.get("/user")
def user():
    name = request.args["name"]
    found = DIRECTORY.xpath("//user[@name='" + name + "']")  # label: vulnerable CWE-643
    return str(found)


@app.get("/user-safe")
def user_safe():
    name = request.args["name"]
    found = DIRECTORY.xpath("//user[@name=$name]", name=name)  # label: safe CWE-643
    return str(found)


@app.get("/group")
def group():
    group_name = request.args["group"]
    found = TREE.getroot().findall(f".//group[@name='{group_name}']")  # label: vulnerable CWE-643
    return str(found)
