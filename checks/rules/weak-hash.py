import hashlib


def cache_key(data):
    # ruleid: weak-hash
    return hashlib.md5(data).hexdigest()


def etag(body):
    # ruleid: weak-hash
    return hashlib.sha1(body).hexdigest()


def legacy(body):
    # ruleid: weak-hash
    return hashlib.new("md5", body).hexdigest()


def checksum(data):
    # ok: weak-hash
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def strong(data):
    # ok: weak-hash
    return hashlib.sha256(data).hexdigest()


def store_password(password):
    # ruleid: weak-hash, weak-hash-credential
    return hashlib.md5(password.encode()).hexdigest()


def store_token(api_token):
    # ruleid: weak-hash, weak-hash-credential
    return hashlib.sha1(api_token.encode("utf-8")).hexdigest()


def store_password_well(password, salt):
    # ok: weak-hash-credential
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def file_digest(content):
    # ok: weak-hash-credential
    return hashlib.sha256(content).hexdigest()
