import tempfile

import yaml


def load(text):
    # ruleid: yaml-unsafe-load
    a = yaml.load(text)
    # ruleid: yaml-unsafe-load
    b = yaml.load(text, Loader=yaml.FullLoader)
    # ok: yaml-unsafe-load
    c = yaml.safe_load(text)
    # ok: yaml-unsafe-load
    d = yaml.load(text, Loader=yaml.SafeLoader)
    return a, b, c, d


def scratch():
    # ruleid: insecure-temp-file
    name = tempfile.mktemp(suffix=".txt")
    # ruleid: insecure-temp-file
    other = tempfile.mktemp()
    # ok: insecure-temp-file
    handle, path = tempfile.mkstemp(suffix=".txt")
    # ok: insecure-temp-file
    with tempfile.NamedTemporaryFile() as tmp:
        return name, other, handle, path, tmp.name
