"""Real libraries scanned the way their own CI runs them: T02/T07 vs the documented command by hand.

The three libraries, chosen before the work on running projects as their CI does, cover three
shapes; each is fetched as its PyPI sdist (``pip download --no-binary :all: --no-deps``):

- more-itertools 10.5.0: a unittest suite (``python -m unittest -v``, tox.ini; Makefile
  ``coverage run --include="more_itertools/*.py" -m unittest``);
- attrs 24.2.0: parallel coverage (``[tool.coverage.run] parallel = true``), hatch, dependency
  extras ``tests``;
- pytest-mock 3.14.0: a pytest plugin whose tests need other plugins (pytest-asyncio, pytester),
  tox.ini ``coverage run --append ... -m pytest tests``.
"""

from __future__ import annotations

LIBRARIES = (
    ("more-itertools", "10.5.0", "unittest suite"),
    ("attrs", "24.2.0", "parallel coverage"),
    ("pytest-mock", "3.14.0", "pytest plugins"),
)
