"""``baseline sbom [PATH]``: write the CycloneDX SBOM of the project's own dependencies."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from baseline import exitcodes
from baseline.console import safe
from baseline.errors import UsageError
from baseline.target import project_name, resolve_interpreter

if TYPE_CHECKING:  # The subsystem is imported when the command runs, not when the CLI builds its parser (a scan never loads it).
    from baseline.tools.sbom import Inventory


def install(subparsers: Any) -> None:
    """Add ``baseline sbom``."""
    parser = subparsers.add_parser("sbom", help="write a CycloneDX 1.6 SBOM of the project's own dependencies")
    parser.add_argument("path", nargs="?", default=".", help="the project (default: the current folder)")
    parser.add_argument("--output", "-o", default="-", help="file to write ('-' = stdout)")
    parser.add_argument(
        "--python", default=None,
        help="the target's interpreter whose installed environment adds the transitive dependencies that ship "
        "(default: the project's .venv when present; read confined, offline)",
    )
    parser.add_argument("--no-environment", action="store_true", help="do not read an installed environment")
    parser.add_argument("--optional-scope", choices=("optional", "excluded"), default="optional",
                        help="scope of development, test, docs and optional groups (default: optional)")
    parser.set_defaults(handler=_sbom)


def _with_environment(args: argparse.Namespace, root: Path, inventory: Inventory, err: Console) -> Inventory:
    """The inventory resolved against the target's installed environment, as the scan does; the reason when not."""
    from baseline.tools.components_run import resolve_environment, with_optional_scope

    if inventory.components and not args.no_environment and (args.python or (root / ".venv" / "bin" / "python").exists()):
        interpreter = resolve_interpreter(root, args.python)
        inventory, report = resolve_environment(inventory, root, interpreter.path, interpreter.source, 120.0)
        note = report.note()
    else:
        note = "transitive dependencies were not examined: " + (
            "--no-environment" if args.no_environment else "no installed environment (give --python or create .venv)"
        )
    if inventory.components:
        err.print(safe(note), highlight=False)
    return with_optional_scope(inventory, args.optional_scope)


def _sbom(args: argparse.Namespace) -> int:
    from baseline.tools.sbom import build_sbom, collect, project_version

    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"target {args.path} is not a folder")
    inventory = collect(root.resolve())
    err = Console(stderr=True)
    inventory = _with_environment(args, root.resolve(), inventory, err)
    for problem in inventory.problems:
        err.print(f"[yellow]note:[/] {safe(problem)}", highlight=False)
    if not inventory.components:
        err.print("no dependency declared (looked for " + ", ".join(inventory.looked_for) + ")", highlight=False)
    text = json.dumps(build_sbom(inventory, project_name(root.resolve()), project_version(root.resolve())), indent=2, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        unpinned = sum(1 for c in inventory.components if not c.version)
        err.print(f"wrote {args.output}: {len(inventory.components)} components from {', '.join(inventory.sources) or 'nothing'}"
                  + (f"; {unpinned} not pinned to a version" if unpinned else ""), highlight=False)
    return exitcodes.OK
