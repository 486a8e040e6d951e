"""The command line. The only module that turns exceptions into exit codes."""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import pkgutil
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.console import Console

from baseline import __version__, exitcodes, state
from baseline.catalog import load_catalog
from baseline.config import KEYS, Config, load_config
from baseline.console import ScanProgress, render_explain, render_report, safe
from baseline.discovery import discover_checks, discover_formats
from baseline.errors import BaselineError, UsageError
from baseline.gate import exit_code_for
from baseline.model import Report
from baseline.postscan import check_options, finish_scan
from baseline.reports.versions import complete_tool_versions
from baseline.runner import execute_scan
from baseline import sandbox
from baseline.sandbox import confinement
from baseline.target import describe_target, resolve_interpreter, tree_digest

MAIN_EXAMPLES = """examples:
  baseline scan --gate                 scan the current folder and apply its policy
  baseline scan --help                 every scan setting, with its default
  baseline explain T03                 what a technique verifies and how it is scored

"""

EPILOG = """exit codes:
  0  scan complete, gate passed (or no gate asked)
  1  gate failed: policy violated (score, severity, required technique)
  2  usage or configuration error
  3  incomplete: a required technique errored or was not evaluated
  4  internal error of the toolkit
"""

SCAN_EXAMPLES = """examples:
  baseline scan                                   scan the current folder, print the table
  baseline scan path/to/project --gate            exit 1 when the project's policy fails
  baseline scan --select T02,T07 -q --format json --output report.json
                                                  only tests and coverage, a JSON report, no terminal output
  baseline scan --python .venv/bin/python --format sarif --output report.sarif
  baseline explain T03                            how a technique is verified and scored
"""

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" for a mistyped flag, sub-command or choice."""

    def error(self, message: str) -> Any:  # argparse's signature: never returns
        hint = _suggestion(self, message)
        super().error(message + (f" (did you mean {hint}?)" if hint else ""))


def _known_options(parser: argparse.ArgumentParser) -> list[str]:
    """Every option string of ``parser`` and of its sub-commands."""
    names: list[str] = []
    for action in parser._actions:
        names += [name for name in action.option_strings if name.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names += _known_options(sub)
    return names


def _suggestion(parser: argparse.ArgumentParser, message: str) -> str | None:
    """The closest known flag or choice to the one an argparse error ``message`` names."""
    import re

    unknown = re.match(r"unrecognized arguments: (\S+)", message)
    if unknown:
        word = unknown.group(1).split("=", 1)[0]
        match = difflib.get_close_matches(word, sorted(set(_known_options(parser))), n=1, cutoff=0.6)
        return match[0] if match else None
    choice = re.match(r"argument \S+: invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        options = [item.strip().strip("'") for item in choice.group(2).split(",")]
        match = difflib.get_close_matches(choice.group(1), options, n=1, cutoff=0.5)
        return match[0] if match else None
    return None


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """' (did you mean X?)' when a known word is close to ``word``, else ''."""
    match = difflib.get_close_matches(word, list(known), n=1, cutoff=0.5)
    if not match:
        match = [name for name in known if name.lower() == word.lower()]
    return f" (did you mean {match[0]}?)" if match else ""


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


def _default_text(spec: Any) -> str:
    if spec.default is None or spec.default == [] or spec.default == "":
        return ""
    if isinstance(spec.default, bool):
        return " (default: on)" if spec.default else " (default: off)"
    if isinstance(spec.default, list):
        return " (default: " + ", ".join(str(item) for item in spec.default) + ")"
    return f" (default: {spec.default:g})" if isinstance(spec.default, float) else f" (default: {spec.default})"


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    groups: dict[str, Any] = {}
    for spec in KEYS:
        if spec.name in ("catalog",):
            continue
        # One help section per configuration table ([tool.baseline], [tool.baseline.tests], ...).
        section = spec.name.split(".", 1)[0] if "." in spec.name else ""
        if section not in groups:
            title = f"[tool.baseline.{section}] settings" if section else "policy and run settings ([tool.baseline])"
            groups[section] = parser.add_argument_group(title + " -- each also settable in pyproject.toml; the flag wins")
        group = groups[section]
        kwargs: dict[str, Any] = {"dest": spec.dest, "default": None, "help": spec.help + _default_text(spec)}
        if spec.kind is bool:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif spec.kind is list:
            kwargs["action"] = "append"
            kwargs["metavar"] = "VALUE"
            kwargs["help"] = spec.help + " Repeatable, or comma-separated." + _default_text(spec)
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
        timeout_cap_s=timeout_cap(config),
    )


def timeout_cap(config: Config) -> float:
    """No process of the scan outlives this, whatever its call site asks: the longest run the
    configuration allows (the project's own values are already held under the operator's), plus
    slack. A second guard behind the per-run limits, for the web app (which has none) among others."""
    web = float(config.get("web.time")) + float(config.get("web.api_time")) + float(config.get("web.startup_timeout")) * (int(config.get("web.max_restarts")) + 2)
    fuzz = float(config.get("fuzz.time")) + float(config.get("fuzz.startup_grace")) + float(config.get("fuzz.input_timeout"))
    longest = max(
        1200.0,  # provisioning the test environment
        2 * float(config.get("tests.timeout")),
        float(config.get("static.timeout")), float(config.get("typecheck.timeout")), float(config.get("components.timeout")),
        float(config.get("secrets.history_timeout")), float(config.get("regression.replay_timeout")), fuzz, web,
    )
    return longest + 600.0


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
        if spec.name == "python" and isinstance(value, str) and os.sep in value and not Path(value).expanduser().is_absolute():
            value = str(Path.cwd() / value)  # relative to where the user typed it, not to the target
        values[spec.name] = value
    if getattr(args, "catalog", None):
        values["catalog"] = args.catalog
    return values


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = Parser(
        prog="baseline",
        description="Verify a Python project against the 11 NIST IR 8397 minimum verification techniques.",
        epilog=MAIN_EXAMPLES + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"baseline {__version__}")
    parser.add_argument("-v", "--verbose", dest="global_verbose", action="store_true", help="more detail: every finding, and the traceback of an internal error")
    parser.add_argument("-q", "--quiet", dest="global_quiet", action="store_true", help="no progress or table on the terminal (errors still print)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser(
        "scan",
        help="scan a project and compute its trust score",
        usage="baseline scan [PATH] [--gate] [--select IDS] [--format FMT --output FILE]... [options]",
        epilog=SCAN_EXAMPLES + "\n" + EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    scan.add_argument("path", nargs="?", default=".", help="the project to scan (default: the current folder)")
    scan.add_argument("--catalog", help="technique catalog file (TOML); default: the built-in NIST IR 8397 catalog")
    scan.add_argument(
        "--config", dest="config_file", metavar="PATH",
        help="the operator's configuration file (TOML, keys at top level or under [tool.baseline]): every key in it is "
        "honoured, over the project's own [tool.baseline] (whose operator-only keys are ignored and reported)",
    )
    scan.add_argument(
        "--format", dest="formats", action="append", default=None,
        help="report format: json, sarif, junit, markdown, html; repeatable, paired in order with --output (default: none, the terminal table only)",
    )
    scan.add_argument("--output", dest="outputs", action="append", default=None, help="file for the matching --format ('-' = stdout, for one format at most; default: -)")
    scan.add_argument("-q", "--quiet", action="store_true", help="no progress or table on the terminal")
    scan.add_argument("-v", "--verbose", action="store_true", help="every open finding on the terminal, not only the worst 8")
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
    """The scan's artifact folder, outside the scanned tree; a temporary one when it cannot be written."""
    base = state.project_dir(root, config.get("work_dir"))
    if state.writes_into(root, base):
        raise UsageError(f"--work-dir {base} is inside the scanned tree: a scan writes nothing into the project")
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
    destinations = outputs + ["-"] * (len(formats) - len(outputs))
    to_stdout = [name for name, destination in zip(formats, destinations) if destination == "-"]
    if len(to_stdout) > 1:
        raise UsageError(f"formats {', '.join(to_stdout)} would all go to stdout, one after the other; give each but one an --output file")
    available = discover_formats()
    for name in formats:
        if name not in available:
            raise UsageError(f"unknown format {name!r}; available: {', '.join(sorted(available))}{did_you_mean(name, sorted(available))}")
    root, config = prepare_scan(args)
    check_options(config, root)
    work_dir = _work_dir(root, config)
    confine_for_scan(root, config, args, work_dir)
    catalog = load_catalog(config.get("catalog"))
    discovered = discover_checks(catalog)
    validate_selection(config, catalog, [loaded.spec for loaded in discovered.checks])
    digest = tree_digest(root)  # before anything runs on the target (the interpreter probe included)
    interpreter = resolve_interpreter(root, config.get("python"))
    target = describe_target(root, interpreter, digest)
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
    report = complete_tool_versions(report)
    write_formats(report, formats, outputs, out)  # the reports first: nothing printed afterwards can lose them
    render_report(report, out, all_findings=bool(getattr(args, "verbose", False)))
    finish_scan(report, root, config, err)
    return exit_code_for(report)


def validate_selection(config: Config, catalog: Any, specs: Sequence[Any]) -> None:
    """``select``, ``disable`` and ``required`` name only checks and techniques that exist (a typo
    would otherwise run nothing, or fail the gate at the end, and look like a result)."""
    techniques = [t.id for t in catalog.techniques] + [t.slug for t in catalog.techniques]
    check_ids = [spec.id for spec in specs]
    allowed = {"select": techniques + check_ids, "disable": check_ids + techniques, "required": techniques}
    problems = []
    for key, known in allowed.items():
        for item in config.get(key):
            if item in known or catalog.technique(item) is not None:
                continue
            what = "technique" if key == "required" else "check or technique"
            problems.append(f"--{key} {item!r}: no such {what}{did_you_mean(item, known)}")
    if problems:
        ids = ", ".join(t.id for t in catalog.techniques)
        raise UsageError("; ".join(problems) + f". Techniques: {ids}; checks: baseline checks")


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
        known = [t.id for t in catalog.techniques] + [t.slug for t in catalog.techniques] + [loaded.spec.id for loaded in discovered.checks]
        raise UsageError(f"{args.key!r} is neither a technique nor an installed check{did_you_mean(args.key, known)}; techniques: {ids}")
    return exitcodes.OK


def cmd_checks(args: argparse.Namespace) -> int:
    """``baseline checks``."""
    catalog = load_catalog(args.catalog)
    discovered = discover_checks(catalog)
    console = Console()
    for technique in catalog.techniques:
        checks = [loaded for loaded in discovered.checks if loaded.spec.technique == technique.id]
        names = ", ".join(f"{loaded.spec.id} ({loaded.spec.lifecycle.value})" for loaded in checks) or "[yellow]none installed[/]"
        console.print(f"{safe(technique.id)} {safe(technique.title)}: {names}", highlight=False)
    for problem in discovered.problems:
        console.print(f"[red]problem[/] {safe(problem.plugin)}: {safe(problem.message)}", highlight=False)
    return exitcodes.OK


def _apply_global_flags(args: argparse.Namespace) -> None:
    """``baseline -q scan`` / ``baseline -v scan`` mean the same as the sub-command's own flags."""
    if getattr(args, "global_quiet", False) and hasattr(args, "quiet"):
        args.quiet = True
    if getattr(args, "global_verbose", False) and hasattr(args, "verbose"):
        args.verbose = True


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
    _apply_global_flags(args)
    err = Console(stderr=True)
    _install_signal_handlers()
    # One command, one policy and one scratch copy of the project (a later command copies it afresh).
    sandbox.configure(unconfined=bool(getattr(args, "unconfined", False)), allow_env=[], hidden=[], exclude=[])
    try:
        return handler(args)
    except UsageError as exc:
        err.print(f"[red]baseline: error:[/] {safe(exc)}", highlight=False)
        return exitcodes.USAGE_ERROR
    except BaselineError as exc:
        err.print(f"[red]baseline: internal error:[/] {safe(exc)}", highlight=False)
        return exitcodes.INTERNAL_ERROR
    except KeyboardInterrupt:
        err.print("[red]baseline: interrupted[/]")
        return exitcodes.INTERNAL_ERROR
    except BrokenPipeError:  # the reader went away (`baseline diff a b | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush must not fail again
        return exitcodes.OK
    except Exception as exc:  # the toolkit's own bug: say so, without a wall of traceback
        if os.environ.get("BASELINE_DEBUG") or getattr(args, "global_verbose", False) or getattr(args, "verbose", False):
            traceback.print_exc()  # still exit 4: an uncaught exception would exit 1, which means "gate failed"
        err.print(f"[red]baseline: internal error:[/] {type(exc).__name__}: {safe(exc)} (use --verbose or BASELINE_DEBUG=1 for the traceback)", highlight=False)
        return exitcodes.INTERNAL_ERROR
    finally:
        sandbox.cleanup()
