"""Taint through a class wrapping the request and values stored on self (Django CBV)."""
import subprocess

from django.http import HttpResponse
from django.views import View


class Query:
    def __init__(self, request):
        self.host = request.GET.get("host", "")
        self.count = 3

    def command(self):
        return "ping -c %d %s" % (self.count, self.host)


class PingView(View):
    def get(self, request):
        query = Query(request)
        subprocess.run(query.command(), shell=True, check=False)  # label: vulnerable CWE-78
        return HttpResponse("ok")


class ReportView(View):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.name = request.GET.get("name", "")

    def get(self, request):
        subprocess.run("generate-report " + self.name, shell=True, check=False)  # label: vulnerable CWE-78
        return HttpResponse("ok")


class StaticView(View):
    def get(self, request):
        self.tool = "uptime"
        subprocess.run(self.tool, shell=True, check=False)  # label: safe CWE-78
        return HttpResponse("ok")
