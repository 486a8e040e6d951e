# label: safe CWE-113 django
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    response = HttpResponse('ok')
    response['X-Tag'] = value.replace('\r', '').replace('\n', '')
    return response
