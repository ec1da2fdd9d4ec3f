"""What every model kind offers and returns: the `Captioner` protocol, `CaptionResult` (and
its JSON form), `open_input` (an input made ready to caption) and `caption_paths` (files
captioned batch by batch with any captioner)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..audio import (Audio, AudioError, AudioFile, AudioSource, array_name, prepare_audio,
                     read_audio)
from ..decoding import DecodingOptions


@dataclass
class CaptionResult:
    """The caption of one input, its ranked candidates, and the clip's duration.

    A candidate's value is its ranking score; `score_name` says what it is: "logprob" (a
    neural decoder's log-probability) or "score" (the default model's retrieval score).
    `tags`: the clip's top sound classes with scores in [0, 1] (models with a tagger).
    `segments`: for a recording captioned in windows, its timed `aacap.captioning.segment.Segment`s."""

    path: str | None  # None for in-memory arrays
    caption: str
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (caption, score)
    duration_s: float = 0.0
    timing_s: float = 0.0  # share of the batch's compute time
    score_name: str = "logprob"
    tags: list[tuple[str, float]] = field(default_factory=list)  # (class name, score)
    segments: list[Any] | None = None  # list[aacap.captioning.segment.Segment]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; a non-finite score is written as null, so the output is always
        valid JSON."""
        out = {
            "path": self.path,
            "caption": self.caption,
            "candidates": candidate_dicts(self.candidates, self.score_name),
            "duration_s": round(self.duration_s, 3),
            "tags": tag_dicts(self.tags),
        }
        if self.segments is not None:
            out["segments"] = [s.to_dict() for s in self.segments]
        return out


def candidate_dicts(candidates: Sequence[tuple[str, float]], score_name: str) -> list[dict]:
    """[(caption, value)] -> [{"caption", "score"}], plus "logprob" when the value is one; a
    non-finite value is None (JSON has no NaN or infinity)."""
    out = []
    for caption, value in candidates:
        value = float(value) if math.isfinite(value) else None
        item: dict[str, Any] = {"caption": caption, "score": value}
        if score_name == "logprob":
            item["logprob"] = value
        out.append(item)
    return out


def tag_dicts(tags: Sequence[tuple[str, float]]) -> list[dict]:
    """[(class name, score)] -> [{"name", "score"}] (scores rounded to 4 decimals)."""
    return [{"name": name, "score": round(float(score), 4)} for name, score in tags]


class Captioner(Protocol):
    """What every model kind offers (neural presets, checkpoints, the default model)."""

    name: str
    sample_rate: int
    resampler: str  # how `caption` brings inputs to `sample_rate` (see `audio.RESAMPLERS`)

    def decoding_options(self, options: DecodingOptions | None = None, **fields: Any
                         ) -> DecodingOptions:
        """`DecodingOptions` from `fields` over this model's defaults, or the complete
        `options`, checked against this model (one-line `ValueError` naming the field)."""
        ...

    def caption(
        self,
        inputs: AudioSource | Sequence[AudioSource],
        *,
        sample_rate: int | None = None,
        first_index: int = 0,
        options: DecodingOptions | None = None,
        **fields: Any,
    ) -> CaptionResult | list[CaptionResult]:
        """One result for one input (a path, an `AudioFile`, a decoded `Audio`, a 1-D
        waveform), a list for a sequence of them; waveforms need their `sample_rate`; an
        `Audio` at the model's rate is used as it is (it was checked when decoded).
        Decoding: `options`, or `DecodingOptions` fields (`beam_size=3`) over the model's
        defaults."""
        ...


def as_batch(inputs: AudioSource | Sequence[AudioSource]) -> tuple[list[AudioSource], bool]:
    """(the inputs as a list, whether a single input was given: a path, an `AudioFile`, an
    `Audio` or one 1-D waveform; its caller then returns one result, not a list)."""
    if isinstance(inputs, (str, Path, AudioFile, Audio)):
        return [inputs], True
    if isinstance(inputs, np.ndarray):
        if inputs.ndim != 1:
            raise ValueError(f"inputs: one waveform is a 1-D array of samples, got shape "
                             f"{inputs.shape}; pass several as a list of arrays")
        return [inputs], True
    return list(inputs), False


def check_options_given_once(options: DecodingOptions | None, fields: dict[str, Any]) -> None:
    """Decoding options come as one `DecodingOptions` or as its fields, not both."""
    if options is not None and fields:
        raise ValueError(f"decoding options given twice: options=DecodingOptions(...) and "
                         f"{', '.join(sorted(fields))}; put them all in one")


def caption_paths(
    captioner: Captioner, paths: Sequence[str | Path], batch_size: int,
    options: DecodingOptions | None = None,
) -> Iterator[tuple[str, CaptionResult | AudioError]]:
    """Caption files `batch_size` at a time, yielding (path, result or the `AudioError` that
    refused it) in input order as each batch is done: the first captions come out before the
    later files are even opened, and memory holds one batch (long files are streamed).
    `options` (default: the model's) are checked against the model before any file is read."""
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} must be >= 1")
    options = captioner.decoding_options(options)
    for start in range(0, len(paths), batch_size):
        batch = [str(p) for p in paths[start : start + batch_size]]
        prepared: list[Audio | AudioFile | AudioError] = []
        for path in batch:
            try:
                prepared.append(prepare_audio(path, captioner.sample_rate, captioner.resampler))
            except AudioError as err:
                prepared.append(err)
        inputs = [x for x in prepared if not isinstance(x, AudioError)]  # decoded and checked
        results = iter(captioner.caption(inputs, sample_rate=captioner.sample_rate,
                                         first_index=start, options=options) if inputs else [])
        for path, x in zip(batch, prepared):
            if isinstance(x, AudioError):
                yield path, x
            else:
                result = next(results)
                result.path = path  # as the caller wrote it
                yield path, result


def open_input(source: AudioSource, rate: int, sample_rate: int | None,
               resampler: str = "soxr") -> Audio | AudioFile:
    """An input ready to caption: arrays and files of at most `LONG_CLIP_S` decoded, longer
    files checked (header, then every sample) to be streamed; a decoded `Audio` as it is
    (resampled when at another rate)."""
    if isinstance(source, AudioFile):
        return source
    if isinstance(source, Audio):
        return read_audio(source, rate, resampler=resampler)
    if isinstance(source, np.ndarray):
        if sample_rate is None:
            raise ValueError(f"{array_name(source)}: a waveform needs its sample rate; pass "
                             "sample_rate=RATE (Hz) with the arrays")
        return read_audio(source, rate, sample_rate, resampler)
    return prepare_audio(source, rate, resampler)
