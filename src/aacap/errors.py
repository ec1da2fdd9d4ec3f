"""`first_line`: how a caught error's message enters aacap's one-line errors."""

from __future__ import annotations


def first_line(err: BaseException | str, limit: int | None = None) -> str:
    """The first line of `err`'s message (an error, or a message text already taken from one),
    stripped; an error with no message gives its type's name. At most `limit` characters."""
    text = str(err).strip()
    if text:
        text = text.splitlines()[0]
    elif isinstance(err, BaseException):
        text = type(err).__name__
    return text[:limit]
