"""The default model: YAMNet class scores -> the best-matching human caption of AudioCaps.

    clip -> YAMNet (521 class scores per 0.96 s patch, every 0.48 s) -> clip scores -> score
    every caption of the bank by the classes it names -> re-rank the best by consensus.

Clip score of class k: the mean of its two best patch scores, divided by the best score of a
specific (non-umbrella) class (at least 0.4), so the most confident sound counts as fully
heard while a clip the tagger is unsure of stays weak. A caption c
names the set of classes M(c) (its pseudo-tags, `default_model/tags.py`); with idf
weights w_k = log(N / (1 + n_k)) (n_k captions name class k) and clip scores s_k in [0, 1]:

    match(c) = sum_{k in M(c)} [ w_k s_k - absent_cost (1 - s_k) ]

rewards naming the classes heard, rare (specific) ones most, and charges for naming ones not
heard; captions naming no class are never chosen. The `pool` best by match are re-ranked by
match (rescaled to [0, 1]) + consensus_weight * consensus, where consensus is a caption's mean
word overlap with the rest of the pool (what most annotators would say), as in kNN image
captioning. The output is always a real human sentence: fluent by construction. Inference
needs torch + numpy and the shipped assets only.

Before the ranking: a silent or near-silent clip gets a caption saying so, and a clip whose best
specific class stays below `min_confidence` a general caption for that class's AudioSet branch.
Clips shorter than one patch are repeated with short gaps to fill 2 s. Candidates are the
ranking's best, or a seeded draw from the pool (`default_model/choose.py`); long recordings are
captioned in windows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..audio import Audio, AudioFile, AudioSource, source_path
from ..deadline import check_deadline
from ..decoding import DecodingOptions, decoding_options_from_kwargs
from ..default_model.choose import SUPPORTED, check_supported, sample_order
from ..default_model.tags import GENERIC, words
from ..encoders.yamnet import SAMPLE_RATE, fit_short_clip, load_yamnet
from .lengths import LONG_RECORDING_S, LONG_SEGMENT_S
from .protocol import CaptionResult, as_batch, check_options_given_once, open_input
from .segment import NUM_TAGS, segmented_result, window_stream

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "default"  # built by `make default-model`
# Words that carry no sound content; ignored by the consensus overlap.
_STOP = set("a an the and or of in on at to is are as with while then by from for into its it "
            "some someone something being there this that up down out off over".split())

SILENCE_PEAK = 1e-4  # |sample| below this everywhere (-80 dBFS): silence
QUIET_DBFS = -60.0  # dBFS: the loudest 0.1 s below this: near silence
SILENCE_CAPTION = "Silence, with no sound at all"
QUIET_CAPTION = "Near silence, with only a very faint sound"
# When no specific class is confident: a general caption for the AudioSet branch of the best
# class (YAMNet's classes follow the ontology's order: first index of each top-level branch).
GENERAL_CAPTIONS: list[tuple[int, str]] = [
    (0, "A person makes a sound"),  # Human sounds
    (67, "An animal makes a sound"),  # Animal
    (132, "Music is playing"),  # Music
    (277, "Natural sounds can be heard outdoors"),  # Natural sounds
    (294, "Something makes a noise"),  # Sounds of things
    (453, "A noise can be heard"),  # Source-ambiguous sounds
    (494, "A faint noise can be heard"),  # Channel, environment and background
]
@dataclass(frozen=True)
class RetrievalOptions:
    """Knobs of the retrieval; tuned on the dev split of `benchmarks/real_audio.py` only."""

    pool: int = 25  # captions re-ranked by consensus (and sampled from)
    consensus_weight: float = 0.5  # final = match rescaled to [0, 1] + weight * consensus
    absent_cost: float = 0.5  # cost of naming a class, times (1 - its clip score)
    top_patches: int = 2  # a class's clip score: mean of its `top_patches` best patch scores
    confidence_floor: float = 0.4  # clip scores are divided by max(best specific score, this)
    min_confidence: float = 0.1  # best specific clip score below this: a general caption
    short_clip: str = "repeat-gaps"  # clips under one patch: see `yamnet.fit_short_clip`
    num_candidates: int = 5  # returned per clip, best first


class CaptionBank:
    """The human captions, their counts and pseudo-tags, as loaded from `bank.npz`."""

    def __init__(self, path: Path) -> None:
        data = np.load(path, allow_pickle=False)
        self.captions = bytes(data["captions"]).decode().split("\n")
        self.class_names = bytes(data["class_names"]).decode().split("\n")
        self.counts = data["counts"]
        indptr, indices = data["tag_indptr"].astype(np.int64), data["tag_indices"].astype(np.int64)
        n, k = len(self.captions), len(self.class_names)
        rows = np.repeat(np.arange(n), np.diff(indptr))
        named = np.bincount(indices, weights=self.counts[rows], minlength=k)  # captions per class
        self.idf = torch.from_numpy(np.log(self.counts.sum() / (1.0 + named))).float()  # (K,)
        # the (caption, class) pairs of the sparse N x K naming matrix
        self.tag_rows, self.tag_classes = torch.from_numpy(rows), torch.from_numpy(indices)
        self.log_count = torch.log1p(torch.from_numpy(self.counts).float())  # (N,)
        self.specific = torch.tensor([n not in GENERIC for n in self.class_names])  # (K,) bool
        self.untagged = torch.from_numpy(np.diff(indptr) == 0)  # (N,) names no class: never ranked
        self._words: dict[int, set[str]] = {}

    def match(self, scores: torch.Tensor, absent_cost: float) -> torch.Tensor:
        """Clip scores (K,) in [0, 1] -> (N,) match of every caption: the idf-weighted scores
        of the classes it names, minus `absent_cost` * (1 - score) for each of them."""
        gain = self.idf * scores - absent_cost * (1.0 - scores)  # (K,)
        match = torch.zeros(len(self.captions)).index_add_(0, self.tag_rows, gain[self.tag_classes])
        return match.masked_fill(self.untagged, float("-inf"))

    def content_words(self, i: int) -> set[str]:
        if i not in self._words:
            self._words[i] = {w for w in words(self.captions[i]) if w not in _STOP}
        return self._words[i]


class DefaultCaptioner:
    """Offline captioner: YAMNet (PyTorch) + retrieval from the AudioCaps caption bank.

    `caption(inputs)` follows the Captioner interface of docs/ARCHITECTURE.md. A candidate's
    `score` is its final re-ranking value (match rescaled to [0, 1] + consensus bonus); each
    result carries the clip's top AudioSet classes (`tags`). Recordings longer than
    `LONG_RECORDING_S` are captioned in windows of `LONG_SEGMENT_S` (see `aacap.captioning.segment`).
    """

    name = "default"
    sample_rate = SAMPLE_RATE
    resampler = "soxr"
    score_name = "score"
    supported_options = SUPPORTED

    def __init__(self, assets: Path = ASSETS, options: RetrievalOptions | None = None) -> None:
        missing = [f for f in ("yamnet.pt", "bank.npz") if not (Path(assets) / f).exists()]
        if missing:
            raise FileNotFoundError(f"{assets}: missing {', '.join(missing)}; run `make default-model`")
        self.yamnet = load_yamnet(Path(assets) / "yamnet.pt")
        self.bank = CaptionBank(Path(assets) / "bank.npz")
        self.options = options or RetrievalOptions()

    def fit_patch(self, wave: np.ndarray) -> np.ndarray:
        """A clip shorter than one YAMNet patch made to fill it (`yamnet.fit_short_clip` with
        the `short_clip` mode). (S,) -> (S',)."""
        return fit_short_clip(wave, self.options.short_clip)

    @torch.inference_mode()
    def patch_scores(self, wave: np.ndarray) -> np.ndarray:
        """Mono float32 samples at 16 kHz (S,) -> (T, 521) YAMNet class scores (sigmoid) of
        each 0.96 s patch, one every 0.48 s (short clips first fitted by `fit_patch`)."""
        wave = self.fit_patch(np.ascontiguousarray(wave, dtype=np.float32))
        _, logits, _ = self.yamnet.tag(torch.from_numpy(wave))
        return torch.sigmoid(logits[0]).numpy()

    def clip_scores(self, patch_scores: np.ndarray, top_patches: int | None = None) -> np.ndarray:
        """(T, 521) patch scores -> (521,): each class's mean over its best `top_patches`."""
        n = min(top_patches or self.options.top_patches, len(patch_scores))
        return np.sort(patch_scores, axis=0)[-n:].mean(axis=0)

    def heard(self, patch_scores: np.ndarray, options: RetrievalOptions | None = None
              ) -> torch.Tensor:
        """(T, 521) patch scores -> (521,) clip scores as the ranking weighs them, in [0, 1]: the
        best specific class counts as fully heard, unless the tagger is unsure of all (its
        score is below `confidence_floor`)."""
        opt = options or self.options
        s = torch.from_numpy(self.clip_scores(patch_scores, opt.top_patches)).float()
        return (s / s[self.bank.specific].max().clamp(min=opt.confidence_floor)).clamp(max=1.0)

    def ranking(self, patch_scores: np.ndarray, options: RetrievalOptions | None = None
                ) -> list[tuple[str, float]]:
        """(T, 521) patch scores -> the whole pool [(caption, score)], best first."""
        opt = options or self.options
        s = self.heard(patch_scores, opt)
        match = self.bank.match(s, opt.absent_cost)  # (N,)
        top = torch.topk(match + 1e-3 * self.bank.log_count, min(opt.pool, len(match))).indices
        top = top.tolist()
        best, worst = float(match[top[0]]), float(match[top[-1]])
        sets = [self.bank.content_words(i) for i in top]
        final = []
        for a, i in zip(sets, top):
            overlap = [len(a & b) / max(1, len(a | b)) for b in sets if b is not a]
            consensus = sum(overlap) / max(1, len(overlap))
            relative = (float(match[i]) - worst) / max(best - worst, 1e-6)  # in [0, 1]
            final.append(relative + opt.consensus_weight * consensus)
        order = sorted(range(len(top)), key=lambda j: -final[j])
        return [(self.bank.captions[top[j]], round(final[j], 4)) for j in order]

    def rank(self, patch_scores: np.ndarray, options: RetrievalOptions | None = None
             ) -> list[tuple[str, float]]:
        """(T, 521) patch scores -> [(caption, score)] best first, `num_candidates` long."""
        opt = options or self.options
        return self.ranking(patch_scores, opt)[: opt.num_candidates]

    def quiet_caption(self, wave: np.ndarray) -> str | None:
        """`SILENCE_CAPTION` or `QUIET_CAPTION` for a silent or near-silent (S,) clip, else
        None. Near silence: the loudest 0.1 s has an RMS level below `QUIET_DBFS`."""
        if len(wave) == 0 or float(np.abs(wave).max()) < SILENCE_PEAK:
            return SILENCE_CAPTION
        frame = SAMPLE_RATE // 10
        usable = max(frame, len(wave) - len(wave) % frame)
        power = np.square(np.resize(wave, usable).astype(np.float64)).reshape(-1, frame).mean(1)
        loudest = 10 * np.log10(max(float(power.max()), 1e-20))
        return QUIET_CAPTION if loudest < QUIET_DBFS else None

    def general_caption(self, clip_scores: np.ndarray) -> str | None:
        """A general caption when no specific class reaches `min_confidence`, else None:
        the one of `GENERAL_CAPTIONS` for the ontology branch of the best class."""
        specific = clip_scores[self.bank.specific.numpy()]
        if len(specific) and float(specific.max()) >= self.options.min_confidence:
            return None
        best = int(np.argmax(clip_scores))
        return next(text for first, text in reversed(GENERAL_CAPTIONS) if best >= first)

    def caption_wave(self, wave: np.ndarray, options: DecodingOptions, seed: list[int] | None
                     ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """One clip (S,) at 16 kHz -> (candidates [(caption, score)], tags [(class, score)])."""
        scores = self.patch_scores(wave)
        tags = self.top_classes(scores, NUM_TAGS)
        fixed = self.fixed_caption(wave, scores)
        if fixed is not None:
            return [(fixed, 1.0)], tags
        count = options.candidates
        pool = self.ranking(scores)
        if options.method != "sample":
            return pool[:count], tags
        drawn = sample_order(np.array([v for _, v in pool]), options, seed, count)
        return [pool[j] for j in drawn], tags

    def fixed_caption(self, wave: np.ndarray, patch_scores: np.ndarray) -> str | None:
        """The caption that replaces retrieval for a clip (S,) with its (T, 521) patch scores:
        silence or near silence (`quiet_caption`), else no confident class
        (`general_caption`); None when the clip is captioned by retrieval."""
        return self.quiet_caption(wave) or self.general_caption(self.clip_scores(patch_scores))

    def decoding_options(self, options: DecodingOptions | None = None, **fields: Any
                         ) -> DecodingOptions:
        """`fields` (or the complete `options`) validated against retrieval: the options about
        generated words are refused (see `default_model/choose.py`) and the candidate count
        may not exceed the `pool` of captions ranked. One-line `ValueError` naming the field."""
        check_options_given_once(options, fields)
        decoding = options or decoding_options_from_kwargs(**fields)
        check_supported(decoding)
        if decoding.candidates > self.options.pool:
            raise ValueError(f"decoding option num_candidates={decoding.candidates} exceeds the "
                             f"{self.options.pool} captions the default model ranks")
        return decoding

    def caption(self, inputs: AudioSource | Sequence[AudioSource], *,
                sample_rate: int | None = None, first_index: int = 0,
                options: DecodingOptions | None = None, **fields: Any
                ) -> CaptionResult | list[CaptionResult]:
        """Caption each input (a path, an `AudioFile`, a decoded `Audio`, or a waveform at
        `sample_rate` Hz); one input alone gets one result. Decoding options (`options`, or
        `DecodingOptions` fields) choose the candidates: the best `candidates` of the ranking, or
        for method='sample' a draw from it seeded by (seed, first_index + i); the options about
        generated words raise a one-line `ValueError` (see `default_model/choose.py`). Recordings
        longer than `LONG_RECORDING_S` get timed segments and a headline (`caption_long`), files
        among them streamed window by window. Raises `AudioError` (one line) on an unreadable input,
        before any work."""
        options = self.decoding_options(options, **fields)
        inputs, single = as_batch(inputs)
        sources = [open_input(x, SAMPLE_RATE, sample_rate) for x in inputs]
        results = []
        for i, source in enumerate(sources):
            path = source_path(source)
            seed = None if options.seed is None else [options.seed, first_index + i]
            t0 = time.perf_counter()
            if isinstance(source, Audio) and source.duration_s <= LONG_RECORDING_S:
                check_deadline()
                candidates, tags = self.caption_wave(source.samples, options, seed)
                result = CaptionResult(path, candidates[0][0], candidates, source.duration_s,
                                       score_name=self.score_name, tags=tags)
            else:
                result = self.caption_long(source, options, seed)
                result.path = path
            result.timing_s = time.perf_counter() - t0
            results.append(result)
        return results[0] if single else results

    def caption_long(self, source: Audio | AudioFile, options: DecodingOptions,
                     seed: list[int] | None) -> CaptionResult:
        """A long recording in windows of `LONG_SEGMENT_S` (`segment.window_stream`, as
        `segment.caption_long` cuts them for every model), each captioned with its own seed:
        merged timed segments and a headline caption. A file is streamed: memory holds one
        window, whatever the length."""
        bounds, waves = window_stream(source, SAMPLE_RATE, LONG_SEGMENT_S)
        windows, end = [], 0
        for j, ((a, _), wave) in enumerate(zip(bounds, waves)):
            check_deadline()
            window_seed = None if seed is None else [*seed, j]
            candidates, tags = self.caption_wave(wave, options, window_seed)
            windows.append(CaptionResult(None, candidates[0][0], candidates,
                                         len(wave) / SAMPLE_RATE, score_name=self.score_name,
                                         tags=tags))
            end = a + len(wave)
        return segmented_result(None, bounds, windows, SAMPLE_RATE, end).as_result()

    def top_classes(self, patch_scores: np.ndarray, k: int = NUM_TAGS) -> list[tuple[str, float]]:
        """The `k` highest-scoring classes of (T, 521) patch scores: [(name, clip score)]."""
        scores = self.clip_scores(patch_scores)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.bank.class_names[i], round(float(scores[i]), 4)) for i in order
                if scores[i] >= 0.005]  # classes that round to a score of 0 say nothing


def load_default() -> DefaultCaptioner:
    """The default captioner, loaded from the shipped assets (no network, no training)."""
    return DefaultCaptioner()
