"""The installed environment: probe output parsing, the closure of what ships, markers and extras."""

from __future__ import annotations

import json

import pytest
from packaging.markers import Marker, default_environment

from baseline.tools.environment import (
    MARKER_KEYS,
    Environment,
    Installed,
    Root,
    apply_environment,
    closure,
    marker_applies,
    parse_probe,
)
from baseline.tools.sbom import Component, Inventory, build_sbom
from tests.unit.test_components_tree import _valid_cyclonedx

PY311 = {**{key: str(value) for key, value in default_environment().items() if key in MARKER_KEYS}, "python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}


def _env(*dists: tuple[str, str, tuple[str, ...]], markers: dict[str, str] | None = None) -> Environment:
    return Environment({name: Installed(name, version, requires) for name, version, requires in dists}, markers or PY311)


def test_markers_are_evaluated_for_the_target_and_extras_only_when_requested() -> None:
    assert marker_applies(None, PY311)
    assert marker_applies(Marker('python_version < "3.12"'), PY311)
    assert not marker_applies(Marker('python_version < "3.11"'), PY311)
    assert not marker_applies(Marker('sys_platform == "win32"'), PY311)
    assert not marker_applies(Marker('extra == "socks"'), PY311)
    assert marker_applies(Marker('extra == "socks"'), PY311, ["socks"])
    assert marker_applies(Marker('extra == "Socks_Proxy"'), PY311, ["socks-proxy"])  # extras compare normalised
    assert not marker_applies(Marker('python_version < "3" and extra == "socks"'), PY311, ["socks"])


def test_closure_follows_requirements_markers_extras_and_cycles() -> None:
    environment = _env(
        ("app", "1.0", ("Lib_A>=1", 'win-only ; sys_platform == "win32"', 'fast ; extra == "speed"', "ghost")),
        ("lib-a", "2.0", ("lib-b[async]", "app")),  # a cycle back to the root
        ("lib-b", "3.0", ('aio ; extra == "async"', 'never ; extra == "other"')),
        ("aio", "0.1", ()),
        ("win-only", "1.0", ()),
        ("fast", "1.0", ()),
        ("never", "1.0", ()),
        ("pytest", "8.0", ("lib-a",)),  # installed, requires a shipped package, but nothing ships it
    )
    result = closure([Root("App")], environment)
    assert set(result.reached) == {"app", "lib-a", "lib-b", "aio"}
    assert result.reached["aio"].path == ("app", "lib-a", "lib-b", "aio")
    assert result.reached["aio"].version == "0.1"
    assert result.reached["app"].dependencies == ("lib-a",)
    assert result.reached["lib-a"].dependencies == ("app", "lib-b")
    assert result.missing == (("app", "ghost"),)


def test_an_extra_requested_later_is_followed_and_self_references_expand() -> None:
    environment = _env(
        ("a", "1", ("c",)),
        ("b", "1", ("c[x]",)),
        ("c", "1", ('d ; extra == "x"', 'c[y] ; extra == "x"', 'e ; extra == "y"')),
        ("d", "1", ()),
        ("e", "1", ()),
    )
    result = closure([Root("a"), Root("b")], environment)
    assert set(result.reached) == {"a", "b", "c", "d", "e"}
    assert result.reached["c"].path == ("a", "c")  # first (shortest) path kept
    assert closure([Root("c", extras=("X",))], environment).reached.keys() == {"c", "d", "e"}


def test_root_markers_and_unparsable_requirements() -> None:
    environment = _env(("tomli", "2.0", ()), ("odd", "1.0", ("not a requirement ((", 'ok ; python_version > "3"')), ("ok", "1", ()))
    result = closure([Root("tomli", marker='python_version < "3.11"'), Root("odd")], environment)
    assert result.skipped == ("tomli",)
    assert set(result.reached) == {"odd", "ok"}
    assert any("cannot be parsed" in problem for problem in result.problems)


def test_apply_resolves_ranges_adds_transitive_components_and_leaves_the_rest() -> None:
    inventory = Inventory(
        (
            Component("Flask", None, "requirements.txt", 1, ">=2", note="not pinned to one version (>=2)"),
            Component("tomli", None, "requirements.txt", 2, ">=1", note="not pinned", marker='python_version < "3.11"'),
            Component("requests", "2.0.0", "requirements.txt", 3, "==2.0.0"),
            Component("pytest", "8.0", "requirements-dev.txt", 1, "==8.0", scope="optional"),
            Component("./vendored", None, "requirements.txt", 4, note="local path or VCS/URL requirement: not verifiable against advisories"),
            Component("ghost", None, "requirements.txt", 5, ">=1", note="not pinned to one version (>=1)"),
        ),
        ("requirements.txt", "requirements-dev.txt"),
    )
    environment = _env(
        ("flask", "2.0.1", ("werkzeug>=2", "click")),
        ("werkzeug", "2.0.0", ()),
        ("click", "8.0", ("pytest",)),  # a shipped package that requires a tool pinned for development
        ("requests", "2.1.0", ("urllib3",)),
        ("urllib3", "1.26.0", ()),
        ("pytest", "8.0", ()),
        ("tomli", "2.0", ()),
        ("coverage", "7.0", ()),
    )
    updated, report = apply_environment(inventory, environment)
    by_key = {(c.key, c.scope): c for c in updated.components if (c.key, c.version) != ("requests", "2.1.0")}
    flask = by_key[("flask", "required")]
    assert flask.version == "2.0.1" and flask.installed and flask.note == "" and flask.specifier == ">=2"
    assert flask.dependencies == ("click", "werkzeug")
    assert by_key[("tomli", "optional")].note.startswith("marker 'python_version < \"3.11\"' is false")
    assert by_key[("requests", "required")].version == "2.0.0"  # the pin stays; the difference is reported
    assert any("pins 2.0.0" in problem and "2.1.0 installed" in problem for problem in updated.problems)
    # What the environment holds is reported too: a pin of another version does not hide it.
    installed_requests = next(c for c in updated.components if (c.key, c.version) == ("requests", "2.1.0"))
    assert installed_requests.installed and installed_requests.scope == "required" and installed_requests.dependencies == ("urllib3",)
    urllib3 = by_key[("urllib3", "required")]
    assert urllib3.version == "1.26.0" and urllib3.via == ("requests",) and urllib3.source == "requirements.txt" and urllib3.line == 3
    assert by_key[("pytest", "required")].via == ("flask", "click")  # ships through click
    assert by_key[("pytest", "optional")].version == "8.0"
    assert ("coverage", "required") not in by_key and ("coverage", "optional") not in by_key
    assert next(c for c in updated.components if c.name == "./vendored").version is None
    assert by_key[("ghost", "required")].note == "not pinned to one version (>=1); not installed in the target's environment"
    assert report.not_installed == ("ghost",)
    assert report.read and report.distributions == 8 and report.closure == 6 and report.transitive == 5
    assert report.resolved == ("Flask 2.0.1 (declared >=2 in requirements.txt)",)
    assert report.markers_false == ("tomli",) and report.outside == 2
    assert "installed environment read (8 distributions): 6 ship (5 transitive added" in report.note()

    from baseline.tools.components_run import unique_components

    kept = {(c.key, c.version): c.scope for c in unique_components(updated.components)}
    assert kept[("pytest", "8.0")] == "required"  # the shipped declaration wins over the development pin

    sbom = build_sbom(updated, "demo", "1.0")
    _valid_cyclonedx(sbom)
    graph = {entry["ref"]: entry.get("dependsOn", []) for entry in sbom["dependencies"]}
    assert graph["project:demo"] == ["flask@2.0.1", "tomli@unpinned", "requests@2.0.0", "pytest@8.0", "-/vendored@unpinned", "ghost@unpinned", "requests@2.1.0"]
    assert graph["flask@2.0.1"] == ["click@8.0", "werkzeug@2.0.0"]
    assert graph["requests@2.0.0"] == ["urllib3@1.26.0"]
    paths = {c["bom-ref"]: {p["name"]: p["value"] for p in c["properties"]} for c in sbom["components"]}
    assert paths["urllib3@1.26.0"]["baseline:dependency-path"] == "requests -> urllib3"
    assert paths["flask@2.0.1"]["baseline:version-source"] == "installed environment"


def _record(markers: object = None, distributions: object = None, **extra: object) -> str:
    data = {"markers": PY311 if markers is None else markers, "distributions": [] if distributions is None else distributions, **extra}
    return "BASELINE-ENVIRONMENT " + json.dumps(data)


def test_probe_output_is_checked_entry_by_entry() -> None:
    text = "something a .pth file printed\n" + _record(
        distributions=[
            {"name": "demo-pkg", "version": "1.0", "requires": ["other>=1"]},
            {"name": "demo-pkg", "version": "9.9", "requires": []},  # shadowed: the first on the path is imported
            {"name": "../../etc", "version": "1", "requires": []},
            {"name": "x", "version": 3, "requires": []},
            {"name": "y", "version": "1.0\x1b[2J\nforged line", "requires": []},
            "not an object",
            {"name": "ok", "version": "2", "requires": ["a", 5]},
        ],
        errors=["PermissionError: x"],
        truncated=True,
    )
    environment = parse_probe(text)
    assert set(environment.distributions) == {"demo-pkg", "ok"}
    assert environment.distributions["demo-pkg"].version == "1.0"
    assert environment.distributions["ok"].requires == ("a",)
    assert sum("skipped" in problem for problem in environment.problems) == 4
    assert any("the first" in problem for problem in environment.problems)
    assert any("PermissionError" in problem for problem in environment.problems)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage\n",
        "BASELINE-ENVIRONMENT {not json",
        "BASELINE-ENVIRONMENT []",
        _record(markers={"python_version": "3.11"}),
        _record(markers={**PY311, "sys_platform": 3}),
        _record(distributions={"a": 1}),
        "BASELINE-ENVIRONMENT " + "[" * 100_000 + "]" * 100_000,
    ],
)
def test_garbage_probe_output_is_an_error_not_a_crash(text: str) -> None:
    with pytest.raises(ValueError):
        parse_probe(text)
