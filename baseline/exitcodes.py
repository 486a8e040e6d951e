"""Process exit codes, one named constant each (documented in the README)."""

from __future__ import annotations

OK = 0
"""Scan complete; the gate passed, or no gate was asked for."""

GATE_FAILED = 1
"""The gate failed: the policy was violated (score, severity or a required technique failed)."""

USAGE_ERROR = 2
"""Usage or configuration error: a bad flag, a bad config file or catalog, a missing target."""

INCOMPLETE = 3
"""Incomplete: a required technique errored or was not evaluated."""

INTERNAL_ERROR = 4
"""An internal error of the toolkit itself."""
