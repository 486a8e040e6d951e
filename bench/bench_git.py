"""Reading a repository's history with the library (dulwich) against the git binary.

The secrets history scan reads every blob reachable from any ref; the regression check reads a
first-parent log. Ours is :mod:`baseline.gitrepo` (no process, no configuration read); the peer is
what the toolkit ran before: ``git rev-list --all --objects``, ``git cat-file --batch-check`` and
``git cat-file --batch`` (and ``git log --first-parent --name-only``), through the sandbox.

    python bench/bench_git.py [REPOSITORY] [--repeats N]

Default repository: this one. Both sides must find the same blobs with the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline import gitrepo, sandbox  # noqa: E402
from bench.common import REPO, Options, Row, alternate, median, timed  # noqa: E402

MAX_BYTES = 2 * 1024 * 1024
CAP = 1024 * 1024 * 1024


def _git(root: Path, args: list[str], stdin: bytes | None = None) -> str:
    result = sandbox.run(["git", "-c", "core.quotepath=off", *args], cwd=root, limits=sandbox.Limits(timeout_s=900, output_cap=CAP), stdin_data=stdin)
    if not result.ok:
        raise RuntimeError(f"git {args[0]} failed: {result.describe()}")
    return result.stdout


def blobs_with_git(root: Path) -> dict[str, str]:
    """blob id -> sha256 of its bytes, read with the git binary."""
    listing = _git(root, ["rev-list", "--all", "--objects"])
    shas = list(dict.fromkeys(line.partition(" ")[0] for line in listing.splitlines() if line))
    check = _git(root, ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], ("\n".join(shas) + "\n").encode())
    wanted = [fields[0] for fields in (line.split() for line in check.splitlines()) if len(fields) == 3 and fields[1] == "blob" and int(fields[2]) <= MAX_BYTES]
    marker = "@@" + secrets.token_hex(12)
    out = _git(root, ["cat-file", f"--batch={marker} %(objectname) %(objecttype) %(objectsize)"], ("\n".join(wanted) + "\n").encode())
    digests: dict[str, str] = {}
    for piece in out.split(marker + " ")[1:]:
        header, _, body = piece.partition("\n")
        data = (body[:-1] if body.endswith("\n") else body).encode("utf-8", "surrogateescape")
        digests[header.split()[0]] = hashlib.sha256(data).hexdigest()
    return digests


def blobs_with_library(root: Path) -> dict[str, str]:
    """blob id -> sha256 of its bytes, read with :mod:`baseline.gitrepo`."""
    repository = gitrepo.find_repository(root)
    if repository is None:
        raise RuntimeError(f"{root} is not in a git repository")
    _, blobs, _ = repository.reachable()
    return {sha: ("binary:" if not _utf8(data) else "") + hashlib.sha256(data).hexdigest()
            for sha, data in repository.read_blobs(list(blobs), MAX_BYTES) if isinstance(data, bytes)}


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return b"\0" not in data
    except UnicodeDecodeError:
        return False


def log_with_git(root: Path, window: int) -> int:
    return _git(root, ["log", f"-n{window}", "--no-merges", "--first-parent", "--format=%x1e%H", "--name-only", "HEAD"]).count("\x1e")


def log_with_library(root: Path, window: int) -> int:
    repository = gitrepo.find_repository(root)
    assert repository is not None
    return len(repository.first_parent_log(window)[0])


def measure(options: Options, root: Path = REPO) -> list[Row]:
    """Rows: every blob of the history, and a 200-commit first-parent log."""
    if gitrepo.find_repository(root) is None:
        return [Row("git history: all blobs", skipped=f"{root} is not a git repository")]
    found: dict[str, dict[str, str]] = {}

    def side(name: str, reader):  # type: ignore[no-untyped-def]
        def run(_: int) -> float:
            seconds, result = timed(lambda: reader(root))
            found[name] = result
            return seconds
        return run

    samples = alternate(options.repeats, {"ours": side("ours", blobs_with_library), "peer": side("peer", blobs_with_git)})
    ours, peer = found["ours"], found["peer"]
    differing = [sha for sha in set(ours) | set(peer) if ours.get(sha, "").removeprefix("binary:") != peer.get(sha)]
    binary = sum(ours.get(sha, "").startswith("binary:") for sha in differing)
    size = len(ours)
    rows = [Row(
        "git history: read every blob", median(samples["ours"]), median(samples["peer"]), peer_name="git rev-list + cat-file --batch",
        quality=f"{size} vs {len(peer)} blobs; {len(differing)} differ ({binary} binary or not UTF-8: the old text pipe mangled them)", data=f"this repository's history ({root.name})",
        ours_samples=samples["ours"], peer_samples=samples["peer"],
    )]
    counts: dict[str, int] = {}

    def log_side(name: str, reader):  # type: ignore[no-untyped-def]
        def run(_: int) -> float:
            seconds, result = timed(lambda: reader(root, 200))
            counts[name] = result
            return seconds
        return run

    logs = alternate(options.repeats, {"ours": log_side("ours", log_with_library), "peer": log_side("peer", log_with_git)})
    rows.append(Row(
        "git history: 200-commit first-parent log", median(logs["ours"]), median(logs["peer"]), peer_name="git log --name-only",
        quality=f"{counts['ours']} vs {counts['peer']} commits", data=f"this repository's history ({root.name})",
        ours_samples=logs["ours"], peer_samples=logs["peer"],
    ))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repository", nargs="?", default=str(REPO))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from bench.common import table

    print(table(measure(Options(repeats=args.repeats), Path(args.repository).resolve())))


if __name__ == "__main__":
    main()
