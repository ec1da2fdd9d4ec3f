"""PANNs CNN14 (Kong et al. 2020) as a frame encoder: the audio encoder of the IRIT DCASE 2021
and 2022 captioning systems.

The frames are the output of the last conv block (after its dropout, before any clip pooling
or classifier), averaged over frequency: (B, T, 2048) with T = (1 + S // 320) // 32, i.e. one
frame per 320 ms. This is the tensor `conette.nn.encoders.cnn14.Cnn14` returns as `frame_embs`.
Module and parameter names are PANNs' own, so an official checkpoint (`Cnn14_mAP=0.431.pth`)
loads by name with `load_panns_checkpoint`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from ..features import SAMPLE_RATE, TORCHLIBROSA_KEYS, LogMelConfig, LogMel, check_torchlibrosa_frontend
from ..fileio import load_strict, read_torch_file

N_BLOCKS = 6
POOLED_BLOCKS = 5  # blocks 1-5 end with a 2x2 average pool; block 6 does not
TIME_REDUCTION = 2**POOLED_BLOCKS  # 32 log-mel frames (320 ms) per output frame
# optimize_for_inference: 3x3 convs with >= this many input channels over <= this many output
# positions (B * T * F) run as one matmul. oneDNN's direct conv is slow on the last blocks' few
# frequency bins (F = 4, 2): one thread, 10 s clips, block 6's second conv at batch 1 takes
# 152 ms as a conv and 42 ms as a matmul, at batch 16 1544 ms and 402 ms; block 5's second
# 46 / 29 ms at batch 1, 478 / 459 ms at batch 16 (Xeon, AVX-512). Below 1024 channels the conv
# wins. The position cap bounds the gathered neighbourhoods (positions x 9 C floats: 146 MB for
# block 5 at batch 16); past it the conv runs as it is.
MATMUL_CONV_MIN_CHANNELS = 1024
MATMUL_CONV_MAX_POSITIONS = 4096
# optimize_for_inference: blocks 1-4 (wide activations, small weights) run on chunks of about
# this many log-mel frames (10 s) of a batch, so a chunk's activations stay in cache; blocks 5-6
# (151 MB of weights, few positions) run on the whole batch, so their weights are read once.
# One thread, 16 clips of 10 s: 3.53-3.65 s CPU against 3.88-3.97 s for the whole batch at once.
INFERENCE_CHUNK_FRAMES = 1000
CHUNKED_BLOCKS = 4
# The classifier head of the AudioSet tagger: present in PANNs checkpoints, unused here.
HEAD_KEYS = ("fc1.weight", "fc1.bias", "fc_audioset.weight", "fc_audioset.bias")


@dataclass
class Cnn14Config:
    """CNN14 sizes. Defaults are the published model; tests shrink `channels`."""

    n_mels: int = 64
    channels: tuple[int, ...] = (64, 128, 256, 512, 1024, 2048)  # one per conv block
    dropout: float = 0.2  # after each conv block, in training mode (as PANNs)

    def __post_init__(self) -> None:
        self.channels = tuple(int(c) for c in self.channels)
        if len(self.channels) != N_BLOCKS:
            raise ValueError(f"Cnn14Config.channels needs {N_BLOCKS} widths, got {self.channels}")
        if self.n_mels < TIME_REDUCTION:
            raise ValueError(f"Cnn14Config.n_mels must be >= {TIME_REDUCTION}, got {self.n_mels}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cnn14Config:
        return cls(**data)


class ConvBlock(nn.Module):
    """Two 3x3 conv + batchnorm + ReLU layers (PANNs `ConvBlock`; names kept for checkpoints)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)
        for conv in (self.conv1, self.conv2):
            nn.init.xavier_uniform_(conv.weight)

    def forward(self, x: Tensor, pool: bool) -> Tensor:
        """x (B, C_in, T, F) -> (B, C_out, T // 2, F // 2) if pool else (B, C_out, T, F)."""
        x = F.relu_(self.bn1(self._conv(self.conv1, x)))
        x = F.relu_(self.bn2(self._conv(self.conv2, x)))
        return F.avg_pool2d(x, 2) if pool else x

    def fuse_batchnorm(self) -> None:
        """Fold bn1/bn2 (eval statistics) into conv1/conv2, which gain a bias (inference only)."""
        for conv, bn in (("conv1", "bn1"), ("conv2", "bn2")):
            setattr(self, conv, fuse_conv_bn_eval(getattr(self, conv), getattr(self, bn)))
            setattr(self, bn, nn.Identity())
        self.fused = True

    fused = False

    def _conv(self, conv: nn.Conv2d, x: Tensor) -> Tensor:
        """conv(x), or for a wide conv over few positions (the last blocks at small batch) the
        same 3x3 conv as one matmul over gathered neighbourhoods. oneDNN re-lays out the whole
        weight (up to 151 MB) on every call, which dominates there; the matmul reads it once."""
        B, C, T, F_ = x.shape
        if not self.fused or C < MATMUL_CONV_MIN_CHANNELS or B * T * F_ > MATMUL_CONV_MAX_POSITIONS:
            return conv(x)
        x = F.pad(x.permute(0, 2, 3, 1), (0, 0, 1, 1, 1, 1))  # (B, T + 2, F + 2, C)
        cols = torch.cat([x[:, i : i + T, j : j + F_] for i in range(3) for j in range(3)], dim=-1)
        weight = conv.weight.permute(0, 2, 3, 1).reshape(conv.out_channels, 9 * C)  # (C_out, kh kw C)
        out = torch.addmm(conv.bias, cols.view(B * T * F_, 9 * C), weight.t())  # (B T F, C_out)
        return out.view(B, T, F_, -1).permute(0, 3, 1, 2)  # (B, C_out, T, F), channels_last


class Cnn14Encoder(nn.Module):
    """Waveform at 32 kHz -> CNN14 frame embeddings (B, T, channels[-1]), 320 ms per frame."""

    sample_rate = SAMPLE_RATE
    # Inputs shorter than one output frame (32 log-mel frames) are zero-padded to it.
    min_samples = (TIME_REDUCTION - 1) * LogMelConfig().hop_length  # 9920 samples = 0.31 s

    def __init__(self, cfg: Cnn14Config | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or Cnn14Config()
        self.frontend = LogMel(LogMelConfig(n_mels=cfg.n_mels))
        self.bn0 = nn.BatchNorm2d(cfg.n_mels)  # normalises each mel band
        widths = (1, *cfg.channels)
        for i in range(N_BLOCKS):
            setattr(self, f"conv_block{i + 1}", ConvBlock(widths[i], widths[i + 1]))
        self.out_dim = cfg.channels[-1]
        self.fused = False  # batchnorms folded into the convs (inference only)
        # channels_last conv weights: oneDNN then runs the convs, and their backward, in NHWC
        # without reordering each activation (training step at 16..512 channels, batch 16 x 4 s,
        # one thread: forward 0.36 -> 0.28 s CPU, backward 0.52 -> 0.49 s)
        self.to(memory_format=torch.channels_last)

    def optimize_for_inference(self) -> Cnn14Encoder:
        """Eval mode for good, the conv blocks' batchnorms folded into their convs (same output,
        two passes less over each activation), channels_last weights and activations (no
        layout reorders around oneDNN convs). The state_dict no longer has the PANNs layout:
        load weights first, then call this. Returns self."""
        self.eval()
        if self.fused:
            return self
        self.fused = True
        for block in self.blocks():
            block.fuse_batchnorm()
        return self.to(memory_format=torch.channels_last)

    def blocks(self) -> list[ConvBlock]:
        return [getattr(self, f"conv_block{i + 1}") for i in range(N_BLOCKS)]

    def forward(self, wave: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """wave (B, S) float32 at 32 kHz, lengths (B,) samples
        -> frames (B, T, out_dim), frame_lengths (B,) int64, T = (1 + S // 320) // 32."""
        if wave.shape[-1] < self.min_samples:
            wave = F.pad(wave, (0, self.min_samples - wave.shape[-1]))
        logmel, mel_lengths = self.frontend(wave, lengths)
        return self.forward_logmel(logmel, mel_lengths)

    def forward_logmel(self, logmel: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """logmel (B, T_mel, n_mels) dB as `features.panns_logmel`, lengths (B,) in mel frames
        -> frames (B, T_mel // 32, out_dim), frame_lengths (B,) int64 (each in [1, T])."""
        if logmel.ndim != 3 or logmel.shape[-1] != self.cfg.n_mels:
            raise ValueError(f"expected log-mel (B, T, {self.cfg.n_mels}), got {tuple(logmel.shape)}")
        if self.training and self.fused:
            raise RuntimeError("this CNN14 has its batchnorms folded for inference; it cannot be trained")
        if logmel.shape[1] < TIME_REDUCTION:
            logmel = F.pad(logmel, (0, 0, 0, TIME_REDUCTION - logmel.shape[1]), value=self.frontend.silence_db)
        x = self.bn0(logmel.transpose(1, 2).unsqueeze(-1))  # (B, n_mels, T, 1): mels as channels
        x = x.squeeze(-1).transpose(1, 2).unsqueeze(1)  # (B, 1, T, n_mels)
        if self.fused:  # inference form: channels_last, early blocks chunk by chunk
            x = x.contiguous(memory_format=torch.channels_last)
            parts = x.split(max(1, INFERENCE_CHUNK_FRAMES // x.shape[2]))
            if len(parts) == 1:
                x = self._blocks(x, 0, CHUNKED_BLOCKS)
            else:
                x = torch.cat([self._blocks(part, 0, CHUNKED_BLOCKS) for part in parts])
                x = x.contiguous(memory_format=torch.channels_last)
            x = self._blocks(x, CHUNKED_BLOCKS, N_BLOCKS)
        else:
            x = self._blocks(x, 0, N_BLOCKS)
        frames = x.mean(dim=3).transpose(1, 2)  # (B, T', C): average over frequency
        frame_lengths = torch.div(lengths.to(frames.device), TIME_REDUCTION, rounding_mode="floor")
        return frames, frame_lengths.clamp(1, frames.shape[1]).long()

    def _blocks(self, x: Tensor, start: int, stop: int) -> Tensor:
        """Conv blocks start..stop-1 (0-based), each followed by dropout (training only)."""
        for i, block in enumerate(self.blocks()[start:stop], start=start):
            x = block(x, pool=i < POOLED_BLOCKS)
            x = F.dropout(x, p=self.cfg.dropout, training=self.training)
        return x


def _read_checkpoint(source: str | Path | Mapping[str, Any], trusted: bool) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint file")
    hint = "" if trusted else "; if you trust the file, retry with trusted=True"
    return read_torch_file(path, "torch checkpoint", trusted=trusted, hint=hint)


def load_panns_checkpoint(
    encoder: Cnn14Encoder, source: str | Path | Mapping[str, Any], *, trusted: bool = False
) -> Cnn14Encoder:
    """Load official PANNs CNN14 weights into `encoder`, strictly by name.

    `source`: a checkpoint path as published (`torch.load` -> {'model': state_dict}, e.g.
    `Cnn14_mAP=0.431.pth`), that dict, or the state_dict itself. The frozen torchlibrosa
    front-end tensors are checked against ours; the AudioSet classifier (`HEAD_KEYS`) is
    dropped; every other tensor must match a parameter or buffer of the encoder and vice versa.
    `trusted=True` allows full unpickling (only for files you trust). Returns `encoder`.
    """
    where = str(source) if not isinstance(source, Mapping) else "state_dict"
    ckpt = _read_checkpoint(source, trusted)
    state = ckpt.get("model", ckpt)
    if not isinstance(state, Mapping) or not all(isinstance(v, Tensor) for v in state.values()):
        raise ValueError(f"{where}: expected {{'model': state_dict}} or a state_dict of tensors")
    state = {k.removeprefix("module."): v for k, v in state.items()}
    check_torchlibrosa_frontend(state, encoder.frontend.cfg, where)
    dropped = set(TORCHLIBROSA_KEYS) | set(HEAD_KEYS)
    load_strict(encoder, {k: v for k, v in state.items() if k not in dropped}, where)
    return encoder
