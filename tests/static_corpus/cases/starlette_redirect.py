"""Starlette / FastAPI redirects."""
from fastapi import FastAPI
from starlette.responses import RedirectResponse

app = FastAPI()


@app.get("/go")
async def go(url: str):
    return RedirectResponse(url)  # label: vulnerable CWE-601


@app.get("/go-safe")
async def go_safe(url: str):
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    return RedirectResponse(url)  # label: safe CWE-601
