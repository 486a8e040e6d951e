"""The T04 judge on fake scan records, the allow-list parser and the history-mode decision."""

from __future__ import annotations

from baseline.checks.hardcoded_secrets import judge, where
from baseline.model import Confidence, Outcome, Severity
from baseline.tools.secrets.allowlist import parse_entries
from baseline.tools.secrets.engine import Detection
from baseline.tools.secrets.history import HistoryHit, HistoryScan
from baseline.tools.secrets.scan import SecretsScan, TreeHit, history_wanted


def _detection(rule: str = "secrets.github-pat-classic", sha: str = "a" * 64, **extra) -> Detection:
    fields = dict(rule_id=rule, start_line=3, end_line=3, secret_sha256=sha, length=40, redacted="ghp_...(40 chars)",
                  snippet='T = "ghp_...(40 chars)"', validated=True, confidence="high")
    fields.update(extra)
    return Detection(**fields)


def _scan(tree=(), history=None) -> SecretsScan:
    return SecretsScan("ok", "", tuple(tree), 10, 1000, (("big.bin", "binary"),), 0.1, history, "secrets.history = on", ())


def _history(*hits: HistoryHit, status: str = "ok") -> HistoryScan:
    return HistoryScan(status, "msg", hits, commits=5, blobs_total=9, blobs_scanned=9)


def test_clean_tree_passes_with_evidence_of_what_ran() -> None:
    result = judge(_scan(), [], [])
    assert result.outcome is Outcome.PASS and result.score == 10.0
    assert result.metrics["files_scanned"] == 10
    assert any("binary" in e.summary for e in result.evidence)


def test_product_secret_fails_and_test_secret_is_low() -> None:
    result = judge(_scan([TreeHit("app/cfg.py", _detection()), TreeHit("tests/test_a.py", _detection(sha="b" * 64))]), [], [])
    assert result.outcome is Outcome.FAIL
    by_path = {f.location.path: f for f in result.findings}
    assert by_path["app/cfg.py"].severity is Severity.CRITICAL and by_path["app/cfg.py"].context == "product"
    assert by_path["tests/test_a.py"].severity is Severity.LOW and by_path["tests/test_a.py"].context == "test"
    assert result.score == 10 - 3 - 0.25
    assert all(f.fingerprint.endswith(":0") for f in result.findings)


def test_inline_and_config_suppressions() -> None:
    inline = TreeHit("app/a.py", _detection(allow_reason="fixture key, revoked"))
    by_path = TreeHit("app/vendored/x.py", _detection(sha="c" * 64))
    by_hash = TreeHit("app/b.py", _detection(sha="d" * 64))
    result = judge(_scan([inline, by_path, by_hash]), ["app/vendored/* -- third-party test vector", "sha256:" + "d" * 16 + " -- public demo key"], [])
    assert result.outcome is Outcome.PASS
    kinds = sorted((f.suppression.kind, f.suppression.reason) for f in result.findings)
    assert kinds == [("config", "public demo key"), ("config", "third-party test vector"), ("inline", "fixture key, revoked")]


def test_allow_entries_need_reasons() -> None:
    entries, problems = parse_entries(["app/* -- ok", "sha256:abc", "sha256:12 -- too short", "tests/*"])
    assert [e.pattern for e in entries] == ["app/*"]
    assert len(problems) == 3
    result = judge(_scan(), ["tests/*"], [])
    assert [f.rule_id for f in result.findings] == ["secrets.config-entry-invalid"]


def test_history_only_secret_fails_until_marked_rotated() -> None:
    hit = HistoryHit(_detection(sha="e" * 64), "blob1", "app/old.py", "c0ffee" * 6 + "abcd", "2024-01-02T03:04:05+00:00", False)
    result = judge(_scan(history=_history(hit)), [], [])
    assert result.outcome is Outcome.FAIL
    (finding,) = result.findings
    assert finding.context == "history" and finding.location.path == "app/old.py"
    assert finding.properties["introduced_commit"].startswith("c0ffee") and finding.properties["present_at_head"] is False
    assert "rotate" in finding.message
    rotated = judge(_scan(history=_history(hit)), [], ["sha256:" + "e" * 12 + " -- rotated 2024-02-01"])
    assert rotated.outcome is Outcome.PASS and rotated.findings[0].suppression.kind == "rotated"


def test_tree_secret_gets_its_introducing_commit() -> None:
    hit = HistoryHit(_detection(), "blob1", "app/cfg.py", "abc123" * 6 + "abcd", "2024-01-02T03:04:05+00:00", True)
    result = judge(_scan([TreeHit("app/cfg.py", _detection())], _history(hit)), [], [])
    (finding,) = result.findings
    assert finding.context == "product" and finding.properties["present_at_head"] is True
    assert "introduced in commit abc123abc123" in finding.message


def test_history_error_is_an_error_not_a_pass() -> None:
    result = judge(_scan(history=HistoryScan("error", "git rev-list failed")), [], [])
    assert result.outcome is Outcome.ERROR


def test_low_confidence_generic_does_not_fail() -> None:
    weak = _detection(rule="secrets.generic-assignment", confidence="low")
    result = judge(_scan([TreeHit("app/a.py", weak)]), [], [])
    assert result.outcome is Outcome.PASS and result.findings[0].confidence is Confidence.LOW


def test_where_classifies_tests_and_docs() -> None:
    assert where("tests/fixtures/creds.json") == "test"
    assert where("docs/setup.md") == "docs" and where("README.md") == "docs"
    assert where("pkg/settings.py") == "product"


def test_history_mode() -> None:
    assert history_wanted("on", {})[0] and not history_wanted("off", {"CI": "true"})[0]
    assert history_wanted("auto", {"CI": "true"})[0]
    assert not history_wanted("auto", {"CI": "false"})[0]
