import tarfile


def restore(upload, destination):
    with tarfile.open(fileobj=upload) as archive:
        # ruleid: archive-extraction
        archive.extractall(destination)


def restore_member(path, name, destination):
    archive = tarfile.open(path)
    # ruleid: archive-extraction
    archive.extract(name, destination)


def restore_safe(upload, destination):
    with tarfile.open(fileobj=upload) as archive:
        # ok: archive-extraction
        archive.extractall(destination, filter="data")


def restore_member_safe(path, name, destination):
    archive = tarfile.open(path)
    # ok: archive-extraction
    archive.extract(name, destination, filter="data")
