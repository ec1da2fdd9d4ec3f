"""Windowed-sinc resampling with the arithmetic of torchaudio 0.13.1's `functional.resample`.

CoNeTTE (conette 0.3.2) resamples its inputs with torchaudio 0.13.1 (`resampling_method=
"sinc_interpolation"`, `lowpass_filter_width=6`, `rolloff=0.99`): a Hann-windowed sinc low-pass
evaluated at each of the `new` output phases, applied as one strided convolution. This module
computes the same kernel with the same operations in the same order and dtype, so a CoNeTTE model
sees the waveform conette feeds it (soxr, aacap's default resampler, gives a slightly different
one, and so a different caption on some clips).

Rates are reduced by their gcd first: 44.1 kHz -> 32 kHz is 441 -> 320, a (320, 1, 459) kernel.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
from torch import Tensor

LOWPASS_WIDTH = 6  # zero crossings of the sinc kept on each side
ROLLOFF = 0.99  # cut-off, as a fraction of the lower rate's Nyquist frequency


def sinc_resample(wave: Tensor, orig_sr: int, new_sr: int) -> Tensor:
    """Resample `wave` (..., samples) float from `orig_sr` Hz to `new_sr` Hz.

    Returns (..., ceil(samples * new_sr / orig_sr)) in the dtype of `wave`; the input itself when
    the rates are equal. Equal to torchaudio 0.13.1's `resample(wave, orig_sr, new_sr)`."""
    if orig_sr <= 0 or new_sr <= 0 or int(orig_sr) != orig_sr or int(new_sr) != new_sr:
        raise ValueError(f"sample rates must be positive integers, got {orig_sr} and {new_sr}")
    if not wave.is_floating_point():
        raise TypeError(f"expected a floating-point waveform, got {wave.dtype}")
    if orig_sr == new_sr:
        return wave
    gcd = math.gcd(int(orig_sr), int(new_sr))
    up, down = int(new_sr) // gcd, int(orig_sr) // gcd  # output / input samples per period
    kernel, width = _kernel(down, up, wave.dtype, wave.device)
    shape = wave.shape
    flat = wave.reshape(-1, shape[-1])  # (N, S)
    n, length = flat.shape
    padded = torch.nn.functional.pad(flat, (width, width + down))
    out = torch.nn.functional.conv1d(padded[:, None], kernel, stride=down)  # (N, up, periods)
    out = out.transpose(1, 2).reshape(n, -1)  # phases interleaved in time order
    out = out[:, : math.ceil(up * length / down)]
    return out.reshape(*shape[:-1], out.shape[-1])


@lru_cache(maxsize=16)
def _kernel(down: int, up: int, dtype: torch.dtype, device: torch.device) -> tuple[Tensor, int]:
    """The (up, 1, 2 * width + down) filter bank, one row per output phase, and `width`
    (input samples of context each side). Every step is computed in `dtype`, like torchaudio."""
    cutoff = min(down, up) * ROLLOFF  # in units of the reduced rates
    width = math.ceil(LOWPASS_WIDTH * down / cutoff)
    taps = torch.arange(-width, width + down, dtype=dtype, device=device)[None, None] / down
    phases = torch.arange(0, -up, -1, dtype=dtype, device=device)[:, None, None] / up
    t = (phases + taps) * cutoff  # (up, 1, taps): time from each tap, in zero crossings
    t = t.clamp(-LOWPASS_WIDTH, LOWPASS_WIDTH)
    window = torch.cos(t * math.pi / LOWPASS_WIDTH / 2) ** 2  # Hann, zero at +-LOWPASS_WIDTH
    t = t * math.pi
    sinc = torch.where(t == 0, torch.tensor(1.0).to(t), t.sin() / t)
    return sinc * (window * (cutoff / down)), width


__all__ = ["sinc_resample"]
