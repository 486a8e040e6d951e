# label: vulnerable CWE-95 django
import ast
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    result = eval('(' + value + ')')
    return str(result)
