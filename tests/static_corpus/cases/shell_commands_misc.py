"""Command runners with constant arguments and user-controlled ones (FastAPI)."""
import subprocess

from fastapi import FastAPI

app = FastAPI()


@app.get("/convert")
def convert(filename: str):
    subprocess.run(f"convert {filename} out.png", shell=True, check=True)  # label: vulnerable CWE-78
    return {"ok": True}


@app.get("/convert-safe")
def convert_safe(filename: str):
    subprocess.run(["convert", "--", filename, "out.png"], check=True)  # label: safe CWE-78
    return {"ok": True}


def housekeeping():
    subprocess.run("find /tmp -name '*.tmp' -delete", shell=True, check=False)  # label: safe CWE-78
