# label: vulnerable CWE-328 plain
import hashlib


def store(password):
    return hashlib.md5(password.encode()).hexdigest()
