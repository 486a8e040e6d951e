# label: vulnerable CWE-78 django
import subprocess
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    out = subprocess.run('whois ' + value, shell=True, capture_output=True)
    return str(out.returncode)
