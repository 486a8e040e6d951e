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


def _run_with(*passing: str, failing: tuple[str, ...] = ()) -> Any:
    from baseline.tools.pytest_run import TestCase, TestRun

    cases = tuple(TestCase("tests.test_cli", name, None, None, "passed", 0.1) for name in passing)
    cases += tuple(TestCase("tests.test_cli", name, None, None, "failed", 0.1) for name in failing)
    return TestRun("ok", f"{len(cases)} tests", cases=cases)


class WithRun(FakeContext):
    def __init__(self, root: Path, run: Any, **values: Any) -> None:
        super().__init__(root, **values)
        self.run = run

    def shared(self, run: Any) -> Any:
        return self.run if run.key == "test-run" else run.execute(self)


def test_model_missing_one_cli_entry_point_is_reported() -> None:
    root = FIXTURES / "cli_threat_model"
    check = CHECK.run(WithRun(root, _run_with("test_import_rejects_non_list", "test_add_and_export")))  # type: ignore[arg-type]
    assert check.outcome is Outcome.FAIL  # 4/5 entry points: every one must be covered by default
    gaps = [finding.message for finding in check.findings if finding.rule_id == "threat-model.entry-point-not-covered"]
    assert gaps == ["the threat model does not cover cli-script 'notes-admin' (notes.admin:main): not named in the model"]
    assert {item.provenance for item in check.evidence} >= {Provenance.DECLARED, Provenance.INSPECTED, Provenance.EXECUTED}
    assert check.score == 8.0 and check.metrics["entry_points_covered"] == 4
    relaxed = CHECK.run(WithRun(root, _run_with("test_import_rejects_non_list", "test_add_and_export"), **{"threat_model.min_coverage": 80.0}))  # type: ignore[arg-type]
    assert relaxed.outcome is Outcome.PASS
    # A mitigation whose test failed (or is not in the run) covers nothing.
    broken = CHECK.run(WithRun(root, _run_with("test_add_and_export", failing=("test_import_rejects_non_list",))))  # type: ignore[arg-type]
    assert broken.score == 6.0 and any("no mitigation test passed (test_import_rejects_non_list failed)" in f.message for f in broken.findings)


SINKS = (
    "import pickle, subprocess\n"
    "def load(data):\n    return pickle.loads(data)\n"
    "def run(cmd):\n    return subprocess.run(cmd, shell=True)\n"
)
MODEL_HEAD = "# Threat model\n## Assets\n- the cache files\n## Entry points\n- none, a library\n## Trust boundaries\n- callers to the library\n## Mitigations\n- see threats\n"


def test_sinks_need_a_threat_and_a_passing_test_and_boilerplate_counts_for_nothing(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "__init__.py").write_text(SINKS, encoding="utf-8")
    run = _run_with("test_cache_is_signed", "test_command_is_a_list")
    honest = MODEL_HEAD + (
        "## Threats\n"
        "- `pickle.loads` in lib/__init__.py: a planted cache file runs arbitrary code when loaded; the\n"
        "  loader checks an HMAC first, verified by test_cache_is_signed.\n"
        "- `subprocess.run` in `lib`: shell injection through a file name passed by the caller; commands\n"
        "  are built as argument lists, verified by test_command_is_a_list.\n"
    )
    (tmp_path / "THREAT_MODEL.md").write_text(honest, encoding="utf-8")
    result = CHECK.run(WithRun(tmp_path, run))  # type: ignore[arg-type]
    assert result.outcome is Outcome.PASS and result.score == 10.0 and result.metrics["sinks_covered"] == 2, result.message
    boilerplate = MODEL_HEAD + (
        "## Threats\n"
        "- `pickle.loads` in lib/__init__.py: an attacker could abuse this sink; it is mitigated, see test_cache_is_signed.\n"
        "- `subprocess.run` in lib/__init__.py: an attacker could abuse this sink; it is mitigated, see test_command_is_a_list.\n"
    )
    (tmp_path / "THREAT_MODEL.md").write_text(boilerplate, encoding="utf-8")
    result = CHECK.run(WithRun(tmp_path, run))  # type: ignore[arg-type]
    assert result.score == 0.0 and result.outcome is Outcome.FAIL
    assert all("boilerplate" in f.message for f in result.findings if f.rule_id == "threat-model.sink-not-covered")
    headings = "# Threat model\n## Assets\n## Entry points\n## Trust boundaries\n## Threats\n## Mitigations\n"
    (tmp_path / "THREAT_MODEL.md").write_text(headings, encoding="utf-8")
    assert CHECK.run(WithRun(tmp_path, run)).score == 0.0  # type: ignore[arg-type]
    no_threat = MODEL_HEAD + "## Threats\n- `pickle.loads` in lib/__init__.py reads the cache quickly and well, see test_cache_is_signed.\n"
    (tmp_path / "THREAT_MODEL.md").write_text(no_threat, encoding="utf-8")
    result = CHECK.run(WithRun(tmp_path, run))  # type: ignore[arg-type]
    assert result.score == 0.0 and any("without a threat" in f.message for f in result.findings)


def test_blocks_of_a_markdown_model() -> None:
    from baseline.tools.threat_content import markdown_blocks

    text = "# T\n## Threats\n- one\n  continued\n  - nested\n- two\n\n| a | b |\n| --- | --- |\n| `x` | y |\n\n### `scan`\nparagraph\n\n- TODO: not read\n"
    blocks = markdown_blocks(text)
    assert "- one\n  continued\n  - nested" in blocks and "- two" in blocks and "| `x` | y |" in blocks
    assert "`scan`\nparagraph" in blocks and not any("TODO" in block for block in blocks)


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
        assert f"### http-route `{route}`" in text
    assert "What earns credit" in text and "test_..." in text
    run = _run_with("test_search_escapes_html")
    result = CHECK.run(WithRun(root, run))  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL and result.score == 0.0 and "untouched draft" in result.message
    # Editing the draft breaks its marker, but lines still holding TODO are not read: no credit yet.
    (root / "threat_model_tm.py").unlink()
    filled = text.replace("- TODO: what an attacker wants: data, credentials, availability, integrity of outputs", "- the item prices")
    (root / "THREAT_MODEL.md").write_text(filled, encoding="utf-8")
    result = CHECK.run(WithRun(root, run))  # type: ignore[arg-type]
    assert result.score == 0.0 and "assets" in result.evidence[0].summary
    # Filling one route's sub-section in earns that route's share.
    section = "### http-route `/search`\n\n"
    start = filled.index(section) + len(section)
    end = filled.index("\n\n", start)
    one = filled[:start] + "- Reflected XSS: an attacker puts a script in the query; the template escapes it, verified by test_search_escapes_html." + filled[end:]
    (root / "THREAT_MODEL.md").write_text(one, encoding="utf-8")
    result = CHECK.run(WithRun(root, run))  # type: ignore[arg-type]
    total = len(result.metrics["not_covered"]) + 1  # type: ignore[arg-type]
    assert result.score == round(10.0 / total, 2) and result.metrics["entry_points_covered"] == 1


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
