"""`aacap.errors.first_line`: a caught error's message as one line."""

from __future__ import annotations

from aacap.errors import first_line


def test_first_line_of_the_message() -> None:
    assert first_line(ValueError("  bad header\nTraceback follows\n")) == "bad header"
    assert first_line(ValueError("x" * 300), 120) == "x" * 120
    assert first_line(ValueError("x" * 300)) == "x" * 300  # no limit unless asked


def test_an_error_without_message_gives_its_type() -> None:
    # (`str(err).splitlines()[0]` raised IndexError here, hiding the first error)
    assert first_line(ValueError()) == "ValueError"
    assert first_line(ConnectionResetError(""), 5) == "Conne"


def test_a_message_text() -> None:
    assert first_line("Invalid data found\nmore") == "Invalid data found"
    assert first_line("") == ""
