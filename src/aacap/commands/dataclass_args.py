"""Command-line flags generated from a config dataclass's fields, so each default lives once
(in the dataclass), and the library's errors, which name fields, are told in flags."""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any


def flag_of(name: str, renamed: Mapping[str, str]) -> str:
    """`beam_size` -> `--beam-size`, unless `renamed` gives the field another flag."""
    return renamed.get(name, "--" + name.replace("_", "-"))


def add_dataclass_arguments(group: argparse._ArgumentGroup | argparse.ArgumentParser,
                            cls: type, helps: Mapping[str, str], *,
                            renamed: Mapping[str, str] = {},
                            choices: Mapping[str, tuple[str, ...]] = {},
                            given_only: bool = False) -> None:
    """One flag per field of `cls` named in `helps` (dest: the field name). With `given_only`
    a flag left out parses to None (so only what was given overrides someone's defaults);
    else to the field's default. Either way the help shows the field's default."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if field.name not in helps:
            continue
        kind = _scalar(hints[field.name])
        default = None if field.default is dataclasses.MISSING else field.default
        text = helps[field.name] + (f" (default {default:g})" if isinstance(default, float)
                                    else f" (default {default})" if default is not None else "")
        group.add_argument(flag_of(field.name, renamed), dest=field.name, type=kind,
                           default=None if given_only else default,
                           choices=choices.get(field.name), help=text)


def given_fields(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The fields of `cls` given on the command line (those that parsed to non-None)."""
    return {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)
            if getattr(args, f.name, None) is not None}


def _scalar(hint: Any) -> type:
    """int | None -> int; a plain type as it is."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        (kind,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return kind
    return hint
