"""Fuzz the OSV record reader of the offline advisory matcher (``components.osv_db``).

Entry point: ``baseline.tools.osv.parse_record(name, data)``, which ``load_database`` calls for
every JSON or YAML file of a local OSV database (decoded by ``baseline.parsing``: ``json_loads``
and ``yaml_safe_load``). Documented error: ``ValueError`` (the record is
skipped and listed, one corrupt record must not hide the rest). Advisories that load are matched
against every pinned dependency, so ``affects`` must answer for any version text.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline.tools.osv import parse_record

EXPECTED = (ValueError,)
NAMES = ("record.json", "record.yaml")
VERSIONS = ("0", "1.0", "1.4.2", "2.0.1", "3!1.0.post2.dev3", "not a version", "")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    try:
        _record, advisories = parse_record(NAMES[data[0] & 1], data[1:])
    except EXPECTED as exc:
        _support.documented(exc)
        return
    for advisory in advisories:
        advisory.ids
        for version in VERSIONS:
            advisory.affects(version)


def main() -> None:
    atheris.Setup(_support.fuzz_argv("osv", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
