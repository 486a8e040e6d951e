"""Flask app restoring state from cookies and caches."""
import base64
import pickle

import yaml
from flask import Flask, request

app = Flask(__name__)

with open("defaults.pickle", "rb") as handle:
    DEFAULTS = pickle.load(handle)  # label: safe CWE-502


@app.get("/restore")
def restore():
    blob = request.cookies.get("state", "")
    state = pickle.loads(base64.b64decode(blob))  # label: vulnerable CWE-502
    return str(state)


@app.post("/config")
def config():
    data = yaml.load(request.data, Loader=yaml.Loader)  # label: vulnerable CWE-502
    safe = yaml.safe_load(request.data)  # label: safe CWE-502
    return str(data) + str(safe)


def load_settings():
    with open("settings.yml") as handle:
        return yaml.load(handle, Loader=yaml.SafeLoader)  # label: safe CWE-502
