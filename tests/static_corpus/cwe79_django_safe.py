# label: safe CWE-79 django
from markupsafe import escape
from django.http import HttpResponse as DjangoResponse
from fastapi.responses import HTMLResponse
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    return DjangoResponse('<b>' + escape(value) + '</b>')
