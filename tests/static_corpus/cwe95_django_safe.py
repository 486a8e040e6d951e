# label: safe CWE-95 django
import ast
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    result = ast.literal_eval(value)
    return str(result)
