# label: safe CWE-501 django
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    if value not in ('a', 'b'):
        value = 'a'
    request.session['nick'] = value
    return HttpResponse('ok')
