"""Listen-Attend-Spell listener: a pyramidal bidirectional LSTM over log-mel frames
(Chan et al. 2016; IRIT DCASE 2020). Each layer concatenates neighbouring frame pairs, halving
the time resolution, then runs a BiLSTM over them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..audio import PANNS_SAMPLE_RATE


@dataclass
class LasEncoderConfig:
    n_mels: int = 64
    hidden_size: int = 256  # per direction
    num_layers: int = 4  # each halves the frame rate: 10 ms hop -> 160 ms frames with 4
    dropout: float = 0.2

    def to_dict(self) -> dict:
        return asdict(self)


class LasEncoder(nn.Module):
    sample_rate = PANNS_SAMPLE_RATE

    def __init__(self, cfg: LasEncoderConfig) -> None:
        super().__init__()
        from ..features import panns_logmel

        self.cfg = cfg
        self.frontend = panns_logmel(n_mels=cfg.n_mels)
        self.norm = nn.BatchNorm1d(cfg.n_mels)
        sizes = [2 * cfg.n_mels] + [4 * cfg.hidden_size] * (cfg.num_layers - 1)
        self.layers = nn.ModuleList(
            nn.LSTM(size, cfg.hidden_size, batch_first=True, bidirectional=True) for size in sizes
        )
        self.dropout = nn.Dropout(cfg.dropout)
        self.out_dim = 2 * cfg.hidden_size

    def forward(self, wave: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """wave (B, S), lengths (B,) samples -> frames (B, T / 2**num_layers, 2 * hidden)."""
        x, frame_lengths = self.frontend(wave, lengths)  # (B, T, n_mels)
        x = self.norm(x.transpose(1, 2)).transpose(1, 2)
        shortfall = 2 ** len(self.layers) - x.shape[1]
        if shortfall > 0:  # clips shorter than one output frame still give one frame
            x = nn.functional.pad(x, (0, 0, 0, shortfall))
        for lstm in self.layers:
            B, T, D = x.shape
            T2 = T // 2
            x = x[:, : 2 * T2].reshape(B, T2, 2 * D)  # (B, T/2, 2D): frame pairs side by side
            frame_lengths = torch.clamp(frame_lengths // 2, min=1)
            packed = pack_padded_sequence(x, frame_lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, _ = lstm(packed)
            x, _ = pad_packed_sequence(out, batch_first=True, total_length=T2)
            x = self.dropout(x)
        return x, frame_lengths
