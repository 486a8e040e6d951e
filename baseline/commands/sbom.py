"""``baseline sbom [PATH]``: write the CycloneDX SBOM of the project's own dependencies."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from baseline import exitcodes
from baseline.console import safe
from baseline.errors import UsageError
from baseline.target import project_name
from baseline.tools.sbom import build_sbom, collect, project_version


def install(subparsers: Any) -> None:
    """Add ``baseline sbom``."""
    parser = subparsers.add_parser("sbom", help="write a CycloneDX 1.6 SBOM of the project's own dependencies")
    parser.add_argument("path", nargs="?", default=".", help="the project (default: the current folder)")
    parser.add_argument("--output", "-o", default="-", help="file to write ('-' = stdout)")
    parser.set_defaults(handler=_sbom)


def _sbom(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"target {args.path} is not a folder")
    inventory = collect(root.resolve())
    err = Console(stderr=True)
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
