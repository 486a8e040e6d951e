"""A small stdlib http.server file server and proxy."""
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

ROOT = "/srv/www"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/proxy?"):
            target = self.path.split("?", 1)[1]
            body = urllib.request.urlopen(target).read()  # label: vulnerable CWE-918
        else:
            with open(ROOT + self.path, "rb") as handle:  # label: vulnerable CWE-22
                body = handle.read()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        data = self.rfile.read(length)
        name = os.path.basename(data.decode())
        with open(os.path.join(ROOT, name), "rb") as handle:  # label: safe CWE-22
            self.wfile.write(handle.read())


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
