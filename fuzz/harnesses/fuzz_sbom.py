"""Fuzz the dependency readers behind the SBOM: lock files, requirements files and pyproject.toml.

Entry point: ``baseline.tools.sbom.collect(root)`` (``baseline sbom`` and T11 call it), then
``build_sbom`` on what it found. Nothing is documented as raised: an unreadable file is a
*problem* of the inventory and the next source is read instead. So any exception is a crash.
The first input byte chooses which file the rest of the input becomes.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline", "tomllib", "packaging"]):
    from baseline.tools.sbom import build_sbom, collect

EXPECTED: tuple[type[BaseException], ...] = ()
FILES = ("requirements.txt", "pyproject.toml", "pylock.toml", "uv.lock", "poetry.lock", "Pipfile.lock", "requirements-dev.txt", "requirements.txt")
WORK = _support.scratch("sbom")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    _support.put(WORK, FILES[data[0] % len(FILES)], data[1:], FILES)
    inventory = collect(WORK)
    for component in inventory.components:
        component.purl
    build_sbom(inventory, "demo", "1.0")


def main() -> None:
    atheris.Setup(_support.fuzz_argv("sbom", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
