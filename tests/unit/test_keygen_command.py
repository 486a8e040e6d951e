"""``baseline keygen``: the private key is created owner-only and an existing key is never overwritten silently."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest

from baseline.commands.keygen import run
from baseline.errors import UsageError


def test_private_key_is_owner_only_and_never_silently_overwritten(tmp_path: Path) -> None:
    prefix = tmp_path / "keys" / "vendor"
    assert run(argparse.Namespace(out=str(prefix), force=False)) == 0
    private, public = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and public.is_file()
    first = private.read_bytes()
    with pytest.raises(UsageError, match="exists"):
        run(argparse.Namespace(out=str(prefix), force=False))
    assert private.read_bytes() == first
    assert run(argparse.Namespace(out=str(prefix), force=True)) == 0 and private.read_bytes() != first
