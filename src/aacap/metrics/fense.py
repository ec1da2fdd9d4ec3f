"""FENSE, FER, SBERT-sim and SPIDEr-FL as aac-metrics 0.6.0 computes them, in plain torch.

- SBERT-sim: paraphrase-TinyBERT-L6-v2 sentence embeddings (mean of the last hidden states over
  the tokens, at most 128 tokens), L2-normalised; a candidate's score is its mean cosine with its
  references.
- FER (fluency error rate): the error detector reads each candidate with punctuation removed
  (``re.sub(r"[^\\w\\s]", "", text).lower()``), at most 64 tokens; a BERT whose [CLS] state goes
  through a linear layer to 6 sigmoid outputs (add_tail, repeat_event, repeat_adv, remove_conj,
  remove_verb, error). A candidate is an error when P(error) > 0.9; FER is the mean of that 0/1.
- FENSE = SBERT-sim x (1 - 0.9 x error); SPIDEr-FL = SPIDEr x (1 - 0.9 x error), per item, and
  the corpus value is the mean over items.

Model files: see ``fense_files.py``. Shapes: N candidates, M references in all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from aacap.metrics import fense_files
from aacap.metrics.fense_files import FenseFilesMissing

if TYPE_CHECKING:  # torch loads only when a model does
    import torch

    from aacap.metrics.bert import Bert, WordPiece

ERROR_NAMES = ("add_tail", "repeat_event", "repeat_adv", "remove_conj", "remove_verb", "error")
ERROR_THRESHOLD = 0.9
PENALTY = 0.9
ECHECKER_MAX_TOKENS = 64  # aac-metrics pads/truncates the detector's input to 64 tokens
BATCH_SIZE = 32

__all__ = ["FenseFilesMissing", "fluency_probs", "fer", "sbert_embed", "sbert_sim", "fense", "spider_fl"]


@dataclass
class SentenceEncoder:
    """A sentence-transformers folder: tokenizer, BERT, mean pooling, max_seq_length."""

    tokenizer: "WordPiece"
    bert: "Bert"
    max_tokens: int
    name: str


@lru_cache(maxsize=4)
def load_sentence_encoder(folder: Path) -> SentenceEncoder:
    """Read a sentence-transformers folder (Transformer + mean Pooling, as paraphrase-TinyBERT-L6-v2)."""
    from aacap.metrics.bert import Bert, BertConfig, ModelFilesError, WordPiece, load_weights, read_config

    max_tokens = 512
    if (folder / "sentence_bert_config.json").is_file():
        max_tokens = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", max_tokens)
    pooling = folder / "1_Pooling" / "config.json"
    if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", True):
        raise ModelFilesError(f"{folder}: pooling is not mean pooling (not paraphrase-TinyBERT-L6-v2's layout)")
    config = read_config(folder)
    max_tokens = min(max_tokens, config.get("max_position_embeddings", max_tokens))
    state = load_weights(folder)
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in state else ""
    return SentenceEncoder(WordPiece.from_dir(folder), Bert(state, BertConfig.from_dict(config), prefix),
                           max_tokens, folder.name)


def sbert_embed(encoder: SentenceEncoder, sentences: Sequence[str]) -> np.ndarray:
    """Unit-norm sentence embeddings, float32 (len(sentences), hidden)."""
    import torch

    from aacap.metrics.bert import batches

    ids = [encoder.tokenizer.encode(s.strip(), encoder.max_tokens) for s in sentences]
    out: np.ndarray | None = None
    for rows, batch, mask in batches(ids, BATCH_SIZE, encoder.tokenizer.pad):
        h = encoder.bert(batch, mask)  # (b, L, H)
        m = mask[..., None].float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        emb = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
        if out is None:
            out = np.zeros((len(ids), emb.shape[1]), dtype=np.float32)
        out[rows] = emb
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def sbert_sim(candidates: Sequence[str], mult_references: Sequence[Sequence[str]],
              encoder: SentenceEncoder | None = None) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Mean cosine of each candidate with its references (float64 (N,)); corpus = mean."""
    encoder = encoder or load_sentence_encoder(fense_files.sbert_dir())
    flat = [r for refs in mult_references for r in refs]
    cand = sbert_embed(encoder, candidates)
    ref = sbert_embed(encoder, flat)
    scores = np.zeros(len(candidates))
    start = 0
    for i, refs in enumerate(mult_references):
        # float32 dot products and mean, as aac-metrics computes them on tensors
        scores[i] = float(np.mean(ref[start : start + len(refs)] @ cand[i], dtype=np.float32))
        start += len(refs)
    return {"sbert_sim": float(scores.mean())}, {"sbert_sim": scores}


@dataclass
class ErrorDetector:
    """FENSE's error detector: BERT, then a linear layer on the [CLS] state."""

    tokenizer: "WordPiece"
    bert: "Bert"
    clf_weight: "torch.Tensor"  # (6, H)
    clf_bias: "torch.Tensor"  # (6,)


@lru_cache(maxsize=2)
def load_error_detector(ckpt: Path, bert_dir: Path | None = None) -> ErrorDetector:
    """FENSE's error-detector checkpoint (``model_type``, ``num_classes``, ``state_dict``) with
    the tokenizer and config of its model_type (found by fense_files unless bert_dir is given)."""
    import torch

    from aacap.metrics.bert import Bert, BertConfig, ModelFilesError, WordPiece, read_config

    try:
        saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    except Exception as e:  # a corrupt or foreign file: say which
        raise ModelFilesError(f"{ckpt}: not a readable torch checkpoint ({type(e).__name__})") from None
    if not isinstance(saved, dict) or not {"model_type", "num_classes", "state_dict"} <= set(saved):
        raise ModelFilesError(f"{ckpt}: not FENSE's error-detector format (model_type, num_classes, state_dict)")
    if saved["num_classes"] != len(ERROR_NAMES):
        raise ModelFilesError(f"{ckpt}: {saved['num_classes']} classes, FENSE's detector has {len(ERROR_NAMES)}")
    folder = bert_dir or fense_files.bert_type_dir(saved["model_type"])
    state = saved["state_dict"]
    return ErrorDetector(WordPiece.from_dir(folder), Bert(state, BertConfig.from_dict(read_config(folder)), "encoder."),
                         state["clf.weight"].float(), state["clf.bias"].float())


def _detector_text(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text).lower()


def fluency_probs(candidates: Sequence[str], detector: ErrorDetector | None = None) -> np.ndarray:
    """Sigmoid outputs of the error detector, float32 (N, 6) in ERROR_NAMES order."""
    import torch

    from aacap.metrics.bert import batches

    detector = detector or load_error_detector(fense_files.echecker_path())
    ids = [detector.tokenizer.encode(_detector_text(c), ECHECKER_MAX_TOKENS) for c in candidates]
    out = np.zeros((len(ids), len(ERROR_NAMES)), dtype=np.float32)
    for rows, batch, mask in batches(ids, BATCH_SIZE, detector.tokenizer.pad):
        cls = detector.bert(batch, mask)[:, 0]  # (b, H)
        out[rows] = torch.sigmoid(torch.nn.functional.linear(cls, detector.clf_weight, detector.clf_bias)).numpy()
    return out


def fer(candidates: Sequence[str], detector: ErrorDetector | None = None
        ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Per-item fluency error (0.0 or 1.0, float64 (N,)) and its mean."""
    errors = (fluency_probs(candidates, detector)[:, ERROR_NAMES.index("error")] > ERROR_THRESHOLD).astype(float)
    return {"fer": float(errors.mean())}, {"fer": errors}


def fense(sbert: np.ndarray, errors: np.ndarray) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """FENSE from per-item SBERT-sim and fluency errors (both (N,))."""
    scores = sbert * (1.0 - PENALTY * errors)
    return {"fense": float(scores.mean())}, {"fense": scores}


def spider_fl(spider: np.ndarray, errors: np.ndarray) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """SPIDEr-FL from per-item SPIDEr and fluency errors (both (N,))."""
    scores = spider * (1.0 - PENALTY * errors)
    return {"spider_fl": float(scores.mean())}, {"spider_fl": scores}
