# label: vulnerable CWE-918 django
import requests
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    return requests.get(value, timeout=5).text
