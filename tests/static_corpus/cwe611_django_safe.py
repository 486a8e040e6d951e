# label: safe CWE-611 django
from lxml import etree
import defusedxml.ElementTree as SafeET
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    root = SafeET.fromstring(value)
    return root.tag
