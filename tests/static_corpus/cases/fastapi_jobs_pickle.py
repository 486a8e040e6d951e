"""FastAPI job queue that accepts serialized tasks."""
import json
import marshal
import pickle

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/jobs")
async def submit(request: Request):
    body = await request.body()
    task = pickle.loads(body)  # label: vulnerable CWE-502
    return {"task": str(task)}


@app.post("/jobs/json")
async def submit_json(request: Request):
    body = await request.body()
    return {"task": json.loads(body)}  # label: safe CWE-502


@app.post("/jobs/code")
async def submit_code(request: Request):
    body = await request.body()
    return {"task": str(marshal.loads(body))}  # label: vulnerable CWE-502


CACHE = pickle.dumps({"warm": True})
WARM = pickle.loads(CACHE)  # label: safe CWE-502
