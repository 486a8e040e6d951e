# label: safe CWE-328 plain
import hashlib


def store(password, salt):
    return hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1).hex()
