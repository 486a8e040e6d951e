"""Less common sources and sinks: Starlette, aiohttp, http.server, ElementTree, pathlib, http.client."""
import http.client
import sqlite3
import tarfile
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from aiohttp import web
from starlette.responses import JSONResponse, PlainTextResponse

DB = sqlite3.connect("inventory.db")
CATALOGUE = ET.parse("catalogue.xml")
EXPORTS = Path("/srv/exports")


async def item(request):
    sku = request.path_params["sku"]
    row = DB.execute(f"SELECT * FROM items WHERE sku = '{sku}'").fetchone()  # label: vulnerable CWE-89
    return JSONResponse({"item": row})


async def item_safe(request):
    sku = request.path_params["sku"]
    row = DB.execute("SELECT * FROM items WHERE sku = ?", (sku,)).fetchone()  # label: safe CWE-89
    return JSONResponse({"item": row})


async def find_product(request):
    name = request.query_params.get("name", "")
    hits = CATALOGUE.findall(f".//product[@name='{name}']")  # label: vulnerable CWE-643
    return PlainTextResponse(str(len(hits)))


async def find_product_fixed(request):
    hits = CATALOGUE.findall(".//product[@featured='1']")  # label: safe CWE-643
    return PlainTextResponse(str(len(hits)))


async def export(request):
    name = request.match_info["name"]
    return web.Response(text=(EXPORTS / name).read_text())  # label: vulnerable CWE-22


async def unpack(request):
    reader = await request.post()
    with tarfile.open(fileobj=reader["bundle"].file) as bundle:
        bundle.extractall("/srv/bundles")  # label: vulnerable CWE-22
    return web.Response(text="ok")


async def unpack_filtered(request):
    reader = await request.post()
    with tarfile.open(fileobj=reader["bundle"].file) as bundle:
        bundle.extractall("/srv/bundles", filter="data")  # label: safe CWE-22
    return web.Response(text="ok")


class StatusProxy(BaseHTTPRequestHandler):
    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        conn = http.client.HTTPConnection(query["host"][0], timeout=5)  # label: vulnerable CWE-918
        conn.request("GET", "/status")
        body = conn.getresponse().read()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)
