"""baseline: verify a Python project against the NIST IR 8397 minimum verification techniques."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
