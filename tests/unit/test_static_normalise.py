"""Unit tests of suppression parsing, de-duplication and the bandit taint cap."""

from __future__ import annotations

import pytest

from baseline.model import Confidence, Severity
from baseline.tools.static_common import RawFinding
from baseline.tools.static_normalise import BARE_SUPPRESSION_RULE, build_findings, deduplicate, parse_directives, redact


def raw(tool: str, rule: str, line: int, cwe: int, severity: Severity = Severity.HIGH, path: str = "pkg/app.py") -> RawFinding:
    return RawFinding(tool, rule, path, line, line, severity, Confidence.HIGH, (cwe,), f"{rule} message")


def test_directive_with_rule_and_reason_is_valid():
    (directive,) = parse_directives("x = 1\nrun(cmd)  # nosec B602, B603 -- input is a constant\n")
    assert directive.line == 2 and directive.kind == "nosec"
    assert directive.rule_ids == ("B602", "B603")
    assert directive.reason == "input is a constant"
    assert directive.valid


def test_nosemgrep_with_colon_is_parsed():
    (directive,) = parse_directives("eval(x)  # nosemgrep: code-injection -- x comes from our own config file\n")
    assert directive.kind == "nosemgrep" and directive.rule_ids == ("code-injection",) and directive.valid


def test_bare_or_reasonless_directives_are_invalid():
    bare, no_reason, no_rule = parse_directives("a()  # nosec\nb()  # nosec B101\nc()  # nosemgrep -- trust me\n")
    assert not bare.valid and not no_reason.valid and not no_rule.valid
    assert no_reason.rule_ids == ("B101",) and no_rule.reason == "trust me"


def test_same_weakness_from_both_tools_is_merged_with_semgrep_leading():
    groups = deduplicate([raw("bandit", "B608", 10, 89), raw("semgrep", "sql-injection", 10, 89), raw("bandit", "B404", 1, 78)])
    assert len(groups) == 2
    merged = next(group for group in groups if len(group) == 2)
    assert merged[0].tool == "semgrep" and merged[1].tool == "bandit"


def test_different_cwes_or_files_are_not_merged():
    groups = deduplicate([raw("bandit", "B608", 10, 89), raw("semgrep", "xss", 10, 79), raw("semgrep", "sql-injection", 10, 89, path="other.py")])
    assert len(groups) == 3 and all(len(group) == 1 for group in groups)


def build(items, text="", directives=None, taint=True):
    sources = {"pkg/app.py": text}
    parsed = directives if directives is not None else {"pkg/app.py": parse_directives(text)}
    return build_findings(items, sources.get, parsed, taint_confirmed=taint)


def test_merged_finding_names_both_tools_and_keeps_precise_cwe():
    (finding,) = build([raw("bandit", "B608", 2, 89, Severity.MEDIUM), raw("semgrep", "sql-injection", 2, 89)], "x\ncur.execute(q)\n")
    assert finding.tool == "bandit+semgrep"
    assert finding.rule_id == "sql-injection" and finding.cwe == (89, 943)  # specific, then its class
    assert finding.properties["tools"] == ["bandit", "semgrep"]
    assert finding.properties["cwe_top25_2024"] is True
    assert finding.location.snippet == "cur.execute(q)"


def test_unconfirmed_bandit_dataflow_hit_is_capped_at_medium_only_when_taint_ran():
    (capped,) = build([raw("bandit", "B602", 1, 78)], "run(cmd, shell=True)\n")
    assert capped.severity is Severity.MEDIUM and capped.properties["capped_from"] == "high"
    (kept,) = build([raw("bandit", "B602", 1, 78)], "run(cmd, shell=True)\n", taint=False)
    assert kept.severity is Severity.HIGH
    (weak_hash,) = build([raw("bandit", "B324", 1, 328)], "hashlib.md5(p)\n")
    assert weak_hash.severity is Severity.HIGH


def test_valid_suppression_marks_but_keeps_the_finding():
    text = "run(cmd, shell=True)  # nosec B602 -- cmd is a constant\n"
    (finding,) = build([raw("bandit", "B602", 1, 78)], text)
    assert finding.suppressed and finding.suppression.reason == "cmd is a constant"


def test_suppression_naming_another_rule_does_not_apply():
    text = "run(cmd, shell=True)  # nosec B101 -- unrelated\n"
    (finding,) = build([raw("bandit", "B602", 1, 78)], text)
    assert not finding.suppressed


def test_bare_suppression_suppresses_nothing_and_is_reported():
    text = "run(cmd, shell=True)  # nosec\n"
    findings = build([raw("bandit", "B602", 1, 78)], text)
    real = next(f for f in findings if f.rule_id == "B602")
    bare = next(f for f in findings if f.rule_id == BARE_SUPPRESSION_RULE)
    assert not real.suppressed
    assert bare.severity is Severity.LOW and bare.location.start_line == 1


def test_findings_in_tests_are_marked_test_context():
    (finding,) = build_findings([raw("bandit", "B603", 3, 78, Severity.LOW, path="tests/test_x.py")], lambda p: "a\nb\nrun(x)\n", {}, taint_confirmed=True)
    assert finding.context == "test"


def test_assert_is_a_finding_in_product_code_only():
    """pytest checks with assert: B101 in a test file is the idiom, not a weakness."""
    findings = build_findings(
        [raw("bandit", "B101", 3, 703, Severity.LOW, path="tests/test_x.py"), raw("bandit", "B101", 3, 703, Severity.LOW, path="pkg/core.py")],
        lambda p: "a\nb\nassert x\n",
        {},
        taint_confirmed=True,
    )
    assert [(finding.rule_id, finding.location.path) for finding in findings] == [("B101", "pkg/core.py")]


def test_redact_hides_credential_values_in_snippets():
    assert redact('password = "hunter2hunter2"') == 'password = "***"'
    assert "s3cr3t" not in redact("API_KEY='s3cr3tvalue'")
    assert redact("total = compute(a, b)") == "total = compute(a, b)"


def test_benchmarks_count_as_test_code_not_product():
    from baseline.target import is_test_path

    assert is_test_path("bench/bench_scan.py") and is_test_path("benchmarks/run.py")
    assert not is_test_path("bench.py") and not is_test_path("pkg/bench/core.py")


def test_bandit_pattern_hit_the_pack_did_not_confirm_is_downgraded_with_a_reason_never_dropped():
    hits = [raw("bandit", "B602", 1, 78), raw("bandit", "B311", 2, 338), raw("bandit", "B104", 3, 1327)]
    text = "run(cmd, shell=True)\nrandom.random()\nbind('0.0.0.0')\n"
    findings = build_findings(hits, lambda _: text, {}, taint_confirmed=True, pack_cwes=frozenset({78, 338}), pack_analysed=lambda p: True)
    command, rand, bind = sorted(findings, key=lambda f: f.location.start_line)
    for finding in (command, rand):
        assert finding.properties["downgraded"] is True and "found no flow" in finding.properties["downgrade_reason"]
        assert finding.severity is Severity.LOW and finding.confidence is Confidence.LOW
    assert command.properties["downgraded_from"]["severity"] == "high"
    assert rand.cwe == (338, 330)
    assert "downgraded" not in bind.properties  # the pack has no rule for CWE-1327
    # where the pack did not analyse the file, nothing is downgraded
    (kept,) = build_findings(hits[:1], lambda _: text, {}, taint_confirmed=True, pack_cwes=frozenset({78}), pack_analysed=lambda p: False)
    assert "downgraded" not in kept.properties


def test_only_comments_are_suppression_directives() -> None:
    """``# nosec`` inside a docstring or a string documents the syntax; it suppresses and flags nothing."""
    text = (
        '"""Use ``# nosec B602 -- reason``; a bare ``# nosec`` suppresses nothing."""\n'
        'HELP = "# nosemgrep"\n'
        "run(cmd, shell=True)  # nosec B602 -- a fixed command\n"
    )
    directives = parse_directives(text)
    assert [(item.line, item.kind, item.rule_ids) for item in directives] == [(3, "nosec", ("B602",))]
    broken = "def f(:\n    x = 1  # nosec\n"  # does not tokenize: read line by line
    assert [item.line for item in parse_directives(broken)] == [2]


def test_findings_outside_what_the_package_ships_are_tooling(tmp_path) -> None:
    """A shell call in scripts/ (not shipped, not a test) is reported as tooling: weighed like tests,
    never gating, never capping; the same call in the package is product."""
    from baseline.checks.static_analysis import weighted_load
    from baseline.scoring import caps
    from baseline.target import path_context
    from baseline.tools.static_common import RawFinding

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n[tool.setuptools]\npackages = ["app"]\n')
    for name in ("app/__init__.py", "scripts/deploy.py", "tests/test_app.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("import subprocess\nsubprocess.run(cmd, shell=True)\n")
    assert [path_context(tmp_path, name) for name in ("app/__init__.py", "scripts/deploy.py", "tests/test_app.py")] == ["product", "tooling", "test"]
    raw = [
        RawFinding(tool="bandit", rule_id="B602", path=name, start_line=2, end_line=2, severity=Severity.HIGH, confidence=Confidence.HIGH, message="shell", cwe=(78,))
        for name in ("app/__init__.py", "scripts/deploy.py")
    ]
    findings = build_findings(raw, lambda path: (tmp_path / path).read_text(), {}, taint_confirmed=False, context_of=lambda path: path_context(tmp_path, path))
    by_path = {finding.location.path: finding for finding in findings}
    assert by_path["app/__init__.py"].context == "product" and by_path["scripts/deploy.py"].context == "tooling"
    assert caps(by_path["app/__init__.py"]) and not caps(by_path["scripts/deploy.py"])
    assert weighted_load([by_path["scripts/deploy.py"]], 0.2) == pytest.approx(0.2 * weighted_load([by_path["app/__init__.py"]], 0.2))
