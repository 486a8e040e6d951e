# label: safe CWE-1336 django
from flask import render_template_string
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    return render_template_string('<p>{{ v }}</p>', v=value)
