"""Django maintenance views."""
import os
import subprocess

from django.http import HttpResponse


def archive(request):
    folder = request.POST.get("folder")
    args = ["tar", "czf", "/tmp/out.tgz"]
    args.append(folder)
    command = " ".join(args)
    subprocess.call(command, shell=True)  # label: vulnerable CWE-78
    return HttpResponse("done")


def disk(request):
    mount = request.GET.get("mount", "/")
    os.system("df -h %s" % mount)  # label: vulnerable CWE-78
    return HttpResponse("done")


def uptime(request):
    os.system("uptime")  # label: safe CWE-78
    return HttpResponse("done")
