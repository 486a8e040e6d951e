"""Guards that raise or match a pattern before the sink (FastAPI, Django, requests)."""
import re
import subprocess
from urllib.parse import urlparse

import requests
from django.http import HttpResponseBadRequest, JsonResponse
from fastapi import FastAPI, HTTPException

api = FastAPI()
ALLOWED_HOSTS = frozenset({"api.partner.example", "hooks.example.org"})
BRANCH = re.compile(r"[A-Za-z0-9._/-]{1,64}")


@api.get("/preview")
def preview(url: str):
    parsed = urlparse(url)
    if parsed.hostname not in ALLOWED_HOSTS:
        raise HTTPException(status_code=400, detail="host not allowed")
    return requests.get(url, timeout=5).text  # label: safe CWE-918


@api.get("/preview-logged")
def preview_logged(url: str):
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        print("unexpected host", url)
    return requests.get(url, timeout=5).text  # label: vulnerable CWE-918


def checkout(request):
    branch = request.GET.get("branch", "main")
    if not BRANCH.fullmatch(branch):
        return HttpResponseBadRequest("bad branch")
    out = subprocess.check_output(f"git log -1 {branch}", shell=True)  # label: safe CWE-78
    return JsonResponse({"log": out.decode()})


def checkout_loose(request):
    branch = request.GET.get("branch", "main")
    if not re.match(r"[A-Za-z]", branch):
        return HttpResponseBadRequest("bad branch")
    out = subprocess.check_output(f"git log -1 {branch}", shell=True)  # label: vulnerable CWE-78
    return JsonResponse({"log": out.decode()})
