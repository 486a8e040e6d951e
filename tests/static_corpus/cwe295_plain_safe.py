# label: safe CWE-295 plain
import requests


def fetch(url):
    return requests.get(url, verify=True, timeout=5)
