"""`aacap serve` flags: generated from `ServeConfig` (defaults in one place), errors told in
flags while the library names fields."""

from __future__ import annotations

import dataclasses

import pytest

from aacap.cli import main
from aacap.commands.serve import RENAMED
from aacap.config import FieldError
from aacap.serve.config import ServeConfig


def test_flags_default_to_the_dataclass() -> None:
    from aacap.cli import build_parser

    serve = build_parser()._subparsers._group_actions[0].choices["serve"]
    defaults = {a.dest: a.default for a in serve._actions}
    for field in dataclasses.fields(ServeConfig):
        if field.name != "max_segments":  # a request-shape limit without a flag
            assert defaults[field.name] == field.default, field.name
    assert {"--segment-seconds", "--budget-s"} == set(RENAMED.values())


@pytest.mark.parametrize("field, value, reason", [
    ("max_batch", 0, "must be an integer >= 1"), ("max_wait_ms", -1.0, "must be a number >= 0"),
    ("request_budget_s", float("inf"), "must be a positive, finite number")])
def test_library_names_the_field_and_the_cli_the_flag(field: str, value: float, reason: str,
                                                      capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(FieldError) as err:
        ServeConfig(**{field: value})
    assert str(err.value) == f"{field}={value!r} {reason}" and err.value.field == field
    flag = RENAMED.get(field, "--" + field.replace("_", "-"))
    assert main(["serve", flag, str(value)]) == 2
    assert capsys.readouterr().err.strip() == f"aacap serve: error: {flag} {value}: {reason}"
