"""Hardening properties of native extension modules (ELF ``.so`` files), read with pyelftools.

Checked per file, like ``checksec``: RELRO (a ``PT_GNU_RELRO`` segment) and BIND_NOW (full RELRO),
a non-executable stack (``PT_GNU_STACK`` without the execute flag), the stack protector
(``__stack_chk_fail``), FORTIFY_SOURCE (``__*_chk`` libc functions) and position-independent code
(``ET_DYN`` without text relocations). Reading a file starts no process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from baseline.target import SKIP_DIRS, iter_files

PROPERTIES = ("relro", "bind_now", "nx", "stack_protector", "fortify", "pic")

_DF_BIND_NOW = 0x8
_DF_1_NOW = 0x1
_PF_X = 0x1


@dataclass(frozen=True)
class ElfHardening:
    """The hardening properties of one ELF file (or why it could not be read)."""

    path: str  # relative to the target root
    relro: bool = False
    bind_now: bool = False
    nx: bool = False
    stack_protector: bool = False
    fortify: bool = False
    pic: bool = False
    error: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The properties this file lacks."""
        if self.error:
            return ()
        return tuple(name for name in PROPERTIES if not getattr(self, name))


def find_native_modules(root: Path) -> list[Path]:
    """Extension modules of the project: ``*.so`` in its tree and in its ``build/`` output.

    Virtual environments and installed packages are not the project's own code and are skipped.
    """
    found = {path for path in iter_files(root) if path.suffix == ".so" or ".so." in path.name}
    build = root / "build"
    if build.is_dir():
        for path in build.rglob("*.so"):
            if path.is_file() and not path.is_symlink() and not any(part in SKIP_DIRS - {"build"} for part in path.relative_to(root).parts):
                found.add(path)
    return sorted(found)


def inspect_elf(path: Path, root: Path) -> ElfHardening:
    """Read one ELF file's hardening properties."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    relative = path.relative_to(root).as_posix()
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                return ElfHardening(relative, error="not an ELF file")
            handle.seek(0)
            elf = ELFFile(handle)
            relro = nx = False
            has_stack_header = False
            for segment in elf.iter_segments():
                kind = segment["p_type"]
                if kind == "PT_GNU_RELRO":
                    relro = True
                elif kind == "PT_GNU_STACK":
                    has_stack_header = True
                    nx = not (segment["p_flags"] & _PF_X)
            bind_now = textrel = False
            symbols: set[str] = set()
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        name = tag.entry.d_tag
                        if name == "DT_BIND_NOW":
                            bind_now = True
                        elif name == "DT_FLAGS" and tag.entry.d_val & _DF_BIND_NOW:
                            bind_now = True
                        elif name == "DT_FLAGS_1" and tag.entry.d_val & _DF_1_NOW:
                            bind_now = True
                        elif name == "DT_TEXTREL":
                            textrel = True
                if isinstance(section, SymbolTableSection):
                    symbols.update(symbol.name for symbol in section.iter_symbols() if symbol.name)
            return ElfHardening(
                relative,
                relro=relro,
                bind_now=bind_now,
                nx=nx and has_stack_header,
                stack_protector=bool(symbols & {"__stack_chk_fail", "__stack_chk_guard"}),
                fortify=any(name.startswith("__") and name.endswith("_chk") and not name.startswith("__stack_chk") for name in symbols),
                pic=elf["e_type"] == "ET_DYN" and not textrel,
            )
    except (ELFError, OSError, ValueError, KeyError) as exc:
        return ElfHardening(relative, error=f"{type(exc).__name__}: {exc}")
