"""Password storage and file fingerprints."""
import hashlib
import hmac


def store_password(password, salt):
    return hashlib.md5(salt + password.encode()).hexdigest()  # label: vulnerable CWE-328


def legacy_token(user):
    return hashlib.sha1(user.encode()).hexdigest()  # label: vulnerable CWE-328


def etag(content):
    return hashlib.md5(content, usedforsecurity=False).hexdigest()  # label: safe CWE-328


def store_password_safe(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)  # label: safe CWE-328


def sign(key, message):
    return hmac.new(key, message, hashlib.sha256).hexdigest()  # label: safe CWE-328
