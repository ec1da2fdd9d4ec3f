"""Atomic file writes: a crash leaves either the old file or the new one, never half of one.

The bytes go to a temporary file beside the target, created with mode 0666 less the process's
umask (as `open` creates files: 0644 under the usual umask 022, not `tempfile`'s 0600), then
flushed to disk and renamed over the target.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None], fsync: bool = True) -> None:
    """Call `write(f)` on a binary file that becomes `path` once `write` returns (its folder
    is created). `fsync`: flush to the disk before the rename (checkpoints: yes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
            break
        except FileExistsError:  # another writer drew the same name
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
