"""Starlette endpoints for a build farm."""
import asyncio
import os

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def build(request):
    branch = request.query_params["branch"]
    proc = await asyncio.create_subprocess_shell(f"make BRANCH={branch}")  # label: vulnerable CWE-78
    await proc.wait()
    return PlainTextResponse("queued")


async def logs(request):
    params = dict(request.query_params)
    job = params.get("job")
    os.popen("tail -n 50 /var/log/jobs/" + job)  # label: vulnerable CWE-78
    return PlainTextResponse("ok")


async def status(request):
    proc = await asyncio.create_subprocess_exec("systemctl", "status", "builder")  # label: safe CWE-78
    await proc.wait()
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/build", build), Route("/logs", logs), Route("/status", status)])
