"""The decoding flags of `aacap caption`, `batch` and `evaluate-model` -> `DecodingOptions`."""

from __future__ import annotations

import argparse

import pytest

from aacap.commands.decoding_args import add_decoding_arguments, kwargs_from_args, options_from_args
from aacap.decoding import DecodingOptions


def test_command_line_flags() -> None:
    parser = argparse.ArgumentParser()
    add_decoding_arguments(parser)
    args = parser.parse_args(
        "--method sample --temperature 0.5 --top-k 10 --top-p 0.9 --typical-p 0.95 "
        "--num-candidates 5 --seed 7 --min-length 2 --max-length 20 --no-repeat ngram:3 "
        "--task clotho --length-penalty 0".split()
    )
    assert options_from_args(args) == DecodingOptions(
        method="sample", temperature=0.5, top_k=10, top_p=0.9, typical_p=0.95, num_candidates=5,
        seed=7, min_length=2, max_length=20, no_repeat="ngram:3", task="clotho",
        length_penalty=0.0)
    assert kwargs_from_args(parser.parse_args([])) == {}
    assert options_from_args(parser.parse_args(["--beam-size", "5"])) == DecodingOptions(
        beam_size=5)
    with pytest.raises(ValueError, match="only applies to method='sample'"):
        options_from_args(parser.parse_args(["--top-p", "0.9"]))


def test_every_decoding_field_has_a_flag_with_the_dataclass_default() -> None:
    import dataclasses

    parser = argparse.ArgumentParser()
    add_decoding_arguments(parser)
    flags = {a.dest: a for a in parser._actions if a.dest != "help"}
    fields = {f.name: f for f in dataclasses.fields(DecodingOptions)}
    assert set(flags) == set(fields) - {"use_cache"}  # use_cache: the library's, not a user's
    assert all(a.default is None for a in flags.values())  # left out: the model's defaults
    assert "(default 3)" in flags["beam_size"].help and "(default 30)" in flags["max_length"].help
