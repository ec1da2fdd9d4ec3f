"""Decoding options (one frozen dataclass, as in whisper) and the candidates decoding returns."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from ..config import FieldError

METHODS = ("greedy", "beam", "sample")
# Documented maxima: what a caption needs, with room to spare. Larger values only tie up the
# model (the service answers 400 to them, the CLI one line), so they are refused up front.
MAX_LENGTH = 100  # tokens: 3x the longest Clotho/AudioCaps caption (about 30 words)
MAX_BEAM_SIZE = 32  # hypotheses per clip (CoNeTTE uses 3; gains stop well before 32)
MAX_CANDIDATES = 32  # candidates per clip, any method
MAX_TEMPERATURE = 100.0  # beyond, sampling is uniform over the allowed tokens anyway
MAX_LENGTH_PENALTY = 10.0  # exponent of the length in the ranking score
MAX_SEED = 2**63 - 1
NO_REPEAT_HELP = "'none', 'words' (no repeated non-stopword, CoNeTTE's default) or 'ngram:N'"


@dataclass(frozen=True)
class DecodingOptions:
    """How captions are generated from the decoder. Invalid values raise `ValueError`.

    Lengths count generated tokens, the closing `<eos>` included: a caption that reaches
    `max_length` tokens without `<eos>` is cut there (so it has `max_length` words), and `<eos>`
    is forbidden while fewer than `min_length` words have been generated.

    Every number is checked for type, finiteness and range (`MAX_LENGTH`, `MAX_BEAM_SIZE`,
    `MAX_CANDIDATES`, `MAX_TEMPERATURE`, `MAX_LENGTH_PENALTY`); `check_vocabulary` adds the
    checks against a model's vocabulary. Messages name the field (`beam_size=1000 ...`).
    """

    method: str = "beam"  # greedy | beam | sample
    beam_size: int = 3  # hypotheses kept per clip (method='beam'; CoNeTTE: 3)
    temperature: float = 1.0  # sampling: logits / temperature; 0 picks the most likely token
    top_k: int | None = None  # sampling: keep the k most likely tokens
    top_p: float | None = None  # sampling: nucleus, the smallest set with mass >= top_p
    typical_p: float | None = None  # sampling: locally typical set with mass >= typical_p
    num_candidates: int | None = None  # candidates per clip; None: beam_size for beam, else 1
    seed: int | None = None  # sampling: same seed -> same samples (per clip, any batch size)
    min_length: int = 0  # words before <eos> may be chosen
    max_length: int = 30  # tokens generated at most, <eos> included
    no_repeat: str = "words"  # NO_REPEAT_HELP
    length_penalty: float = 1.0  # score = logprob / length ** length_penalty (0: plain sum)
    task: str | None = None  # dataset task token <bos_TASK> (e.g. 'clotho'); None: <bos>
    use_cache: bool = True  # incremental decoding (KV cache / carried LSTM state)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise _error("method", self.method, f"is unknown; choose one of {', '.join(METHODS)}")
        _check_int(self, "beam_size", 1, MAX_BEAM_SIZE)
        _check_int(self, "min_length", 0, MAX_LENGTH)
        _check_int(self, "max_length", 1, MAX_LENGTH)
        if self.min_length > self.max_length:
            raise _error("min_length", self.min_length, f"exceeds max_length={self.max_length}")
        if self.num_candidates is not None:
            _check_int(self, "num_candidates", 1, MAX_CANDIDATES)
        if self.seed is not None:
            _check_int(self, "seed", 0, MAX_SEED)
        if self.top_k is not None:
            _check_int(self, "top_k", 1, None)
        for name in ("top_p", "typical_p"):
            value = getattr(self, name)
            if value is not None and not (_is_number(value) and 0.0 < value <= 1.0):
                raise _error(name, value, "must be a number in (0, 1]")
        if not (_is_number(self.temperature) and 0.0 <= self.temperature <= MAX_TEMPERATURE):
            raise _error("temperature", self.temperature,
                         f"must be a number in [0, {MAX_TEMPERATURE:g}]")
        if not (_is_number(self.length_penalty)
                and 0.0 <= self.length_penalty <= MAX_LENGTH_PENALTY):
            raise _error("length_penalty", self.length_penalty,
                         f"must be a number in [0, {MAX_LENGTH_PENALTY:g}]")
        parse_no_repeat(self.no_repeat)
        if self.task is not None and not isinstance(self.task, str):
            raise _error("task", self.task, "must be a dataset name such as 'clotho'")
        if not isinstance(self.use_cache, bool):
            raise _error("use_cache", self.use_cache, "must be True or False")

        if self.method != "sample":
            given = [f"{n}={getattr(self, n)!r}" for n in ("top_k", "top_p", "typical_p")
                     if getattr(self, n) is not None]
            if self.temperature != 1.0:
                given.append(f"temperature={self.temperature!r}")
            only_sampling = f"only applies to method='sample' (got {self.method!r})"
            if len(given) == 1:  # one field to blame: the CLI says it with its flag
                name = given[0].split("=", 1)[0]
                raise _error(name, getattr(self, name), only_sampling)
            if given:
                raise ValueError(f"decoding option {', '.join(given)} {only_sampling}")  # several
        if self.method != "beam" and self.beam_size != 3:
            raise _error("beam_size", self.beam_size,
                         f"only applies to method='beam' (got {self.method!r})")
        if self.method == "beam" and self.candidates > self.beam_size:
            raise _error("num_candidates", self.num_candidates,
                         f"exceeds beam_size={self.beam_size}")
        if self.method == "greedy" and self.candidates != 1:
            raise _error("num_candidates", self.num_candidates,
                         "must be 1 with method='greedy'; use 'beam' or 'sample' for more")

    def check_vocabulary(self, size: int) -> None:
        """Raise a one-line `ValueError` if these options ask more of a vocabulary of `size`
        tokens than it has: more beams, candidates or top-k tokens than tokens."""
        for name in ("beam_size", "top_k"):
            value = getattr(self, name)
            if value is not None and value > size and (name != "beam_size"
                                                       or self.method == "beam"):
                raise _error(name, value, f"exceeds the model's vocabulary of {size} tokens")
        if self.candidates > size:
            raise _error("num_candidates", self.candidates,
                         f"exceeds the model's vocabulary of {size} tokens")

    @property
    def candidates(self) -> int:
        """Candidates returned per clip."""
        if self.num_candidates is not None:
            return self.num_candidates
        return self.beam_size if self.method == "beam" else 1


@dataclass(frozen=True)
class Candidate:
    """One generated caption. `tokens`: word ids (no start token, no `<eos>`); `logprob`: sum
    of the model's log-probabilities of the generated tokens (`<eos>` included) under the
    repetition and length constraints, before any sampling transform; `score`: the ranking
    value, `logprob / length ** length_penalty`."""

    tokens: list[int]
    caption: str
    logprob: float
    score: float


def parse_no_repeat(value: str) -> int | None:
    """'none' -> None, 'words' -> 0 (CoNeTTE's content-word rule), 'ngram:N' -> N."""
    if value in ("none", "words"):
        return None if value == "none" else 0
    if isinstance(value, str) and value.startswith("ngram:"):
        size = value[len("ngram:"):]
        if size.isdigit() and int(size) >= 1:
            return int(size)
    raise _error("no_repeat", value, f"is invalid; use {NO_REPEAT_HELP}")


def decoding_options_from_kwargs(**kwargs: Any) -> DecodingOptions:
    """`DecodingOptions(**kwargs)`, with a one-line `ValueError` naming any unknown option."""
    known = {f.name for f in dataclasses.fields(DecodingOptions)}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ValueError(
            f"unknown decoding option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return DecodingOptions(**kwargs)


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool, NaN or infinity)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and (isinstance(value, int) or math.isfinite(value)))


def _check_int(options: DecodingOptions, name: str, minimum: int, maximum: int | None) -> None:
    value = getattr(options, name)
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        raise _error(name, value, f"must be an integer >= {minimum}")
    if maximum is not None and value > maximum:
        shown = f"{value}" if value < 10**12 else f"{value:.3g}"
        raise _error(name, value, f"exceeds the maximum of {maximum}", shown=shown)


def _error(name: str, value: Any, reason: str, shown: str | None = None) -> FieldError:
    """'decoding option NAME=VALUE REASON', as a `FieldError` (the CLI tells it by flag)."""
    return FieldError(name, value, reason, prefix="decoding option ", shown=shown)
