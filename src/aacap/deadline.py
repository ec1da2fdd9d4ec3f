"""A time budget for one piece of model work, checked between steps.

The service runs every request on one model thread; a request must not hold it beyond its
budget. The caller opens `time_budget(seconds)` around the work; the long loops (the encoder's
chunks, the decoding steps, the default model's patch chunks) call `check_deadline()` between
steps, which raises `DeadlineExceeded` once the budget is spent. Without a budget the check
costs one context-variable read. The budget is a context variable, so it is per thread / task.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("aacap_deadline",
                                                                         default=None)


class DeadlineExceeded(RuntimeError):
    """The work ran past its time budget (`time_budget`)."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Within the block, `check_deadline()` raises once `seconds` have passed (None: never).
    A budget inside another keeps the earlier of the two deadlines."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_deadline() -> None:
    """Raise `DeadlineExceeded` if the current budget is spent."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded("the time budget of this work is spent")
