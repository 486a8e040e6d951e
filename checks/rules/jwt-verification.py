import jwt


def claims(token, key):
    # ruleid: jwt-without-verification
    unsafe = jwt.decode(token, options={"verify_signature": False})
    # ruleid: jwt-without-verification
    header = jwt.get_unverified_header(token)
    # ok: jwt-without-verification
    checked = jwt.decode(token, key, algorithms=["HS256"])
    # ok: jwt-without-verification
    audience = jwt.decode(token, key, algorithms=["RS256"], audience="api")
    return unsafe, header, checked, audience


def none_alg(token, key):
    # ruleid: jwt-without-verification
    return jwt.decode(token, key, algorithms=["HS256", "none"])
