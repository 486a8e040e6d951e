from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/download")
def download():
    name = request.args["name"]
    response = make_response("data")
    # ruleid: header-injection
    response.headers["Content-Disposition"] = "attachment; filename=" + name
    clean = name.replace("\r", "").replace("\n", "")
    # ok: header-injection
    response.headers["X-File"] = clean
    # ok: header-injection
    response.headers["Cache-Control"] = "no-store"
    return response


def django_view(request):
    response = HttpResponse("ok")
    # ruleid: header-injection
    response["X-Trace"] = request.GET["trace"]
    return response
