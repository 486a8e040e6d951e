"""Unit tests of the OSV matcher, the dependency readers, SBOM output and VEX."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from baseline.model import Severity
from baseline.tools.osv import load_database
from baseline.tools.sbom import build_sbom, collect
from baseline.tools.vex import read_vex

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "osv_small"


@pytest.fixture(scope="module")
def db():  # type: ignore[no-untyped-def]
    return load_database(SMALL)


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("demo-pkg", "0.9", {"PYSEC-0000-2"}),  # introduced 0 .. last_affected 1.2
        ("Demo_Pkg", "1.0", {"PYSEC-0000-1", "GHSA-aaaa-bbbb-cccc", "PYSEC-0000-2"}),
        ("demo.pkg", "1.3", {"PYSEC-0000-1", "GHSA-aaaa-bbbb-cccc"}),  # past last_affected 1.2
        ("demo-pkg", "1.4.2", set()),  # fixed
        ("demo-pkg", "2.0.5", {"PYSEC-0000-1"}),  # second range of the same record
        ("demo-pkg", "2.1", set()),
        ("other", "0.9.1", {"PYSEC-0000-3"}),  # explicit versions list
        ("other", "0.9.2", set()),
        ("unknown", "1.0", set()),
    ],
)
def test_matching_table(db, name: str, version: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert {advisory.id for advisory in db.match(name, version)} == expected


def test_withdrawn_other_ecosystems_and_corrupt_records(db) -> None:  # type: ignore[no-untyped-def]
    assert "PYSEC-0000-4" not in {a.id for a in db.for_package("demo-pkg")}
    assert db.info.records == 10  # nine PyPI-or-npm records read, plus the withdrawn one; corrupt skipped
    assert db.info.pypi_records == 8
    assert len(db.info.skipped) == 1 and "corrupt.yaml" in db.info.skipped[0]
    assert db.info.newest_modified.startswith("2024-05-01")


def test_severity_from_cvss_then_database_specific(db) -> None:  # type: ignore[no-untyped-def]
    by_id = {a.id: a for a in db.for_package("demo-pkg")}
    assert by_id["PYSEC-0000-1"].severity is Severity.CRITICAL and by_id["PYSEC-0000-1"].cvss_score == 9.8
    assert by_id["GHSA-aaaa-bbbb-cccc"].severity is Severity.HIGH and by_id["GHSA-aaaa-bbbb-cccc"].cwes == (79,)
    assert by_id["PYSEC-0000-2"].severity is Severity.MEDIUM
    assert by_id["PYSEC-0000-1"].fixed == ("1.4.2", "2.1")


def test_zip_database_and_bad_sources(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(SMALL / "GHSA-aaaa-bbbb-cccc.json", "GHSA-aaaa-bbbb-cccc.json")
    assert {a.id for a in load_database(archive).match("demo-pkg", "1.1")} == {"GHSA-aaaa-bbbb-cccc"}
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no readable OSV records"):
        load_database(tmp_path / "empty")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError):
        load_database(tmp_path / "bad.zip")
    with pytest.raises(ValueError, match="does not exist"):
        load_database(tmp_path / "missing")


def test_index_cache_is_used_and_equivalent(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BASELINE_CACHE_DIR", str(tmp_path / "home"))
    first = load_database(SMALL, cache_dir=tmp_path)
    assert list(tmp_path.glob("osv-index-*.json"))
    second = load_database(SMALL, cache_dir=tmp_path)
    assert second.info == first.info and second.by_package == first.by_package


def test_a_planted_or_edited_index_cache_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    """The index cache is JSON (nothing in it can run) and carries our MAC: a forged entry is ignored."""
    import json
    import pickle

    monkeypatch.setenv("BASELINE_CACHE_DIR", str(tmp_path / "home"))
    cache = tmp_path / "cache"
    honest = load_database(SMALL, cache_dir=cache)
    (cache_file,) = cache.glob("osv-index-*.json")
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (marker.write_text, ("ran",))

    cache_file.write_bytes(b"\0" * 32 + pickle.dumps(Payload()))
    database = load_database(SMALL, cache_dir=cache)
    assert not marker.exists() and database.by_package == honest.by_package
    # an entry that says "no advisories", signed with another key, is not believed either
    forged = json.loads(cache_file.read_bytes()[32:])
    forged["by_package"] = {}
    cache_file.write_bytes(b"\1" * 32 + json.dumps(forged).encode())
    assert load_database(SMALL, cache_dir=cache).by_package == honest.by_package


def test_requirements_pins_hashes_markers_includes_and_unverifiable_lines(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# comment\n"
        "Requests==2.19.0 \\\n    --hash=sha256:ABCDEF0123\n"
        "pyyaml==5.3 ; python_version >= '3.6'\n"
        "urllib3[secure]==1.24.1  # trailing comment\n"
        "flask>=2.0\n"
        "-r more.txt\n"
        "-e ./local\n"
        "git+https://example.invalid/repo.git#egg=thing\n"
        "--index-url https://example.invalid/simple\n"
        "this is not a requirement\n"
    )
    (tmp_path / "more.txt").write_text("six===1.16.0\n-r requirements.txt\n")
    inventory = collect(tmp_path)
    pinned = {c.key: c.version for c in inventory.components if c.version}
    assert pinned == {"requests": "2.19.0", "pyyaml": "5.3", "urllib3": "1.24.1", "six": "1.16.0"}
    requests = next(c for c in inventory.components if c.key == "requests")
    assert requests.hashes == (("sha256", "abcdef0123"),) and requests.line == 2
    notes = [c.note for c in inventory.components if not c.version]
    assert any("not pinned" in note for note in notes)
    assert any("editable" in note for note in notes)
    assert any("VCS" in note for note in notes)
    assert any("cannot parse" in problem for problem in inventory.problems)


def test_lock_files_win_and_carry_the_graph(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("ignored==1.0\n")
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "Flask"\nversion = "2.0.0"\nfiles = [{file = "f.whl", hash = "sha256:aa"}]\n'
        '[package.dependencies]\nJinja2 = ">=3.0"\n\n'
        '[[package]]\nname = "jinja2"\nversion = "3.0.0"\nfiles = []\n'
    )
    inventory = collect(tmp_path)
    assert inventory.sources == ("poetry.lock",)
    flask = next(c for c in inventory.components if c.key == "flask")
    assert flask.dependencies == ("jinja2",) and flask.hashes == (("sha256", "aa"),)
    document = build_sbom(inventory, "demo")
    dependencies = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    assert any(ref.startswith("jinja2@") for ref in dependencies[next(r for r in dependencies if r.startswith("flask@"))])


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("uv.lock", 'version = 1\n[[package]]\nname = "demo"\nversion = "0.1"\nsource = { editable = "." }\n[[package]]\nname = "idna"\nversion = "3.6"\nsource = { registry = "https://pypi.org/simple" }\nsdist = { url = "x", hash = "sha256:bb" }\n'),
        ("Pipfile.lock", json.dumps({"default": {"idna": {"version": "==3.6", "hashes": ["sha256:bb"]}}, "develop": {}})),
        ("pylock.toml", 'lock-version = "1.0"\n[[packages]]\nname = "idna"\nversion = "3.6"\n[[packages.wheels]]\nhashes = { sha256 = "bb" }\n'),
    ],
)
def test_other_lock_formats(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / name).write_text(body)
    inventory = collect(tmp_path)
    assert [(c.key, c.version, c.hashes) for c in inventory.components] == [("idna", "3.6", (("sha256", "bb"),))]


def test_pyproject_dependencies_and_nothing_declared(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["idna==3.6", "rich>=13"]\n')
    inventory = collect(tmp_path)
    assert {c.key: c.version for c in inventory.components} == {"idna": "3.6", "rich": None}
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert collect(tmp_path).components == ()


def test_sbom_validates_against_cyclonedx_1_6_and_is_reproducible(tmp_path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    (tmp_path / "requirements.txt").write_text("requests==2.19.0 --hash=sha256:" + "a" * 64 + "\nflask>=2\n")
    document = build_sbom(collect(tmp_path), "demo", "1.0")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document)) is None
    assert document == build_sbom(collect(tmp_path), "demo", "1.0")
    purls = {c["name"]: c.get("purl") for c in document["components"]}
    assert purls["requests"] == "pkg:pypi/requests@2.19.0"


def test_vex_readers(tmp_path: Path) -> None:
    cyclonedx = tmp_path / "a.vex.json"
    cyclonedx.write_text(json.dumps({"vulnerabilities": [{"id": "CVE-0000-0001", "analysis": {"state": "not_affected", "justification": "code_not_reachable"}, "affects": [{"ref": "pkg:pypi/Demo_Pkg@1.0"}]}]}))
    (statement,) = read_vex(cyclonedx)
    assert statement.applies(["PYSEC-0000-1", "CVE-0000-0001"], "demo-pkg") and statement.suppresses
    assert not statement.applies(["CVE-0000-0001"], "other")
    openvex = tmp_path / "b.openvex.json"
    openvex.write_text(json.dumps({"statements": [{"vulnerability": {"name": "GHSA-aaaa-bbbb-cccc"}, "products": [{"@id": "pkg:pypi/demo-pkg"}], "status": "under_investigation"}]}))
    (investigating,) = read_vex(openvex)
    assert investigating.applies(["GHSA-aaaa-bbbb-cccc"], "demo-pkg") and not investigating.suppresses
    broken = tmp_path / "c.vex.json"
    broken.write_text("{}")
    with pytest.raises(ValueError, match="c.vex.json"):
        read_vex(broken)


PYLOCK = '''lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.9"

[[packages]]
name = "idna"
version = "3.6"
marker = "python_version >= '3.9'"
dependencies = [{ name = "Six" }]
sdist = { name = "idna-3.6.tar.gz", url = "https://files.example/idna-3.6.tar.gz", hashes = { sha256 = "cc" } }
wheels = [{ name = "idna-3.6-py3-none-any.whl", url = "https://files.example/idna-3.6-py3-none-any.whl", hashes = { sha256 = "bb" } }]

[[packages]]
name = "six"
version = "1.16.0"
wheels = [{ name = "six-1.16.0-py2.py3-none-any.whl", url = "https://files.example/six.whl", hashes = { sha256 = "dd" } }]

[[packages]]
name = "tool"
vcs = { type = "git", url = "https://example.invalid/tool.git", commit-id = "0123456789abcdef0123456789abcdef01234567" }
'''


def test_pylock_read_through_packaging_with_markers_sdists_and_direct_sources(tmp_path: Path) -> None:
    (tmp_path / "pylock.toml").write_text(PYLOCK)
    inventory = collect(tmp_path)
    assert inventory.problems == ()
    by_name = {c.key: c for c in inventory.components}
    idna = by_name["idna"]
    assert idna.version == "3.6" and idna.marker == 'python_version >= "3.9"' and idna.dependencies == ("six",)
    assert set(idna.hashes) == {("sha256", "bb"), ("sha256", "cc")}  # the sdist's hash too
    assert by_name["six"].version == "1.16.0"
    assert by_name["tool"].version is None and "direct reference (VCS https://example.invalid/tool.git)" in by_name["tool"].note


def test_an_invalid_pylock_is_read_field_by_field_and_said_invalid(tmp_path: Path) -> None:
    (tmp_path / "pylock.toml").write_text('lock-version = "1.0"\n[[packages]]\nname = "idna"\nversion = "3.6"\n')
    inventory = collect(tmp_path)
    assert [(c.key, c.version) for c in inventory.components] == [("idna", "3.6")]
    assert any("not a valid PEP 751 lock file" in p and "created-by" in p for p in inventory.problems), inventory.problems


REQUIREMENT_LINES = (
    "Requests==2.19.0 \\\n    --hash=sha256:abcdef0123 \\\n    --hash=sha256:0123\n",
    "pyyaml==5.3 ; python_version >= '3.6'\n",
    "urllib3[secure]==1.24.1  # comment\n",
    "urllib3==1.24.1\t# a comment after a tab\n",
    "pkg @ https://example.invalid/pkg-1.0.tar.gz\n",
    "foo==1.0 #comment\n",
    "--requirement=more.txt\n",
    "foo ==  1.0\n",
    "foo>=1,==1.2\n",
    "foo==1.0; sys_platform == 'win32' \\\n  and python_version < '3.8'\n",
    "-e git+https://example.invalid/x.git#egg=x\n",
    "git+https://example.invalid/y.git#egg=y\n",
    "--index-url https://example.invalid/simple\nfoo==1.0\n",
    "foo==1.0 --hash sha256:ab\n",
    "foo[a,b]==1.0 ; extra == 'x'\n",
    "foo==1.0 \\\n",  # a continuation on the last line
    "\ufeffbom==1.0\n",  # a byte order mark
)


@pytest.mark.parametrize("text", REQUIREMENT_LINES)
def test_requirements_reader_agrees_with_pip_requirements_parser(tmp_path: Path, text: str) -> None:
    """pip-requirements-parser (pip's own parsing code, maintained separately) as the oracle.

    The product keeps its own reader: pip-requirements-parser takes about ten times as long on a
    100,000-line file (bench/README.md). Deliberate differences are not in this list: ``-c``
    constraint files are not components, and ``==1.*`` is not a pin.
    """
    parser = pytest.importorskip("pip_requirements_parser")
    from packaging.utils import canonicalize_name

    (tmp_path / "requirements.txt").write_text(text, encoding="utf-8")
    (tmp_path / "more.txt").write_text("six==1.0\n")
    inventory = collect(tmp_path)
    ours = sorted((c.key, c.version, c.marker) for c in inventory.components)
    parsed = parser.RequirementsFile.from_file(str(tmp_path / "requirements.txt"), include_nested=True)
    theirs = sorted(
        (canonicalize_name(r.name), str(next(iter(r.specifier)).version) if r.is_pinned else None, str(r.marker) if r.marker else "")
        for r in parsed.requirements
    )
    assert ours == theirs and not parsed.invalid_lines and inventory.problems == ()


@pytest.mark.parametrize(
    "line",
    ["flask==2.0.1", "Zope.Interface==5.4.0", "a==1", "pkg_x==1.0+local.7", "x==1!2.0", "x==1.0.post1", "x==2.0rc1",
     "x==1.0_a", "x==1.0-1", "x==1.0.dev3", "x==1.0abc", "x==1.0.*", "x-==1.0", "x==1..0", "x==01.0", "x==1.0+", "x==v1.0"],
)
def test_plain_pin_fast_path_gives_what_the_full_parser_gives(tmp_path: Path, line: str) -> None:
    from baseline.tools.sbom import _component

    (tmp_path / "requirements.txt").write_text(line + "\n")
    problems: list[str] = []
    expected = _component(line, "requirements.txt", 1, problems)
    inventory = collect(tmp_path)
    assert list(inventory.components) == ([expected] if expected is not None else [])
    assert bool(inventory.problems) == bool(problems)
