"""Reading and writing files, each in one place: `atomic_write` (a crash leaves the old file
or the new one, never a part), and `read_torch_file` (a torch file with a one-line error)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_write(path: str | Path, binary: bool = True) -> Iterator[IO[Any]]:
    """Write `path` through a temporary file beside it, flushed to disk and then renamed over
    `path`: readers, and a crash, see the old file or the whole new one. The folder is made if
    needed; text mode is UTF-8 with newlines as written.

        with atomic_write("log.csv", binary=False) as f:
            f.write(text)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")  # unique per writer
    try:
        with open(tmp, "xb") if binary else open(tmp, "x", encoding="utf-8", newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_torch_file(path: str | Path, what: str, *, trusted: bool = False,
                    error: type[Exception] = ValueError, hint: str = "") -> Any:
    """`torch.load` of `path` onto the CPU, tensors and plain containers only unless
    `trusted` (full unpickling runs code from the file: only for files you trust). A file
    that does not load raises `error` with one line: '{path}: not a readable {what} (why)',
    then `hint`."""
    import torch  # here, not at the top: the writers above serve commands that never load torch

    try:
        return torch.load(path, map_location="cpu", weights_only=not trusted)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means the same to the user
        text = str(err).strip()
        reason = (text.splitlines()[0] if text else type(err).__name__)[:120]
        raise error(f"{path}: not a readable {what} ({reason}){hint}") from None
