from __future__ import annotations

from baseline.docgen import main


def test_generated_reference_pages_are_current() -> None:
    # Fails when a check spec or config key changed without `python -m baseline.docgen`.
    assert main(["--check"]) == 0
