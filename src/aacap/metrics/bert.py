"""BERT in plain torch for the embedding metrics: WordPiece tokenizer, weight loading, encoder.

Reads the files of a Hugging Face BERT directory (``config.json``, ``vocab.txt``,
``tokenizer_config.json``, ``model.safetensors`` or ``pytorch_model.bin``) without the
transformers package; parameter names are those of transformers' ``BertModel``.
"""

from __future__ import annotations

import json
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn


class ModelFilesError(RuntimeError):
    """Model files that are missing or not in the expected layout."""


def load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """Read a .safetensors file (8-byte header size, JSON header, raw little-endian tensors)."""
    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
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


def load_weights(root: Path) -> dict[str, torch.Tensor]:
    """The state dict of a model directory (safetensors preferred; a .bin is read with
    ``weights_only=True``, so it cannot run code)."""
    if (root / "model.safetensors").is_file():
        return load_safetensors(root / "model.safetensors")
    if (root / "pytorch_model.bin").is_file():
        return torch.load(root / "pytorch_model.bin", map_location="cpu", weights_only=True)
    raise ModelFilesError(f"{root}: no model.safetensors or pytorch_model.bin")


def read_config(root: Path) -> dict:
    try:
        return json.loads((root / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ModelFilesError(f"{root}: no readable config.json ({e})") from None


class WordPiece:
    """BERT's tokenizer as transformers' BertTokenizerFast runs it: clean, optionally lower-case
    and strip accents, split punctuation and CJK characters, then greedy WordPiece."""

    def __init__(self, vocab_file: Path, lowercase: bool = True) -> None:
        self.vocab = {w: i for i, w in enumerate(vocab_file.read_text(encoding="utf-8").split("\n")) if w}
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.pad = self.vocab.get("[PAD]", 0)
        self.lowercase = lowercase

    @classmethod
    def from_dir(cls, root: Path) -> "WordPiece":
        lowercase = True
        if (root / "tokenizer_config.json").is_file():
            lowercase = json.loads((root / "tokenizer_config.json").read_text(encoding="utf-8")).get("do_lower_case", True)
        if not (root / "vocab.txt").is_file():
            raise ModelFilesError(f"{root}: no vocab.txt")
        return cls(root / "vocab.txt", lowercase)

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
        text = "".join(chars)
        words = []
        for word in (text.lower() if self.lowercase else text).split():
            if self.lowercase:
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

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to max_tokens in all."""
        ids = [self.cls]
        for word in self._basic(text):
            if len(ids) >= max_tokens:
                break
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
        return ids[: max_tokens - 1] + [self.sep]


@dataclass(frozen=True)
class BertConfig:
    """The fields of config.json the encoder uses."""

    n_layers: int
    n_heads: int
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"

    @classmethod
    def from_dict(cls, d: dict) -> "BertConfig":
        return cls(d["num_hidden_layers"], d["num_attention_heads"], d.get("layer_norm_eps", 1e-12),
                   d.get("hidden_act", "gelu"))


class Bert(nn.Module):
    """transformers' BertModel (post-LayerNorm, absolute positions, segment 0) without the pooler,
    run from a state dict of its parameter names (a ``prefix`` such as ``"bert."`` is stripped)."""

    def __init__(self, state: dict[str, torch.Tensor], config: BertConfig, prefix: str = "") -> None:
        super().__init__()
        self.s = {k[len(prefix):]: v.float() for k, v in state.items() if k.startswith(prefix)}
        self.config = config
        if "embeddings.word_embeddings.weight" not in self.s:
            raise ModelFilesError("weights are not a BERT model's (no embeddings.word_embeddings.weight)")

    def _ln(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return nn.functional.layer_norm(x, x.shape[-1:], self.s[f"{name}.weight"], self.s[f"{name}.bias"],
                                        self.config.layer_norm_eps)

    def _lin(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return nn.functional.linear(x, self.s[f"{name}.weight"], self.s[f"{name}.bias"])

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        if self.config.hidden_act in ("gelu_new", "gelu_pytorch_tanh"):
            return nn.functional.gelu(x, approximate="tanh")
        return nn.functional.gelu(x)

    @torch.no_grad()
    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, mask: (B, L) -> last hidden states (B, L, H)."""
        s, n_heads = self.s, self.config.n_heads
        B, L = ids.shape
        x = s["embeddings.word_embeddings.weight"][ids] + s["embeddings.position_embeddings.weight"][:L]
        x = self._ln(x + s["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min  # (B, 1, 1, L)
        for i in range(self.config.n_layers):
            p = f"encoder.layer.{i}"
            q, k, v = (self._lin(x, f"{p}.attention.self.{n}").view(B, L, n_heads, -1).transpose(1, 2)
                       for n in ("query", "key", "value"))  # (B, nh, L, hs)
            att = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            att = att.transpose(1, 2).reshape(B, L, -1)
            x = self._ln(x + self._lin(att, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            h = self._act(self._lin(x, f"{p}.intermediate.dense"))
            x = self._ln(x + self._lin(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x


def batches(ids: list[list[int]], batch_size: int, pad: int) -> list[tuple[list[int], torch.Tensor, torch.Tensor]]:
    """Group token-id lists by length (less padding): [(rows, ids (b, L), mask (b, L))]."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = []
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        width = max(len(ids[i]) for i in rows)
        batch = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for j, i in enumerate(rows):
            batch[j, : len(ids[i])] = torch.tensor(ids[i])
            mask[j, : len(ids[i])] = 1
        out.append((rows, batch, mask))
    return out
