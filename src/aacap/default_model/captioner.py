"""The default model: YAMNet class scores -> the best-matching human caption of AudioCaps.

    clip -> YAMNet (521 class scores per 0.96 s patch, every 0.48 s) -> clip scores -> score
    every caption of the bank by the classes it names -> re-rank the best by consensus.

Clip score of class k: the mean of its two best patch scores, divided by the best score of a
specific (non-umbrella) class (at least 0.4), so the most confident sound counts as fully
heard while a clip the tagger is unsure of stays weak. A caption c
names the set of classes M(c) (its pseudo-tags, `tags.py`); with idf weights
w_k = log(N / (1 + n_k)) (n_k captions name class k) and clip scores s_k in [0, 1]:

    match(c) = sum_{k in M(c)} [ w_k s_k - absent_cost (1 - s_k) ]

rewards naming the classes heard, rare (specific) ones most, and charges for naming ones not
heard; captions naming no class are never chosen. The `pool` best by match are re-ranked by
match (rescaled to [0, 1]) + consensus_weight * consensus, where consensus is a caption's mean
word overlap with the rest of the pool (what most annotators would say), as in kNN image
captioning. The output is always a real human sentence: fluent by construction. Inference
needs torch + numpy and the shipped assets only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..audio import LONG_CLIP_S, Audio, AudioFile, AudioSource
from ..captioner import CaptionResult, open_input
from ..deadline import check_deadline
from ..decoding import DecodingOptions, decoding_options_from_kwargs
from ..encoders.yamnet import MIN_SAMPLES, PATCH_HOP_SAMPLES, SAMPLE_RATE, load_yamnet
from .tags import GENERIC, words

CHUNK_PATCHES = 64  # patches per chunk of a streamed file: 64 hops of 0.48 s = 30.72 s
ASSETS = Path(__file__).resolve().parents[1] / "assets" / "default"
# Words that carry no sound content; ignored by the consensus overlap.
_STOP = set("a an the and or of in on at to is are as with while then by from for into its it "
            "some someone something being there this that up down out off over".split())


@dataclass(frozen=True)
class RetrievalOptions:
    """Knobs of the retrieval; fixed on the benchmark's dev split and the demo clips."""

    pool: int = 25  # captions re-ranked by consensus
    consensus_weight: float = 0.5  # final = match rescaled to [0, 1] + weight * consensus
    absent_cost: float = 0.25  # cost of naming a class, times (1 - its clip score)
    top_patches: int = 2  # a class's clip score: mean of its `top_patches` best patch scores
    confidence_floor: float = 0.4  # clip scores are divided by max(best specific score, this)
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

    `caption(inputs)` follows the Captioner interface of docs/ARCHITECTURE.md. Candidates carry
    a log-probability: the log-softmax of the final re-ranking scores (x 10) over the pool.
    """

    name = "default"
    sample_rate = SAMPLE_RATE

    def __init__(self, assets: Path = ASSETS, options: RetrievalOptions | None = None) -> None:
        missing = [f for f in ("yamnet.pt", "bank.npz") if not (Path(assets) / f).exists()]
        if missing:
            raise FileNotFoundError(f"{assets}: missing {', '.join(missing)}; run `make default-model`")
        self.yamnet = load_yamnet(Path(assets) / "yamnet.pt")
        self.bank = CaptionBank(Path(assets) / "bank.npz")
        self.options = options or RetrievalOptions()

    @torch.inference_mode()
    def patch_scores(self, wave: np.ndarray) -> np.ndarray:
        """Mono float32 samples at 16 kHz (S,) -> (T, 521) YAMNet class scores (sigmoid) of
        each 0.96 s patch, one every 0.48 s."""
        _, logits, _ = self.yamnet.tag(torch.from_numpy(np.ascontiguousarray(wave)))
        return torch.sigmoid(logits[0]).numpy()

    def clip_scores(self, patch_scores: np.ndarray, top_patches: int | None = None) -> np.ndarray:
        """(T, 521) patch scores -> (521,): each class's mean over its best `top_patches`."""
        n = min(top_patches or self.options.top_patches, len(patch_scores))
        return np.sort(patch_scores, axis=0)[-n:].mean(axis=0)

    def rank(self, patch_scores: np.ndarray, options: RetrievalOptions | None = None
             ) -> list[tuple[str, float]]:
        """(T, 521) patch scores -> [(caption, logprob)] best first, `num_candidates` long."""
        opt = options or self.options
        s = torch.from_numpy(self.clip_scores(patch_scores, opt.top_patches)).float()
        # the best specific class counts as fully heard, unless the tagger is unsure of all
        s = (s / s[self.bank.specific].max().clamp(min=opt.confidence_floor)).clamp(max=1.0)
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
        logprobs = torch.log_softmax(torch.tensor([final[j] for j in order]) * 10.0, 0).tolist()
        return [(self.bank.captions[top[j]], lp)
                for j, lp in zip(order, logprobs)][: opt.num_candidates]

    def decoding_options(self, **options: Any) -> DecodingOptions:
        """`options` validated; of them only the candidate count applies to retrieval, and it
        may not exceed the `pool` of captions re-ranked. One-line `ValueError` naming the field."""
        decoding = decoding_options_from_kwargs(**options)
        if decoding.candidates > self.options.pool:
            raise ValueError(f"decoding option num_candidates={decoding.candidates} exceeds the "
                             f"{self.options.pool} captions the default model ranks")
        return decoding

    def caption(self, inputs: Sequence[AudioSource], *, sample_rate: int | None = None,
                first_index: int = 0, **decoding_options: Any) -> list[CaptionResult]:
        """Caption each input (a path, an `AudioFile`, or a waveform at `sample_rate` Hz). Of
        the decoding options only the candidate count applies, read as `DecodingOptions` does:
        `num_candidates`, else `beam_size` for method 'beam', else 1. The others (lengths,
        temperatures, ...) do not apply to retrieval and are ignored. Raises `AudioError`
        (one line) on an unreadable input, before any work. Files longer than `LONG_CLIP_S`
        are streamed: YAMNet runs on chunks of 64 patches, which give exactly the patch scores
        of the whole file. `first_index` (a clip's position, for sampling seeds) does not
        apply: retrieval is deterministic."""
        n = self.decoding_options(**decoding_options).candidates
        opt = replace(self.options, num_candidates=int(n))
        sources = [open_input(x, SAMPLE_RATE, sample_rate) for x in inputs]
        results = []
        for source in sources:
            t0 = time.perf_counter()
            if isinstance(source, Audio) and source.duration_s <= LONG_CLIP_S:
                scores, duration = self.patch_scores(source.samples), source.duration_s
            else:
                scores, duration = self.streamed_patch_scores(source)
            name = source.source if isinstance(source, Audio) else str(source.path)
            candidates = self.rank(scores, opt)
            results.append(CaptionResult(path=None if name.startswith("<array") else name,
                                         caption=candidates[0][0], candidates=candidates,
                                         duration_s=duration,
                                         timing_s=time.perf_counter() - t0))
        return results

    def streamed_patch_scores(self, source: Audio | AudioFile) -> tuple[np.ndarray, float]:
        """(T, 521) patch scores of a long recording (a file streamed, or an array) read in
        overlapping chunks, and its duration (s). Chunk k covers patches 64k .. 64k+63: samples [k C, k C + C + 7920) with C = 64
        hops, the 7920 samples completing its last patch; a chunk reaching the end of the file
        keeps all its patches. Memory: one chunk, whatever the length."""
        in_memory = isinstance(source, Audio)
        total = len(source.samples) if in_memory else source.num_samples(SAMPLE_RATE)
        step = CHUNK_PATCHES * PATCH_HOP_SAMPLES
        tail = MIN_SAMPLES - PATCH_HOP_SAMPLES
        bounds = [(a, a + step + tail) for a in range(0, max(total, 1), step)]
        while len(bounds) > 1 and bounds[-2][1] >= total:  # the chunk before already ends it
            bounds.pop()
        bounds[-1] = (bounds[-1][0], max(bounds[-1][1], total) + SAMPLE_RATE)  # rounding
        parts, samples = [], 0
        windows = ((source.samples[a:b] for a, b in bounds) if in_memory
                   else source.windows(SAMPLE_RATE, bounds))
        for index, chunk in enumerate(windows):
            check_deadline()
            last = index == len(bounds) - 1
            samples = bounds[index][0] + len(chunk)
            scores = self.patch_scores(chunk)
            parts.append(scores if last else scores[:CHUNK_PATCHES])
        return np.concatenate(parts), samples / SAMPLE_RATE

    def top_classes(self, patch_scores: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
        """The `k` highest-scoring classes of (T, 521) patch scores: [(name, clip score)]."""
        scores = self.clip_scores(patch_scores)
        order = np.argsort(-scores)[:k]
        return [(self.bank.class_names[i], float(scores[i])) for i in order]

