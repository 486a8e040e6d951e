"""When each built-in check may conclude ``not_applicable``: the single source read by the
reference pages (baseline/docgen.py renders the table in docs/checks.md) and by the verifier
(baseline/rederive.py treats a ``not_applicable`` claim for a check that never concludes it as a
mismatch).
"""

from __future__ import annotations

# Per check: what makes it not_applicable (the positive evidence it must show), or "never". Every
# installed check must have an entry (tests/unit/test_score_model.py); the runner enforces the
# evidence contract whatever a check returns (baseline.scoring.NA_RULE).
NOT_APPLICABLE_WHEN: dict[str, str] = {
    "threat-modeling.model": "never: a project without a threat model scores 0",
    "automated-testing.pytest": "never: no test ran is a fail (0)",
    "static-analysis.scan": "the tree holds no Python file at all (files listed, none ends in .py)",
    "hardcoded-secrets.scan": "never: every tree has files to read; required history that cannot be read is an error",
    "language-checks.assert-guards": "every product module was parsed and no assert guards authorisation, input "
    "validation or state (nothing to judge: no credit); no product module at all is not_evaluated",
    "language-checks.dev-mode-warnings": "never: no test executed is not_evaluated (0)",
    "language-checks.native-hardening": "no ELF extension module (*.so) in the tree or build/ output",
    "language-checks.type-checker": "the project configures no type checker (mypy or pyright configuration inspected)",
    "black-box-tests.identified": "never",
    "structural-coverage.coverage": "the project has no Python package or module of its own (no test ran is a fail at 0%)",
    "regression-tests.cited": "never: no test cites a fixed bug is a fail",
    "regression-tests.fix-commits": "the git history window was read in full and no commit in it is a fix "
    "(no git, no repository or a shallow clone is not_evaluated)",
    "regression-tests.fuzz-replay": "the crash store was read and holds no fuzzing crash reproducer",
    "fuzzing.atheris": "no atheris harness and the attack-surface extractor finds no product function that takes "
    "bytes, text, files or streams",
    "web-app-scanning.api": "the app serves no OpenAPI specification (paths probed, files searched), or the product "
    "has no network listener of any kind (as for wapiti)",
    "web-app-scanning.wapiti": "no web framework, WSGI/ASGI app or Django project, and no network listener of any kind "
    "in the product (stdlib http.server/socketserver/asyncio servers and socket bind/listen included), every "
    "product file parsed; a listener the toolkit cannot start is not_evaluated (0)",
    "included-components.osv": "every manifest in the tree was read and none declares a dependency (a manifest that cannot be parsed is an error)",
}


def never_not_applicable() -> frozenset[str]:
    """The checks that never conclude not_applicable (their entry starts with "never")."""
    return frozenset(check_id for check_id, when in NOT_APPLICABLE_WHEN.items() if when.startswith("never"))
