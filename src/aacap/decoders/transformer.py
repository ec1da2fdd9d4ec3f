"""Transformer decoder (IRIT DCASE 2022, CoNeTTE): post-norm, GELU, sinusoidal positions,
with a key/value cache for incremental decoding.

Parameter names follow `torch.nn.TransformerDecoder` as CoNeTTE uses it (`layers.N.self_attn.
in_proj_weight`, `multihead_attn`, `linear1`, `norm1`, ..., plus `emb_layer` and `classifier`),
so CoNeTTE's decoder weights load without renaming.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class TransformerDecoderConfig:
    num_layers: int = 6
    d_model: int = 256
    nhead: int = 8
    dim_feedforward: int = 2048
    dropout: float = 0.2
    layer_norm_eps: float = 1e-5
    max_len: int = 5000  # longest token sequence the positional table covers

    def to_dict(self) -> dict:
        return asdict(self)


class Attention(nn.Module):
    """Multi-head attention with the parameter layout of `nn.MultiheadAttention`."""

    def __init__(self, d_model: int, nhead: int) -> None:
        super().__init__()
        self.nhead = nhead
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model))
        self.out_proj = nn.Linear(d_model, d_model)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def project(self, x: Tensor, part: slice) -> Tensor:
        """(B, T, d) -> (B, nhead, T, d / nhead) for the q/k/v rows selected by `part`."""
        B, T, _ = x.shape
        y = F.linear(x, self.in_proj_weight[part], self.in_proj_bias[part])
        return y.view(B, T, self.nhead, -1).transpose(1, 2)

    def project_qkv(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(B, T, d) -> q, k, v, each (B, nhead, T, d / nhead), from one matmul (self-attention:
        one weight read instead of three, a third of the calls)."""
        B, T, _ = x.shape
        y = F.linear(x, self.in_proj_weight, self.in_proj_bias)  # (B, T, 3d)
        q, k, v = y.view(B, T, 3, self.nhead, -1).permute(2, 0, 3, 1, 4).unbind(0)  # 3 x (B, h, T, hd)
        return q, k, v

    def rows(self, which: int) -> slice:
        d = self.in_proj_weight.shape[1]
        return slice(which * d, (which + 1) * d)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> Tensor:
        """q (B, h, n, hd), k/v (B, h, T, hd), mask broadcastable to (B, h, n, T), True = keep."""
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, h, n, hd)
        B, _, n, _ = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(B, n, -1))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: TransformerDecoderConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.self_attn = Attention(d, cfg.nhead)
        self.multihead_attn = Attention(d, cfg.nhead)
        self.linear1 = nn.Linear(d, cfg.dim_feedforward)
        self.linear2 = nn.Linear(cfg.dim_feedforward, d)
        self.norm1 = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.norm2 = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.norm3 = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.dropout)


@dataclass
class TransformerState:
    """Per-layer cached keys/values. Self-attention: (B, h, t, hd); cross: (B, h, T, hd)."""

    self_k: list[Tensor]
    self_v: list[Tensor]
    cross_k: list[Tensor]
    cross_v: list[Tensor]
    memory_mask: Tensor  # (B, 1, 1, T) bool
    length: int  # tokens already processed

    def reorder(self, index: Tensor) -> TransformerState:
        """Keep/reorder batch rows: row i of the result is row index[i] of this state."""
        pick = lambda ts: [t.index_select(0, index) for t in ts]  # noqa: E731
        return TransformerState(
            pick(self.self_k), pick(self.self_v), pick(self.cross_k), pick(self.cross_v),
            self.memory_mask.index_select(0, index), self.length,
        )


def sinusoids(length: int, dim: int) -> Tensor:
    """(length, dim) table: sin on even channels, cos on odd ones (CoNeTTE's layout)."""
    rate = torch.exp(-torch.arange(0, dim, 2, dtype=torch.float32) * math.log(10000.0) / dim)
    pos = torch.arange(length, dtype=torch.float32)[:, None] * rate
    table = torch.zeros(length, dim)
    table[:, 0::2], table[:, 1::2] = torch.sin(pos), torch.cos(pos)
    return table


class TransformerDecoder(nn.Module):
    def __init__(self, cfg: TransformerDecoderConfig, vocab_size: int, pad_id: int = 0) -> None:
        super().__init__()
        self.cfg = cfg
        self.emb_layer = nn.Embedding(vocab_size, cfg.d_model, padding_idx=pad_id)
        self.register_buffer("positions", sinusoids(cfg.max_len, cfg.d_model), persistent=False)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.num_layers))
        self.classifier = nn.Linear(cfg.d_model, vocab_size)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, tokens: Tensor, memory: Tensor, memory_mask: Tensor) -> Tensor:
        """Teacher forcing. tokens (B, L), memory (B, T, d), memory_mask (B, T) -> (B, L, V)."""
        hidden, _ = self._run(tokens, memory, memory_mask, None)
        return self.classifier(hidden)

    def step(
        self, tokens: Tensor, memory: Tensor, memory_mask: Tensor, state: TransformerState | None
    ) -> tuple[Tensor, TransformerState]:
        """Logits (B, V) of the token after `tokens` (B, L); only unseen tokens are computed."""
        hidden, state = self._run(tokens, memory, memory_mask, state)
        return self.classifier(hidden[:, -1]), state

    def _run(
        self, tokens: Tensor, memory: Tensor, memory_mask: Tensor, state: TransformerState | None
    ) -> tuple[Tensor, TransformerState]:
        if state is None:
            state = self._empty_state(memory, memory_mask)
        start, end = state.length, tokens.shape[1]
        if end > self.cfg.max_len:
            raise ValueError(f"sequence of {end} tokens exceeds max_len {self.cfg.max_len}")
        x = self.emb_layer(tokens[:, start:]) * math.sqrt(self.cfg.d_model)
        x = self.dropout(x + self.positions[start:end])  # (B, n, d)
        n = end - start
        causal = None
        if n > 1:  # query i (absolute start+i) may see keys 0..start+i
            keys = torch.arange(end, device=x.device)
            causal = keys[None, :] <= (start + torch.arange(n, device=x.device))[:, None]
        for i, layer in enumerate(self.layers):
            sa = layer.self_attn
            q, k, v = sa.project_qkv(x)
            k = torch.cat([state.self_k[i], k], dim=2)
            v = torch.cat([state.self_v[i], v], dim=2)
            state.self_k[i], state.self_v[i] = k, v
            h = sa.attend(q, k, v, causal)
            x = layer.norm1(x + layer.dropout(h))
            ca = layer.multihead_attn
            h = ca.attend(ca.project(x, ca.rows(0)), state.cross_k[i], state.cross_v[i],
                          state.memory_mask)
            x = layer.norm2(x + layer.dropout(h))
            h = layer.linear2(layer.dropout(F.gelu(layer.linear1(x))))
            x = layer.norm3(x + layer.dropout(h))
        state.length = end
        return x, state

    def _empty_state(self, memory: Tensor, memory_mask: Tensor) -> TransformerState:
        B, h = memory.shape[0], self.cfg.nhead
        hd = self.cfg.d_model // h
        empty = memory.new_zeros(B, h, 0, hd)
        cross_k, cross_v = [], []
        for layer in self.layers:
            ca = layer.multihead_attn
            cross_k.append(ca.project(memory, ca.rows(1)))
            cross_v.append(ca.project(memory, ca.rows(2)))
        n = len(self.layers)
        return TransformerState(
            [empty] * n, [empty] * n, cross_k, cross_v, memory_mask[:, None, None, :], 0
        )
