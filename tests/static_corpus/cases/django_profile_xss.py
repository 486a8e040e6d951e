"""Django profile pages."""
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def bio(request):
    text = request.GET.get("bio", "")
    return HttpResponse(mark_safe("<p>" + text + "</p>"))  # label: vulnerable CWE-79


def bio_safe(request):
    text = request.GET.get("bio", "")
    return HttpResponse(format_html("<p>{}</p>", text))  # label: safe CWE-79


def banner(request):
    return HttpResponse(mark_safe("<b>Maintenance tonight</b>"))  # label: safe CWE-79
