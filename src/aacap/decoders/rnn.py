"""Attention LSTM decoder (Listen-Attend-Spell speller; IRIT DCASE 2020 and 2021).

At each step the previous word's embedding and the previous attention context enter a stack of
LSTM cells; the top hidden state attends over the audio frames (additive attention); the word
distribution is read from [hidden; context].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


@dataclass
class RnnDecoderConfig:
    embed_dim: int = 256
    hidden_size: int = 512
    num_layers: int = 1
    dropout: float = 0.2
    attention_dim: int = 256

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RnnState:
    """Carried LSTM state. h/c: per layer (B, hidden); context (B, d_model); keys (B, T, att)."""

    h: list[Tensor]
    c: list[Tensor]
    context: Tensor
    keys: Tensor
    memory: Tensor
    memory_mask: Tensor
    length: int

    def reorder(self, index: Tensor) -> RnnState:
        pick = lambda t: t.index_select(0, index)  # noqa: E731
        return RnnState(
            [pick(t) for t in self.h], [pick(t) for t in self.c], pick(self.context),
            pick(self.keys), pick(self.memory), pick(self.memory_mask), self.length,
        )


class RnnDecoder(nn.Module):
    def __init__(self, cfg: RnnDecoderConfig, vocab_size: int, d_model: int, pad_id: int = 0):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(vocab_size, cfg.embed_dim, padding_idx=pad_id)
        sizes = [cfg.embed_dim + d_model] + [cfg.hidden_size] * (cfg.num_layers - 1)
        self.cells = nn.ModuleList(nn.LSTMCell(size, cfg.hidden_size) for size in sizes)
        self.query = nn.Linear(cfg.hidden_size, cfg.attention_dim, bias=False)
        self.key = nn.Linear(d_model, cfg.attention_dim)
        self.energy = nn.Linear(cfg.attention_dim, 1, bias=False)
        self.dropout = nn.Dropout(cfg.dropout)
        self.classifier = nn.Linear(cfg.hidden_size + d_model, vocab_size)

    def forward(self, tokens: Tensor, memory: Tensor, memory_mask: Tensor) -> Tensor:
        """Teacher forcing. tokens (B, L), memory (B, T, d), memory_mask (B, T) -> (B, L, V)."""
        state = self._empty_state(memory, memory_mask)
        # The word embeddings and the classifier run once over the whole sequence; only the
        # recurrence is a loop (teacher forcing needs no token from the loop).
        embedded = self.dropout(self.embedding(tokens))  # (B, L, embed_dim)
        outputs = []
        for t in range(tokens.shape[1]):
            out, state = self._advance(embedded[:, t], state)
            outputs.append(out)
        return self.classifier(self.dropout(torch.stack(outputs, dim=1)))  # (B, L, V)

    def step(
        self, tokens: Tensor, memory: Tensor, memory_mask: Tensor, state: RnnState | None
    ) -> tuple[Tensor, RnnState]:
        """Logits (B, V) of the token after `tokens` (B, L); only unseen tokens are run."""
        if state is None:
            state = self._empty_state(memory, memory_mask)
        out = None
        for t in range(state.length, tokens.shape[1]):
            out, state = self._advance(self.dropout(self.embedding(tokens[:, t])), state)
        if out is None:
            raise ValueError("step() needs at least one token not yet seen by the state")
        return self.classifier(self.dropout(out)), state

    def _empty_state(self, memory: Tensor, memory_mask: Tensor) -> RnnState:
        B = memory.shape[0]
        zeros = memory.new_zeros(B, self.cfg.hidden_size)
        n = len(self.cells)
        return RnnState(
            [zeros] * n, [zeros] * n, memory.new_zeros(B, memory.shape[2]), self.key(memory),
            memory, memory_mask, 0,
        )

    def _advance(self, embedded: Tensor, state: RnnState) -> tuple[Tensor, RnnState]:
        """One word: its embedding (B, embed_dim) -> [hidden; context] (B, hidden + d_model),
        what the classifier reads, and the state after it."""
        x = torch.cat([embedded, state.context], dim=-1)
        hs, cs = [], []
        for cell, h, c in zip(self.cells, state.h, state.c):
            h, c = cell(x, (h, c))
            hs.append(h)
            cs.append(c)
            x = self.dropout(h)
        scores = self.energy(torch.tanh(state.keys + self.query(h)[:, None])).squeeze(-1)  # (B, T)
        scores = scores.masked_fill(~state.memory_mask, float("-inf"))
        weights = scores.softmax(dim=-1)
        context = torch.einsum("bt,btd->bd", weights, state.memory)
        new = RnnState(hs, cs, context, state.keys, state.memory, state.memory_mask, state.length + 1)
        return torch.cat([h, context], dim=-1), new
