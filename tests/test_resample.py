"""aacap.resample: torchaudio 0.13.1's windowed-sinc resampler, ported. Checked bit for bit
against torchaudio's own code, compiled out of its PyPI wheel (scripts/torchaudio_reference.py;
the wheel is a TEST_DEPS download, `make torchaudio-wheel`)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from aacap.audio import read_audio
from aacap.resample import sinc_resample

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from torchaudio_reference import DEFAULT_WHEEL, load_resample  # noqa: E402

sys.path.pop(0)
RATES = [(44100, 32000), (48000, 32000), (16000, 32000), (22050, 32000), (11025, 32000),
         (8000, 32000), (96000, 32000), (32000, 16000)]


@pytest.fixture(scope="module")
def torchaudio_resample():
    if not DEFAULT_WHEEL.is_file():
        pytest.skip(f"no {DEFAULT_WHEEL.name}: run `make torchaudio-wheel` (a TEST_DEPS of `make test`)")
    return load_resample(DEFAULT_WHEEL)


@pytest.mark.parametrize("orig,new", RATES)
def test_equal_to_torchaudio_0_13_1_bit_for_bit(torchaudio_resample, orig, new):
    g = torch.Generator().manual_seed(orig)
    wave = torch.randn(2, orig + 1234, generator=g) * 0.3  # (channels, samples), odd length
    assert torch.equal(sinc_resample(wave, orig, new), torchaudio_resample(wave, orig, new))


def test_lengths_identity_and_bad_rates():
    wave = torch.randn(3, 1, 44101)
    out = sinc_resample(wave, 44100, 32000)
    assert out.shape == (3, 1, math.ceil(44101 * 320 / 441))
    assert sinc_resample(wave, 32000, 32000) is wave
    with pytest.raises(ValueError, match="positive integers"):
        sinc_resample(wave, 44100.5, 32000)
    with pytest.raises(TypeError, match="floating-point"):
        sinc_resample(wave.long(), 44100, 32000)


def test_a_tone_below_the_cutoff_survives():
    t = torch.arange(48000) / 48000
    out = sinc_resample(torch.sin(2 * math.pi * 1000 * t), 48000, 32000)
    ref = torch.sin(2 * math.pi * 1000 * torch.arange(len(out)) / 32000)
    assert (out - ref)[100:-100].abs().max() < 1e-3  # away from the zero-padded edges


def test_read_audio_torchaudio_sinc_resamples_each_channel_then_averages(tmp_path):
    rng = np.random.default_rng(0)
    data = (0.2 * rng.standard_normal((44100, 2))).astype(np.float32)
    path = tmp_path / "stereo.wav"
    sf.write(path, data, 44100, subtype="PCM_16")
    ours = read_audio(path, 32000, resampler="torchaudio-sinc").samples
    pcm, _ = sf.read(path, dtype="float32", always_2d=True)  # what torchaudio.load gives, transposed
    conette = sinc_resample(torch.from_numpy(pcm.T.copy()), 44100, 32000).mean(dim=0)
    assert np.array_equal(ours, conette.numpy())
    soxr = read_audio(path, 32000).samples  # the default: channel mean, then soxr
    assert soxr.shape == ours.shape and not np.array_equal(soxr, ours)
    with pytest.raises(ValueError, match="unknown resampler"):
        read_audio(path, 32000, resampler="linear")
