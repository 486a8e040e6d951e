"""Threat-model discovery and reading, attack-surface extraction, the T01 check and the draft."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from baseline.config import load_config
from baseline.commands.threat_model import cmd_init
from baseline.model import Outcome, Provenance
from baseline.tools.attack_surface import extract_surface
from baseline.tools.threat_model import find_models, read_markdown, read_pytm, read_threat_dragon, security_section
from baseline.tools.threat_review import THREAT_REVIEW, mentions, review
from checks.threat_modeling import CHECK

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

FULL = """# Threat model
## Assets
- customer records
## Entry points
- `/login` and `/report/<id>`
## Trust boundaries
- browser to server
## Threats
- Spoofing of sessions
## Mitigations
- signed cookies, verified by test_cookie_signature
"""


class FakeContext:
    def __init__(self, root: Path, **values: Any) -> None:
        self.root = root
        self.config = load_config(root, values or None)

    def shared(self, run: Any) -> Any:
        return run.execute(self)


def test_markdown_elements_tests_and_placeholders() -> None:
    doc = read_markdown(FULL, "THREAT_MODEL.md")
    assert doc.elements == ("assets", "entry points", "trust boundaries", "threats", "mitigations")
    assert doc.tests_named == ("test_cookie_signature",)
    empty = read_markdown("# Threat model\n## Assets\n- TODO: fill\n## Threats\n\n## Mitigations\n- TBD\n", "x.md")
    assert empty.elements == ()


def test_security_md_section_is_read_but_other_sections_are_not(tmp_path: Path) -> None:
    text = "# Security\n## Reporting\nmail us\n## Threat model\n### Assets\n- keys\n### Threats\n- tampering\n## Other\n### Mitigations\n- x\n"
    section = security_section(text)
    assert section is not None and "Reporting" not in section and "Other" not in section
    (tmp_path / "SECURITY.md").write_text(text, encoding="utf-8")
    (models,) = find_models(tmp_path)
    assert models.format == "markdown-section" and models.elements == ("assets", "threats")
    (tmp_path / "SECURITY.md").write_text("# Security\nReport to us.\n", encoding="utf-8")
    assert find_models(tmp_path) == []


def test_threat_dragon_and_pytm() -> None:
    dragon = {
        "summary": {"title": "Shop"},
        "detail": {"diagrams": [{"cells": [
            {"data": {"type": "tm.Actor", "name": "Customer"}},
            {"data": {"type": "tm.Process", "name": "/checkout handler", "threats": [{"title": "SQL injection", "mitigation": "parameterised queries; test_checkout_sqli"}]}},
            {"data": {"type": "tm.Boundary", "name": "internet"}},
        ]}]},
    }
    doc = read_threat_dragon(json.dumps(dragon), "tm.json")
    assert doc.elements == ("assets", "entry points", "trust boundaries", "threats", "mitigations")
    assert doc.tests_named == ("test_checkout_sqli",) and "/checkout" in doc.text
    pytm = "from pytm import TM, Actor, Boundary, Dataflow, Server\ntm = TM('x')\nweb = Server('web')\nweb.controls.sanitizesInput = True\nu = Actor('user')\nDataflow(u, web, '/login')\ntm.process()\n"
    doc = read_pytm(pytm, "tm.py")
    assert doc.elements == ("assets", "entry points", "threats", "mitigations")


def test_unparseable_model_is_reported(tmp_path: Path) -> None:
    (tmp_path / "threat-model.json").write_text("{not json", encoding="utf-8")
    (model,) = find_models(tmp_path)
    assert model.parse_error
    result = CHECK.run(FakeContext(tmp_path))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL and "could not be read" in result.message


def test_attack_surface_of_the_cli_fixture() -> None:
    surface = extract_surface(FIXTURES / "cli_threat_model")
    entry = {(item.kind, item.name) for item in surface.entry_points()}
    assert entry == {("cli-script", "notes"), ("cli-script", "notes-admin"), ("cli-command", "add"), ("cli-command", "export"), ("cli-command", "import")}
    assert any(item.kind == "deserialiser" and item.name == "json.loads" for item in surface.items)
    assert any(item.kind == "file-sink" for item in surface.items)


def test_attack_surface_sinks(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text(
        "import os, pickle, subprocess, click, yaml\n"
        "@click.command()\ndef run_job():\n    pass\n"
        "def f(data, cmd):\n    pickle.loads(data)\n    yaml.load(data, Loader=yaml.SafeLoader)\n    subprocess.run(cmd, shell=True)\n"
        "    token = os.environ['API_TOKEN']\n    eval(cmd)\n",
        encoding="utf-8",
    )
    items = {(item.kind, item.name): item for item in extract_surface(tmp_path).items}
    assert ("cli-command", "run-job") in items
    assert items[("deserialiser", "pickle.loads")].risky and not items[("deserialiser", "yaml.load")].risky
    assert items[("subprocess", "subprocess.run")].risky and items[("subprocess", "eval")].risky
    assert ("secret", "API_TOKEN") in items


def test_mentions_matching() -> None:
    from baseline.tools.attack_surface import SurfaceItem

    route = SurfaceItem("http-route", "/report/<int:pk>", "a.py", 1)
    assert mentions(route, "the /report/<id> page")
    assert not mentions(SurfaceItem("http-route", "/rep", "a.py", 1), "the /report page")
    assert mentions(SurfaceItem("cli-script", "notes", "", 0), "the `notes` command")
    assert not mentions(SurfaceItem("cli-script", "notes", "", 0), "run notes-admin")
    assert mentions(SurfaceItem("http-route", "/", "a.py", 1), "GET / returns the home page")


def test_model_missing_one_cli_entry_point_is_reported() -> None:
    root = FIXTURES / "cli_threat_model"
    result = review(root, None)
    assert [(item.kind, item.name) for item in result.missing] == [("cli-script", "notes-admin")]

    class NoTests(FakeContext):
        def shared(self, run: Any) -> Any:
            if run.key == THREAT_REVIEW.key:
                return result
            from baseline.tools.pytest_run import TestCase, TestRun

            return TestRun("ok", "1 test", cases=(TestCase("tests.test_cli", "test_import_rejects_non_list", None, None, "passed", 0.1),))

    check = CHECK.run(NoTests(root))  # type: ignore[arg-type]
    assert check.outcome is Outcome.FAIL  # 4/5 entry points: every one must be named by default
    assert [finding.message for finding in check.findings if finding.rule_id == "threat-model.entry-point-not-covered"] == [
        "the threat model does not mention cli-script 'notes-admin' (notes.admin:main)"
    ]
    assert {item.provenance for item in check.evidence} >= {Provenance.DECLARED, Provenance.INSPECTED}
    assert check.score is not None and 9.0 < check.score < 10.0
    relaxed = CHECK.run(NoTests(root, **{"threat_model.min_coverage": 80.0}))  # type: ignore[arg-type]
    assert relaxed.outcome is Outcome.PASS


def test_absent_model_fails(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "good_project", tmp_path / "p")
    result = CHECK.run(FakeContext(tmp_path / "p"))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL and result.score == 0.0 and "no threat model" in result.message


def test_init_draft_names_routes_and_untouched_draft_earns_nothing(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "flask_xss_sqli", root)
    assert cmd_init(argparse.Namespace(path=str(root), output="THREAT_MODEL.md", pytm=True, force=False)) == 0
    text = (root / "THREAT_MODEL.md").read_text(encoding="utf-8")
    for route in ("/search", "/item", "/maintenance/restart"):
        assert f"`{route}`" in text
    result = CHECK.run(FakeContext(root))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL and result.score == 0.0 and "untouched draft" in result.message
    # Filling the draft in earns credit: the marker no longer matches.
    (root / "threat_model_tm.py").unlink()
    filled = text.replace("- TODO: what an attacker wants: data, credentials, availability, integrity of outputs", "- the item prices")
    (root / "THREAT_MODEL.md").write_text(filled, encoding="utf-8")
    result = CHECK.run(FakeContext(root))  # type: ignore[arg-type]
    assert result.score is not None and result.score > 0
    assert "assets" in result.evidence[0].summary and "threats" not in result.evidence[0].summary.split("elements:")[1]


def test_stale_model_loses_freshness(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    shutil.copytree(FIXTURES / "cli_threat_model", root)
    import os

    old = 1_600_000_000
    os.utime(root / "THREAT_MODEL.md", (old, old))
    result = review(root, None)
    assert result.age_days is not None and result.age_days > 365


def test_init_writes_outside_the_project_and_refuses_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "flask_xss_sqli", root)
    elsewhere = tmp_path / "drafts" / "model.md"
    assert cmd_init(argparse.Namespace(path=str(root), output=str(elsewhere), pytm=False, force=False)) == 0
    assert "`/search`" in elsewhere.read_text(encoding="utf-8")
    from baseline.errors import UsageError

    with pytest.raises(UsageError, match="exists"):
        cmd_init(argparse.Namespace(path=str(root), output=str(elsewhere), pytm=False, force=False))
    with pytest.raises(UsageError, match="is a folder"):
        cmd_init(argparse.Namespace(path=str(root), output=str(tmp_path), pytm=False, force=True))
