import os
import socket

import uvicorn
from flask import Flask

app = Flask(__name__)

# ruleid: debug-enabled
DEBUG = True

if __name__ == "__main__":
    # ruleid: debug-enabled, bind-all-interfaces
    app.run(host="0.0.0.0", debug=True)
    # ruleid: bind-all-interfaces
    uvicorn.run("main:app", host="0.0.0.0", port=8000)
    # ok: debug-enabled, bind-all-interfaces
    app.run(host="127.0.0.1", debug=os.environ.get("APP_DEBUG") == "1")
    # ok: bind-all-interfaces
    uvicorn.run("main:app", host="127.0.0.1", port=8000)
    sock = socket.socket()
    # ruleid: bind-all-interfaces
    sock.bind(("0.0.0.0", 9000))
    # ok: debug-enabled
    app.debug = False
    # ruleid: debug-enabled
    app.config["DEBUG"] = True
