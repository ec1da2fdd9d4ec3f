"""Decoding options on the command line (`aacap caption` and friends)."""

from __future__ import annotations

import argparse
from typing import Any

from ..decoding.options import METHODS, NO_REPEAT_HELP, DecodingOptions, decoding_options_from_kwargs

# (flag, DecodingOptions field, type, help); every default is None = the field's own default
_ARGUMENTS: list[tuple[str, str, Any, str]] = [
    ("--beam-size", "beam_size", int, "hypotheses per clip for --method beam (default 3)"),
    ("--temperature", "temperature", float, "sampling temperature; 0 = most likely token"),
    ("--top-k", "top_k", int, "sample among the K most likely tokens"),
    ("--top-p", "top_p", float, "nucleus sampling: smallest token set with mass >= P"),
    ("--typical-p", "typical_p", float, "typical sampling with mass P"),
    ("--num-candidates", "num_candidates", int,
     "candidates per clip (default: beam size for beam, 1 otherwise)"),
    ("--seed", "seed", int, "sampling seed: the same seed gives the same samples"),
    ("--min-length", "min_length", int, "words before <eos> is allowed (default 0)"),
    ("--max-length", "max_length", int, "tokens generated at most, <eos> included (default 30)"),
    ("--no-repeat", "no_repeat", str, f"repetition control: {NO_REPEAT_HELP} (default words)"),
    ("--length-penalty", "length_penalty", float,
     "rank by logprob / length**X (default 1: mean log-prob; 0: sum)"),
    ("--task", "task", str, "dataset task token, e.g. clotho or audiocaps (default <bos>)"),
]


def add_decoding_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the decoding flags (`--method`, `--beam-size`, ..., `--task`) to `parser`."""
    group = parser.add_argument_group("decoding")
    group.add_argument("--method", choices=METHODS, default=None,
                       help="greedy, beam search or sampling (default beam)")
    for flag, dest, kind, text in _ARGUMENTS:
        group.add_argument(flag, dest=dest, type=kind, default=None, help=text)


def kwargs_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The decoding options given on the command line, as keyword arguments."""
    names = ["method", *(dest for _, dest, _, _ in _ARGUMENTS)]
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def options_from_args(args: argparse.Namespace) -> DecodingOptions:
    """`DecodingOptions` from parsed flags; invalid combinations raise a one-line ValueError."""
    return decoding_options_from_kwargs(**kwargs_from_args(args))
