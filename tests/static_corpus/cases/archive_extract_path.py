"""Import a user-supplied backup archive (tarfile / zipfile)."""
import tarfile
import zipfile

from flask import Flask, request

app = Flask(__name__)


@app.post("/import/tar")
def import_tar():
    upload = request.files["backup"]
    with tarfile.open(fileobj=upload.stream) as archive:
        archive.extractall("/var/app/import")  # label: vulnerable CWE-22
    return "ok"


@app.post("/import/tar-safe")
def import_tar_safe():
    upload = request.files["backup"]
    with tarfile.open(fileobj=upload.stream) as archive:
        archive.extractall("/var/app/import", filter="data")  # label: safe CWE-22
    return "ok"


@app.post("/import/zip")
def import_zip():
    upload = request.files["backup"]
    with zipfile.ZipFile(upload.stream) as archive:
        for member in archive.namelist():
            # zipfile strips absolute paths and ".." from member names before writing (documented)
            archive.extract(member, "/var/app/import")  # label: safe CWE-22
    return "ok"
