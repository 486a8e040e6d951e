# label: vulnerable CWE-22 django
import os
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    with open(os.path.join('/var/data', value)) as fh:
        return fh.read()
