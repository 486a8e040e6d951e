"""aiohttp file download handlers."""
import os
from pathlib import Path

from aiohttp import web

BASE = Path("/srv/files")
routes = web.RouteTableDef()


@routes.get("/download/{name}")
async def download(request):
    name = request.match_info["name"]
    return web.FileResponse(os.path.join("/srv/files", name))  # label: vulnerable CWE-22


@routes.get("/raw/{name}")
async def raw(request):
    name = request.match_info["name"]
    data = (BASE / name).read_bytes()  # label: vulnerable CWE-22
    return web.Response(body=data)


@routes.get("/safe/{name}")
async def safe(request):
    name = os.path.basename(request.match_info["name"])
    with open(os.path.join("/srv/files", name), "rb") as handle:  # label: safe CWE-22
        return web.Response(body=handle.read())
