"""A stdlib http.server handler and a Starlette endpoint trimming request data with slices."""

import os
import subprocess
from http.server import BaseHTTPRequestHandler

from starlette.responses import PlainTextResponse

ROOT = "/srv/www"


class FileHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        relative = self.path[1:]
        with open(os.path.join(ROOT, relative), "rb") as handle:  # label: vulnerable CWE-22
            self.wfile.write(handle.read())

    def do_DELETE(self):
        os.remove(ROOT + self.path[len("/files"):])  # label: vulnerable CWE-22


async def ping(request):
    host = request.query_params.get("host", "")
    short = host[:253]
    out = subprocess.check_output("ping -c 1 " + short, shell=True)  # label: vulnerable CWE-78
    return PlainTextResponse(out)


async def ping_safe(request):
    host = request.query_params.get("host", "")[:253]
    out = subprocess.check_output(["ping", "-c", "1", "--", host])  # label: safe CWE-78
    return PlainTextResponse(out)
