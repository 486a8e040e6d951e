"""``baseline threat-model init``: write a threat-model draft from the attack surface in the code.

The draft names every extracted route, console script, CLI command and listener, lists the
parsers, subprocess calls, file sinks and secrets found, explains what the T01 check needs, and
gives every entry point and dangerous sink its own sub-section to fill with a threat and the test
that verifies its mitigation. It carries a marker with its own digest: an untouched draft earns no
credit, and lines still holding TODO are not read, so an edited draft earns credit only for the
sub-sections really filled in.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline import exitcodes
from baseline.config import load_config
from baseline.errors import UsageError
from baseline.target import project_name

if TYPE_CHECKING:  # The subsystem is imported when the command runs, not when the CLI builds its parser (a scan never loads it).
    from baseline.tools.attack_surface import AttackSurface

_TODO = "- TODO: {}"


def render_markdown(name: str, surface: AttackSurface) -> str:
    """The Markdown draft (with its marker)."""
    from baseline.tools.threat_content import requirements
    from baseline.tools.threat_model import mark_draft

    lines = [f"# Threat model: {name}", "", "Draft written by `baseline threat-model init` from the code. Replace every TODO.", ""]
    lines += ["## Assets", "", _TODO.format("what an attacker wants: data, credentials, availability, integrity of outputs"), ""]
    lines += ["## Entry points", "", "| Kind | Name | Where | Notes |", "| --- | --- | --- | --- |"]
    entries = surface.entry_points()
    for item in entries:
        where = f"{item.file}:{item.line}" if item.line else item.file
        lines.append(f"| {item.kind} | `{item.name}` | {where} | {item.detail} |")
    if not entries:
        lines.append("| - | none found in the code | - | - |")
    lines.append("")
    others = [item for item in surface.items if not item.is_entry_point]
    if others:
        lines += ["## Parsers, sinks and secrets found in the code", ""]
        for item in others:
            flag = " (risky)" if item.risky else ""
            lines.append(f"- {item.kind}: `{item.name}` at {item.file}:{item.line}{flag}")
        lines.append("")
    lines += ["## Trust boundaries", "", _TODO.format("where data crosses from less to more trusted parts"), ""]
    lines += [
        "## Threats",
        "",
        "What earns credit (the T01 check of `baseline scan`): every entry point and every dangerous sink",
        "(subprocess and dynamic code, unsafe deserialisers, archive extraction) found in the code needs",
        "one block of this file that names it, says what an attacker could do through it (spoofing,",
        "tampering, repudiation, information disclosure, denial of service, elevation of privilege), and",
        "names the test that verifies the mitigation: a `test_...` function of the test suite that runs",
        "and passes in the same scan. The score is the share of items covered that way. Lines that still",
        "hold TODO are not read; a sentence repeated for several items with only the name changed counts",
        "for none of them; headings alone count for nothing.",
        "",
    ]
    reqs = requirements(surface)
    for req in reqs:
        where = "" if req.entry_point else f" in {req.file}"
        lines += [f"### {req.kind} `{req.name}`{where}", "", _TODO.format(f"threat: what an attacker sends through it ({req.detail or req.kind}) and what they gain"), _TODO.format("mitigation: what stops it, verified by test_... (the test's function name)"), ""]
    if not reqs:
        lines += [_TODO.format("no entry point or dangerous sink was found in the code: describe the threats to the assets"), ""]
    lines += ["## Mitigations", "", _TODO.format("the controls shared by several threats, each with the test that verifies it (e.g. test_rejects_bad_input)"), ""]
    return mark_draft("\n".join(lines))


def render_pytm(name: str, surface: AttackSurface) -> str:
    """A pytm skeleton naming the same entry points."""
    from baseline.tools.threat_model import mark_draft

    lines = [
                f'"""pytm threat model draft for {name}: written by baseline threat-model init; complete it."""',
        "",
        "from pytm import TM, Actor, Boundary, Dataflow, Datastore, Process",
        "",
        f"tm = TM({name!r})",
        'tm.description = "TODO: describe the system"',
        'internet = Boundary("Untrusted callers")',
        'user = Actor("User")',
        "user.inBoundary = internet",
        f"app = Process({name!r})",
        'store = Datastore("TODO: data store")',
    ]
    for index, item in enumerate(surface.entry_points()):
        lines.append(f"flow_{index} = Dataflow(user, app, {f'{item.kind} {item.name}'!r})")
    lines += ['Dataflow(app, store, "TODO: what is stored")', "", 'if __name__ == "__main__":', "    tm.process()", ""]
    return mark_draft("\n".join(lines), python=True)


def _shown(path: Path, root: Path) -> str:
    """A path relative to the project when it lies inside it, else as given."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def cmd_init(args: argparse.Namespace) -> int:
    """Write the draft(s); refuse to overwrite unless --force."""
    root = Path(args.path or ".").resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    output = root / args.output
    targets = [(output, "markdown")]
    if args.pytm:
        targets.append((root / "threat_model_tm.py", "pytm"))
    for path, _ in targets:
        if path.exists() and not args.force:
            raise UsageError(f"{_shown(path, root)} exists; pass --force to overwrite it")
        if path.is_dir():
            raise UsageError(f"{_shown(path, root)} is a folder; --output names the Markdown file to write")
    from baseline.tools.attack_surface import extract_surface

    surface = extract_surface(root, load_config(root).get("exclude"))
    name = project_name(root)
    for path, kind in targets:
        text = render_markdown(name, surface) if kind == "markdown" else render_pytm(name, surface)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {_shown(path, root)}: {exc.strerror or exc}") from None
        print(f"wrote {_shown(path, root)}")
    print(f"{len(surface.entry_points())} entry points and {len(surface.items) - len(surface.entry_points())} parsers/sinks/secrets named; fill in every TODO")
    return exitcodes.OK


def install(subparsers: Any) -> None:
    """Add ``baseline threat-model init``."""
    parser = subparsers.add_parser("threat-model", help="threat-model helpers (init: write a draft from the code)")
    actions = parser.add_subparsers(dest="threat_model_action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write a threat-model draft naming the routes and commands found in the code")
    init.add_argument("path", nargs="?", default=".", help="the project (default: the current folder)")
    init.add_argument("--output", default="THREAT_MODEL.md", help="Markdown file to write, relative to the project")
    init.add_argument("--pytm", action="store_true", help="also write a pytm skeleton (threat_model_tm.py)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.set_defaults(handler=cmd_init)
