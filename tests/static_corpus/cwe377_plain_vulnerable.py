# label: vulnerable CWE-377 plain
import tempfile


def scratch():
    name = tempfile.mktemp()
    return open(name, 'w')
