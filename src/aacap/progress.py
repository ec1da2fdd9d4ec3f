"""Progress bars for long commands: tqdm on stderr, shown only to a person at a terminal.

A bar is drawn when `enabled` and stderr is a terminal; with stderr redirected (a log file, a
pipe, CI) or with a command's `--quiet`, nothing is written, so logs stay clean. Results go
to stdout; lines written inside `cleared()` do not tear a bar drawn on the same screen.

    with bar(total=len(paths), unit="file", desc="aacap caption", enabled=not args.quiet) as b:
        for path in paths:
            ...
            b.update()
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tqdm import tqdm

T = TypeVar("T")


def shown(enabled: bool = True) -> bool:
    """Whether a bar would be drawn: `enabled` and stderr is a terminal."""
    try:
        return enabled and sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


def bar(iterable: Iterable[T] | None = None, *, total: float | None = None, desc: str = "",
        unit: str = "it", enabled: bool = True, leave: bool = True, **kwargs: Any) -> tqdm:
    """A tqdm bar on stderr, disabled unless `shown(enabled)`; a context manager and, with
    `iterable`, an iterator over it. `leave=False`: erased when done (a bar within a step)."""
    from tqdm import tqdm  # here, not at the top: every command's --help imports this module

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr,
                disable=not shown(enabled), dynamic_ncols=True, leave=leave, **kwargs)


def byte_bar(total: int | None, *, desc: str, initial: int = 0, enabled: bool = True) -> tqdm:
    """A download bar: bytes so far of `total` (None: unknown), with the rate (MB/s) and the
    time left; `initial` bytes were already there (a resumed download)."""
    from tqdm import tqdm  # see `bar`

    return tqdm(total=total, initial=initial, desc=desc, unit="B", unit_scale=True,
                unit_divisor=1024, file=sys.stderr, disable=not shown(enabled),
                dynamic_ncols=True, miniters=1)


def tracked(items: Iterable[T], total: int, *, desc: str, unit: str, enabled: bool = True
            ) -> Iterator[T]:
    """`items` unchanged, counting them on a bar of `total`."""
    with bar(total=total, desc=desc, unit=unit, enabled=enabled) as b:
        for item in items:
            yield item
            b.update()


def add_quiet_argument(parser: argparse.ArgumentParser, *aliases: str) -> None:
    """The `--quiet` flag (and `aliases`) of every command with a progress bar (the bar is
    also off when stderr is not a terminal); `args.quiet`."""
    parser.add_argument("-q", "--quiet", *aliases, dest="quiet", action="store_true",
                        help="no progress bar (none is drawn either when stderr is not a "
                             "terminal)")


@contextlib.contextmanager
def cleared() -> Iterator[None]:
    """Within the block, bars on the screen are cleared, and drawn again after it: for lines
    written to stdout or stderr while a bar is shown."""
    from tqdm import tqdm  # see `bar`

    with tqdm.external_write_mode(file=sys.stderr):
        yield
