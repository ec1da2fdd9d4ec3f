"""CNN14 encoder: parity with PyPI `panns-inference` (the reference PANNs code), official
checkpoint format, strict loading, frame lengths, tiny configs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

from aacap.encoders import build_encoder
from aacap.encoders.cnn14 import HEAD_KEYS, Cnn14Config, Cnn14Encoder, load_panns_checkpoint

TINY = Cnn14Config(n_mels=64, channels=(4, 4, 8, 8, 16, 16))


@pytest.fixture(scope="module")
def panns_cnn14(tmp_path_factory: pytest.TempPathFactory) -> torch.nn.Module:
    """`panns_inference.models.Cnn14` at the published sizes, random weights and batchnorm
    statistics. Importing panns_inference runs wget for a labels CSV unless it exists in
    ~/panns_data: HOME points at a temporary folder holding a header-only CSV meanwhile."""
    home = tmp_path_factory.mktemp("home")
    (home / "panns_data").mkdir()
    (home / "panns_data" / "class_labels_indices.csv").write_text("index,mid,display_name\n")
    saved = {k: os.environ.get(k) for k in ("HOME", "MPLCONFIGDIR")}
    os.environ.update(HOME=str(home), MPLCONFIGDIR=str(home / "mpl"))
    try:
        models = pytest.importorskip("panns_inference.models", reason="panns-inference is the reference (test extra)")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    torch.manual_seed(0)
    ref = models.Cnn14(sample_rate=32000, window_size=1024, hop_size=320, mel_bins=64, fmin=50, fmax=14000, classes_num=527)
    with torch.no_grad():  # non-trivial batchnorms, so a misplaced one cannot go unnoticed
        for module in ref.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-1.0, 1.0)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
    return ref.eval()


def reference_frames(ref: torch.nn.Module, wave: torch.Tensor) -> torch.Tensor:
    """The reference's last conv block output (eval: after an identity dropout), averaged over
    frequency: (B, T, 2048). Taken with a hook, so the reference's own forward runs."""
    seen: dict[str, torch.Tensor] = {}
    handle = ref.conv_block6.register_forward_hook(lambda m, i, out: seen.update(out=out))
    try:
        with torch.no_grad():
            ref(wave)
    finally:
        handle.remove()
    return seen["out"].mean(dim=3).transpose(1, 2)


def test_parity_with_panns_inference(panns_cnn14: torch.nn.Module, tmp_path: Path) -> None:
    path = tmp_path / "Cnn14_random.pth"
    torch.save({"model": panns_cnn14.state_dict()}, path)  # the published file's layout
    encoder = load_panns_checkpoint(Cnn14Encoder(), path).eval()
    wave = 0.1 * torch.randn(2, 32_000, generator=torch.Generator().manual_seed(1))
    want = reference_frames(panns_cnn14, wave)
    with torch.inference_mode():
        frames, lengths = encoder(wave, torch.tensor([32_000, 20_000]))
    assert frames.shape == want.shape == (2, 3, 2048)
    assert encoder.out_dim == 2048 and encoder.sample_rate == 32_000
    rel = (frames - want).abs().max() / want.abs().max()
    assert rel.item() < 7.1e-6  # 10x the 7.1e-7 the README reports
    assert lengths.tolist() == [3, 1]  # (1 + samples // 320) // 32
    # Folded batchnorms and channels_last for inference keep the same output.
    with torch.inference_mode():
        fused, _ = encoder.optimize_for_inference().optimize_for_inference()(wave, torch.tensor([32_000, 20_000]))
    assert ((fused - want).abs().max() / want.abs().max()).item() < 7.1e-6


def test_checkpoint_is_loaded_strictly(panns_cnn14: torch.nn.Module) -> None:
    state = dict(panns_cnn14.state_dict())
    assert set(HEAD_KEYS) <= set(state)  # the classifier is present, and explicitly dropped
    encoder = load_panns_checkpoint(Cnn14Encoder(), state)  # a failed load below changes nothing
    missing = {k: v for k, v in state.items() if k != "conv_block3.conv2.weight"}
    with pytest.raises(ValueError, match="missing.*conv_block3.conv2.weight"):
        load_panns_checkpoint(encoder, missing)
    with pytest.raises(ValueError, match="unexpected.*conv_block7"):
        load_panns_checkpoint(encoder, {**state, "conv_block7.conv1.weight": torch.zeros(1)})
    with pytest.raises(ValueError, match="shape mismatch"):
        load_panns_checkpoint(Cnn14Encoder(TINY), state)
    with pytest.raises(ValueError, match="missing front-end tensor"):
        load_panns_checkpoint(encoder, {k: v for k, v in state.items() if "melW" not in k})
    for key, value in encoder.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_bad_checkpoint_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such checkpoint"):
        load_panns_checkpoint(Cnn14Encoder(TINY), tmp_path / "absent.pth")
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="junk.pth: not a readable torch checkpoint"):
        load_panns_checkpoint(Cnn14Encoder(TINY), junk)


def test_tiny_encoder_shapes_lengths_and_batching() -> None:
    torch.manual_seed(0)
    encoder = Cnn14Encoder(TINY).eval()
    waves = 0.1 * torch.randn(3, 48_000)
    lengths = torch.tensor([48_000, 16_000, 100])
    with torch.inference_mode():
        frames, frame_lengths = encoder(waves, lengths)
        alone, _ = encoder(waves[1:2], lengths[1:2])
        logmel, mel_lengths = encoder.frontend(waves, lengths)
        from_logmel, _ = encoder.forward_logmel(logmel, mel_lengths)
    assert frames.shape == (3, (1 + 48_000 // 320) // 32, 16)
    assert frame_lengths.tolist() == [4, 1, 1]  # at least one frame, even for 3 ms
    assert torch.allclose(frames[1], alone[0], atol=1e-5)  # a batch is the clips one by one
    assert torch.equal(frames, from_logmel)  # the cached-feature path is the same network
    with torch.inference_mode():  # shorter than one output frame: padded, not an error
        short, short_lengths = encoder(torch.randn(1, 500), torch.tensor([500]))
    assert short.shape == (1, 1, 16) and short_lengths.tolist() == [1]


def test_config_roundtrip_and_dropout() -> None:
    cfg = Cnn14Config.from_dict(json.loads(json.dumps(TINY.to_dict())))
    assert cfg == TINY
    encoder = build_encoder("cnn14", TINY.to_dict())
    assert isinstance(encoder, Cnn14Encoder) and encoder.out_dim == 16
    encoder.train()
    wave = torch.randn(1, 16_000)
    assert not torch.equal(encoder(wave, torch.tensor([16_000]))[0], encoder(wave, torch.tensor([16_000]))[0])
    with pytest.raises(RuntimeError, match="cannot be trained"):
        encoder.optimize_for_inference().train()(wave, torch.tensor([16_000]))
    with pytest.raises(ValueError, match="6 widths"):
        Cnn14Config(channels=(8, 8))
