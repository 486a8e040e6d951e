"""Fuzz the configuration reader: ``[tool.baseline]`` in pyproject.toml, or baseline.toml.

Entry point: ``baseline.config.load_config(target)`` (what ``baseline scan`` calls; the file is
decoded by ``baseline.parsing.toml_loads``). Documented
error: ``ConfigError`` (exit 2 with a message naming the file and key). Every value that passes
must have its declared kind and be a finite number where a number is wanted.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline", "tomllib"]):
    from baseline.config import KEYS_BY_NAME, load_config
    from baseline.errors import ConfigError

EXPECTED = (ConfigError,)
FILES = ("pyproject.toml", "baseline.toml")
WORK = _support.scratch("config")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    _support.put(WORK, FILES[data[0] & 1], data[1:], FILES)
    try:
        config = load_config(WORK)
    except EXPECTED as exc:
        _support.documented(exc)
        return
    for name, value in config.values.items():
        kind = KEYS_BY_NAME[name].kind
        wanted = (int, float) if kind is float else kind
        if not isinstance(value, wanted) or (kind is not bool and isinstance(value, bool)):
            raise AssertionError(f"key {name} passed validation as {type(value).__name__}, declared {kind.__name__}")
        _support.assert_finite(value, name)
    config.as_dict()


def main() -> None:
    atheris.Setup(_support.fuzz_argv("config", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
