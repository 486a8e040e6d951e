# label: vulnerable CWE-502 django
import pickle
import base64
import json
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    obj = pickle.loads(base64.b64decode(value))
    return str(obj)
