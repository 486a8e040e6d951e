"""Load corpus.py by path (tests/ is not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_corpus_module() -> ModuleType:
    """Import tests/secrets_corpus/corpus.py as the module ``secrets_corpus``."""
    if "secrets_corpus" in sys.modules:
        return sys.modules["secrets_corpus"]
    path = Path(__file__).resolve().parent / "corpus.py"
    spec = importlib.util.spec_from_file_location("secrets_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["secrets_corpus"] = module
    spec.loader.exec_module(module)
    return module
