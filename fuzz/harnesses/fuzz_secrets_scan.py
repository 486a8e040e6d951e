"""Fuzz the hard-coded secrets detector (T04 and the pre-commit hook): every file of a target goes through it.

Entry points: ``baseline.tools.secrets.engine.scan_bytes`` and ``scan_pkcs12`` (the detector),
``engine.is_binary``, ``engine.degenerate``, ``engine.keyword_hits`` (the pre-filter), the generic
rule's filters in ``baseline.tools.secrets.generic`` (``shannon_entropy``, ``char_classes``,
``is_placeholder``, ``passes_strength``) and ``baseline.tools.secrets.redact`` (``redact``,
``fingerprint``) and the offline validator ``baseline.tools.secrets.validators.github_checksum``. Documented: the detector never raises on any input, and a redacted value never
shows the secret: beyond its first four characters nothing of a value of 12 or more bytes
appears in ``redact``'s output.
"""

import sys

import atheris

import _support

with atheris.instrument_imports(include=["baseline"]):
    from baseline.tools.secrets import engine, generic
    from baseline.tools.secrets.validators import github_checksum
    from baseline.tools.secrets.redact import fingerprint, redact

SUFFIXES = ("config.py", "settings.yaml", ".env", "app.json", "deploy.sh", "notes.txt", "key.pem", "store.p12")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    path = SUFFIXES[data[0] % len(SUFFIXES)]
    body = data[1:]
    for detection in engine.scan_bytes(body, path):
        if not detection.redacted or len(detection.secret_sha256) < 12:
            raise AssertionError(f"detection without a redacted form or fingerprint: {detection!r}")
    engine.scan_pkcs12(body)
    engine.is_binary(body)
    engine.keyword_hits(body.lower())
    value = body[:200]
    engine.degenerate(value)
    entropy = generic.shannon_entropy(value)
    if not 0.0 <= entropy <= 8.0:
        raise AssertionError(f"entropy {entropy} out of range")
    if not 0 <= generic.char_classes(value) <= 4:
        raise AssertionError("more than four character classes")
    generic.is_placeholder(value)
    generic.passes_strength(value)
    github_checksum("".join(ch for ch in value.decode("latin-1") if ch.isascii() and ch.isalnum()))  # token characters, as matched
    shown = redact(value)
    if len(value) >= 12 and len(set(value[4:])) > 3:
        hidden = value[4:].decode("latin-1")
        if hidden in shown:
            raise AssertionError(f"redact() shows the secret: {shown!r}")
    if fingerprint(value) != fingerprint(bytes(value)):
        raise AssertionError("fingerprint is not deterministic")


def main() -> None:
    atheris.Setup(_support.fuzz_argv("secrets_scan", sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
