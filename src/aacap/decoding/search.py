"""Token selectors (greedy, beam, sampling) and the ranker that orders a clip's candidates.

The decoding loop (`loop.py`) keeps one row per live hypothesis, grouped by clip. At each step
a selector reads the constrained log-probabilities of every row and returns, for the rows of
the next step, which row each extends (`parent`), with which token, and its summed log-prob.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from torch import Tensor

from .filters import LogitFilter, filtered
from .options import DecodingOptions


@dataclass
class Rows:
    """Live hypotheses, grouped by clip in clip order."""

    tokens: Tensor  # (R, L) int64, start token first
    clip: Tensor  # (R,) int64 clip index in the batch
    slot: Tensor  # (R,) int64 sample index within the clip (sampling)
    logprob: Tensor  # (R,) float32 summed log-probabilities of the generated tokens


class TokenSelector(Protocol):
    rows_per_clip: int  # rows each clip starts with

    def select(self, logits: Tensor, logprobs: Tensor, rows: Rows, step: int
               ) -> tuple[Tensor, Tensor, Tensor]:
        """logits/logprobs (R, V) after the constraints -> parent (R',), token (R',), logprob
        (R',) of the next step's rows (grouped by clip)."""
        ...


class Greedy:
    rows_per_clip = 1

    def select(self, logits: Tensor, logprobs: Tensor, rows: Rows, step: int
               ) -> tuple[Tensor, Tensor, Tensor]:
        token = logits.argmax(dim=-1)
        parent = torch.arange(len(token), device=token.device)
        return parent, token, rows.logprob + logprobs.gather(1, token[:, None])[:, 0]


class BeamSearch:
    """CoNeTTE's beam search, batched over clips × beams. The first step expands the start
    token into `beam_size` hypotheses; each later step keeps, per clip, as many of the best
    (summed log-prob) one-token extensions as the clip has live hypotheses. A hypothesis that
    emits `<eos>` (or reaches the length limit) leaves the beam, which narrows by one, so every
    clip ends with exactly `beam_size` distinct finished hypotheses."""

    rows_per_clip = 1

    def __init__(self, beam_size: int, num_clips: int) -> None:
        self.beam_size, self.num_clips = beam_size, num_clips

    def select(self, logits: Tensor, logprobs: Tensor, rows: Rows, step: int
               ) -> tuple[Tensor, Tensor, Tensor]:
        R, V = logprobs.shape
        B, n, device = self.num_clips, self.beam_size, logprobs.device
        counts = torch.bincount(rows.clip, minlength=B)  # live rows per clip
        width = torch.full_like(counts, n) if step == 0 else counts  # hypotheses to keep
        pos = torch.arange(R, device=device) - (counts.cumsum(0) - counts)[rows.clip]
        total = rows.logprob[:, None] + logprobs  # (R, V)
        # rank on a grid (clip, beam slot, token); empty slots sit below every real candidate
        floor = torch.finfo(total.dtype).min
        grid = total.new_full((B, n, V), float("-inf"))
        grid[rows.clip, pos] = total.clamp(min=floor)
        _, best = grid.view(B, n * V).topk(n, dim=-1)  # (B, n), best first
        row_of = torch.full((B, n), -1, dtype=torch.long, device=device)
        row_of[rows.clip, pos] = torch.arange(R, device=device)
        keep = torch.arange(n, device=device)[None, :] < width[:, None]  # (B, n)
        clip, rank = keep.nonzero(as_tuple=True)  # grouped by clip, best first
        flat = best[clip, rank]
        parent, token = row_of[clip, flat // V], flat % V
        return parent, token, total[parent, token]


class Sampler:
    """Draws `num_samples` independent samples per clip from the transformed distribution.

    Each clip has its own `torch.Generator`, seeded from (seed, first_index + clip index), and
    draws `num_samples` uniforms per step whatever the other clips do, so a clip's samples do
    not depend on the batch it is decoded in. Tokens are drawn by inverse CDF."""

    def __init__(self, options: DecodingOptions, transforms: list[LogitFilter], num_clips: int,
                 first_index: int, device: torch.device) -> None:
        self.rows_per_clip = options.candidates
        self.temperature = options.temperature
        self.transforms = transforms
        base = options.seed if options.seed is not None else int(torch.randint(2**62, ()).item())
        self.generators = []
        for i in range(num_clips):
            seed = np.random.SeedSequence([base, first_index + i]).generate_state(1, np.uint64)[0]
            self.generators.append(torch.Generator().manual_seed(int(seed) & (2**63 - 1)))
        self.device = device

    def select(self, logits: Tensor, logprobs: Tensor, rows: Rows, step: int
               ) -> tuple[Tensor, Tensor, Tensor]:
        uniforms = torch.stack(
            [torch.rand(self.rows_per_clip, generator=g, dtype=torch.float64)
             for g in self.generators]
        ).to(self.device)  # (B, num_samples): drawn for every clip at every step
        if self.temperature == 0.0:
            token = logits.argmax(dim=-1)
        else:
            warped = filtered(logits, self.transforms, rows.tokens)
            token = sample_inverse_cdf(warped, uniforms[rows.clip, rows.slot])
        parent = torch.arange(len(token), device=token.device)
        return parent, token, rows.logprob + logprobs.gather(1, token[:, None])[:, 0]


def sample_inverse_cdf(logits: Tensor, uniforms: Tensor) -> Tensor:
    """One token per row of `logits` (R, V), drawn with `uniforms` (R,) in [0, 1): the first
    token whose cumulative probability exceeds u. Tokens of probability 0 are never drawn."""
    probs = logits.double().softmax(dim=-1)
    cdf = probs.cumsum(dim=-1)
    target = (uniforms * cdf[:, -1])[:, None]
    token = torch.searchsorted(cdf, target, right=True)[:, 0]
    last = probs.shape[-1] - 1 - (probs > 0).flip(-1).int().argmax(dim=-1)  # last possible
    return torch.minimum(token, last)


def rank(candidates: list[tuple[list[int], float, int]], length_penalty: float
         ) -> list[tuple[list[int], float, float]]:
    """(tokens, logprob, length) -> (tokens, logprob, score) best first, where
    score = logprob / length ** length_penalty (length: generated tokens, <eos> included)."""
    scored = [(t, lp, lp / max(n, 1) ** length_penalty if length_penalty else lp)
              for t, lp, n in candidates]
    return sorted(scored, key=lambda c: c[2], reverse=True)
