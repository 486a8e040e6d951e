from flask import Flask, make_response

app = Flask(__name__)
# ruleid: session-cookie-insecure-config
app.config["SESSION_COOKIE_SECURE"] = False
# ok: session-cookie-insecure-config
app.config["SESSION_COOKIE_HTTPONLY"] = True


def login(sid):
    response = make_response("ok")
    # ruleid: cookie-without-secure, cookie-without-httponly
    response.set_cookie("sid", sid)
    # ruleid: cookie-without-secure
    response.set_cookie("sid", sid, httponly=True)
    # ruleid: cookie-without-httponly
    response.set_cookie("pref", "dark", secure=True)
    # ok: cookie-without-secure, cookie-without-httponly
    response.set_cookie("sid", sid, secure=True, httponly=True, samesite="Lax")
    # ok: cookie-without-secure, cookie-without-httponly
    response.set_cookie("sid2", sid, secure=True, httponly=True)
    return response


# ruleid: session-cookie-insecure-config
SESSION_COOKIE_SECURE = False

# ok: session-cookie-insecure-config
SESSION_COOKIE_SECURE = True
