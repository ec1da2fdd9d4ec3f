"""The user-facing API: `load_model(name_or_path).caption(paths_or_waveforms, **options)`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from .audio import AudioSource, read_audio
from .model import CaptionModel, batch_waves


@dataclass
class CaptionResult:
    """The caption of one input, its ranked candidates, and the clip's duration.

    A candidate's value is its ranking score; `score_name` says what it is: "logprob" (a
    neural decoder's log-probability) or "score" (the default model's retrieval score).
    `tags`: the clip's top sound classes with scores in [0, 1] (models with a tagger).
    `segments`: for a recording captioned in windows, its timed `aacap.segment.Segment`s."""

    path: str | None  # None for in-memory arrays
    caption: str
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (caption, score)
    duration_s: float = 0.0
    timing_s: float = 0.0  # share of the batch's compute time
    score_name: str = "logprob"
    tags: list[tuple[str, float]] = field(default_factory=list)  # (class name, score)
    segments: list[Any] | None = None  # list[aacap.segment.Segment]

    def to_dict(self) -> dict[str, Any]:
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
    """[(caption, value)] -> [{"caption", "score"}], plus "logprob" when the value is one."""
    out = []
    for caption, value in candidates:
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

    def caption(
        self,
        inputs: Sequence[AudioSource],
        *,
        sample_rate: int | None = None,
        first_index: int = 0,
        **options: Any,
    ) -> list[CaptionResult]: ...


class NeuralCaptioner:
    """Captions audio with a `CaptionModel` and the decoding family of `aacap.decoding`.

    The model is put in inference form (eval mode; CNN14's batchnorms folded into its convs):
    hand it a model you will not train further."""

    def __init__(
        self,
        model: CaptionModel,
        name: str,
        batch_size: int = 16,
        default_options: dict[str, Any] | None = None,
    ) -> None:
        self.model = model.eval()
        if hasattr(model.encoder, "optimize_for_inference"):  # folded batchnorms, channels_last
            model.encoder.optimize_for_inference()
        self.name = name
        self.batch_size = batch_size
        self.default_options = dict(default_options or {})  # under the caller's options
        self.resampler = model.config.resampler

    @property
    def sample_rate(self) -> int:
        return self.model.sample_rate

    def caption(
        self,
        inputs: Sequence[AudioSource],
        *,
        sample_rate: int | None = None,
        first_index: int = 0,
        **options: Any,
    ) -> list[CaptionResult]:
        """Caption each input (path or waveform at `sample_rate`). Raises `AudioError` on the
        first unreadable input; `options` are `DecodingOptions` fields (beam_size=3, ...).
        `first_index` is the position of `inputs[0]` in a larger job: sampling seeds each clip
        from (seed, position), so a clip gets the same samples however the job is split."""
        from .decoding import decode, decoding_options_from_kwargs

        decoding = decoding_options_from_kwargs(**{**self.default_options, **options})
        clips = [read_audio(x, self.sample_rate, sample_rate, self.resampler) for x in inputs]
        results: list[CaptionResult] = []
        for start in range(0, len(clips), self.batch_size):
            chunk = clips[start : start + self.batch_size]
            t0 = time.perf_counter()
            wave, lengths = batch_waves([torch.from_numpy(c.samples) for c in chunk])
            with torch.inference_mode():
                memory = self.model.encode(wave, lengths)
                nbest = decode(self.model, memory, decoding, first_index=first_index + start)
            share = (time.perf_counter() - t0) / len(chunk)
            for clip, cands in zip(chunk, nbest):
                results.append(
                    CaptionResult(
                        path=None if isinstance(clip.source, str) and clip.source.startswith("<array")
                        else clip.source,
                        caption=cands[0].caption if cands else "",
                        candidates=[(c.caption, float(c.logprob)) for c in cands],
                        duration_s=clip.duration_s,
                        timing_s=share,
                    )
                )
        return results


def load_model(name_or_path: str | Path = "default", batch_size: int = 16,
               revision: str | None = None) -> Captioner:
    """A captioner from a model name or path: `default`, an aacap checkpoint file, a CoNeTTE
    directory, or a hub model (`conette`, `Labbeti/conette`, `hf://OWNER/NAME[@REVISION]`;
    see `aacap.hub`), fetched into the hub cache on first use. `revision` picks a hub revision."""
    from . import checkpoint
    from .hub import fetch_hub_model, parse_hub_spec
    from .presets import PRESETS

    name = str(name_or_path)
    path = Path(name)
    if name == "default" and not path.exists():
        from .default_model import load_default

        return load_default()
    hub = parse_hub_spec(name, revision)
    if hub is not None:
        return _conette_captioner(fetch_hub_model(hub), name, batch_size)
    if path.is_dir():
        return _conette_captioner(path, path.name, batch_size)
    if path.is_file():
        return NeuralCaptioner(checkpoint.load_model(path), name=path.stem, batch_size=batch_size)
    if name in PRESETS:
        raise checkpoint.CheckpointError(
            f"preset {name!r} has no trained weights here; pass a checkpoint made with "
            f"`aacap init {name} OUT.pt` or `aacap train`, or use the default model"
        )
    raise checkpoint.CheckpointError(
        f"{name}: no such model or checkpoint; see `aacap models` for names"
    )


def _conette_captioner(path: Path, name: str, batch_size: int) -> NeuralCaptioner:
    """A CoNeTTE directory, decoded with CoNeTTE's own settings (task token, lengths, beam)."""
    from .conette import conette_decoding_options, load_conette

    return NeuralCaptioner(load_conette(path), name=name, batch_size=batch_size,
                           default_options=conette_decoding_options(path))
