"""Manifests anywhere in the tree, scopes, honest counts, alias merging and the project's ignore files."""

from __future__ import annotations

import json
from pathlib import Path

from baseline.model import Severity
from baseline.tools.components_run import Match, _merge_aliases, run_components, unique_components
from baseline.tools.ignore_files import read_ignore_files
from baseline.tools.osv import Advisory
from baseline.tools.sbom import Component, build_sbom, collect


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _record(vuln_id: str, package: str, introduced: str, fixed: str, aliases: tuple[str, ...] = ()) -> str:
    return json.dumps(
        {
            "id": vuln_id,
            "modified": "2024-01-01T00:00:00Z",
            "aliases": list(aliases),
            "summary": f"{vuln_id} in {package}",
            "affected": [{"package": {"ecosystem": "PyPI", "name": package}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": introduced}, {"fixed": fixed}]}]}],
            "database_specific": {"severity": "HIGH"},
        }
    )


def test_manifests_in_subfolders_with_scopes(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\nversion = "2.1.0"\ndependencies = ["requests>=2"]\n',
            "app/requirements.txt": "flask==0.12\njinja2==2.10\n",
            "app/requirements-dev.txt": "pytest==7.0.0\n",
            "services/api/poetry.lock": '[[package]]\nname = "django"\nversion = "3.2.0"\n\n[[package]]\nname = "black"\nversion = "22.1.0"\ncategory = "dev"\n',
            "tests/fixtures/old/requirements.txt": "pyyaml==5.1\n",
            ".venv/pyvenv.cfg": "home = /usr\n",
            ".venv/requirements.txt": "never==1.0\n",
        },
    )
    inventory = collect(tmp_path)
    by_name = {c.key: c for c in inventory.components}
    assert set(by_name) == {"requests", "flask", "jinja2", "pytest", "django", "black", "pyyaml"}
    assert by_name["flask"].source == "app/requirements.txt" and by_name["flask"].scope == "required"
    assert by_name["pytest"].scope == "optional"
    assert by_name["django"].source == "services/api/poetry.lock" and by_name["django"].scope == "required"
    assert by_name["black"].scope == "optional"
    assert by_name["pyyaml"].scope == "excluded"
    assert inventory.projects[0] == "." and {"app", "services/api", "tests/fixtures/old"} <= set(inventory.projects)

    sbom = build_sbom(inventory, "shop", "2.1.0")
    _valid_cyclonedx(sbom)
    assert sbom["metadata"]["component"]["version"] == "2.1.0"
    scopes = {c["name"]: c.get("scope") for c in sbom["components"]}
    assert scopes["flask"] == "required" and scopes["pytest"] == "optional" and scopes["pyyaml"] == "excluded"


def _valid_cyclonedx(document: dict[str, object]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert error is None, error


def test_one_sbom_component_per_package_and_version(tmp_path: Path) -> None:
    _write(tmp_path, {"requirements.txt": "flask==2.0.0\n", "requirements-test.txt": "flask==2.0.0\npytest==7.0\n", "b/requirements.txt": "flask==2.0.0\n"})
    inventory = collect(tmp_path)
    assert len(inventory.components) == 4 and len(unique_components(inventory.components)) == 2
    sbom = build_sbom(inventory, "p")
    _valid_cyclonedx(sbom)
    purls = [c.get("purl") for c in sbom["components"]]
    assert len(purls) == len(set(purls)) == 2
    flask = next(c for c in sbom["components"] if c["name"] == "flask")
    assert flask["scope"] == "required"  # the widest scope any manifest gives
    assert {p["value"] for p in flask["properties"] if p["name"] == "baseline:source"} == {"requirements.txt", "requirements-test.txt", "b/requirements.txt"}


def _advisory(vuln_id: str, aliases: tuple[str, ...]) -> Advisory:
    return Advisory(vuln_id, aliases, "demo", "", Severity.HIGH, None, None, ("2.0",), (), frozenset(), (), "")


def test_records_sharing_an_alias_stay_distinct_and_twins_merge() -> None:
    component = Component("demo", "1.0", "requirements.txt")
    merged = _merge_aliases(
        [
            Match(component, _advisory("PYSEC-1", ("CVE-1", "GHSA-x"))),
            Match(component, _advisory("GHSA-x", ("CVE-1",))),  # the same weakness: merges into PYSEC-1
            Match(component, _advisory("PYSEC-2", ("CVE-1",))),  # shares CVE-1 only: a distinct record
        ]
    )
    assert sorted(m.advisory.id for m in merged) == ["GHSA-x", "PYSEC-2"] or sorted(m.advisory.id for m in merged) == ["PYSEC-1", "PYSEC-2"]
    ids = {i for m in merged for i in m.advisory.ids}
    assert {"PYSEC-1", "GHSA-x", "PYSEC-2", "CVE-1"} <= ids


def test_run_reports_every_manifest_and_gates_only_what_ships(tmp_path: Path) -> None:
    project, db, work = tmp_path / "p", tmp_path / "db", tmp_path / "work"
    _write(
        project,
        {
            "app/requirements.txt": "flask==0.12\nflask==0.12\n",
            "requirements-dev.txt": "pytest==3.0\n",
            "osv-scanner.toml": '[[IgnoredVulns]]\nid = "OSV-IGN-1"\nreason = "the debug server is never started"\n\n[[IgnoredVulns]]\nid = "OSV-IGN-2"\n',
        },
    )
    _write(
        db,
        {
            "a.json": _record("OSV-FLASK-1", "flask", "0", "1.0"),
            "b.json": _record("OSV-IGN-1", "flask", "0", "1.0"),
            "c.json": _record("OSV-IGN-2", "flask", "0", "1.0"),
            "d.json": _record("OSV-PYTEST-1", "pytest", "0", "4.0"),
        },
    )
    work.mkdir()
    result = run_components(root=project, work_dir=work, osv_db=str(db), online=False, vex_files=[], timeout_s=30)
    assert result.status == "ok", result.message
    found = {(m.advisory.id, m.component.scope, m.vex.state if m.vex else None) for m in result.matches}
    assert found == {
        ("OSV-FLASK-1", "required", None),
        ("OSV-IGN-1", "required", "not_affected"),
        ("OSV-IGN-2", "required", None),  # no reason: not applied
        ("OSV-PYTEST-1", "optional", None),
    }
    assert "2 pinned components" in result.message  # flask listed twice counts once
    assert any("OSV-IGN-2" in p and "no reason" in p for p in result.vex_problems)


def test_nothing_pinned_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "p", {"requirements.txt": "flask>=1\nrequests\n"})
    (tmp_path / "w").mkdir()
    result = run_components(root=tmp_path / "p", work_dir=tmp_path / "w", osv_db=str(tmp_path), online=False, vex_files=[], timeout_s=5)
    assert result.status == "error" and "nothing could be audited" in result.message
    assert len(result.not_audited) == 2


def test_pip_audit_ignores_need_a_reason(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/pypa/pip-audit\n  hooks:\n  - id: pip-audit\n    args: [--ignore-vuln, GHSA-aaaa-bbbb-cccc]  # the parser is never given untrusted input\n",
            ".github/workflows/ci.yml": "jobs:\n  audit:\n    steps:\n      - run: pip-audit --ignore-vuln=PYSEC-2020-1\n",
            "osv-scanner.toml": '[[IgnoredVulns]]\nid = "X-1"\nreason = "r"\nignoreUntil = 2001-01-01\n',
        },
    )
    statements, problems = read_ignore_files(tmp_path)
    assert [(s.vulnerability, s.state) for s in statements] == [("GHSA-aaaa-bbbb-cccc", "not_affected")]
    assert "never given untrusted input" in statements[0].justification
    assert any("PYSEC-2020-1" in p and "no reason" in p for p in problems)
    assert any("X-1" in p and "expired" in p for p in problems)


def test_a_large_requirements_file_is_read_whole(tmp_path: Path) -> None:
    """Correctness at size; the time and memory of 100,000 lines are measured in bench/bench_components_scale.py."""
    lines = "".join(f"package-{index}=={index % 50}.{index % 7}.0  # pinned\n" for index in range(20_000))
    (tmp_path / "requirements.txt").write_text(lines, encoding="utf-8")
    inventory = collect(tmp_path)
    sbom = build_sbom(inventory, "big")
    assert len(inventory.components) == 20_000 and len(sbom["components"]) == 20_000
    assert sbom["dependencies"][0]["ref"] == "project:big" and len(sbom["dependencies"][0]["dependsOn"]) == 20_000


def test_a_manifest_that_cannot_be_parsed_is_an_error_never_not_applicable(tmp_path: Path) -> None:
    for name, text in (("pyproject.toml", "[project\nname = 'x'\n"), ("poetry.lock", "[[package]\nname = 1\n")):
        root = tmp_path / name / "p"
        _write(root, {name: text})
        (tmp_path / name / "w").mkdir()
        result = run_components(root=root, work_dir=tmp_path / name / "w", osv_db=str(tmp_path), online=False, vex_files=[], timeout_s=5)
        assert result.status == "error" and name in result.message, (name, result.status, result.message)
    _write(tmp_path / "empty" / "p", {"pyproject.toml": '[project]\nname = "x"\ndependencies = []\n'})
    (tmp_path / "empty" / "w").mkdir()
    result = run_components(root=tmp_path / "empty" / "p", work_dir=tmp_path / "empty" / "w", osv_db=str(tmp_path), online=False, vex_files=[], timeout_s=5)
    assert result.status == "none"


def test_a_run_where_no_component_was_audited_is_never_a_pass(tmp_path: Path) -> None:
    from baseline.checks.included_components import CHECK
    from baseline.config import load_config
    from baseline.model import Outcome
    from baseline.tools.components_run import COMPONENTS_RUN, ComponentsResult

    _write(tmp_path / "p", {"requirements.txt": "flask==2.0.0\nrequests==2.0.0\n"})
    inventory = collect(tmp_path / "p")
    skipped = ComponentsResult("ok", "online audit", inventory, source="pip-audit", not_audited=(("flask", "skipped by the service"), ("requests", "skipped by the service")))

    class Context:
        config = load_config(tmp_path / "p")

        def shared(self, run: object) -> ComponentsResult:
            assert run is COMPONENTS_RUN
            return skipped

    result = CHECK.run(Context())  # type: ignore[arg-type]
    assert result.outcome is Outcome.ERROR and result.score == 0.0 and "none of the 2 components" in result.message


def test_extras_and_dependency_groups_are_the_optional_scope(tmp_path: Path) -> None:
    _write(
        tmp_path / "p",
        {
            "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["requests==2.0.0"]\n'
            '[project.optional-dependencies]\nspeed = ["ujson==1.0"]\n'
            '[dependency-groups]\ntest = ["pytest==3.0", {include-group = "lint"}]\nlint = ["ruff==0.1", {include-group = "test"}]\n',
        },
    )
    inventory = collect(tmp_path / "p")
    scopes = {(c.key, c.version): c.scope for c in inventory.components}
    assert scopes == {("requests", "2.0.0"): "required", ("ujson", "1.0"): "optional", ("pytest", "3.0"): "optional", ("ruff", "0.1"): "optional"}
    assert len(unique_components(inventory.components)) == 4  # the groups that include each other count once
    _valid_cyclonedx(build_sbom(inventory, "lib"))


def test_optional_scope_setting_relabels_groups_and_never_what_ships(tmp_path: Path) -> None:
    from baseline.config import load_config

    project, db = tmp_path / "p", tmp_path / "db"
    _write(
        project,
        {
            "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["flask==0.12"]\n[dependency-groups]\ndev = ["pytest==3.0"]\n'
            '[tool.baseline]\ncomponents.optional_scope = "excluded"\n',
        },
    )
    _write(db, {"a.json": _record("OSV-FLASK-1", "flask", "0", "1.0"), "b.json": _record("OSV-PYTEST-1", "pytest", "0", "4.0")})
    config = load_config(project)
    assert config.get("components.optional_scope") == "excluded" and not config.ignored  # the project may say it
    for scope in ("optional", "excluded"):
        work = tmp_path / f"w-{scope}"
        work.mkdir()
        result = run_components(root=project, work_dir=work, osv_db=str(db), online=False, vex_files=[], timeout_s=30, optional_scope=scope)
        assert {(m.advisory.id, m.component.scope) for m in result.matches} == {("OSV-FLASK-1", "required"), ("OSV-PYTEST-1", scope)}
        sbom = json.loads((work / "sbom.cdx.json").read_text())
        assert {c["name"]: c["scope"] for c in sbom["components"]} == {"flask": "required", "pytest": scope}


def test_a_library_with_only_unpinned_groups_ships_nothing(tmp_path: Path) -> None:
    _write(tmp_path / "p", {"pyproject.toml": '[project]\nname = "lib"\ndependencies = []\n[project.optional-dependencies]\ndocs = ["sphinx"]\n'})
    (tmp_path / "w").mkdir()
    result = run_components(root=tmp_path / "p", work_dir=tmp_path / "w", osv_db=str(tmp_path), online=False, vex_files=[], timeout_s=5)
    assert result.status == "none" and "ships no dependency" in result.message


class _FakeAudit:
    """What sandbox.run returns for a pip-audit run that exits with a JSON report."""

    def __init__(self, report: dict[str, object]) -> None:
        self.stdout = json.dumps(report)
        self.timed_out = False
        self.start_error = None
        self.signal_name = None
        self.exit_code = 1
        self.duration_s = 0.5
        self.argv = ["pip-audit"]

    def stderr_tail(self, lines: int) -> str:
        return ""

    def describe(self) -> str:
        return "exited 1"


def _online(tmp_path: Path, monkeypatch, report: dict[str, object], requirements: str):  # type: ignore[no-untyped-def]
    import baseline.tools.components_run as components_run

    monkeypatch.setattr(components_run.shutil, "which", lambda *args, **kwargs: "/usr/bin/pip-audit")
    monkeypatch.setattr(components_run.sandbox, "run", lambda *args, **kwargs: _FakeAudit(report))
    project, work = tmp_path / "p", tmp_path / "w"
    _write(project, {"requirements.txt": requirements})
    work.mkdir()
    return run_components(root=project, work_dir=work, osv_db=None, online=True, vex_files=[], timeout_s=30)


def test_online_audit_counts_only_what_the_service_answered(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    report = {
        "dependencies": [
            {"name": "flask", "version": "0.12", "vulns": [{"id": "PYSEC-2018-66", "aliases": ["CVE-2018-1000656"], "fix_versions": ["0.12.3"]}]},
            {"name": "flask", "version": "0.12", "vulns": []},  # a duplicate line answers nothing more
            {"name": "requests", "version": "2.0.0", "skip_reason": "Dependency not found on PyPI"},
            {"name": "not-asked", "version": "1.0", "vulns": []},
        ]
    }
    result = _online(tmp_path / "a", monkeypatch, report, "flask==0.12\nflask==0.12\nrequests==2.0.0\nsix==1.0\n")
    assert result.status == "ok"
    assert [m.advisory.id for m in result.matches] == ["PYSEC-2018-66"]
    assert dict(result.not_audited) == {
        "requests": "not audited by pip-audit: Dependency not found on PyPI",
        "six": "not in pip-audit's report: not audited",
    }
    assert any("pip-audit audited 1 of 3 pinned components online" in e.summary for e in result.evidence)


def test_online_audit_that_skipped_everything_is_an_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    report = {"dependencies": [{"name": "flask", "version": "0.12", "skip_reason": "Connection refused"}, {"name": "flask", "version": "0.12", "vulns": []}]}
    result = _online(tmp_path, monkeypatch, report, "flask==0.12\nflask==0.12\nrequests==2.0.0\n")
    assert result.status == "error" and "pip-audit could not audit any dependency" in result.message
    assert "Connection refused" in result.message
