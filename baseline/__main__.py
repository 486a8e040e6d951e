"""Allow ``python -m baseline``."""

from __future__ import annotations

from baseline.cli import main

raise SystemExit(main())
