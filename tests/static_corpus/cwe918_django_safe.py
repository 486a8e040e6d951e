# label: safe CWE-918 django
import requests
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    return requests.get('https://api.example.com/v1/lookup', params={'q': value}, timeout=5).text
