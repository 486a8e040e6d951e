from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baseline.catalog import load_catalog
from baseline.discovery import discover_checks
from baseline.model import CheckResult, Outcome
from tests.helpers import EVIDENCE, spec

CATALOG = load_catalog()


@dataclass
class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint: no package needs to be installed."""

    name: str
    value: str
    obj: Any = None
    error: Exception | None = None

    def load(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.obj


class GoodCheck:
    def __init__(self, check_id: str = "good.check", technique: str = "T02") -> None:
        self.spec = spec(check_id, technique)

    def run(self, context: Any) -> CheckResult:
        return CheckResult(self.spec, Outcome.PASS, 10.0, "ok", evidence=EVIDENCE)


class ClassCheck(GoodCheck):
    def __init__(self) -> None:
        super().__init__("class.check")


def test_pipeline_reports_every_bad_plugin_by_name_and_keeps_the_good_ones() -> None:
    eps = [
        FakeEntryPoint("good", "pkg.good:CHECK", GoodCheck()),
        FakeEntryPoint("broken", "pkg.broken:CHECK", error=ImportError("No module named 'pkg.broken'")),
        FakeEntryPoint("notacheck", "pkg.x:THING", object()),
        FakeEntryPoint("alien", "pkg.alien:CHECK", GoodCheck("alien.check", "T99")),
        FakeEntryPoint("dup1", "pkg.a:CHECK", GoodCheck("same.id")),
        FakeEntryPoint("dup2", "pkg.b:CHECK", GoodCheck("same.id")),
        FakeEntryPoint("by-slug", "pkg.slug:CHECK", GoodCheck("slug.check", "fuzzing")),
        FakeEntryPoint("as-class", "pkg.cls:ClassCheck", ClassCheck),
        FakeEntryPoint("clash", "pkg.clash:CHECK", GoodCheck("class.check")),
    ]
    discovered = discover_checks(CATALOG, eps)
    assert sorted(c.spec.id for c in discovered.checks) == ["good.check", "slug.check"]
    kinds = {(p.kind, p.plugin.split(" ")[0]) for p in discovered.problems}
    assert ("import-failed", "broken") in kinds
    assert ("invalid", "notacheck") in kinds
    assert ("unknown-technique", "alien") in kinds
    assert ("duplicate-id", "dup1") in kinds and ("duplicate-id", "dup2") in kinds
    # A class entry point is instantiated; its id clashes with another plugin's: both are named.
    assert ("duplicate-id", "as-class") in kinds and ("duplicate-id", "clash") in kinds
    slug = next(c for c in discovered.checks if c.spec.id == "slug.check")
    assert slug.spec.technique == "T09"
    broken = next(p for p in discovered.problems if p.kind == "import-failed")
    assert "pkg.broken" in broken.message


def test_builtin_checks_are_registered_as_entry_points() -> None:
    discovered = discover_checks(CATALOG)
    ids = {c.spec.id for c in discovered.checks}
    assert {"automated-testing.pytest", "structural-coverage.coverage"} <= ids
    assert not [p for p in discovered.problems if p.kind == "import-failed"]
