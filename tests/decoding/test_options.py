"""Decoding options: validation with one-line errors, the keyword form (the command-line
flags: tests/commands/test_decoding_args.py)."""

from __future__ import annotations

import dataclasses

import pytest

from aacap.decoding import DecodingOptions, decoding_options_from_kwargs
from aacap.decoding.options import parse_no_repeat


def test_defaults_and_candidates() -> None:
    o = DecodingOptions()
    assert (o.method, o.beam_size, o.max_length, o.no_repeat, o.candidates) == (
        "beam", 3, 30, "words", 3)
    assert DecodingOptions(method="sample").candidates == 1
    assert DecodingOptions(method="sample", num_candidates=5).candidates == 5
    # every field round-trips through the keyword form (the CLI passes asdict(options))
    assert decoding_options_from_kwargs(**dataclasses.asdict(o)) == o
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.method = "greedy"  # type: ignore[misc]


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "nucleus"}, "method='nucleus' is unknown"),
    ({"beam_size": 0}, "beam_size=0 must be an integer >= 1"),
    ({"beam_size": 2.5}, "beam_size=2.5 must be an integer"),
    ({"top_p": 1.5, "method": "sample"}, r"top_p=1.5 must be a number in \(0, 1\]"),
    ({"typical_p": 0.0, "method": "sample"}, "typical_p=0.0"),
    ({"temperature": -1.0, "method": "sample"}, r"temperature=-1.0 must be a number in \[0, 100\]"),
    ({"top_k": 0, "method": "sample"}, "top_k=0 must be an integer >= 1"),
    ({"top_k": 5}, "top_k=5 only applies to method='sample'"),
    ({"temperature": 0.7, "method": "greedy"}, "only applies to method='sample'"),
    ({"beam_size": 5, "method": "sample"}, "beam_size=5 only applies to method='beam'"),
    ({"num_candidates": 4, "beam_size": 3}, "num_candidates=4 exceeds beam_size=3"),
    ({"num_candidates": 2, "method": "greedy"}, "num_candidates=2 must be 1"),
    ({"min_length": 10, "max_length": 5}, "min_length=10 exceeds max_length=5"),
    ({"no_repeat": "ngram:0"}, "no_repeat='ngram:0' is invalid"),
    ({"no_repeat": "all"}, "no_repeat='all' is invalid"),
    ({"length_penalty": -1}, "length_penalty=-1"),
    ({"seed": -3, "method": "sample"}, "seed=-3"),
])
def test_invalid_options_raise_one_line_errors(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message) as err:
        DecodingOptions(**kwargs)
    assert "\n" not in str(err.value)


def test_unknown_keyword() -> None:
    with pytest.raises(ValueError, match="unknown decoding option.* beam_width; known: beam_size"):
        decoding_options_from_kwargs(beam_width=3)


def test_no_repeat_parsing() -> None:
    assert [parse_no_repeat(v) for v in ("none", "words", "ngram:1", "ngram:3")] == [
        None, 0, 1, 3]
