# label: safe CWE-377 plain
import tempfile


def scratch():
    return tempfile.NamedTemporaryFile('w', delete=False)
