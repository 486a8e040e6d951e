"""Unit tests of the bandit and semgrep report parsers (no tool is run)."""

from __future__ import annotations

from pathlib import Path

from baseline.model import Confidence, Severity
from baseline.tools.bandit import bandit_argv, parse_bandit_report
from baseline.tools.semgrep import offline_environment, parse_semgrep_report, semgrep_argv, short_rule_id
from baseline.tools.static_common import BANDIT_CWE, CWE_TOP25_2024, FileNote, parse_cwe, parse_severity, with_class

ROOT = Path("/project")


def test_bandit_report_maps_precise_cwes_and_lists_unparsed_files():
    report = {
        "results": [
            {"test_id": "B324", "issue_severity": "HIGH", "issue_confidence": "HIGH", "issue_cwe": {"id": 327},
             "filename": "/project/pkg/auth.py", "line_number": 7, "line_range": [7, 8], "issue_text": "weak md5", "test_name": "hashlib"},
            {"test_id": "B404", "issue_severity": "LOW", "issue_confidence": "HIGH", "issue_cwe": {"id": 78},
             "filename": "pkg/run.py", "line_number": 1, "line_range": [1], "issue_text": "subprocess import", "test_name": "blacklist"},
        ],
        "errors": [{"filename": "/project/pkg/py2.py", "reason": "syntax error while parsing AST from file"}],
    }
    findings, notes = parse_bandit_report(report, ROOT)
    weak, imported = findings
    assert weak.cwe == (328,) and weak.path == "pkg/auth.py" and weak.end_line == 8
    assert weak.severity is Severity.HIGH and weak.properties["tool_cwe"] == 327
    assert imported.severity is Severity.INFO and imported.cwe == ()  # a mere import carries no weakness CWE
    assert notes[0].path == "pkg/py2.py" and "syntax error" in notes[0].reason


def test_bandit_cwe_table_corrects_bandit_tags():
    assert BANDIT_CWE["B324"] == 328 and BANDIT_CWE["B303"] == 328
    assert BANDIT_CWE["B307"] == 95 and BANDIT_CWE["B102"] == 95
    assert BANDIT_CWE["B314"] == 776 and BANDIT_CWE["B320"] == 611 and BANDIT_CWE["B506"] == 502
    assert BANDIT_CWE["B201"] == 489 and BANDIT_CWE["B311"] == 338
    assert with_class((338,)) == (338, 330) and with_class((95,)) == (95, 94) and with_class((611, 89)) == (611, 89, 610, 943)


def test_bandit_syntax_failures_are_reworded_and_portable_bandit_runs_elsewhere(tmp_path):
    from baseline.tools.bandit import is_syntax_note, portable_bandit

    assert is_syntax_note(FileNote("a.py", "bandit", "syntax error while parsing AST from file"))
    site = portable_bandit(tmp_path / "p")
    assert site is not None and (site / "bandit" / "__init__.py").is_file()
    assert any(path.name == "entry_points.txt" for path in site.glob("bandit-*.dist-info/*"))


def test_bandit_argv_ignores_nosec_and_skips_credential_tests(tmp_path):
    argv = bandit_argv(["a.py"], tmp_path / "out.json")
    assert "--ignore-nosec" in argv and "B105,B106,B107" in argv and argv[-1] == "a.py"


def test_semgrep_report_uses_rule_metadata_and_separates_file_errors():
    report = {
        "results": [
            {"check_id": "checks.rules.sql-injection", "path": "/project/app.py", "start": {"line": 5}, "end": {"line": 6},
             "extra": {"message": "SQL  built\n from input", "severity": "ERROR",
                       "metadata": {"cwe": ["CWE-89: SQL Injection"], "owasp": ["A03:2021 - Injection"], "baseline_severity": "high", "confidence": "HIGH"}}},
        ],
        "errors": [
            {"type": "Syntax error", "level": "warn", "message": "bad syntax", "path": "/project/broken.py"},
            {"type": "Rule parse error", "level": "error", "message": "invalid pattern"},
        ],
        "paths": {"scanned": ["/project/app.py"]},
    }
    findings, notes, fatal = parse_semgrep_report(report, ROOT)
    (finding,) = findings
    assert finding.rule_id == "sql-injection" and finding.cwe == (89,)
    assert finding.severity is Severity.HIGH and finding.confidence is Confidence.HIGH
    assert finding.message == "SQL built from input" and (finding.start_line, finding.end_line) == (5, 6)
    assert notes[0].path == "broken.py" and notes[0].tool == "semgrep"
    assert fatal and "Rule parse error" in fatal[0]


def test_semgrep_runs_offline(tmp_path):
    argv = semgrep_argv("semgrep", tmp_path / "rules", tmp_path / "out.json", ["a.py"], 1024)
    assert "--metrics=off" in argv and "--disable-version-check" in argv and "--disable-nosem" in argv
    assert not any(part.startswith(("p/", "r/")) or part == "auto" for part in argv)
    env = offline_environment(tmp_path)
    assert env["SEMGREP_ENABLE_VERSION_CHECK"] == "0" and env["HOME"].startswith(str(tmp_path))


def test_helpers():
    assert short_rule_id("a.b.c.xss") == "xss"
    assert parse_cwe(["CWE-79: XSS", {"id": 89}, 22]) == (79, 89, 22)
    assert parse_severity("WARNING") is Severity.MEDIUM and parse_severity("critical") is Severity.CRITICAL
    assert len(CWE_TOP25_2024) == 25 and CWE_TOP25_2024[:3] == (79, 787, 89)
