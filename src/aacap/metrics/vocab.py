"""Vocabulary statistics as aac-metrics 0.6.0's ``vocab`` metric (the ``dcase2024`` preset).

Words are the whitespace tokens of the (PTB-tokenized) captions. Corpus values:
``vocab.cands`` (distinct candidate words), ``vocab.mrefs_full`` (distinct reference words),
``vocab.ratio_full``, ``vocab.mrefs_avg`` (distinct words of one reference drawn per item,
averaged over max-references draws from torch's generator seeded 1234, as aac-metrics),
``vocab.ratio_avg``, ``vocab.precision``, ``vocab.recall``, ``vocab.f1``, ``vocab.jaccard``.
Per item: ``vocab.cands`` (distinct words of each candidate).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

SEED = 1234


def vocab(candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
          ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    import torch

    tok_cands = [c.split() for c in candidates]
    tok_refs = [[r.split() for r in refs] for refs in mult_references]
    cands_vocab = {w for c in tok_cands for w in c}
    refs_vocab = {w for refs in tok_refs for r in refs for w in r}
    inter = cands_vocab & refs_vocab
    precision = len(inter) / len(cands_vocab) if cands_vocab else 0.0
    recall = len(inter) / len(refs_vocab) if refs_vocab else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    generator = torch.Generator().manual_seed(SEED)
    draws = []
    for _ in range(max(len(refs) for refs in tok_refs)):
        picked = [refs[int(torch.randint(0, len(refs), (), generator=generator).item())] for refs in tok_refs]
        draws.append(len({w for r in picked for w in r}))
    mrefs_avg = float(np.mean(np.array(draws, dtype=np.float64)))
    corpus = {
        "vocab.cands": float(len(cands_vocab)),
        "vocab.mrefs_full": float(len(refs_vocab)),
        "vocab.ratio_full": len(cands_vocab) / len(refs_vocab) if refs_vocab else 0.0,
        "vocab.mrefs_avg": mrefs_avg,
        "vocab.ratio_avg": len(cands_vocab) / mrefs_avg if mrefs_avg else 0.0,
        "vocab.precision": precision,
        "vocab.recall": recall,
        "vocab.f1": f1,
        "vocab.jaccard": len(inter) / len(cands_vocab | refs_vocab) if cands_vocab | refs_vocab else 0.0,
    }
    per_item = {"vocab.cands": np.array([len(set(c)) for c in tok_cands], dtype=np.float64)}
    return corpus, per_item
