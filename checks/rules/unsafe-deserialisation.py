import base64
import json
import pickle

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/restore", methods=["POST"])
def restore():
    blob = base64.b64decode(request.form["state"])
    # ruleid: unsafe-deserialisation
    state = pickle.loads(blob)
    # ok: unsafe-deserialisation
    data = json.loads(request.form["state"])
    return str(state) + str(data)


@app.route("/config", methods=["POST"])
def config():
    text = request.get_data()
    # ruleid: unsafe-deserialisation
    settings = yaml.load(text, Loader=yaml.Loader)
    # ok: unsafe-deserialisation
    safe = yaml.safe_load(text)
    return str(settings) + str(safe)
