"""`aacap.atomic`: files written atomically take the mode `open` gives under the umask (the
checkpoints were 0600), and leave no temporary file behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from helpers import tiny_checkpoint

@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_checkpoint_mode_follows_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        path = tiny_checkpoint("las2020", tmp_path / "m.pt")
        reference = tmp_path / "plain"
        reference.write_bytes(b"")  # what `open` makes under this umask
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode == stat.S_IMODE(reference.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
