"""Factories of hostile projects. Large and binary files are generated here, never committed."""

from __future__ import annotations

import os
import subprocess
import zlib
from pathlib import Path

# Every process a hostile target starts carries this in its command line, so that a leftover is found.
MARKER = "hostile-target-marker"


def write(root: Path, relative: str, text: str) -> Path:
    """Write one text file of the project."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def package(root: Path, tests: dict[str, str] | None = None, pyproject: str | None = None) -> None:
    """A tiny package ``pkg`` with a passing test, plus the given test files and pyproject.toml."""
    write(root, "pkg/__init__.py", "def answer(value=42):\n    return value\n")
    write(root, "tests/__init__.py", "")
    write(root, "tests/test_ok.py", "from pkg import answer\n\n\ndef test_answer():\n    assert answer() == 42\n")
    for name, body in (tests or {}).items():
        write(root, f"tests/{name}", body)
    if pyproject is not None:
        write(root, "pyproject.toml", pyproject)


def sleeper(seconds: int = 600) -> str:
    """A Python expression (as source) that starts a child carrying the marker which sleeps."""
    return f"[sys.executable, '-c', 'import time; time.sleep({seconds})', '{MARKER}']"


# --- files no tool should choke on ---------------------------------------------------------------


def hostile_files(root: Path) -> None:
    """Binary, huge, undecodable, NUL-laden and Python 2 files; symlink loops; a FIFO; unreadable files."""
    package(root)
    pkg = root / "pkg"
    write(root, "pkg/plain.py", "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    # Binary content with a .py name, and a binary blob (incompressible bytes).
    (pkg / "blob.py").write_bytes(b"\x7fELF\x02\x01\x01\x00" + os.urandom(200_000))
    (root / "data").mkdir()
    (root / "data" / "image.bin").write_bytes(os.urandom(1_000_000))
    # Huge: a 3 MB generated module and a 24 MB log line with no newline.
    (pkg / "huge.py").write_text("".join(f"VALUE_{n} = {n}\n" for n in range(200_000)), encoding="utf-8")
    with (root / "data" / "huge.log").open("wb") as handle:
        chunk = b"A" * (1024 * 1024)
        for _ in range(24):
            handle.write(chunk)
    # Undecodable, NUL bytes, Python 2.
    (pkg / "latin.py").write_bytes(b"# -*- coding: utf-8 -*-\nNAME = '\xe9\xff\xfe'\n")
    (pkg / "nul.py").write_bytes(b"X = 1\n\x00\x00\x00def f():\n    return 2\n")
    write(root, "pkg/legacy.py", 'print "python 2"\nexec "x = 1"\nraise ValueError, "old"\n')
    # A compressed file whose name says text.
    (root / "data" / "config.txt").write_bytes(zlib.compress(b"password = hunter2\n" * 1000))
    # Symlink loops (a folder that contains itself, a file that points to itself) and a dangling link.
    (pkg / "loop").mkdir()
    os.symlink("..", pkg / "loop" / "up")
    os.symlink("self.py", pkg / "self.py")
    os.symlink("missing.py", pkg / "dangling.py")
    # A link that leads out of the project, to a file holding a credential: nothing outside is read.
    outside = root.parent / "outside-secret.py"
    outside.write_text("AWS_SECRET = 'AKIAIOSFODNN7EXAMPLF' + 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'\nGH = 'ghp_" + "a1B2" * 9 + "'\n")
    os.symlink(outside, pkg / "outside.py")
    os.symlink(root.parent, root / "data" / "parent")
    # A FIFO with a source name: opening it for reading would block for ever.
    os.mkfifo(pkg / "pipe.py")
    # Unreadable (effective only when the scan does not run as root).
    unreadable = write(root, "pkg/secret_unreadable.py", "TOKEN = 'x'\n")
    unreadable.chmod(0)


def hostile_tests(root: Path) -> None:
    """Test files in Python 2 syntax, with NUL bytes and with undecodable bytes, beside a good one."""
    package(root)
    write(root, "tests/test_legacy.py", 'def test_old():\n    print "python 2"\n')
    (root / "tests" / "test_nul.py").write_bytes(b"def test_nul():\n    assert 1\n\x00\n")
    (root / "tests" / "test_latin.py").write_bytes(b"def test_latin():\n    assert '\xe9\xff' \n")


# --- broken configuration ----------------------------------------------------------------------


def broken_pyproject(content: bytes | None, *, directory: bool = False, loop: bool = False):
    """A factory of a project whose pyproject.toml is broken in one way."""

    def build(root: Path) -> None:
        package(root)
        target = root / "pyproject.toml"
        if directory:
            target.mkdir()
        elif loop:
            os.symlink("pyproject.toml", target)
        elif content is not None:
            target.write_bytes(content)

    return build


# --- test suites that misbehave -----------------------------------------------------------------


def hang_ignoring_sigterm(root: Path) -> None:
    """A test that ignores SIGTERM, starts a child that ignores it too, and hangs."""
    package(root, tests={
        "test_hang.py": (
            "import signal, subprocess, sys, time\n\n\n"
            "def test_hangs():\n"
            "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            f"    subprocess.Popen({sleeper()}, preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN))\n"
            "    time.sleep(600)\n"
        ),
    })


def fork_bomb(root: Path) -> None:
    """A test that forks as fast as it can (bounded: 300 sleeping children), then hangs."""
    package(root, tests={
        "test_forks.py": (
            "import os, time\n\n\n"
            "def test_forks():\n"
            "    for _ in range(300):\n"
            "        try:\n"
            "            pid = os.fork()\n"
            "        except OSError:\n"
            "            break\n"
            "        if pid == 0:\n"
            "            time.sleep(600)\n"
            "            os._exit(0)\n"
            "    time.sleep(600)\n"
        ),
    })


def kills_its_parent(root: Path) -> None:
    """A test that SIGKILLs its parent process, then its own process group."""
    package(root, tests={
        "test_kill.py": (
            "import os, signal\n\n\n"
            "def test_kills():\n"
            "    os.kill(os.getppid(), signal.SIGKILL)\n"
            "    os.killpg(0, signal.SIGKILL)\n"
        ),
    })


def escapes(root: Path) -> None:
    """A test suite that tries everything: credentials, the caller's /proc, the network, a daemon, a write outside.

    It records what it saw in ``seen.json`` inside its own folder and always passes.
    """
    package(root, tests={
        "test_escape.py": (
            "import errno, json, os, pathlib, socket, subprocess, sys, time\n\n\n"
            "def test_escape():\n"
            "    seen = {'environ': dict(os.environ)}\n"
            "    leaked = []\n"
            "    for entry in pathlib.Path('/proc').iterdir():\n"
            "        if entry.name.isdigit():\n"
            "            try:\n"
            "                leaked.append((entry / 'environ').read_bytes().decode(errors='replace'))\n"
            "            except OSError:\n"
            "                pass\n"
            "    seen['proc_environ'] = leaked\n"
            "    seen['processes_visible'] = sum(1 for entry in pathlib.Path('/proc').iterdir() if entry.name.isdigit())\n"
            "    try:\n"
            "        socket.create_connection(('192.0.2.1', 80), timeout=3).close()\n"
            "        seen['connect'] = 'connected'\n"
            "    except OSError as exc:\n"
            "        seen['connect'] = errno.errorcode.get(exc.errno or 0, str(exc))\n"
            "    outside = pathlib.Path(__file__).resolve().parents[2] / 'written-outside.txt'\n"
            "    try:\n"
            "        outside.write_text('the target was here')\n"
            "    except OSError as exc:\n"
            "        seen['write_error'] = errno.errorcode.get(exc.errno or 0, str(exc))\n"
            "    seen['wrote_outside'] = outside.is_file()\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            f"            os.execv(sys.executable, {sleeper()})\n"
            "        os._exit(0)\n"
            "    time.sleep(0.5)\n"
            "    # The project's own folder is a scratch copy: the record goes to the run's own folder.\n"
            "    pathlib.Path(os.environ['BASELINE_GUARD_DIR'], 'seen.json').write_text(json.dumps(seen))\n"
        ),
    })


# --- fuzzing -----------------------------------------------------------------------------------


def fuzz_harnesses(root: Path) -> None:
    """Two harnesses: one dereferences NULL (SIGSEGV), one eats memory until the RSS limit stops it."""
    package(root)
    write(root, "fuzz/fuzz_segv.py", (
        "import ctypes, sys\nimport atheris\n\n\n"
        "def test_one_input(data):\n"
        "    if len(data) >= 0:\n"
        "        ctypes.string_at(0)\n\n\n"
        "atheris.Setup(sys.argv, test_one_input)\natheris.Fuzz()\n"
    ))
    write(root, "fuzz/fuzz_memory.py", (
        "import sys\nimport atheris\n\nHOARD = []\n\n\n"
        "def test_one_input(data):\n"
        "    HOARD.append(bytearray(16 * 1024 * 1024))\n\n\n"
        "atheris.Setup(sys.argv, test_one_input)\natheris.Fuzz()\n"
    ))


# --- a web app that never becomes ready -----------------------------------------------------------


# A start command is the operator's to name (the project's own web.command is ignored).
WEB_NEVER_READY_ARGS = ("--web-command", f"{{python}} app.py {{port}} {MARKER}", "--web-url", "http://127.0.0.1:{port}/")


def web_never_ready(root: Path) -> None:
    """A Flask-ish app module, started by the command the operator names, that sleeps before it ever listens."""
    package(root)
    write(root, "app.py", (
        "import sys, time\n"
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n\n\n"
        "@app.route('/')\n"
        "def index():\n"
        "    return 'never served'\n\n\n"
        "if __name__ == '__main__':\n"
        "    time.sleep(600)  # warming up, for ever\n"
        "    app.run(port=int(sys.argv[1]))\n"
    ))


# --- a git repository with a corrupt object ------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=root, check=True, capture_output=True, env=env)


def corrupt_git(kind: str):
    """A factory: a repository of three commits (one a fix) with one object on disk replaced by garbage.

    ``kind`` is ``blob`` (the parser's first version) or ``commit`` (the middle commit).
    """

    def build(root: Path) -> None:
        package(root)
        _git(root, "init", "-q")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "initial")
        write(root, "pkg/core.py", "def parse(text):\n    return text.strip()\n")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "add parser")
        write(root, "pkg/core.py", "def parse(text):\n    return (text or '').strip()\n")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "fix crash on None input")
        name = "HEAD~1:pkg/core.py" if kind == "blob" else "HEAD~1"
        sha = subprocess.run(["git", "rev-parse", name], cwd=root, check=True, capture_output=True, text=True).stdout.strip()
        path = root / ".git" / "objects" / sha[:2] / sha[2:]
        path.chmod(0o644)
        path.write_bytes(b"this is not a zlib stream" + os.urandom(64))

    return build
