"""The encoders' inference forms (`optimize_for_inference`) give today's fp32 output within
1e-5 relative (max |difference| / max |output|), at the published sizes, at batch 1 and 3,
with padded clips, and take their fast paths where they claim to."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aacap.encoders import cnn14, convnext
from aacap.encoders.cnn14 import MATMUL_CONV_MIN_CHANNELS, Cnn14Encoder
from aacap.encoders.convnext import ConvNextConfig, ConvNextEncoder, FusedMlp

TOLERANCE = 1e-5  # relative, the bound the speed work promises


def randomize_norms(encoder: nn.Module) -> None:
    """Non-trivial batchnorm statistics and layer scales, so a folding error cannot hide."""
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for module in encoder.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.copy_(torch.rand(module.num_features, generator=gen) - 0.5)
                module.running_var.copy_(0.5 + torch.rand(module.num_features, generator=gen))
                module.weight.copy_(0.5 + torch.rand(module.num_features, generator=gen))
            if hasattr(module, "scale_layer"):
                module.scale_layer.copy_(0.1 + torch.rand(module.scale_layer.shape, generator=gen))


def relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got - want).abs().max() / want.abs().max()).item()


def plain_and_optimized(make: type[nn.Module], config: object | None = None) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(0)
    plain = make(config) if config is not None else make()
    randomize_norms(plain)
    optimized = make(config) if config is not None else make()
    optimized.load_state_dict(plain.state_dict())
    return plain.eval(), optimized.optimize_for_inference()


@pytest.mark.parametrize("batch", [1, 3])
def test_cnn14_inference_form_matches_fp32(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """At batch 3 blocks 1-4 run clip by clip (chunks of 250 log-mel frames), blocks 5-6 on the
    whole batch."""
    monkeypatch.setattr(cnn14, "INFERENCE_CHUNK_FRAMES", 250)
    plain, optimized = plain_and_optimized(Cnn14Encoder)
    samples = 64_000  # 2 s: blocks 5 and 6 over few positions, so they take the matmul path
    wave = 0.1 * torch.randn(batch, samples, generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([samples, 40_000, 12_000][:batch])
    with torch.inference_mode():
        want, want_lengths = plain(wave, lengths)
        calls = []
        addmm = torch.addmm
        monkeypatch.setattr(torch, "addmm", lambda *args, **kw: calls.append(1) or addmm(*args, **kw))
        got, got_lengths = optimized(wave, lengths)
    assert got.shape == want.shape and torch.equal(got_lengths, want_lengths)
    assert relative_error(got, want) < TOLERANCE
    wide = sum(conv.in_channels >= MATMUL_CONV_MIN_CHANNELS for b in optimized.blocks() for conv in (b.conv1, b.conv2))
    assert len(calls) == wide == 3  # block 5's second conv, both of block 6


@pytest.mark.parametrize("batch", [1, 3])
def test_convnext_inference_form_matches_fp32(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """At batch 3 stages 1-2 run clip by clip, stage 3 on groups of 2 clips, stage 4 on all 3."""
    monkeypatch.setattr(convnext, "INFERENCE_CHUNK_FRAMES", (201, 201, 402, 603))
    plain, optimized = plain_and_optimized(ConvNextEncoder)
    if not FusedMlp.available():
        pytest.skip("this torch has no oneDNN: the fused MLP is not built")
    assert all(block.fused is not None for stage in optimized.stages for block in stage)
    samples = 64_000
    wave = 0.1 * torch.randn(batch, samples, generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([samples, 40_000, 12_000][:batch])
    with torch.inference_mode():
        want, want_lengths = plain(wave, lengths)
        got, got_lengths = optimized(wave, lengths)
    assert got.shape == want.shape and torch.equal(got_lengths, want_lengths)
    assert relative_error(got, want) < TOLERANCE


def test_convnext_fused_mlp_is_inference_only() -> None:
    """With autograd on, or in training mode, the blocks run their plain form (gradients flow
    to the parameters); the fused form's weights follow a reload only after a new call."""
    cfg = ConvNextConfig(depths=(1, 1, 1, 1), dims=(8, 8, 16, 16))
    plain, optimized = plain_and_optimized(ConvNextEncoder, cfg)
    wave = 0.1 * torch.randn(1, 16_000, generator=torch.Generator().manual_seed(2))
    lengths = torch.tensor([16_000])
    frames, _ = optimized(wave, lengths)  # grad enabled: plain path
    frames.sum().backward()
    assert optimized.stages[0][0].pwconv1.weight.grad is not None
    with torch.no_grad():
        for p in optimized.parameters():
            p.mul_(1.1)
        optimized.optimize_for_inference()
        plain.load_state_dict(optimized.state_dict())
        assert relative_error(optimized(wave, lengths)[0], plain(wave, lengths)[0]) < TOLERANCE


def test_convnext_fused_mlp_follows_load_state_dict() -> None:
    """Weights loaded after `optimize_for_inference` are the ones the fused MLP computes with
    (its reordered copy is rebuilt on load): the output is that of a plain encoder built with
    those weights."""
    if not FusedMlp.available():
        pytest.skip("this torch has no oneDNN: the fused MLP is not built")
    cfg = ConvNextConfig(depths=(1, 1, 2, 1), dims=(16, 16, 32, 32))
    plain, optimized = plain_and_optimized(ConvNextEncoder, cfg)
    torch.manual_seed(7)
    other = ConvNextEncoder(cfg)
    randomize_norms(other)
    optimized.load_state_dict(other.state_dict())
    wave = 0.1 * torch.randn(2, 32_000, generator=torch.Generator().manual_seed(2))
    lengths = torch.tensor([32_000, 20_000])
    with torch.inference_mode():
        want = other.eval()(wave, lengths)[0]
        got = optimized(wave, lengths)[0]
        old = plain(wave, lengths)[0]
    assert relative_error(got, want) < TOLERANCE
    assert relative_error(old, want) > 100 * TOLERANCE  # the new weights change the output
