"""Hostile projects against the toolkit's own state and configuration, through the real CLI.

- A repository whose ``.git/config`` (and the caller's ``~/.gitconfig``) name programs for
  fsmonitor, hooks, filters, textconv, external diff, ssh command, pager and ``include.path``:
  a scan of a subfolder with every history feature runs none of them, and still names the commit.
- A project whose ``[tool.baseline]`` names an interpreter, output paths, the network, environment
  variables, a catalog, start commands and unbounded limits: all ignored, each reported by key,
  nothing written where they point, and the scan goes on.
- A scan leaves the scanned tree byte-identical (a planted ``.baseline/`` cache is not believed),
  and a scan of a tree it cannot write works.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.harness import FAKE_CREDENTIALS, TOOLKIT_CRASH

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git builds the test repositories")

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.invalid", "GIT_COMMITTER_NAME": "Dev",
                "GIT_COMMITTER_EMAIL": "dev@example.invalid"}
HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-merge", "post-index-change", "reference-transaction",
         "pre-auto-gc", "post-rewrite", "fsmonitor-watchman", "pre-push", "push-to-checkout")


def git(root: Path, *args: str, home: Path | None = None) -> str:
    env = {**os.environ, **GIT_IDENTITY}
    if home is not None:
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def scan(target: Path, out: Path, *args: str, env: dict[str, str] | None = None, user: int | None = None,
         cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    argv = [sys.executable, "-m", "baseline", "scan", str(target), "--format", "json", "--output", str(out), *args]
    if user is not None:
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, env={**os.environ, **FAKE_CREDENTIALS, "CI": "", **(env or {})},
                          cwd=cwd or out.parent)
    assert not TOOLKIT_CRASH.search(done.stdout + done.stderr), done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    return done, report


def result(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(item for item in report["results"] if item["spec"]["id"] == check_id)


def small_project(root: Path) -> None:
    """A package with a test, a fix commit with a test, and an injection sink for T03."""
    (root / "calc" / "tests").mkdir(parents=True)
    (root / "calc" / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "0.1"\n')
    (root / "calc" / "calc").mkdir()
    (root / "calc" / "calc" / "__init__.py").write_text(
        "import subprocess\n\n\ndef add(a, b):\n    return a + b\n\n\ndef run(command):\n    return subprocess.call(command, shell=True)\n"
    )
    (root / "calc" / "tests" / "test_calc.py").write_text("from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n")


# -- git configuration that names programs ----------------------------------------------------

def _bait(folder: Path, markers: Path, name: str, passthrough: bool = False) -> str:
    script = folder / f"evil-{name}"
    script.write_text(f"#!/bin/sh\ntouch '{markers}/{name}'\n" + ("cat\n" if passthrough else "exit 0\n"))
    script.chmod(0o755)
    return str(script)


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("git-config")
    repo, markers, bin_dir, home = base / "repo", base / "markers", base / "bin", base / "home"
    for folder in (repo, markers, bin_dir, home / ".config" / "git"):
        folder.mkdir(parents=True)
    git(repo, "init", "-q", home=home)
    small_project(repo)
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    (repo / "README.md").write_text("top\n")
    git(repo, "add", "-A", home=home)
    git(repo, "commit", "-q", "-m", "Initial import", home=home)
    (repo / "calc" / "calc" / "__init__.py").write_text((repo / "calc" / "calc" / "__init__.py").read_text() + "\nVERSION = 2\n")
    (repo / "calc" / "tests" / "test_more.py").write_text("def test_more():\n    assert True\n")
    git(repo, "add", "-A", home=home)
    git(repo, "commit", "-q", "-m", "Fix crash on empty input (#7)", home=home)
    hooks = bin_dir / "hooks"
    hooks.mkdir()
    for name in HOOKS:
        for where in (hooks, repo / ".git" / "hooks"):
            _bait(where, markers, f"hook-{name}")
            (where / f"evil-hook-{name}").rename(where / name)
    included = base / "included.gitconfig"
    included.write_text(f"[diff \"evil\"]\n\tcommand = {_bait(bin_dir, markers, 'include-diff-command')}\n"
                        f"[core]\n\tpager = {_bait(bin_dir, markers, 'include-pager')}\n")
    with (repo / ".git" / "config").open("a") as config:
        config.write(
            f"[core]\n\tfsmonitor = {_bait(bin_dir, markers, 'fsmonitor')}\n\thooksPath = {hooks}\n"
            f"\tsshCommand = {_bait(bin_dir, markers, 'ssh-command')}\n\tpager = {_bait(bin_dir, markers, 'pager')}\n"
            f"[filter \"evil\"]\n\tclean = {_bait(bin_dir, markers, 'filter-clean', True)}\n"
            f"\tsmudge = {_bait(bin_dir, markers, 'filter-smudge', True)}\n\tprocess = {_bait(bin_dir, markers, 'filter-process')}\n"
            f"[diff \"evil\"]\n\ttextconv = {_bait(bin_dir, markers, 'textconv', True)}\n\tcommand = {_bait(bin_dir, markers, 'diff-command')}\n"
            f"[diff]\n\texternal = {_bait(bin_dir, markers, 'external-diff')}\n"
            f"[pager]\n\tlog = {_bait(bin_dir, markers, 'pager-log')}\n\tstatus = {_bait(bin_dir, markers, 'pager-status')}\n"
            f"[include]\n\tpath = {included}\n"
        )
    # the caller's own configuration, as a test of a previous scan could have written it
    (home / ".gitconfig").write_text(f"[core]\n\tfsmonitor = {_bait(bin_dir, markers, 'home-fsmonitor')}\n"
                                     f"[include]\n\tpath = {included}\n")
    (home / ".config" / "git" / "config").write_text(f"[core]\n\tfsmonitor = {_bait(bin_dir, markers, 'xdg-fsmonitor')}\n")
    return {"repo": repo, "markers": markers, "home": home, "base": base}


def test_the_bait_is_live_for_git_itself(hostile_repo: dict[str, Path], tmp_path: Path) -> None:
    """Proof that the configuration above runs programs when git reads it (so the scan's silence means something)."""
    clone = tmp_path / "clone"
    shutil.copytree(hostile_repo["repo"], clone, symlinks=True)
    markers = hostile_repo["markers"]
    before = set(os.listdir(markers))
    (clone / "README.md").write_text("changed\n")
    env = {**os.environ, "HOME": str(hostile_repo["home"]), "GIT_PAGER": ""}
    subprocess.run(["git", "status", "--porcelain"], cwd=clone, env=env, capture_output=True, timeout=60)
    # the long-running filter fails the protocol on purpose; without it git falls back to clean and diffs
    subprocess.run(["git", "-c", "filter.evil.process=", "diff"], cwd=clone, env=env, capture_output=True, timeout=60)
    fired = set(os.listdir(markers)) - before
    for name in fired:
        (markers / name).unlink()
    assert {"fsmonitor", "filter-process", "include-diff-command", "hook-post-index-change"} <= fired, fired


def test_scanning_a_subfolder_runs_nothing_from_git_configuration_and_names_the_commit(hostile_repo: dict[str, Path]) -> None:
    repo, markers, home = hostile_repo["repo"], hostile_repo["markers"], hostile_repo["home"]
    for leftover in markers.iterdir():
        leftover.unlink()
    out = hostile_repo["base"] / "report.json"
    done, report = scan(
        repo / "calc", out, "--select", "T01,T04,T08", "--secrets-history", "on", "--no-history",
        env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(os.listdir(markers)) == [], "git configuration ran a program"
    head = git(repo, "rev-parse", "HEAD")
    assert report["target"]["vcs"] == "git" and report["target"]["commit"] == head and report["target"]["dirty"] is False
    secrets = result(report, "hardcoded-secrets.scan")
    assert secrets["metrics"]["history_commits"] == 2, secrets["metrics"]
    fixes = result(report, "regression-tests.fix-commits")
    assert fixes["metrics"]["commits"] == 2 and fixes["metrics"]["fix_commits"] == 1 and fixes["metrics"]["with_tests"] == 1, fixes


# -- configuration keys only the operator may set -----------------------------------------------

def test_operator_only_keys_in_the_project_are_ignored_reported_and_never_acted_on(tmp_path: Path) -> None:
    project, decoy, markers = tmp_path / "project", tmp_path / "decoy-home", tmp_path / "markers"
    for folder in (project / "tools", decoy, markers):
        folder.mkdir(parents=True)
    probe = project / "tools" / "py"
    probe.write_text(f"#!/bin/sh\ntouch '{markers}/interpreter-ran'\nexec {sys.executable} \"$@\"\n")
    probe.chmod(0o755)
    (project / "pkg.py").write_text("X = 1\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "greedy"\nversion = "0.1"\n[tool.baseline]\n'
        f'python = "tools/py"\nbundle = "{decoy}/.bashrc"\nhistory_db = "{decoy}/history.db"\nwork_dir = "{decoy}/work"\n'
        f'catalog = "{decoy}/weights.toml"\nnetwork = true\nallow_env = ["AWS_SECRET_ACCESS_KEY"]\naccepted_file = "{decoy}/accepted.toml"\n'
        "[tool.baseline.tests]\ntimeout = 1e300\n"
        f"[tool.baseline.web]\ncommand = \"sh -c 'touch {markers}/web-command'\"\nurl = \"http://127.0.0.1:{{port}}/\"\n"
        "[tool.baseline.typecheck]\ncommand = [\"true\"]\n"
    )
    (decoy / ".bashrc").write_text("# the operator's shell\n")
    out = tmp_path / "report.json"
    done, report = scan(project, out, "--select", "T04")
    assert done.returncode == 0, done.stderr[-3000:]
    ignored = {problem["subject"]: problem["message"] for problem in report["problems"] if problem["kind"] == "config-ignored"}
    assert set(ignored) == {"python", "bundle", "history_db", "work_dir", "catalog", "network", "allow_env", "accepted_file",
                            "tests.timeout", "web.command", "web.url", "typecheck.command"}
    assert all(message.startswith("pyproject.toml: '") for message in ignored.values())
    assert "ignored project setting" in " ".join(done.stdout.split())
    assert report["target"]["interpreter_source"] != "--python" and not (markers / "interpreter-ran").exists()
    assert (decoy / ".bashrc").read_text() == "# the operator's shell\n" and sorted(os.listdir(decoy)) == [".bashrc"]
    assert report["config"]["network"] is False and report["config"]["allow_env"] == [] and report["config"]["tests.timeout"] == 900.0
    # the operator may set them, and a work folder inside the scanned tree is refused before anything runs
    refused, _ = scan(project, tmp_path / "refused.json", "--select", "T04", "--work-dir", str(project / "work"))
    assert refused.returncode == 2 and "inside the scanned tree" in " ".join(refused.stderr.split())
    assert not (project / "work").exists()


# -- nothing written into the scanned tree -------------------------------------------------------

def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every entry under ``root`` (files, folders, links; .git included) with its mode and content."""
    found: dict[str, tuple[int, bytes]] = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                content = os.readlink(path).encode()
            elif stat.S_ISREG(info.st_mode):
                content = path.read_bytes()
            else:
                content = b""
            found[path.relative_to(root).as_posix()] = (info.st_mode, content)
    return found


@pytest.fixture(scope="module")
def committed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("state-tree")
    small_project(base)
    root = base / "calc"
    git(root, "init", "-q")
    # the project's own .baseline/: its accepted findings (input), and what an old toolkit left there
    (root / ".baseline" / "cache" / "static-v1" / "bandit" / "00").mkdir(parents=True)
    (root / ".baseline" / "cache" / "static-v1" / "bandit" / "00" / "planted.json").write_text('{"findings": [], "notes": []}')
    (root / ".baseline" / "history.db").write_bytes(b"not a database")
    (root / ".baseline" / "accepted.toml").write_text("")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial import")
    return root


def test_a_scan_leaves_the_tree_byte_identical_and_trusts_no_planted_cache(committed_project: Path, tmp_path: Path) -> None:
    before = snapshot(committed_project)
    out = tmp_path / "report.json"
    done, report = scan(committed_project, out, "--select", "T02,T03,T04,T07,T08", "--secrets-history", "on")
    assert done.returncode == 0, done.stderr[-3000:]
    assert snapshot(committed_project) == before
    static = result(report, "static-analysis.scan")
    assert any("shell" in (finding.get("message", "") + finding["rule_id"]).lower() for finding in static["findings"]), static["message"]
    data = Path(os.environ["BASELINE_DATA_DIR"])
    assert any(data.glob("projects/calc-*/history.db"))  # history recorded, in the user's data folder


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv to scan as a user who cannot write the tree")
def test_a_scan_of_a_tree_it_cannot_write_works(committed_project: Path) -> None:
    """As an unprivileged user, the tree (owned by root, mode 755/644) is read-only: the scan still works."""
    nobody = 65534
    base = Path(tempfile.mkdtemp(prefix="baseline-readonly-"))
    try:
        os.chmod(base, 0o755)  # the pytest folders are private to root
        tree = base / "calc"
        shutil.copytree(committed_project, tree, symlinks=True)
        for name in ("home", "cache", "data", "out"):
            (base / name).mkdir()
            os.chown(base / name, nobody, nobody)
        before = snapshot(tree)
        env = {"HOME": str(base / "home"), "BASELINE_CACHE_DIR": str(base / "cache"), "BASELINE_DATA_DIR": str(base / "data")}
        out = base / "out" / "report.json"
        python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or sys.executable  # one the user may run
        done, report = scan(tree, out, "--select", "T04", "--secrets-history", "on", "--python", python, env=env, user=nobody, cwd=base / "out")
        assert done.returncode == 0, done.stderr[-3000:]
        assert result(report, "hardcoded-secrets.scan")["outcome"] == "pass" and report["target"]["commit"]
        assert snapshot(tree) == before
        assert any((base / "data").glob("projects/calc-*/history.db"))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_verify_source_never_runs_a_delivered_venv_unless_the_verifier_names_it(tmp_path: Path) -> None:
    small_project(tmp_path)
    project, markers = tmp_path / "calc", tmp_path / "markers"
    markers.mkdir()
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "python").write_text(f"#!/bin/sh\ntouch '{markers}/delivered-venv-ran'\nexec {sys.executable} \"$@\"\n")
    (venv / "bin" / "python").chmod(0o755)
    run = [sys.executable, "-m", "baseline"]
    env = {**os.environ, **FAKE_CREDENTIALS}
    keys = subprocess.run([*run, "keygen", "--out", str(tmp_path / "vendor")], capture_output=True, text=True, timeout=60, env=env)
    assert keys.returncode == 0, keys.stderr
    bundle = tmp_path / "bundle.zip"
    done, _ = scan(project, tmp_path / "report.json", "--select", "T04", "--python", sys.executable, "--no-history",
                   "--bundle", str(bundle), "--sign", str(tmp_path / "vendor.key"))
    assert done.returncode == 0 and bundle.is_file(), done.stderr[-3000:]
    assert not (markers / "delivered-venv-ran").exists()
    verify = [*run, "verify", str(bundle), "--pubkey", str(tmp_path / "vendor.pub"), "--source", str(project)]
    checked = subprocess.run(verify, capture_output=True, text=True, timeout=300, env=env)
    assert not TOOLKIT_CRASH.search(checked.stdout + checked.stderr), checked.stdout + checked.stderr
    assert not (markers / "delivered-venv-ran").exists(), "verify --source ran the vendor's interpreter"
    # Named by the verifier it is run, confined like all target code: its marker cannot be written
    # outside the sandbox, so the interpreter it resolves to is what shows that it was taken.
    from baseline.target import resolve_interpreter

    assert resolve_interpreter(project, None, project_venv=False).path == sys.executable
    assert resolve_interpreter(project, str(venv / "bin" / "python"), project_venv=False).path == str(venv / "bin" / "python")
    named = subprocess.run([*verify, "--python", str(venv / "bin" / "python")], capture_output=True, text=True, timeout=300, env=env)
    assert not TOOLKIT_CRASH.search(named.stdout + named.stderr), named.stdout + named.stderr
    assert not (markers / "delivered-venv-ran").exists(), "the named interpreter ran outside the sandbox"
