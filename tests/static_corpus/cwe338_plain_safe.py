# label: safe CWE-338 plain
import secrets


def reset_link():
    reset_token = secrets.token_hex(15)
    return reset_token
