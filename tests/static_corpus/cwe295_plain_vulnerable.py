# label: vulnerable CWE-295 plain
import requests


def fetch(url):
    return requests.get(url, verify=False, timeout=5)
