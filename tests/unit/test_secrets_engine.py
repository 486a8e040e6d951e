"""Unit tests of the secrets engine: rules on the labeled corpus, validators, filters, redaction."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "secrets_corpus"))
from load import load_corpus_module  # noqa: E402

from baseline.tools.secrets import engine, generic, validators  # noqa: E402
from baseline.tools.secrets.redact import fingerprint, redact, redact_line  # noqa: E402
from baseline.tools.secrets.rules import ALL_RULE_IDS, RULES  # noqa: E402

corpus = load_corpus_module()
SAMPLES = corpus.build_corpus()


def _ids(text: str, path: str = "x.py") -> set[str]:
    return {d.rule_id for d in engine.scan_blob(text.encode(), path)[0]}


def test_rule_catalogue_is_broad_and_stable() -> None:
    assert len(ALL_RULE_IDS) >= 80
    assert len(set(ALL_RULE_IDS)) == len(ALL_RULE_IDS)
    for rule in RULES:
        assert rule.id.startswith("secrets.") and rule.description and rule.keywords
        for keyword in rule.keywords:
            assert keyword == keyword.lower()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_rule_finds_its_positives_and_ignores_lookalikes(rule) -> None:
    mine = [s for s in SAMPLES if s.rule_id == rule.id]
    positives = [s for s in mine if s.positive]
    negatives = [s for s in mine if not s.positive]
    assert len(positives) >= 2 and len(negatives) >= 2
    for sample in positives:
        assert rule.id in _ids(sample.content, sample.name), sample.name
    for sample in negatives:
        assert _ids(sample.content, sample.name) == set(), sample.name


def test_generic_set_precision_and_recall() -> None:
    generic_samples = [s for s in SAMPLES if s.kind.startswith("generic")]
    for sample in generic_samples:
        found = _ids(sample.content, sample.name)
        assert bool(found) == sample.positive, (sample.name, found)


def test_github_checksum_accepts_valid_and_rejects_broken() -> None:
    rng = random.Random(4)
    token = corpus.github_token(rng)
    assert validators.github_crc32(token.encode(), b"", 0)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert not validators.github_crc32(broken.encode(), b"", 0)
    assert _ids(f'T = "{broken}"\n') == set()


def test_pem_structure_is_validated() -> None:
    rng = random.Random(5)
    good = corpus.pem_block(rng, "RSA PRIVATE KEY", bytes([0x30, 0x82, 0x02, 0x00]) + rng.randbytes(512))
    assert "secrets.private-key-rsa" in _ids(good, "key.pem")
    not_der = corpus.pem_block(rng, "RSA PRIVATE KEY", b"\x01" + rng.randbytes(512))
    assert _ids(not_der, "key.pem") == set()


def test_aws_documented_example_key_is_quiet() -> None:
    assert _ids('aws_access_key_id = "AKIA' + 'IOSFODNN7EXAMPLE"\n', "config.ini") == set()


@pytest.mark.parametrize(
    "line",
    [
        'password = "changeme"',
        'password = "${DB_PASSWORD}"',
        "token: '{{ vault_token }}'",
        'api_key = os.environ["API_KEY"]',
        'secret = "xxxxxxxxxxxxxxxx"',
        'integrity = "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"',
        'token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
        'session_token_id = "6f1ed002-ab5d-4b3c-9f2e-6a7b3c9d1e2f"',
        "password = get_password()",
        'TOKEN_URL = "https://example.com/oauth/token"',
        '"hardcoded-secrets.scan" = "baseline.checks.hardcoded_secrets:CHECK"',
        'secret_backend = "myapp.backends.vault:VaultBackend"',
    ],
)
def test_generic_false_positive_filters(line: str) -> None:
    assert _ids(line + "\n", "settings.py") == set()


def test_generic_finds_credentials_in_config_syntaxes() -> None:
    value = "Qm7#vR2xLp9!"
    for text, path in (
        (f'PASSWORD = "{value}"', "a.py"),
        (f"password: {value}", "a.yaml"),
        (f"db_password = {value}", "a.ini"),
        (f"DB_PASSWORD={value}", ".env"),
        (f'{{"password": "{value}"}}', "a.json"),
        (f"export API_TOKEN={value}", "run.sh"),
    ):
        assert _ids(text + "\n", path) == {"secrets.generic-assignment"}, text


def test_import_reference_shape_does_not_hide_a_credential_pair() -> None:
    # user:password pairs and tokens with a colon are not import references
    assert _ids('token = "deploy:Qm7vR2xLp9Zk4T"\n', "a.toml") == {"secrets.generic-assignment"}
    assert _ids('password = "svc.prod:Qm7vR2xLp9Zk4T"\n', "a.toml") == {"secrets.generic-assignment"}


def test_unquoted_code_expression_is_not_a_secret() -> None:
    assert _ids("password = Qm7vR2xLp9Zk\n", "a.py") == set()


def test_redaction_never_contains_the_value() -> None:
    value = b"Qm7#vR2xLp9!zzTop"
    shown = redact(value)
    assert "Qm7#vR2xLp9!zzTop" not in shown and shown.endswith("(17 chars)")
    assert len(shown.split("...")[0]) <= 4
    assert fingerprint(value) == fingerprint(b"Qm7#vR2xLp9!zzTop") and len(fingerprint(value)) == 64
    assert "Lp9" not in redact_line(b'x = "' + value + b'"', [value])


def test_detection_records_carry_no_secret_value() -> None:
    rng = random.Random(6)
    token = corpus.github_token(rng)
    other = "Zx8!kQ2mWv7#pLr"
    text = f'GH = "{token}"; password = "{other}"\n'
    detections = engine.scan_blob(text.encode(), "a.py")[0]
    assert {d.rule_id for d in detections} == {"secrets.github-pat-classic", "secrets.generic-assignment"}
    for detection in detections:
        assert token not in repr(detection) and other not in repr(detection)
        assert detection.validated or detection.rule_id == "secrets.generic-assignment"


def test_inline_allow_comment_needs_a_reason() -> None:
    value = "Qm7#vR2xLp9!"
    with_reason = engine.scan_blob(f'password = "{value}"  # baseline: allow-secret -- local test database\n'.encode(), "a.py")[0]
    assert with_reason[0].allow_reason == "local test database"
    above = engine.scan_blob(f'# baseline: allow-secret -- fixture\npassword = "{value}"\n'.encode(), "a.py")[0]
    assert above[0].allow_reason == "fixture"
    without = engine.scan_blob(f'password = "{value}"  # baseline: allow-secret\n'.encode(), "a.py")[0]
    assert without[0].allow_reason is None and without[0].allow_without_reason


def test_bad_input_is_skipped_or_scanned_safely() -> None:
    detections, skipped = engine.scan_blob(b"\x00\x01binary password = 'Qm7#vR2xLp9!'", "a.bin")
    assert skipped == "binary" and detections == []
    invalid = b"\xff\xfe\xfa garbage\npassword = 'Qm7#vR2xLp9!'\n\xc3\x28\n"
    assert [d.rule_id for d in engine.scan_blob(invalid, "a.py")[0]] == ["secrets.generic-assignment"]
    rng = random.Random(7)
    token = corpus.github_token(rng)
    minified = (b"var a=1;" * 300_000) + f'var t="{token}";'.encode() + (b"b=2;" * 100_000)
    found = engine.scan_blob(minified, "bundle.min.js")[0]
    assert [d.rule_id for d in found] == ["secrets.github-pat-classic"]
    assert len(found[0].snippet) <= 200


def test_pkcs12_marker() -> None:
    body = bytes([0x30, 0x82, 0x0A, 0x00, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0xC6, 0x06, 0x09]) + bytes.fromhex("2a864886f70d010701") + b"\x00" * 200
    found = engine.scan_blob(body, "certs/client.p12")[0]
    assert [d.rule_id for d in found] == ["secrets.pkcs12-keystore"]
    assert engine.scan_blob(b"\x00" * 300, "x.p12")[0] == []


def test_entropy_and_character_classes() -> None:
    assert generic.shannon_entropy(b"aaaa") == 0.0
    assert generic.shannon_entropy(b"abcd") == 2.0
    assert generic.char_classes(b"aB3!") == 4
    assert not generic.passes_strength(b"password")[0]
    assert generic.passes_strength(b"Qm7#vR2xLp9!")[0]


def test_snippet_never_shows_part_of_a_neighbouring_secret() -> None:
    rng = random.Random(8)
    first = corpus.github_token(rng)
    second = corpus.github_token(rng)
    line = f'a = "{first}"' + " " * 70 + f'; b = "{second}"\n'
    detections = engine.scan_blob(line.encode(), "a.py")[0]
    assert len(detections) == 2
    for detection in detections:
        for value in (first, second):
            assert value[4:12] not in detection.snippet


def test_documented_jwt_example_is_quiet() -> None:
    header = corpus._b64url(b'{"alg":"HS256","typ":"JWT"}')
    payload = corpus._b64url(b'{"sub":"1234567890","name":"John Doe","iat":1516239022}')
    assert _ids(f'auth = "Bearer {header}.{payload}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"\n', "a.md") == set()


def test_prefilter_without_aho_corasick_finds_the_same(monkeypatch) -> None:
    text = "".join(s.content for s in SAMPLES[:120]).encode()
    with_automaton = engine.scan_blob(text, "mixed.py")[0]
    monkeypatch.setattr(engine, "_RUST_AUTOMATON", None)
    monkeypatch.setattr(engine, "_AUTOMATON", None)
    assert engine.keyword_hits(b"xx ghp_ yy ghp_") == {b"ghp_": [3, 11]}
    assert engine.scan_blob(text, "mixed.py")[0] == with_automaton


def test_random_mixed_case_token_is_not_taken_for_a_camel_case_name() -> None:
    # digits inside the "words" mark a random token; identifiers like getUserName2 stay quiet
    assert _ids('API_TOKEN = "cfN3fjk2jjc8O4bPe8k5df00"\n', "settings.py") == {"secrets.generic-assignment"}
    assert _ids('api_token = "getUserName2"\n', "settings.py") == set()


def test_every_aho_corasick_build_finds_the_same_hits(monkeypatch) -> None:
    lowered = "".join(s.content for s in SAMPLES).encode().lower()
    if engine._RUST_AUTOMATON is None:
        pytest.skip("ahocorasick-rs is not installed")
    import ahocorasick_rs

    reference = engine.keyword_hits(lowered)  # the DFA
    assert reference
    monkeypatch.setattr(engine, "_RUST_AUTOMATON", ahocorasick_rs.BytesAhoCorasick(list(engine.KEYWORDS)))  # the default NFA
    assert engine.keyword_hits(lowered) == reference
    monkeypatch.setattr(engine, "_RUST_AUTOMATON", None)
    monkeypatch.setattr(engine, "_AUTOMATON", engine._automaton())
    if engine._AUTOMATON is not None:
        assert {key: sorted(value) for key, value in engine.keyword_hits(lowered).items()} == reference


def test_anchors_and_file_gates_only_skip_work(monkeypatch) -> None:
    # the same findings with every token-rule anchor off and every per-file gate open
    samples = [(s.content.encode(), s.name) for s in SAMPLES]
    gated = [engine.scan_blob(data, name)[0] for data, name in samples]
    assert sum(map(len, gated)) > 100
    monkeypatch.setattr(engine, "_ANCHORS", tuple(None for _ in engine._ANCHORS))
    find = generic.find_assignments
    monkeypatch.setattr(generic, "find_assignments", lambda line, code, prose, directives, lowered, hits, gates: find(
        line, code, prose, directives, lowered, hits))
    assert [engine.scan_blob(data, name)[0] for data, name in samples] == gated
    for rule in RULES:  # an anchor never looks around its match or past the line end
        assert not any(token in rule.anchor for token in ("(?=", "(?!", "(?<", "\\n", "$"))
