"""The command line. The only module that turns exceptions into exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.console import Console

from baseline import __version__, exitcodes
from baseline.catalog import load_catalog
from baseline.config import KEYS, Config, load_config
from baseline.console import ScanProgress, render_explain, render_report
from baseline.discovery import discover_checks, discover_formats
from baseline.errors import BaselineError, UsageError
from baseline.gate import exit_code_for
from baseline.model import Report
from baseline.postscan import check_options, finish_scan
from baseline.runner import execute_scan
from baseline import sandbox
from baseline.sandbox import confinement
from baseline.target import describe_target, resolve_interpreter

EPILOG = """exit codes:
  0  scan complete, gate passed (or no gate asked)
  1  gate failed: policy violated (score, severity, required technique)
  2  usage or configuration error
  3  incomplete: a required technique errored or was not evaluated
  4  internal error of the toolkit
"""

Handler = Callable[[argparse.Namespace], int]


def _command_installers() -> list[Callable[[Any], None]]:
    """Sub-commands of subsystems: every module in ``baseline.commands`` with an ``install(subparsers)``.

    Each installer adds its parser(s) and sets ``handler`` (a function of the parsed args that
    returns an exit code) with ``set_defaults``.
    """
    import baseline.commands as package

    installers = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"baseline.commands.{module_info.name}")
        install = getattr(module, "install", None)
        if callable(install):
            installers.append(install)
    return installers


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("configuration (each also settable in [tool.baseline]; the flag wins)")
    for spec in KEYS:
        if spec.name in ("catalog",):
            continue
        kwargs: dict[str, Any] = {"dest": spec.dest, "default": None, "help": spec.help}
        if spec.kind is bool:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif spec.kind is list:
            kwargs["action"] = "append"
            kwargs["metavar"] = "VALUE"
            kwargs["help"] = spec.help + " Repeatable, or comma-separated."
        else:
            kwargs["metavar"] = spec.kind.__name__.upper() if not spec.choices else "{" + ",".join(spec.choices) + "}"
        group.add_argument(spec.flag, **kwargs)


def add_unconfined_flag(parser: argparse.ArgumentParser) -> None:
    """``--unconfined``: the operator's explicit consent to run the project's code without bubblewrap."""
    parser.add_argument(
        "--unconfined",
        action="store_true",
        help="run the project's code WITHOUT filesystem confinement when bubblewrap is unavailable (the report says so)",
    )


def confine_for_scan(root: Path, config: Config, args: argparse.Namespace, work_dir: Path | None = None) -> None:
    """Tell the sandbox what this scan must keep from the project's code: outputs, keys, caches, the work folder."""
    hidden: list[Path] = [Path(os.environ.get("BASELINE_CACHE_DIR") or Path.home() / ".cache" / "baseline").expanduser()]
    for output in getattr(args, "outputs", None) or []:
        if output != "-":
            hidden.append(Path(output).expanduser().resolve().parent)
    for key in ("sign", "bundle", "history_db"):
        value = config.get(key)
        if value:
            path = Path(str(value)).expanduser()
            path = path if path.is_absolute() else root / path
            hidden.append(path.resolve())
    sandbox.configure(
        allow_env=list(config.get("allow_env")),
        hidden=[path for path in hidden if path != Path("/")],
        exclude=[work_dir] if work_dir is not None else [],
    )


def _stop_on_signal(signum: int, _frame: object) -> None:
    """SIGTERM/SIGINT: kill every sandbox (their namespaces die with them), remove scratch copies, exit."""
    killed = sandbox.terminate_all(grace_s=1.0)
    sandbox.cleanup()
    name = signal.Signals(signum).name
    os.write(2, f"baseline: stopped by {name}; {killed} sandboxed process(es) killed\n".encode())
    os._exit(128 + signum)


def _install_signal_handlers() -> None:
    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            signal.signal(number, _stop_on_signal)
        except ValueError:  # not the main thread (main() called from a thread): the caller handles signals
            return


def _cli_values(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in KEYS:
        value = getattr(args, spec.dest, None)
        if value is None:
            continue
        if spec.kind is list:
            value = [item.strip() for chunk in value for item in chunk.split(",") if item.strip()]
        values[spec.name] = value
    if getattr(args, "catalog", None):
        values["catalog"] = args.catalog
    return values


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="baseline",
        description="Verify a Python project against the 11 NIST IR 8397 minimum verification techniques.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"baseline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser(
        "scan", help="scan a project and compute its trust score", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    scan.add_argument("path", nargs="?", default=".", help="the project to scan (default: the current folder)")
    scan.add_argument("--catalog", help="technique catalog file (TOML); default: the built-in NIST IR 8397 catalog")
    scan.add_argument("--config", dest="config_file", help="read configuration from this file instead of the target's")
    scan.add_argument("--format", dest="formats", action="append", default=None, help="report format (json, ...); repeatable, paired with --output")
    scan.add_argument("--output", dest="outputs", action="append", default=None, help="file for the matching --format ('-' = stdout)")
    scan.add_argument("--quiet", action="store_true", help="no progress or table on the terminal")
    add_unconfined_flag(scan)
    _add_config_flags(scan)
    scan.set_defaults(handler=cmd_scan)

    explain = commands.add_parser("explain", help="explain a technique (id or slug) or a check and how it is scored")
    explain.add_argument("key", help="a technique id (T07), slug (structural-coverage) or check id")
    explain.add_argument("--catalog", help="technique catalog file (TOML)")
    explain.set_defaults(handler=cmd_explain)

    listing = commands.add_parser("checks", help="list the installed checks and any plugin that failed to load")
    listing.add_argument("--catalog", help="technique catalog file (TOML)")
    listing.set_defaults(handler=cmd_checks)

    for installer in _command_installers():
        installer(commands)
    return parser


def _resolve_target(path: str) -> Path:
    root = Path(path).expanduser()
    if not root.exists():
        raise UsageError(f"target {path} does not exist")
    if not root.is_dir():
        raise UsageError(f"target {path} is not a folder")
    return root.resolve()


def _work_dir(root: Path, config: Config) -> Path:
    """The scan's artifact folder; a temporary one when the target is read-only."""
    wanted = Path(str(config.get("work_dir")))
    base = wanted if wanted.is_absolute() else root / wanted
    scan_dir = base / "scan"
    try:
        scan_dir.mkdir(parents=True, exist_ok=True)
        probe = scan_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
        return scan_dir
    except OSError:
        return Path(tempfile.mkdtemp(prefix="baseline-scan-"))


def write_formats(report: Report, formats: Sequence[str], outputs: Sequence[str], stdout: Console) -> None:
    """Render every requested format to its output."""
    available = discover_formats()
    for index, name in enumerate(formats):
        if name not in available:
            raise UsageError(f"unknown format {name!r}; available: {', '.join(sorted(available)) or 'none'}")
        render = available[name].load()
        text = render(report)
        destination = outputs[index] if index < len(outputs) else "-"
        if destination == "-":
            sys.stdout.write(text)
        else:
            out = Path(destination)
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(out.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)


def prepare_scan(args: argparse.Namespace) -> tuple[Path, Config]:
    """Resolve the target and its configuration (shared by scan-like commands)."""
    root = _resolve_target(args.path)
    config_file = Path(args.config_file) if getattr(args, "config_file", None) else None
    config = load_config(root, _cli_values(args), config_file)
    return root, config


def cmd_scan(args: argparse.Namespace) -> int:
    """``baseline scan``."""
    formats = list(args.formats or [])
    outputs = list(args.outputs or [])
    if outputs and not formats:
        formats = ["json"] * len(outputs)
    if len(outputs) > len(formats):
        raise UsageError("more --output than --format values")
    available = discover_formats()
    for name in formats:
        if name not in available:
            raise UsageError(f"unknown format {name!r}; available: {', '.join(sorted(available))}")
    root, config = prepare_scan(args)
    check_options(config, root)
    work_dir = _work_dir(root, config)
    confine_for_scan(root, config, args, work_dir)
    catalog = load_catalog(config.get("catalog"))
    interpreter = resolve_interpreter(root, config.get("python"))
    target = describe_target(root, interpreter)
    discovered = discover_checks(catalog)
    quiet = args.quiet or (formats and "-" in (outputs + ["-"] * (len(formats) - len(outputs))))
    err = Console(stderr=True, quiet=bool(quiet))
    out = Console(quiet=bool(quiet))
    if not out.is_terminal:
        out.width = max(out.width, 120)
    with ScanProgress(err, enabled=not quiet) as progress:
        report = execute_scan(
            target=target,
            root=root,
            config=config,
            catalog=catalog,
            discovered=discovered,
            work_dir=work_dir,
            progress=progress,
            sandbox_info=_sandbox_info(config),
        )
    render_report(report, out)
    write_formats(report, formats, outputs, out)
    finish_scan(report, root, config, err)
    return exit_code_for(report)


def _sandbox_info(config: Config) -> dict[str, Any]:
    """How the target's code was confined in this scan (recorded in the report)."""
    network_allowed = bool(config.get("network"))
    confined = sandbox.describe_confinement(network_allowed)
    if confined["filesystem_confined"]:
        return {
            **confined,
            "allow_env": list(config.get("allow_env")),
            "own_pid_namespace": True,
            "network_isolated": not network_allowed,
            "web_app_network": "the web app under scan shares the host's loopback so that the scanner can reach it",
        }
    found = confinement(network=network_allowed)
    isolated = found is not None and found.network_isolated
    own_pids = found is not None and found.own_pid_namespace
    return {
        **confined,
        "environment": "scrubbed: variables that look like credentials (by name, or a password in a URL) are removed",
        "allow_env": list(config.get("allow_env")),
        "process_group": "own session; the whole group is killed at the timeout and after the run",
        "processes": (
            "own PID namespace: the target sees none of the caller's processes, and every process it starts "
            "(daemons included) ends with the run"
            if own_pids
            else "NOT contained: this platform offers no PID namespace; a daemonised child can outlive the run"
        ),
        "own_pid_namespace": own_pids,
        "network": "allowed by configuration" if network_allowed else ("loopback only (network namespace)" if isolated else "NOT isolated: this platform offers no network namespace"),
        "network_isolated": isolated,
        "web_app_network": "the web app under scan shares the host's loopback so that the scanner can reach it",
        "filesystem": "NOT confined (--unconfined): target code can read and write wherever the user running the scan can",
    }


def cmd_explain(args: argparse.Namespace) -> int:
    """``baseline explain``."""
    catalog = load_catalog(args.catalog)
    discovered = discover_checks(catalog)
    console = Console()
    if not render_explain(catalog, args.key, list(discovered.checks), console):
        ids = ", ".join(f"{t.id} ({t.slug})" for t in catalog.techniques)
        raise UsageError(f"{args.key!r} is neither a technique nor an installed check; techniques: {ids}")
    return exitcodes.OK


def cmd_checks(args: argparse.Namespace) -> int:
    """``baseline checks``."""
    catalog = load_catalog(args.catalog)
    discovered = discover_checks(catalog)
    console = Console()
    for technique in catalog.techniques:
        checks = [loaded for loaded in discovered.checks if loaded.spec.technique == technique.id]
        names = ", ".join(f"{loaded.spec.id} ({loaded.spec.lifecycle.value})" for loaded in checks) or "[yellow]none installed[/]"
        console.print(f"{technique.id} {technique.title}: {names}", highlight=False)
    for problem in discovered.problems:
        console.print(f"[red]problem[/] {problem.plugin}: {problem.message}", highlight=False)
    return exitcodes.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``baseline`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help exits 0, a bad flag exits 2
        return int(exc.code or 0)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return exitcodes.USAGE_ERROR
    err = Console(stderr=True)
    _install_signal_handlers()
    # One command, one policy and one scratch copy of the project (a later command copies it afresh).
    sandbox.configure(unconfined=bool(getattr(args, "unconfined", False)), allow_env=[], hidden=[], exclude=[])
    try:
        return handler(args)
    except UsageError as exc:
        err.print(f"[red]baseline: error:[/] {exc}", highlight=False)
        return exitcodes.USAGE_ERROR
    except BaselineError as exc:
        err.print(f"[red]baseline: internal error:[/] {exc}", highlight=False)
        return exitcodes.INTERNAL_ERROR
    except KeyboardInterrupt:
        err.print("[red]baseline: interrupted[/]")
        return exitcodes.INTERNAL_ERROR
    except BrokenPipeError:  # the reader went away (`baseline diff a b | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush must not fail again
        return exitcodes.OK
    except Exception as exc:  # the toolkit's own bug: say so, without a wall of traceback
        if os.environ.get("BASELINE_DEBUG"):
            raise
        err.print(f"[red]baseline: internal error:[/] {type(exc).__name__}: {exc} (set BASELINE_DEBUG=1 for the traceback)", highlight=False)
        return exitcodes.INTERNAL_ERROR
    finally:
        sandbox.cleanup()
