"""CaptionModel: audio encoder -> projection to d_model -> caption decoder."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from .config import ModelConfig
from .decoders import build_decoder
from .encoders import build_encoder
from .vocab import Vocabulary


class Memory(NamedTuple):
    """Projected audio frames the decoder attends to."""

    frames: Tensor  # (B, T, d_model)
    mask: Tensor  # (B, T) bool, True = a real frame


class CaptionModel(nn.Module):
    def __init__(self, config: ModelConfig, vocab: Vocabulary) -> None:
        super().__init__()
        self.config = config
        self.vocab = vocab
        self.encoder = build_encoder(config.encoder, config.encoder_args)
        p = config.projection_dropout
        self.projection = nn.Sequential(
            nn.Dropout(p), nn.Linear(self.encoder.out_dim, config.d_model), nn.ReLU(), nn.Dropout(p)
        )
        self.decoder = build_decoder(
            config.decoder, config.decoder_args, len(vocab), config.d_model, vocab.pad_id
        )

    @property
    def sample_rate(self) -> int:
        return self.encoder.sample_rate

    def encode(self, wave: Tensor, lengths: Tensor) -> Memory:
        """wave (B, S) float32 at `sample_rate`, lengths (B,) samples -> Memory."""
        frames, frame_lengths = self.encoder(wave, lengths)
        return self.encode_frames(frames, frame_lengths)

    def encode_frames(self, frames: Tensor, frame_lengths: Tensor) -> Memory:
        """Encoder frames (B, T, out_dim) (e.g. from the feature cache) -> Memory."""
        T = frames.shape[1]
        mask = torch.arange(T, device=frames.device)[None, :] < frame_lengths[:, None]
        return Memory(self.projection(frames), mask)

    def forward(self, wave: Tensor, lengths: Tensor, tokens: Tensor) -> Tensor:
        """Teacher-forced logits (B, L, V) for input tokens (B, L)."""
        memory = self.encode(wave, lengths)
        return self.decoder(tokens, memory.frames, memory.mask)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def batch_waves(waves: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Right-pad 1-D waveforms into (B, S_max) and their lengths (B,)."""
    lengths = torch.tensor([len(w) for w in waves], dtype=torch.long)
    batch = torch.zeros(len(waves), int(lengths.max()))
    for i, w in enumerate(waves):
        batch[i, : len(w)] = w
    return batch, lengths
