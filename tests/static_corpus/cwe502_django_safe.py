# label: safe CWE-502 django
import pickle
import base64
import json
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    obj = json.loads(base64.b64decode(value))
    return str(obj)
