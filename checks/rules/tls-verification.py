import ssl

import httpx
import requests


def fetch(url):
    # ruleid: tls-verification-disabled
    requests.get(url, verify=False)
    # ruleid: tls-verification-disabled
    httpx.post(url, json={}, verify=False)
    # ok: tls-verification-disabled
    requests.get(url, timeout=10)
    # ok: tls-verification-disabled
    requests.get(url, verify="/etc/ssl/private-ca.pem", timeout=10)


def context():
    # ruleid: tls-verification-disabled
    ctx = ssl._create_unverified_context()
    strict = ssl.create_default_context()
    # ok: tls-verification-disabled
    strict.check_hostname = True
    # ruleid: tls-verification-disabled
    strict.verify_mode = ssl.CERT_NONE
    return ctx, strict
