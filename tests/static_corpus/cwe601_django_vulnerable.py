# label: vulnerable CWE-601 django
from flask import redirect
from django.shortcuts import redirect as django_redirect
from fastapi.responses import RedirectResponse
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    return django_redirect(value)
