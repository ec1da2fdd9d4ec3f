"""Reduced-precision inference forms of a decoder, for the CPU.

- `int8`: dynamic quantization of the `nn.Linear` and `nn.LSTMCell` layers (int8 weights,
  activations quantized per call; fbgemm kernels). The transformer's attention projections are
  raw parameters (`in_proj_weight`) and stay float32; its feed-forward layers, output
  projections and classifier are quantized.
- `bf16`: bfloat16 weights and activations, logits returned in float32; only where the CPU has
  AMX tiles (Sapphire Rapids and later), which run bf16 matmuls natively.

Both keep the decoder contract (`step(tokens, memory, memory_mask, state) -> (logits, state)`),
so `aacap.decoding.decode` runs them unchanged. Speed and agreement with float32 (identical
greedy tokens) are measured by `benchmarks/decoders.py`.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import torch
from torch import Tensor, nn

PRECISIONS = ("fp32", "int8", "bf16")


def has_amx() -> bool:
    """Whether this CPU has AMX tiles (bf16 matmuls in hardware)."""
    check = getattr(torch.cpu, "_is_amx_tile_supported", None)
    return bool(check and check())


def reduced_precision(decoder: nn.Module, precision: str) -> nn.Module:
    """An inference-only copy of `decoder` in `precision` (`PRECISIONS`); "fp32" returns
    `decoder` itself. Raises `ValueError` for an unknown precision, or bf16 without AMX."""
    if precision == "fp32":
        return decoder
    if precision == "int8":
        with warnings.catch_warnings():  # torch.ao's notice that eager quantization moves to torchao
            warnings.simplefilter("ignore")
            return torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(decoder).eval(), {nn.Linear, nn.LSTMCell}, dtype=torch.qint8
            )
    if precision == "bf16":
        if not has_amx():
            raise ValueError("precision bf16 needs a CPU with AMX tiles (Sapphire Rapids or later); use fp32 or int8")
        return Bf16Decoder(copy.deepcopy(decoder).eval())
    raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")


class Bf16Decoder(nn.Module):
    """A decoder run in bfloat16: memory cast in, logits cast out to float32."""

    def __init__(self, decoder: nn.Module) -> None:
        super().__init__()
        self.inner = decoder.to(torch.bfloat16)

    def forward(self, tokens: Tensor, memory: Tensor, memory_mask: Tensor) -> Tensor:
        """Teacher forcing: tokens (B, L), memory (B, T, d), memory_mask (B, T) -> (B, L, V) float32."""
        return self.inner(tokens, memory.to(torch.bfloat16), memory_mask).float()

    def step(self, tokens: Tensor, memory: Tensor, memory_mask: Tensor, state: Any) -> tuple[Tensor, Any]:
        """As the wrapped decoder's `step`; logits (B, V) float32."""
        logits, state = self.inner.step(tokens, memory.to(torch.bfloat16), memory_mask, state)
        return logits.float(), state
