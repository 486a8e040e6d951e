"""Regression tests for bugs the self-fuzzing harnesses (fuzz/harnesses/) found in the toolkit's
own input readers. Each input is the crash input (or its minimal form): on malformed input a
reader must raise its documented error with a message, or report a problem, never a traceback.
"""

from __future__ import annotations

import json
import math
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest

from baseline.accepted import AcceptedEntry, dump_accepted, load_accepted
from baseline.catalog import load_catalog, parse_catalog
from baseline.config import load_config
from baseline.errors import CatalogError, ConfigError, UsageError
from baseline.replay import replay
from baseline.reports.load import load_report
from baseline.tools.bandit import parse_bandit_report
from baseline.tools.osv import load_database, parse_record
from baseline.tools.sbom import build_sbom, collect
from baseline.tools.semgrep import parse_semgrep_report
from baseline.tools.static_common import parse_cwe
from baseline.tools.vex import read_vex

ROOT = Path("/project")
DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_TOML = "a = " + "[" * 5_000 + "]" * 5_000 + "\n"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "reports" / "report.json"
JUNIT = b'<?xml version="1.0"?><testsuites><testsuite name="pytest"><testcase classname="t" name="a"/></testsuite></testsuites>'


# --- evidence replay (baseline verify): metrics come from the untrusted bundle -------------------


@pytest.mark.parametrize("claimed", ["three", [3], None, {"n": 3}, float("inf"), float("nan"), True])
def test_junit_replay_reports_a_metric_that_is_not_a_number(claimed):
    # fuzz_evidence_replay crash: ValueError: invalid literal for int() with base 10: 'three'
    problem = replay(JUNIT, {"passed": claimed}, "T02")
    assert "is not a number" in problem


def test_junit_replay_still_compares_numbers():
    assert replay(JUNIT, {"passed": 1, "failed": 0}, "T02") == ""
    assert "shows 1 passed" in replay(JUNIT, {"passed": 5}, "T02")


@pytest.mark.parametrize(
    ("artifact", "claimed", "expected"),
    [
        (b'{"totals": {"num_statements": "many", "covered_lines": 1}}', 50.0, "not numbers"),
        (b'{"totals": {"num_statements": 10, "percent_statements_covered": "x"}}', 50.0, "not numbers"),
        (b'{"totals": {"num_statements": 10, "covered_lines": 5}}', "fifty", "is not a number"),
        (b'{"totals": {"num_statements": 10, "covered_lines": 5}}', 50.0, ""),
        (b"{\"totals\": " + DEEP_JSON.encode() + b"}", 50.0, "not a coverage.py JSON report"),
    ],
)
def test_coverage_replay_reports_values_that_are_not_numbers(artifact, claimed, expected):
    problem = replay(artifact, {"percent_statements": claimed}, "T07")
    assert (expected in problem) if expected else problem == ""


# --- OSV records ---------------------------------------------------------------------------------


def test_osv_yaml_syntax_error_is_a_value_error():
    # fuzz_osv crash: yaml.parser.ParserError escaped the reader (not a ValueError)
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_record("record.yaml", b"id: [unclosed\n  : broken")


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"id": "X-1", "affected": "demo"}, "affected"),
        ({"id": "X-1", "affected": ["demo"]}, r"affected\[0\]"),
        ({"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "d"}, "ranges": [{"type": "ECOSYSTEM", "events": ["introduced"]}]}]}, "events"),
        ({"id": "X-1", "severity": ["CVSS:3.1/AV:N"]}, r"severity\[0\]"),
        ({"id": "X-1", "database_specific": "HIGH"}, "database_specific"),
        ({"id": "X-1", "references": ["https://example.org"]}, "references"),
        ({"id": "X-1", "aliases": "CVE-1"}, "aliases"),
    ],
)
def test_osv_record_of_the_wrong_shape_is_a_value_error_naming_the_field(record, field):
    with pytest.raises(ValueError, match=field):
        parse_record("record.json", json.dumps(record).encode())


def test_osv_cwe_with_non_ascii_digits_does_not_drop_the_record():
    record = {"id": "X-1", "database_specific": {"cwe_ids": ["CWE-\u00b2", "CWE-79"]},
              "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0"]}]}
    _, (advisory,) = parse_record("record.json", json.dumps(record).encode())
    assert advisory.cwes == (79,) and advisory.affects("1.0")


def test_osv_deeply_nested_record_is_skipped_not_fatal(tmp_path: Path):
    with pytest.raises(ValueError):
        parse_record("record.json", DEEP_JSON.encode())
    (tmp_path / "deep.json").write_text(DEEP_JSON)
    (tmp_path / "bad-shape.json").write_text('{"id": "X-2", "affected": "demo"}')
    (tmp_path / "good.json").write_text('{"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0"]}]}')
    database = load_database(tmp_path)
    assert database.info.records == 1 and [a.id for a in database.match("demo", "1.0")] == ["X-1"]
    assert len(database.info.skipped) == 2 and "affected must be a list" in database.info.skipped[0]
    assert "nested too deeply" in database.info.skipped[1]


# --- VEX -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        # fuzz_vex crash: AttributeError: 'str' object has no attribute 'get'
        {"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "PYSEC-2018-28", "analysis": "CycloneDX"}]},
        {"vulnerabilities": ["PYSEC-2018-28"]},
        {"vulnerabilities": [{"id": "X", "affects": "pkg:pypi/requests"}]},
        {"-tion": 1, "statements": [2]},  # fuzz_vex crash: AttributeError: 'int' object has no attribute 'get'
        {"statements": ["CVE-2024-0001"]},
        {"statements": [{"vulnerability": "X", "products": "pkg:pypi/demo"}]},
    ],
)
def test_vex_of_the_wrong_shape_is_a_value_error_naming_the_file(tmp_path: Path, document):
    path = tmp_path / "broken.vex.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="broken.vex.json"):
        read_vex(path)


def test_vex_nested_too_deeply_is_a_value_error(tmp_path: Path):
    path = tmp_path / "deep.vex.json"
    path.write_text('{"statements": ' + DEEP_JSON + "}")
    with pytest.raises(ValueError, match="deep.vex.json: cannot read: nested too deeply"):
        read_vex(path)


# --- static-analysis tool reports ----------------------------------------------------------------


@pytest.mark.parametrize(
    "report",
    [
        # fuzz_tool_output crash: TypeError: int() argument must be ... not 'list'
        {"results": [{"test_id": "B324", "line_number": [7]}]},
        {"results": [{"test_id": "B324", "line_number": 7, "line_range": [7, "eight"]}]},
        {"results": {"test_id": "B324"}},
        {"results": ["B324"]},
        {"errors": ["syntax error"]},
        ["not", "a", "report"],
    ],
)
def test_bandit_report_of_the_wrong_shape(report):
    with pytest.raises(ValueError):
        parse_bandit_report(report, ROOT)


def test_bandit_cwe_label_that_is_not_an_object_is_ignored():
    # fuzz_tool_output crash: AttributeError: 'str' object has no attribute 'get' (issue_cwe)
    report = {"results": [{"test_id": "B404", "issue_cwe": "weak md5", "filename": "pkg/run.py", "line_number": 1}]}
    (finding,), _ = parse_bandit_report(report, ROOT)
    assert finding.properties["tool_cwe"] is None and finding.path == "pkg/run.py"


@pytest.mark.parametrize(
    "report",
    [
        {"results": [{"check_id": "x", "start": {"line": "five"}}]},
        {"results": [{"check_id": "x", "start": 5}]},
        {"results": [{"check_id": "x", "extra": "message"}]},
        {"results": [{"check_id": "x", "extra": {"metadata": ["cwe"]}}]},
        {"errors": [{"type": [], "message": "m"}], "results": "none"},
        {"paths": ["a.py"]},
        "report",
    ],
)
def test_semgrep_report_of_the_wrong_shape(report):
    with pytest.raises(ValueError):
        parse_semgrep_report(report, ROOT)


def test_semgrep_error_with_an_empty_type_list_is_read():
    _, notes, fatal = parse_semgrep_report({"errors": [{"type": [], "message": "m", "path": "/project/a.py"}]}, ROOT)
    assert notes[0].path == "a.py" and not fatal


def test_cwe_with_non_ascii_digits_is_ignored():
    assert parse_cwe(["CWE-\u00b2", "CWE-89: SQL", True, 79]) == (89, 79)


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.baseline]\njobs = inf\n", "key 'jobs' must be an integer"),  # OverflowError: cannot convert float infinity
        ("[tool.baseline]\nmin_score = nan\n", "must be a finite number"),  # NaN passed every range check
        ("[tool.baseline.fuzz]\ntime = inf\n", "must be a finite number"),
        (DEEP_TOML, "not valid TOML: nested too deeply"),  # RecursionError in tomllib
    ],
)
def test_config_rejects_non_finite_numbers_and_deep_nesting(tmp_path: Path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_config_with_deeply_nested_tables_names_the_unknown_key(tmp_path: Path):
    # Dotted keys nest tables without brackets: the flattening must not recurse per level.
    (tmp_path / "baseline.toml").write_text("a" + ".a" * 3000 + " = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'a.a.a"):
        load_config(tmp_path)


# --- catalog -------------------------------------------------------------------------------------


def _catalog(extra: str, weight: str = "1.0") -> str:
    return (
        f'{extra}[catalog]\nid = "c"\nversion = "1"\ntitle = "t"\n'
        f'[[techniques]]\nid = "T01"\nslug = "threat-modeling"\ntitle = "T"\nsummary = "s"\nweight = {weight}\n'
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_catalog('policies = 5\n'), "'policies' must be a list"),  # TypeError: 'int' object is not iterable
        (_catalog("checks = [1]\n"), "'checks' must be a table"),  # AttributeError: 'list' object has no attribute 'items'
        (_catalog("", weight="nan"), "weight must be a finite number"),  # NaN weight made every score NaN
        (_catalog("", weight="inf"), "weight must be a finite number"),
        (_catalog("") + '[checks."static-analysis.scan"]\nweight = nan\n', "must be a non-negative number"),
        (DEEP_TOML, "nested too deeply"),
    ],
)
def test_catalog_rejects_malformed_tables_and_non_finite_weights(text, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(text, "c.toml")


def test_catalog_file_nested_too_deeply(tmp_path: Path):
    (tmp_path / "c.toml").write_text(DEEP_TOML)
    with pytest.raises(CatalogError, match="c.toml: not valid TOML: nested too deeply"):
        load_catalog(tmp_path / "c.toml")


# --- accepted findings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("accepted = 5\n", "must be a list of \\[\\[accepted\\]\\] tables"),  # TypeError: 'int' object is not iterable
        ('accepted = "x"\n', "must be a list"),
        (DEEP_TOML, "nested too deeply"),
    ],
)
def test_accepted_file_of_the_wrong_shape(tmp_path: Path, text, message):
    path = tmp_path / "accepted.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_accepted(path)


def test_accepted_occurrence_with_non_ascii_digits_is_zero():
    # ValueError: invalid literal for int() with base 10: '²' ('²'.isdigit() is True)
    assert AcceptedEntry("abc:\u00b2", "r", "p", "why", "me").occurrence == 0
    assert AcceptedEntry("abc:" + "9" * 5000, "r", "p", "why", "me").occurrence == 0
    assert AcceptedEntry("abc:3", "r", "p", "why", "me").occurrence == 3


@pytest.mark.parametrize("reason", ["emoji \U0001f600 beyond the BMP", "DEL \x7f and NUL \x00", 'quote " and backslash \\', "tab\tnew\nline"])
def test_accepted_file_written_by_accept_reads_back(tmp_path: Path, reason):
    # JSON escaping wrote the emoji as the surrogate pair \ud83d\ude00, which TOML rejects.
    entry = AcceptedEntry("abc:0", "B602", "pkg/\u00e9.py", reason, "owner", "2030-01-31")
    path = tmp_path / "accepted.toml"
    path.write_text(dump_accepted([entry]), encoding="utf-8")
    assert load_accepted(path) == (entry,)


# --- SBOM sources --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("poetry.lock", 'package = ["requests"]\n', "package[0] is not a table"),  # AttributeError: 'str' ... 'get'
        ("poetry.lock", '[[package]]\nversion = "1.0"\n', "has no package name"),  # KeyError: 'name'
        ("poetry.lock", '[[package]]\nname = "a"\nversion = "1"\nfiles = "x"\n', "files is not a list"),
        ("uv.lock", '[[package]]\nname = "a"\nsource = "pypi"\n', "source is not a table"),
        ("uv.lock", 'package = 3\n', "'package' is not a list of tables"),
        ("pylock.toml", '[[packages]]\nname = 7\n', "name is not a string"),
        ("Pipfile.lock", '{"default": {"requests": "==2.0"}}', "default.requests is not a package table"),
        ("Pipfile.lock", '["not", "an", "object"]', "not a JSON object"),
        ("Pipfile.lock", DEEP_JSON, "nested too deeply"),
        ("uv.lock", DEEP_TOML, "nested too deeply"),
    ],
)
def test_malformed_lock_file_is_a_problem_and_the_next_source_is_read(tmp_path: Path, name, text, problem):
    (tmp_path / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("flask==3.0.0\n")
    inventory = collect(tmp_path)
    assert inventory.sources == ("requirements.txt",) and [c.name for c in inventory.components] == ["flask"]
    assert any(problem in line and line.startswith(name) for line in inventory.problems), inventory.problems
    assert not any(word in line for line in inventory.problems for word in ("KeyError", "TypeError", "AttributeError"))


def test_requirements_include_with_a_name_too_long_is_a_problem(tmp_path: Path):
    # fuzz_sbom crash: OSError: [Errno 36] File name too long (Path.is_file raised on the -r target)
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n-r othe" + "\u00a9" * 300 + "r.txt\nflask==3.0.0\n")
    inventory = collect(tmp_path)
    assert [c.name for c in inventory.components] == ["requests", "flask"]
    assert any("included file othe" in line and "cannot be read" in line for line in inventory.problems), inventory.problems


@pytest.mark.parametrize(
    "text",
    [
        'project = "demo"\n',  # AttributeError: 'str' object has no attribute 'get'
        "[project]\ndependencies = 5\n",  # TypeError: 'int' object is not iterable
        "[project]\ndependencies = \"requests\"\n",
    ],
)
def test_pyproject_dependencies_of_the_wrong_shape(tmp_path: Path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    inventory = collect(tmp_path)
    assert inventory.components == ()
    build_sbom(inventory, "demo")


# --- reports read by diff, accept and verify -----------------------------------------------------


def _golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["breakdown"].__setitem__("trust_score", "21.67"), "breakdown.trust_score: expected float"),  # diff: Unknown format code 'f'
        (lambda d: d["breakdown"].__setitem__("trust_score", float("nan")), "expected a finite number"),
        (lambda d: d["results"][0].__setitem__("findings", "none"), r"results\[0\].findings: expected a list"),
        (lambda d: d["results"][0].__setitem__("metrics", [1]), r"results\[0\].metrics: expected an object"),
        (lambda d: d["results"][0].__setitem__("outcome", ["pass"]), r"results\[0\].outcome: .* is not one of"),
        (lambda d: d["target"].__setitem__("file_count", True), "target.file_count: expected int"),
        (lambda d: d.__setitem__("results", {"a": 1}), "results: expected a list"),
    ],
)
def test_report_with_fields_of_the_wrong_type_is_a_usage_error(tmp_path: Path, change, field):
    data = _golden()
    change(data)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    with pytest.raises(UsageError, match=field):
        load_report(path)


@pytest.mark.parametrize("text", ["13", DEEP_JSON, "[1, 2]", '"report"'])  # fuzz_report crash: '13' -> AttributeError
def test_report_that_is_not_an_object_is_a_usage_error(tmp_path: Path, text):
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(UsageError, match="report"):
        load_report(path)


def test_diff_of_a_golden_report_still_works(capsys):
    from baseline.commands import diff

    assert diff.run(Namespace(old=str(GOLDEN), new=str(GOLDEN), json=True, fail_on_new=True)) == 0
    assert json.loads(capsys.readouterr().out)["score_change"] == 0


# --- evidence bundles ----------------------------------------------------------------------------


def _resigned_bundle(tmp_path: Path, change) -> Path:
    """A genuine signed bundle whose report (the Statement's predicate) was changed and re-signed."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from baseline import attestation
    from baseline import bundle as B
    from baseline.catalog import default_catalog_text
    from tests.unit.reports_synthetic import make_report

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    first = tmp_path / "first.zip"
    B.write_bundle(make_report(tmp_path / "scan"), first, key=key, catalog_text=default_catalog_text()[0])
    with zipfile.ZipFile(first) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    statement = json.loads(base64.b64decode(json.loads(members.pop(B.ATTESTATION))["payload"]))
    statement["predicate"] = change(statement["predicate"]) or statement["predicate"]
    members[B.REPORT] = json.dumps(statement["predicate"]).encode()
    for subject in statement["subject"]:
        if subject["name"] == B.REPORT:
            subject["digest"]["sha256"] = B.sha256(members[B.REPORT])
    if not isinstance(statement["predicate"], dict):
        statement["predicate"] = {"value": statement["predicate"]}
    members[B.ATTESTATION] = B.canonical_json(attestation.envelope(B.canonical_json(statement), (key,)))
    path = tmp_path / "bundle.zip"
    path.write_bytes(B.zip_bytes(members))
    return path


def _metric_not_a_number(report):
    for result in report["results"]:
        if "passed" in result["metrics"]:
            result["metrics"]["passed"] = "three"


def _report_not_an_object(report):
    return 2


@pytest.mark.parametrize(
    ("change", "subject", "message"),
    [
        # fuzz_bundle crash: AttributeError: 'int' object has no attribute 'get' (report.json was "2")
        (_report_not_an_object, "report", "the predicate is not a baseline report"),
        (_metric_not_a_number, "automated-testing.pytest", "is not a number"),  # ValueError from int('three')
    ],
)
def test_verify_reports_a_malformed_bundle_instead_of_raising(tmp_path: Path, change, subject, message):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from baseline.catalog import load_catalog
    from baseline.config import Config
    from baseline.verify import VerifierRules, verify_bundle
    from tests.unit.reports_synthetic import make_report

    specs = {r.spec.id: r.spec for r in make_report(tmp_path / "specs").results}
    rules = VerifierRules(catalog=load_catalog(None), specs=specs, config=Config({}, None))
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    verification = verify_bundle(_resigned_bundle(tmp_path, change), keys=[key], rules=rules)
    assert not verification.ok
    assert any(item.subject == subject and message in item.message for item in verification.discrepancies), verification.discrepancies


# --- found by scanning this repository with its own T09 (baseline scan . --fuzz-time 30) ----------


def test_a_short_budget_runs_the_first_harnesses_instead_of_skipping_them():
    # 18 harnesses in 30 s: the even share (1.6 s) was below the 2 s minimum, so the project's own
    # harnesses (planned first) were skipped as "budget exhausted (29 s left of 30 s)" and the
    # generated ones at the end of the plan ran.
    from baseline.fuzz.campaign import MIN_HARNESS_BUDGET, budget_share

    assert budget_share(29.0, 18) == MIN_HARNESS_BUDGET
    assert budget_share(60.0, 10) == 6 and budget_share(60.0, 10, cap=4.0) == 4
    assert budget_share(1.5, 3) is None
    assert budget_share(30.0, 3, cap=1.0) is None  # a per-harness cap below the minimum runs nothing


@pytest.mark.parametrize("output", ["", "[1]", '{"generalDiagnostics": 3}', "{", "null"])
def test_pyright_output_of_the_wrong_shape_is_a_value_error(output: str) -> None:
    from baseline.tools.typecheck import parse_pyright

    with pytest.raises(ValueError):
        parse_pyright(output)


def test_pyright_diagnostics_of_the_wrong_shape_are_skipped_or_read() -> None:
    from baseline.tools.typecheck import parse_pyright

    output = '{"generalDiagnostics": [3, {"severity": "error", "range": 5, "file": "a.py", "message": "m"}]}'
    (error,) = parse_pyright(output)
    assert error.line is None and error.message == "m"


@pytest.mark.parametrize("name", ["x" * 5000, "a\x00b", "project]\nname = 'x'\n" * 200])
def test_find_tool_with_an_impossible_name_finds_nothing(name: str) -> None:
    from baseline.toolenv import find_tool

    assert find_tool(name) is None
    assert find_tool("wapiti", configured=name) is None


def test_virtual_environments_are_not_project_files(tmp_path) -> None:
    from baseline.target import iter_files

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "core.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / ".venv-ci" / "bin").mkdir(parents=True)
    (tmp_path / ".venv-ci" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (tmp_path / ".venv-ci" / "bin" / "readelf.py").write_text("assert True\n", encoding="utf-8")
    assert [path.relative_to(tmp_path).as_posix() for path in iter_files(tmp_path)] == ["pkg/core.py"]


@pytest.mark.parametrize("name", ["", "x" * 5000, "a\x00b", "../.."])
def test_executable_and_package_lookups_of_impossible_names_find_nothing(name: str) -> None:
    from baseline.tools.static_common import find_executable, package_version

    assert package_version(name) is None
    assert find_executable(name) is None


# --- Python sources of the project under scan: nesting deeper than CPython's parser can build -----

DEEP_PYTHON = {
    "long-chain": "x = a" + " + a" * 200_000 + "\n",  # RecursionError in ast construction
    "unary-run": "x = " + "-" * 100_000 + "1\n",  # MemoryError from the parser's own stack
}


@pytest.mark.parametrize("source", DEEP_PYTHON.values(), ids=list(DEEP_PYTHON))
def test_python_source_nested_too_deeply_is_a_syntax_error(source: str) -> None:
    from baseline.parsing import parse_python

    with pytest.raises(SyntaxError, match="nested too deeply"):
        parse_python(source, filename="deep.py")


@pytest.mark.parametrize("source", DEEP_PYTHON.values(), ids=list(DEEP_PYTHON))
def test_project_readers_skip_a_file_nested_too_deeply(tmp_path: Path, source: str) -> None:
    from baseline.web.detect import parse_file
    from fuzz.surface import find_surface

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "deep.py").write_text(source, encoding="utf-8")
    (tmp_path / "pkg" / "codec.py").write_text("def parse(data: bytes) -> int:\n    return len(data)\n", encoding="utf-8")
    assert parse_file(tmp_path / "pkg" / "deep.py") is None
    surface = find_surface(tmp_path)
    assert [entry.qualname for entry in surface.entry_points] == ["parse"]
    assert surface.unparsable == ("pkg/deep.py",)


# --- threat model Markdown: a heading with a long run of spaces inside (cubic backtracking) --------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("## Threat model", (2, "Threat model")),
        ("### Mitigations ###  ", (3, "Mitigations")),
        ("## C#", (2, "C")),
        ("## a # b #", (2, "a # b")),
        ("#### ", (4, "")),
        ("####### too deep", None),
        ("#no space", None),
        ("## Entry" + " " * 20_000 + "x", (2, "Entry" + " " * 20_000 + "x")),  # was cubic: hours for this line
    ],
)
def test_markdown_headings_are_read_in_linear_time_with_the_same_titles(line: str, expected) -> None:
    from baseline.tools.threat_content import heading, markdown_blocks
    from baseline.tools.threat_model import security_section

    assert heading(line) == expected
    text = line + "\n\nbody\n"
    assert markdown_blocks(text)
    assert security_section(text) is None or security_section(text).startswith(line)


def test_the_shared_redactor_masks_the_same_and_is_not_quadratic_on_dotted_runs() -> None:
    """A long run of ``a.a.a...`` (every position a word boundary) made the credential-name pattern
    scan to the end from each start: 2 KB took 0.17 s, 64 KB would take minutes."""
    from reports.redact import MASK, redact

    run = "a." * 32_000
    assert redact(run) == run
    assert redact(run + "db.password = hunter2hunter22").endswith(f"db.password = {MASK}")
    assert redact("x" * 100 + "_api_key: 'abc123xyz'") == "x" * 100 + f"_api_key: '{MASK}'"  # a name longer than the bound
