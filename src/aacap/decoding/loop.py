"""The decoding loop shared by every strategy: decoder step -> constraints -> token selector,
finished hypotheses set aside, then the ranker."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol

import torch
from torch import Tensor, nn

from ..deadline import check_deadline
from ..model import Memory
from ..vocab import Vocabulary
from .filters import constraints, sampling_transforms
from .options import Candidate, DecodingOptions
from .search import BeamSearch, Greedy, Rows, Sampler, TokenSelector, rank


class Decodable(Protocol):
    """What decoding needs of a model (`CaptionModel` has both)."""

    decoder: nn.Module  # step(tokens, memory, memory_mask, state) -> (logits, state)
    vocab: Vocabulary


def decode(model: Decodable, memory: Memory, options: DecodingOptions | None = None, *,
           first_index: int = 0) -> list[list[Candidate]]:
    """Captions for each clip of `memory` (frames (B, T, d), mask (B, T) bool, True = frame).

    Returns, per clip, `options.candidates` candidates best first (by `Candidate.score`).
    `first_index` is the index of the first clip in the whole job: sampling seeds each clip
    from (seed, first_index + its index), so chunking a job does not change its samples.
    """
    options = options or DecodingOptions()
    frames, mask = memory
    if frames.dim() != 3 or mask.shape != frames.shape[:2] or mask.dtype != torch.bool:
        raise ValueError(
            f"memory must be frames (B, T, d) and a bool mask (B, T); got {tuple(frames.shape)} "
            f"and {tuple(mask.shape)} {mask.dtype}"
        )
    B, device = frames.shape[0], frames.device
    if B == 0:
        return []
    vocab, decoder = model.vocab, model.decoder
    start = vocab.bos_for(options.task)
    selector: TokenSelector
    if options.method == "greedy":
        selector = Greedy()
    elif options.method == "beam":
        selector = BeamSearch(options.beam_size, B)
    else:
        selector = Sampler(options, sampling_transforms(options), B, first_index, device)
    filters = constraints(options, vocab)

    n0 = selector.rows_per_clip
    clip = torch.arange(B, device=device).repeat_interleave(n0)
    rows = Rows(
        tokens=torch.full((B * n0, 1), start, dtype=torch.long, device=device),
        clip=clip,
        slot=torch.arange(n0, device=device).repeat(B),
        logprob=torch.zeros(B * n0, device=device),
    )
    frames, mask = frames[clip], mask[clip]
    finished: list[list[tuple[list[int], float, int]]] = [[] for _ in range(B)]
    state = None
    with _inference(decoder):
        for step in range(options.max_length):
            check_deadline()  # a time budget (the service's) stops the work between steps
            logits, state = decoder.step(rows.tokens, frames, mask,
                                         state if options.use_cache else None)
            logits = logits.float()
            for f in filters:
                f.apply(logits, rows.tokens)
            stuck = torch.isneginf(logits).all(dim=-1)  # every token forbidden: let it end
            if stuck.any():
                logits[stuck, vocab.eos_id] = 0.0
            logprobs = logits.log_softmax(dim=-1)
            parent, token, logprob = selector.select(logits, logprobs, rows, step)

            tokens = torch.cat([rows.tokens[parent], token[:, None]], dim=1)
            done = token == vocab.eos_id
            if step == options.max_length - 1:
                done = torch.ones_like(done)
            for r in done.nonzero()[:, 0].tolist():
                words = tokens[r, 1:].tolist()
                if words[-1] == vocab.eos_id:
                    words.pop()
                finished[int(rows.clip[parent[r]])].append((words, float(logprob[r]), step + 1))

            live = (~done).nonzero()[:, 0]
            if len(live) == 0:
                break
            index = parent[live]
            rows = Rows(tokens[live], rows.clip[index], rows.slot[index], logprob[live])
            if not (len(index) == len(frames) and bool((index == _arange(index)).all())):
                frames, mask = frames[index], mask[index]
                if options.use_cache:
                    state = state.reorder(index)
    return [
        [Candidate(t, vocab.decode(t), lp, score)
         for t, lp, score in rank(clip_cands, options.length_penalty)[: options.candidates]]
        for clip_cands in finished
    ]


def _arange(index: Tensor) -> Tensor:
    return torch.arange(len(index), device=index.device)


@contextlib.contextmanager
def _inference(module: nn.Module) -> Iterator[None]:
    """No gradients and no dropout while decoding; the module's mode is restored after."""
    was_training = module.training
    module.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        module.train(was_training)
