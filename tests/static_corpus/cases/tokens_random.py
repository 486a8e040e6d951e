"""Account tokens: password reset codes, session ids, API keys."""
import random
import secrets
import string
import uuid

ALPHABET = string.ascii_letters + string.digits


def reset_code():
    return "".join(random.choice(ALPHABET) for _ in range(8))  # label: vulnerable CWE-338


def new_session_id():
    return "%032x" % random.getrandbits(128)  # label: vulnerable CWE-338


def make_nonce():
    rng = random.Random()
    return rng.randbytes(16).hex()  # label: vulnerable CWE-338


def generate_password(length=12):
    return "".join(random.sample(ALPHABET, length))  # label: vulnerable CWE-338


def api_key():
    return secrets.token_urlsafe(32)  # label: safe CWE-338


def request_id():
    return uuid.uuid4().hex  # label: safe CWE-338
