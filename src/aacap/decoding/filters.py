"""Logit filters: small pieces that edit next-token logits in place, applied in turn.

Constraints (`MinLength`, `NoRepeatWords`, `NoRepeatNgram`) define which tokens are allowed;
they apply to every method, and the reported log-probabilities are taken after them. Sampling
transforms (`Temperature`, `TopK`, `TopP`, `Typical`) only shape the distribution a sample is
drawn from. Every filter takes logits (R, V) float and the tokens so far (R, L) int64 (start
token first), and writes -inf into the logits of the tokens it removes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import torch
from torch import Tensor

from ..vocab import Vocabulary
from .options import DecodingOptions, parse_no_repeat
from .stopwords import STOPWORDS

NEG_INF = float("-inf")


class LogitFilter(Protocol):
    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        """Edit `logits` (R, V) in place given `tokens` (R, L) already decoded."""
        ...


class MinLength:
    """Forbid `<eos>` while fewer than `min_length` words have been generated."""

    def __init__(self, eos_id: int, min_length: int) -> None:
        self.eos_id, self.min_length = eos_id, min_length

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        if tokens.shape[1] - 1 < self.min_length:
            logits[:, self.eos_id] = NEG_INF


class NoRepeatWords:
    """Forbid any token already in the sequence unless it may repeat (CoNeTTE's
    'content_words' rule: only stopwords may repeat; the start token counts as seen)."""

    def __init__(self, may_repeat: Tensor) -> None:
        self.forbid = ~may_repeat  # (V,) bool

    @classmethod
    def for_vocab(cls, vocab: Vocabulary, stopwords: Iterable[str] = STOPWORDS) -> NoRepeatWords:
        may = torch.zeros(len(vocab), dtype=torch.bool)
        for word in stopwords:
            if word in vocab.index:
                may[vocab.index[word]] = True
        return cls(may)

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        seen = torch.zeros_like(logits, dtype=torch.bool).scatter_(1, tokens, True)
        logits.masked_fill_(seen & self.forbid.to(logits.device), NEG_INF)


class NoRepeatNgram:
    """Forbid a token that would complete an n-gram already present among the generated tokens
    (the start token excluded)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        words = tokens[:, 1:]  # (R, G)
        n, G = self.n, words.shape[1]
        if n == 1:
            if G:
                logits.scatter_(1, words, NEG_INF)
            return
        if G < n:  # no earlier n-gram can be completed yet
            return
        grams = words.unfold(1, n, 1)  # (R, G - n + 1, n)
        last = words[:, G - n + 1:]  # (R, n - 1): the prefix the next token would extend
        hit = (grams[:, :, :-1] == last[:, None, :]).all(dim=-1)  # (R, G - n + 1)
        rows, which = hit.nonzero(as_tuple=True)
        logits[rows, grams[rows, which, -1]] = NEG_INF


class Temperature:
    def __init__(self, temperature: float) -> None:
        self.temperature = temperature

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        logits.div_(self.temperature)


class TopK:
    """Keep exactly the `k` highest logits of each row; of tied logits at the cut, the
    first (lowest index: the best-ranked, for a ranked pool) are kept, on every torch."""

    def __init__(self, k: int) -> None:
        self.k = k

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        k = min(self.k, logits.shape[-1])
        keep = torch.zeros_like(logits, dtype=torch.bool)
        keep.scatter_(1, logits.argsort(dim=-1, descending=True, stable=True)[:, :k], True)
        logits.masked_fill_(~keep, NEG_INF)


class TopP:
    """Nucleus: keep the smallest set of most likely tokens whose probability mass is >= p
    (to float32 rounding: a mass of 0.7 + 0.2 reaches p = 0.9)."""

    def __init__(self, p: float) -> None:
        self.p = p

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        probs, order = logits.softmax(dim=-1).sort(dim=-1, descending=True, stable=True)
        mass_before = probs.cumsum(dim=-1) - probs  # mass of the tokens ranked above each one
        drop = mass_before >= self.p - 1e-6
        drop[:, 0] = False
        logits.masked_fill_(torch.zeros_like(drop).scatter_(1, order, drop), NEG_INF)


class Typical:
    """Locally typical sampling (Meister et al., 2023): rank tokens by how close their
    information -log p is to the entropy of the distribution, keep the closest ones until their
    mass is >= p."""

    def __init__(self, p: float) -> None:
        self.p = p

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        logp = logits.log_softmax(dim=-1)
        probs = logp.exp()
        entropy = -torch.where(probs > 0, probs * logp, torch.zeros_like(probs)).sum(-1)
        distance = (-logp - entropy[:, None]).abs()  # inf for impossible tokens
        order = distance.argsort(dim=-1, stable=True)
        sorted_probs = probs.gather(1, order)
        mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs
        drop = mass_before >= self.p
        drop[:, 0] = False
        logits.masked_fill_(torch.zeros_like(drop).scatter_(1, order, drop), NEG_INF)


def constraints(options: DecodingOptions, vocab: Vocabulary) -> list[LogitFilter]:
    """The filters that define the allowed tokens: min length and repetition control."""
    filters: list[LogitFilter] = []
    if options.min_length > 0:
        filters.append(MinLength(vocab.eos_id, options.min_length))
    n = parse_no_repeat(options.no_repeat)
    if n == 0:
        filters.append(NoRepeatWords.for_vocab(vocab))
    elif n is not None:
        filters.append(NoRepeatNgram(n))
    return filters


def sampling_transforms(options: DecodingOptions) -> list[LogitFilter]:
    """Temperature, then top-k, top-p and typical truncation (the order of HF's warpers)."""
    filters: list[LogitFilter] = []
    if options.temperature not in (0.0, 1.0):
        filters.append(Temperature(options.temperature))
    if options.top_k is not None:
        filters.append(TopK(options.top_k))
    if options.top_p is not None and options.top_p < 1.0:
        filters.append(TopP(options.top_p))
    if options.typical_p is not None and options.typical_p < 1.0:
        filters.append(Typical(options.typical_p))
    return filters


def filtered(logits: Tensor, filters: list[LogitFilter], tokens: Tensor) -> Tensor:
    """A copy of `logits` (R, V) with `filters` applied in order (`tokens` (R, t): each row's
    tokens so far, for filters that read them)."""
    out = logits.clone()
    for f in filters:
        f.apply(out, tokens)
    return out


def sampling_probs(scores: Tensor, options: DecodingOptions) -> Tensor:
    """The distribution a sample is drawn from: softmax of `scores` (R, V) (or (V,)) after
    `sampling_transforms(options)`; a removed entry has probability 0. For scores that are
    not next-token logits (the default model's ranked captions); the transforms read no tokens.
    Temperature 0 (greedy) is the caller's case: no distribution is drawn from then."""
    logits = scores.reshape(-1, scores.shape[-1])  # (R, V)
    no_tokens = torch.zeros((len(logits), 0), dtype=torch.long, device=logits.device)
    return filtered(logits, sampling_transforms(options), no_tokens).softmax(dim=-1).reshape(scores.shape)
