"""Django link preview."""
import urllib.request

from django.http import HttpResponse


def preview(request):
    link = request.GET.get("link", "")
    with urllib.request.urlopen(link, timeout=5) as response:  # label: vulnerable CWE-918
        return HttpResponse(response.read(200))


def preview_safe(request):
    link = request.GET.get("link", "")
    if not link.startswith("https://cdn.example.com/"):
        return HttpResponse(status=400)
    with urllib.request.urlopen(link, timeout=5) as response:  # label: safe CWE-918
        return HttpResponse(response.read(200))
