"""Caption a list of clips with a model (`captioning.neural.encode_decode`, the step every
captioning path shares) and score the captions against their references: the validation of
training; `aacap evaluate-model` scores with `score_available`."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import torch

from ..captioning.neural import encode_decode
from ..decoding import DecodingOptions
from ..metrics import MetricError, Scores, evaluate
from ..model import CaptionModel
from ..progress import bar
from .data import Clip, InputSource, pad_frames


@torch.inference_mode()
def caption_clips(model: CaptionModel, source: InputSource, options: DecodingOptions,
                  device: torch.device, batch_size: int = 32, from_frames: bool = False,
                  progress: bool = False) -> list[list[tuple[str, float]]]:
    """Candidates (caption, logprob), best first, for every clip of `source`. `from_frames`:
    the source gives encoder frames (feature cache / no-audio baseline), not waveforms."""
    was_training = model.training
    model.eval()
    out: list[list[tuple[str, float]]] = []
    starts = range(0, len(source), batch_size)
    if progress:
        starts = bar(starts, desc="captioning", unit="batch", leave=False)
    for start in starts:
        idx = range(start, min(start + batch_size, len(source)))
        x, lengths = pad_frames([source[i] for i in idx])
        x, lengths = x.to(device), lengths.to(device)
        for cands in encode_decode(model, x, lengths, options, from_frames=from_frames):
            out.append([(c.caption, float(c.logprob)) for c in cands])
    model.train(was_training)
    return out


def choose_val_metric(name: str) -> str:
    """`auto` -> `spider` when SPICE runs here, else `cider_d`."""
    if name != "auto":
        return name
    try:
        evaluate(["a dog barks"], [["a dog is barking"]], ["spice"])
        return "spider"
    except MetricError:
        return "cider_d"


def score(candidates: list[str], references: list[list[str]], metrics: list[str],
          strict: bool = True) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Corpus and per-item scores. With `strict=False`, a metric that cannot run here (e.g.
    METEOR without Java) is reported on stderr and left out instead of failing the call."""
    s = evaluate(candidates, references, metrics) if strict else \
        score_available(candidates, references, metrics)
    return dict(s.corpus), dict(s.per_item)


def score_available(candidates: list[str], references: list[list[str]], metrics: list[str],
                    who: str = "aacap", progress: bool = False) -> Scores:
    """`metrics.evaluate` of every metric that can run here, each computed once; one that
    cannot (e.g. METEOR without Java) is named on stderr as `{who}: skipped NAME: why` and left
    out. `progress`: a bar over the metrics on stderr (`aacap.progress`)."""
    def skipped(name: str, why: str) -> None:
        print(f"{who}: skipped {name}: {why}", file=sys.stderr)

    return evaluate(candidates, references, metrics, progress=progress, on_unavailable=skipped)


def references(clips: list[Clip]) -> list[list[str]]:
    return [list(c.captions) for c in clips]


def val_options(cfg: Any, task: str | None) -> DecodingOptions:
    """Decoding during validation: greedy, or beam search with `val_beam_size`."""
    if cfg.val_beam_size > 1:
        return DecodingOptions(method="beam", beam_size=cfg.val_beam_size, num_candidates=1,
                               max_length=cfg.val_max_length, task=task)
    return DecodingOptions(method="greedy", max_length=cfg.val_max_length, task=task)
