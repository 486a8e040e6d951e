from flask import Flask, request
from lxml import etree

app = Flask(__name__)
tree = etree.parse("users.xml")


@app.route("/user")
def user():
    name = request.args["name"]
    # ruleid: xpath-injection
    found = tree.xpath("//user[@name='" + name + "']")
    # ok: xpath-injection
    safe = tree.xpath("//user[@name=$name]", name=name)
    return str(found + safe)


@app.route("/role")
def role():
    role_name = request.args["role"]
    # ruleid: xpath-injection
    query = etree.XPath(f"//role[@id='{role_name}']")
    # ok: xpath-injection
    fixed = etree.XPath("//role[@id=$rid]")
    return str(query(tree) + fixed(tree, rid=role_name))


import xml.etree.ElementTree as ET

TREE = ET.parse("users.xml")


@app.get("/group")
def group():
    name = request.args["group"]
    # ruleid: xpath-injection
    found = TREE.getroot().findall(f".//group[@name='{name}']")
    root = ET.fromstring(request.data)
    # ruleid: xpath-injection
    first = root.find(".//user[@id='" + request.args["id"] + "']")
    # ok: xpath-injection
    position = name.find("admin")
    # ok: xpath-injection
    rows = TREE.getroot().findall(".//group")
    return str(found) + str(first) + str(position) + str(rows)
