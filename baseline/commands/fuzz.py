"""``baseline fuzz init | run | replay``: write harnesses, run a fuzzing campaign, replay a crash."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from baseline import exitcodes
from baseline.config import FUZZ_KEYS, load_config
from baseline.errors import UsageError
from baseline.target import resolve_interpreter

# The fuzzing modules are imported when a command runs, not when the CLI builds its parser (a scan never loads them).


def install(subparsers: Any) -> None:
    """Add ``baseline fuzz`` and its sub-commands."""
    parser = subparsers.add_parser("fuzz", help="fuzzing: write harnesses, run them under a budget, replay crashes")
    parser.add_argument("--unconfined", action="store_true", help="run the project's code WITHOUT filesystem confinement")
    commands = parser.add_subparsers(dest="fuzz_command", metavar="ACTION")

    init = commands.add_parser("init", help="write atheris harnesses for the project's fuzzable entry points into fuzz/")
    init.add_argument("path", nargs="?", default=".", help="the project (default: the current folder)")
    init.add_argument("--output", default="fuzz", help="folder for the harnesses, relative to the project (default: fuzz)")
    init.add_argument("--force", action="store_true", help="overwrite harnesses that already exist")
    init.add_argument("--list", action="store_true", help="only list the entry points; write nothing")
    init.set_defaults(handler=cmd_init)

    run = commands.add_parser("run", help="run every harness (generating missing ones) under the fuzz budget")
    run.add_argument("path", nargs="?", default=".", help="the project (default: the current folder)")
    run.add_argument("--python", help="interpreter that runs the target's code")
    run.add_argument("--seed", type=int, help="libFuzzer seed (reproducible runs)")
    for spec in FUZZ_KEYS:
        kwargs: dict[str, Any] = {"dest": spec.dest, "default": None, "help": spec.help}
        if spec.kind is bool:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif spec.kind is list:
            kwargs["action"] = "append"
        else:
            kwargs["type"] = spec.kind
        run.add_argument(spec.flag, **kwargs)
    run.set_defaults(handler=cmd_run)

    replay = commands.add_parser("replay", help="re-run one stored crash (exit 0: it no longer crashes)")
    replay.add_argument("crash", help="a crash id, a crash folder, or an input file (then --harness is needed)")
    replay.add_argument("--path", default=".", help="the project (default: the current folder)")
    replay.add_argument("--harness", help="harness to replay an arbitrary input file with")
    replay.add_argument("--python", help="interpreter that runs the target's code")
    replay.add_argument("--timeout", type=float, default=30.0, help="seconds before the replay counts as a hang")
    replay.set_defaults(handler=cmd_replay)
    parser.set_defaults(handler=lambda args: (parser.print_help(), exitcodes.USAGE_ERROR)[1])


def _root(path: str) -> Path:
    root = Path(path).expanduser()
    if not root.is_dir():
        raise UsageError(f"target {path} is not a folder")
    return root.resolve()


def cmd_init(args: argparse.Namespace) -> int:
    """``baseline fuzz init``: one harness per entry point no existing harness covers."""
    from baseline.fuzz.discovery import covered_entries, find_harnesses
    from baseline.fuzz.generate import write_harnesses
    from baseline.fuzz.surface import find_surface

    root = _root(args.path)
    console = Console()
    surface = find_surface(root, load_config(root).get("exclude"))
    harnesses = [item for item in find_harnesses(root, [])[0] if item.is_harness]
    ids = [entry.id for entry in surface.entry_points]
    covered = {entry_id for harness in harnesses for entry_id in covered_entries(harness, ids)}
    todo = [entry for entry in surface.entry_points if entry.id not in covered or args.force]
    console.print(f"{len(surface.entry_points)} fuzzable entry point(s) in {surface.files_scanned} module(s); {len(covered)} already covered by a harness", highlight=False)
    for entry in surface.entry_points:
        mark = "covered" if entry.id in covered else "new"
        console.print(f"  {entry.id} [{entry.input_kind}] {entry.path}:{entry.line} ({mark}; {entry.reason})", highlight=False, markup=False)
    if args.list or not todo:
        return exitcodes.OK
    folder = (root / args.output).resolve()
    if not folder.is_relative_to(root):
        raise UsageError(f"--output {args.output} must be inside the project")
    for written in write_harnesses(root, folder, todo, overwrite=args.force):
        console.print(f"wrote {written.path.relative_to(root).as_posix()}", highlight=False, markup=False)
    console.print("Run one: python <harness> -max_total_time=60   (edit EXPECTED in a harness to adjust documented exceptions)", highlight=False, markup=False)
    return exitcodes.OK


def cmd_run(args: argparse.Namespace) -> int:
    """``baseline fuzz run``: exit 1 when a crash was found or stored crashes still reproduce."""
    from baseline.fuzz.campaign import fuzz_dir_for, run_campaign

    root = _root(args.path)
    values = {spec.name: getattr(args, spec.dest) for spec in FUZZ_KEYS if getattr(args, spec.dest, None) is not None}
    if "fuzz.harnesses" in values:
        values["fuzz.harnesses"] = [item.strip() for chunk in values["fuzz.harnesses"] for item in chunk.split(",") if item.strip()]
    if args.python:
        values["python"] = args.python
    config = load_config(root, values)
    interpreter = resolve_interpreter(root, config.get("python"))
    console = Console()
    fuzz_dir = fuzz_dir_for(root, config, Path(tempfile.mkdtemp(prefix="baseline-fuzz-")))
    campaign = run_campaign(
        root=root,
        python=interpreter.path,
        config=config,
        fuzz_dir=fuzz_dir,
        progress=lambda subject, event: console.print(f"  {subject}: {event}", highlight=False, markup=False),
        seed=args.seed,
    )
    console.print(f"{campaign.status}: {campaign.message} ({campaign.wall_s:.1f} s wall)", highlight=False, markup=False)
    for run in campaign.runs:
        stats = run.stats
        console.print(
            f"  {run.harness}: {run.status}{' ' + run.kind if run.kind else ''}, {stats.execs} execs, {stats.exec_per_s:.0f} exec/s, "
            f"cov {stats.cov}, ft {stats.ft}{' - ' + run.note if run.note else ''}",
            highlight=False,
            markup=False,
        )
    for harness, reason in campaign.skipped:
        console.print(f"  {harness}: skipped, {reason}", highlight=False, markup=False)
    for found in campaign.found:
        crash = found.crash
        console.print(f"  crash {crash.crash_id}: {crash.exception} at {', '.join(crash.top_frames) or 'no project frame'}", highlight=False, markup=False)
    for crash in campaign.unresolved:
        console.print(f"  stored crash {crash.crash_id} still reproduces: {crash.exception}", highlight=False, markup=False)
    for slow in campaign.slow:
        saved = f"; input: {slow.input_path}" if slow.input_path else ""
        console.print(f"  slow inputs in {slow.harness} (CWE-407, not a crash): {slow.growth.describe()}{saved}", highlight=False, markup=False)
    if campaign.status == "error":
        return exitcodes.INCOMPLETE
    return exitcodes.GATE_FAILED if campaign.found or campaign.unresolved else exitcodes.OK


def cmd_replay(args: argparse.Namespace) -> int:
    """``baseline fuzz replay``: exit 0 when the input no longer crashes, 1 when it still does."""
    from baseline.fuzz import store
    from baseline.fuzz.campaign import fuzz_dir_for

    root = _root(args.path)
    config = load_config(root, {"python": args.python} if args.python else {})
    fuzz_dir = fuzz_dir_for(root, config, Path(tempfile.mkdtemp(prefix="baseline-fuzz-")))
    candidate = Path(args.crash)
    if not candidate.exists():
        candidate = store.crashes_dir(fuzz_dir) / args.crash
    if candidate.is_file() and candidate.name == "input":
        candidate = candidate.parent
    if candidate.is_dir():
        crash = store.load_crash(candidate)
        if crash is None:
            raise UsageError(f"{args.crash} is not a crash folder (needs input and meta.json)")
        harness, data = root / (args.harness or crash.harness), crash.input_path
    elif candidate.is_file():
        if not args.harness:
            raise UsageError("replaying a plain input file needs --harness")
        harness, data = root / args.harness, candidate
    else:
        raise UsageError(f"no crash {args.crash} (looked in {store.crashes_dir(fuzz_dir)})")
    if not harness.is_file():
        raise UsageError(f"harness {harness} does not exist")
    interpreter = resolve_interpreter(root, config.get("python"))
    result = store.replay(interpreter.path, root, harness, data.resolve(), args.timeout, list(config.get("allow_env")))
    console = Console()
    if result.ok:
        shown = harness.relative_to(root).as_posix() if harness.is_relative_to(root) else str(harness)  # generated ones live in the fuzz store
        console.print(f"no longer crashes: {shown} ran the input cleanly", highlight=False, markup=False)
        return exitcodes.OK
    tail = result.stdout.strip() + "\n" + result.stderr_tail(15)
    console.print(tail.strip(), highlight=False, markup=False)
    console.print(f"still crashes ({result.describe()})", highlight=False, markup=False)
    return exitcodes.GATE_FAILED
