"""The model configuration stored inside every checkpoint, and the `key=value` override syntax."""

from __future__ import annotations

import copy
import dataclasses
import json
import types
import typing
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

C = TypeVar("C")


class FieldError(ValueError):
    """A field given a value it cannot take. The message names the field (`max_batch=0 must
    be >= 1`, after `prefix`, e.g. 'decoding option '); `field`, `shown` (the value as
    written) and `reason` let a command line say it with its own flag instead (`--max-batch
    0: must be >= 1`)."""

    def __init__(self, field: str, value: Any, reason: str, *, prefix: str = "",
                 shown: str | None = None) -> None:
        self.field, self.value, self.reason = field, value, reason
        self.shown = repr(value) if shown is None else shown
        super().__init__(f"{prefix}{field}={self.shown} {reason}")


@dataclass
class ModelConfig:
    """Architecture of a captioning model: which encoder and decoder, and their arguments.

    `encoder_args` / `decoder_args` are the fields of the chosen encoder's / decoder's own
    config dataclass; they are stored as plain dicts so a checkpoint needs no pickled classes.
    """

    name: str
    encoder: str  # "las" | "cnn14" | "cnext" | "yamnet"
    decoder: str  # "rnn" | "transformer"
    encoder_args: dict[str, Any] = field(default_factory=dict)
    decoder_args: dict[str, Any] = field(default_factory=dict)
    d_model: int = 256  # width of the projected audio frames the decoder attends to
    projection_dropout: float = 0.5
    description: str = ""
    resampler: str = "soxr"  # how inputs reach the encoder's rate: one of `audio.RESAMPLERS`

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        return cls(**copy.deepcopy(data))


def apply_overrides(config: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of `config` with `a.b.c=value` overrides applied (value parsed as JSON,
    else kept as a string). Unknown top-level keys are an error; nested dict keys may be new."""
    result = copy.deepcopy(config)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"override {item!r} is not of the form key=value")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        *parents, leaf = key.split(".")
        node = result
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise ValueError(f"override {item!r}: {part!r} is not a section")
            node = node[part]
        if node is result and leaf not in result:
            raise ValueError(f"override {item!r}: unknown key {leaf!r}; known: {sorted(result)}")
        node[leaf] = value
    return result


def config_from_args(cls: type[C], args: dict[str, Any], section: str) -> C:
    """`cls(**args)` for a config dataclass, or a one-line `ValueError` naming `section.field`:
    a field `cls` does not have (with the fields it has), or a value of the wrong type for an
    int, float, bool or str field (`--set decoder_args.num_layers=abc`)."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in args if k not in known]
    if unknown:
        raise ValueError(f"{section}.{unknown[0]}: unknown field of {cls.__name__}; its fields: "
                         f"{', '.join(known)}")
    hints = typing.get_type_hints(cls)
    for key, value in args.items():
        allowed = _scalar_types(hints.get(key))
        if allowed and not _is_instance(value, allowed):
            names = " or ".join(t.__name__ for t in allowed)
            raise ValueError(f"{section}.{key}={value!r}: must be {names}")
    return cls(**args)


def _scalar_types(hint: Any) -> tuple[type, ...]:
    """(int,), (float,), (bool,), (str,) or a union of them with None; () for other hints."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) or typing.get_origin(
        hint) is typing.Union else (hint,)
    scalars = tuple(t for t in options if t in (int, float, bool, str, type(None)))
    return scalars if len(scalars) == len(options) else ()


def _is_instance(value: Any, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # JSON true/false: only for bool fields
        return bool in allowed
    if isinstance(value, int) and float in allowed:  # 1 where a float is wanted
        return True
    return isinstance(value, allowed)
