from flask import Flask, request, session

app = Flask(__name__)
ROLES = {"reader", "writer"}


@app.route("/prefs", methods=["POST"])
def prefs():
    # ruleid: session-trust-boundary
    session["role"] = request.form["role"]
    # ok: session-trust-boundary
    session["visits"] = session.get("visits", 0) + 1
    return "ok"


@app.route("/checked", methods=["POST"])
def checked():
    role = request.form["role"]
    if role not in ROLES:
        return "bad", 400
    # ok: session-trust-boundary
    session["role"] = role
    return "ok"


def django_view(request):
    # ruleid: session-trust-boundary
    request.session["user_id"] = request.GET["uid"]
    return None
