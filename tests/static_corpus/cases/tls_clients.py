"""Outbound HTTPS clients."""
import ssl

import requests


def fetch_insecure(url):
    return requests.get(url, verify=False, timeout=5).text  # label: vulnerable CWE-295


def fetch(url):
    return requests.get(url, timeout=5).text  # label: safe CWE-295


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # label: vulnerable CWE-295
    return ctx
