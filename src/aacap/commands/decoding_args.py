"""Decoding options on the command line (`aacap caption`, `batch`, `evaluate-model`): one flag
per `DecodingOptions` field, generated from the dataclass (its defaults shown, never copied)."""

from __future__ import annotations

import argparse
from typing import Any

from ..decoding.options import METHODS, NO_REPEAT_HELP, DecodingOptions, decoding_options_from_kwargs
from .dataclass_args import add_dataclass_arguments, given_fields

# what each flag does; the default comes from `DecodingOptions` (use_cache has no flag)
HELP = {
    "method": "greedy, beam search or sampling",
    "beam_size": "hypotheses per clip for --method beam",
    "temperature": "sampling temperature; 0 = most likely token",
    "top_k": "sample among the K most likely tokens",
    "top_p": "nucleus sampling: smallest token set with mass >= P",
    "typical_p": "typical sampling with mass P",
    "num_candidates": "candidates per clip (default: beam size for beam, 1 otherwise)",
    "seed": "sampling seed: the same seed gives the same samples",
    "min_length": "words before <eos> is allowed",
    "max_length": "tokens generated at most, <eos> included",
    "no_repeat": f"repetition control: {NO_REPEAT_HELP}",
    "length_penalty": "rank by logprob / length**X (1: mean log-prob; 0: sum)",
    "task": "dataset task token, e.g. clotho or audiocaps (default <bos>)",
}


def add_decoding_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the decoding flags (`--method`, `--beam-size`, ..., `--task`) to `parser`. A flag
    left out is None: the model's own defaults (e.g. CoNeTTE's) fill it."""
    add_dataclass_arguments(parser.add_argument_group("decoding"), DecodingOptions, HELP,
                            choices={"method": METHODS}, given_only=True)


def kwargs_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The decoding options given on the command line, as keyword arguments."""
    return given_fields(args, DecodingOptions)


def options_from_args(args: argparse.Namespace) -> DecodingOptions:
    """`DecodingOptions` from parsed flags; invalid combinations raise a one-line ValueError."""
    return decoding_options_from_kwargs(**kwargs_from_args(args))
