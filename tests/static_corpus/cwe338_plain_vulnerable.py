# label: vulnerable CWE-338 plain
import random


def reset_link():
    reset_token = '%030x' % random.getrandbits(120)
    return reset_token
