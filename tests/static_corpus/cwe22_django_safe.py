# label: safe CWE-22 django
import os
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    path = os.path.realpath(os.path.join('/var/data', value))
    if not path.startswith('/var/data/'):
        return 'no'
    with open(path) as fh:
        return fh.read()
