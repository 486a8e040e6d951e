# label: vulnerable CWE-501 django
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    request.session['nick'] = value
    return HttpResponse('ok')
