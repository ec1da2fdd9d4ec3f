"""Reading torch files in one place: `read_torch_file`, weights only unless trusted, with a
one-line error. (Files are written whole or not at all by `atomic.atomic_write`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import first_line


def read_torch_file(path: str | Path, what: str, *, trusted: bool = False,
                    error: type[Exception] = ValueError, hint: str = "") -> Any:
    """`torch.load` of `path` onto the CPU, tensors and plain containers only unless
    `trusted` (full unpickling runs code from the file: only for files you trust). A file
    that does not load raises `error` with one line: '{path}: not a readable {what} (why)',
    then `hint`."""
    import torch  # here, not at the top: `aacap.fileio` is importable without torch

    try:
        return torch.load(path, map_location="cpu", weights_only=not trusted)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means the same to the user
        raise error(f"{path}: not a readable {what} ({first_line(err, 120)}){hint}") from None
