"""``baseline tools``: install and list the external tools that run in their own environments."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from baseline import exitcodes
from baseline.errors import UsageError
from baseline.toolenv import ISOLATED_TOOLS, find_tool, install_tool, tools_dir


def install(subparsers: Any) -> None:
    """Add ``baseline tools install NAME`` and ``baseline tools list``."""
    parser = subparsers.add_parser("tools", help="install or list tools that run in their own environments (wapiti)")
    actions = parser.add_subparsers(dest="tools_action", metavar="ACTION")
    add = actions.add_parser("install", help="create the tool's private environment and install it")
    add.add_argument("name", choices=sorted(ISOLATED_TOOLS))
    add.set_defaults(handler=_install)
    show = actions.add_parser("list", help="where each isolated tool is found")
    show.set_defaults(handler=_list)
    parser.set_defaults(handler=_list)


def _install(args: argparse.Namespace) -> int:
    console = Console()
    console.print(f"installing {ISOLATED_TOOLS[args.name][0]} into {tools_dir() / args.name} ...", highlight=False)
    result = install_tool(args.name)
    if not result.ok:
        raise UsageError(result.message)
    console.print(result.message, highlight=False)
    return exitcodes.OK


def _list(args: argparse.Namespace) -> int:
    console = Console()
    for name, (requirement, _) in sorted(ISOLATED_TOOLS.items()):
        found = find_tool(name)
        console.print(f"{name}: {found or 'not installed'} (pinned: {requirement}; install: baseline tools install {name})", highlight=False)
    return exitcodes.OK
