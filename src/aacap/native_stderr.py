"""Silence what a C library prints on the process's stderr (file descriptor 2).

libsndfile decodes MP3 with a bundled libmpg123, which writes warnings such as
`[src/libmpg123/id3.c:...] warning: ID3v2: unrealistic small tag lengh 0, skipping` straight
to descriptor 2 while it opens a file with a malformed ID3 tag; Python's `sys.stderr` cannot
catch them. `silenced_native_stderr()` points descriptor 2 at /dev/null for the duration of
the call. Descriptors are shared by the whole process, so the redirection is held under a
lock and kept as short as one `open`: what another thread writes in that instant is lost.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_LOCK = threading.Lock()


@contextlib.contextmanager
def silenced_native_stderr(enabled: bool = True) -> Iterator[None]:
    """Within the block, writes to file descriptor 2 go to /dev/null (when `enabled`)."""
    if not enabled:
        yield
        return
    with _LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no descriptor 2 (embedded interpreter)
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
