"""Fuzz the technique catalog reader (``--catalog FILE``).

Entry point: ``baseline.catalog.load_catalog(path)``, which reads the file and calls
``parse_catalog``. Documented error: ``CatalogError`` (exit 2 naming the file and the bad key).
A catalog that loads must score: its weights are finite and not negative.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline", "tomllib"]):
    from baseline.catalog import load_catalog
    from baseline.errors import CatalogError

EXPECTED = (CatalogError,)
WORK = _support.scratch("catalog")


def TestOneInput(data: bytes) -> None:
    path = _support.put(WORK, "catalog.toml", data)
    try:
        catalog = load_catalog(path)
    except EXPECTED as exc:
        _support.documented(exc)
        return
    weights = [technique.weight for technique in catalog.techniques] + list(catalog.check_weights.values())
    _support.assert_finite(weights, "weights")
    if any(weight < 0 for weight in weights):
        raise AssertionError(f"a negative weight passed validation: {weights}")
    {technique.id for technique in catalog.techniques}


def main() -> None:
    atheris.Setup(_support.fuzz_argv("catalog", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
