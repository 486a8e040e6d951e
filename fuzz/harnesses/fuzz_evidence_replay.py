"""Fuzz the evidence replayers of ``baseline verify`` (JUnit XML and coverage.py JSON artifacts).

Entry point: ``baseline.replay.replay(data, metrics, technique)``: recompute a check's figures
from an artifact in a bundle (``junit_counts`` for JUnit XML) and compare them with the metrics
its report claims. Both come from
the untrusted bundle. Documented: it never raises; an unparsable artifact or a metric that is
not a number is a mismatch (a text), which demotes the result. The first input byte picks the
technique (T02: JUnit, T07: coverage) and the type of the claimed metric values.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline.replay import replay

EXPECTED: tuple[type[BaseException], ...] = ()
# What a metric can be after json.loads of a tampered report (Infinity and NaN are accepted).
VALUES = (3, 91.5, "3", None, "three", [3], True, float("inf"), float("nan"), {"n": 3}, -1, 10**30, "91.5", "")
KEYS = {"T02": ("passed", "failed", "errors", "skipped"), "T07": ("percent_statements",)}


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    technique = "T07" if data[0] & 1 else "T02"
    value = VALUES[(data[0] >> 1) % len(VALUES)]
    metrics = {key: value for key in KEYS[technique]}
    problem = replay(data[1:], metrics, technique)
    if not isinstance(problem, str):
        raise AssertionError(f"replay returned {problem!r}, not a text")


def main() -> None:
    atheris.Setup(_support.fuzz_argv("evidence_replay", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
