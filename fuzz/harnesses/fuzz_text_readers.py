"""Fuzz the small readers of text that tools and targets write, and the redactors every report goes through.

Entry points (each documented to raise only its own clear error, listed in EXPECTED, or nothing):
``baseline.tools.git_history.added_test_functions`` (two versions of a test file),
``baseline.tools.typecheck.parse_pyright``
(pyright's JSON), ``baseline.tools.static_normalise.parse_directives`` (suppression comments),
``baseline.catalog.parse_catalog`` (a user's catalog), ``baseline.parsing`` (``json_loads``,
``toml_loads``, ``yaml_safe_load``), ``defusedxml.ElementTree.fromstring`` (as the JUnit readers call it) and ``baseline.replay.junit_counts``
(JUnit written by the target), ``baseline.tools.threat_model`` (``draft_state``, ``draft_digest``,
``mark_draft``, ``security_section``), ``baseline.tools.threat_content.markdown_blocks`` (a threat
model's blocks), ``baseline.web.openapi.looks_like_spec``, the redactors
``baseline.tools.static_normalise.redact``, ``baseline.tools.test_records.redact``,
``baseline.reports.redact.redact_request`` and ``baseline.reports.redact.redact`` (which must be
idempotent: redacting twice changes nothing more), ``baseline.tools.semgrep.short_rule_id``,
``baseline.target.is_test_path``, ``baseline.sandbox.is_sensitive_name`` and ``baseline.bundle.sha256``.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from defusedxml import ElementTree as safe_et

    from baseline import bundle, parsing, sandbox, target
    from baseline import catalog as catalog_module
    from baseline.catalog import parse_catalog
    from baseline.replay import junit_counts
    from baseline.reports import redact as reports_redact
    from baseline.tools import semgrep, static_normalise, test_records
    from baseline.tools.git_history import added_test_functions
    from baseline.tools.threat_content import markdown_blocks
    from baseline.tools.static_normalise import parse_directives
    from baseline.tools.threat_model import draft_digest, draft_state, mark_draft, security_section
    from baseline.tools.typecheck import parse_pyright
    from baseline.web.openapi import looks_like_spec
    from baseline.reports.redact import redact_request

EXPECTED: tuple[type[BaseException], ...] = (ValueError, safe_et.ParseError, catalog_module.CatalogError)


def _expect(call, *args):
    try:
        return call(*args)
    except EXPECTED as exc:
        _support.documented(exc)
        return None


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    half = len(text) // 2
    for name in added_test_functions(text[:half], text[half:]):
        if not name.startswith("test"):
            raise AssertionError(f"added_test_functions returned {name!r}")
    if any(not block for block in markdown_blocks(text)):
        raise AssertionError("markdown_blocks returned an empty block")
    _expect(parse_pyright, text)
    parse_directives(text)
    _expect(parse_catalog, text)
    _expect(parsing.json_loads, data)
    _expect(parsing.toml_loads, text)
    _expect(parsing.yaml_safe_load, data)
    _expect(lambda blob: safe_et.fromstring(blob, forbid_dtd=True), data)
    _expect(junit_counts, data)
    state = draft_state(text)
    if not (isinstance(state, tuple) and len(state) == 3):
        raise AssertionError(f"draft_state returned {state!r}")
    marked = mark_draft(text)
    if draft_digest(text) != draft_digest(text):
        raise AssertionError("draft_digest is not deterministic")
    if not draft_state(marked)[0]:
        raise AssertionError("a freshly marked draft is not recognised as a draft")
    security_section(text)
    looks_like_spec(text)
    for redactor in (static_normalise.redact, test_records.redact, redact_request, reports_redact.redact):
        once = redactor(text)
        if redactor(once) != once:
            raise AssertionError(f"{redactor.__module__}.{redactor.__name__} is not idempotent on {text[:80]!r}")
    semgrep.short_rule_id(text)
    target.is_test_path(text)
    sandbox.is_sensitive_name(text)
    bundle.sha256(data)


def main() -> None:
    atheris.Setup(_support.fuzz_argv("text_readers", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
