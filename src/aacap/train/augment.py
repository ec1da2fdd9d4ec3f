"""Training-time augmentations, each drawing from an explicit `torch.Generator` (saved in the
checkpoint, so a resumed run draws the same masks and mixing weights).

SpecAugment (Park et al. 2019) as CoNeTTE applies it to encoder frames: stripes of random
width up to a ratio of the axis are zeroed along time and along the feature axis. Applied to
the log-mel when training from audio (through a forward hook on the encoder's front-end) and
to the cached frames when the encoder is frozen.

Mixup (Zhang et al. 2018) for captioning: inputs of pairs of examples are mixed with weight
lam ~ Beta(alpha, alpha), and the loss is lam * CE(caption a) + (1 - lam) * CE(caption b).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def spec_augment(x: Tensor, time_masks: int, time_ratio: float, freq_masks: int,
                 freq_ratio: float, generator: torch.Generator) -> Tensor:
    """x (B, T, D) -> a copy with `time_masks` stripes of up to time_ratio * T frames and
    `freq_masks` stripes of up to freq_ratio * D channels set to 0, drawn per example."""
    B, T, D = x.shape
    keep = torch.ones(B, T, D, dtype=torch.bool)
    for axis, count, ratio, size in ((1, time_masks, time_ratio, T), (2, freq_masks, freq_ratio, D)):
        widest = int(ratio * size)
        if count <= 0 or widest <= 0:
            continue
        width = torch.randint(0, widest + 1, (B, count), generator=generator)
        start = (torch.rand(B, count, generator=generator) * (size - width + 1)).long()
        pos = torch.arange(size)
        inside = (pos >= start[..., None]) & (pos < (start + width)[..., None])  # (B, count, size)
        hit = inside.any(dim=1)  # (B, size)
        keep &= ~(hit[:, :, None] if axis == 1 else hit[:, None, :])
    return x * keep.to(x.device, x.dtype)


def mixup_pairs(batch_size: int, alpha: float, generator: torch.Generator) -> tuple[Tensor, float]:
    """A partner for each example (a permutation of the batch) and the mixing weight lam."""
    perm = torch.randperm(batch_size, generator=generator)
    # Beta(alpha, alpha) from two Gammas, drawn from `generator` (torch.distributions has none).
    a = torch._standard_gamma(torch.full((2,), float(alpha)), generator=generator)  # noqa: SLF001
    return perm, float(a[0] / a.sum())


def mix(x: Tensor, lengths: Tensor, perm: Tensor, lam: float) -> tuple[Tensor, Tensor]:
    """lam * x + (1 - lam) * x[perm] for padded inputs (B, T, ...); a mixed example is as long
    as the longer of its two."""
    perm = perm.to(x.device)
    return lam * x + (1.0 - lam) * x[perm], torch.maximum(lengths, lengths[perm.to(lengths.device)])


class FrontendSpecAugment:
    """A forward hook on an encoder's front-end (`encoder.frontend`, returning (logmel, lengths))
    that applies SpecAugment to the log-mel while the model is training."""

    def __init__(self, model: nn.Module, generator: torch.Generator, time_masks: int,
                 time_ratio: float, freq_masks: int, freq_ratio: float) -> None:
        self.model, self.generator = model, generator
        self.args = (time_masks, time_ratio, freq_masks, freq_ratio)

    def __call__(self, module: nn.Module, inputs: tuple, output: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        if not self.model.training:
            return output
        logmel, lengths = output
        floor = logmel.detach().amin()  # masked values become the clip batch's silence level
        masked = spec_augment(logmel - floor, *self.args, generator=self.generator) + floor
        return masked, lengths
