"""Log-mel front-ends: the slaney filterbank against librosa, the whole front-end against
torchlibrosa (what PANNs and CoNeTTE run), and properties that hold without either."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aacap.features import (
    AMIN,
    TORCHLIBROSA_KEYS,
    LogMel,
    LogMelConfig,
    check_torchlibrosa_frontend,
    conette_logmel,
    hz_to_mel,
    mel_filterbank,
    mel_to_hz,
    panns_logmel,
)


@pytest.mark.parametrize(
    "sr, n_fft, n_mels, fmin, fmax",
    [(32000, 1024, 64, 50.0, 14000.0), (32000, 1024, 224, 50.0, 14000.0), (16000, 512, 40, 0.0, 8000.0)],
)
def test_mel_filterbank_matches_librosa(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> None:
    librosa = pytest.importorskip("librosa", reason="librosa is the reference (test extra)")
    ours = mel_filterbank(sr, n_fft, n_mels, fmin, fmax)
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=False, norm="slaney")
    assert ours.shape == ref.shape == (n_mels, n_fft // 2 + 1)
    assert np.abs(ours - ref).max() < 3.7e-8  # 10x the largest difference measured (README)


def test_slaney_mel_scale() -> None:
    freqs = np.array([0.0, 200.0, 999.0, 1000.0, 1001.0, 4000.0, 14000.0])
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(freqs)), freqs, rtol=1e-12, atol=1e-9)
    assert hz_to_mel(1000.0) == pytest.approx(15.0)  # the linear part ends at 15 mels
    assert hz_to_mel(6400.0) == pytest.approx(15.0 + 27.0)  # 27 mels per factor 6.4 above 1 kHz
    librosa = pytest.importorskip("librosa", reason="librosa is the reference (test extra)")
    np.testing.assert_allclose(hz_to_mel(freqs), librosa.hz_to_mel(freqs, htk=False), rtol=1e-12)


# n_mels -> dB: 10x the largest difference measured (README, "Parity with the reference code")
LOGMEL_TOLERANCE_DB = {64: 1.4e-4, 224: 3.9e-3}


@pytest.mark.parametrize("n_mels", [64, 224])
def test_logmel_matches_torchlibrosa(n_mels: int) -> None:
    stft = pytest.importorskip("torchlibrosa.stft", reason="torchlibrosa is the reference (test extra)")
    spectrogram = stft.Spectrogram(n_fft=1024, hop_length=320, win_length=1024, window="hann", center=True, pad_mode="reflect", freeze_parameters=True)
    logmel = stft.LogmelFilterBank(sr=32000, n_fft=1024, n_mels=n_mels, fmin=50, fmax=14000, ref=1.0, amin=1e-10, top_db=None, freeze_parameters=True)
    gen = torch.Generator().manual_seed(0)
    wave = 0.1 * torch.randn(2, 20_000, generator=gen)
    wave[1, 10_000:] = 0.0  # a silent tail: the -100 dB floor must match too
    with torch.no_grad():
        ref = logmel(spectrogram(wave))[:, 0]  # (B, T, n_mels)
    ours, lengths = (panns_logmel() if n_mels == 64 else conette_logmel())(wave)
    assert ours.shape == ref.shape == (2, 1 + 20_000 // 320, n_mels)
    assert lengths.tolist() == [63, 63]
    assert (ours - ref).abs().max().item() < LOGMEL_TOLERANCE_DB[n_mels]
    state = {
        **{f"spectrogram_extractor.{k}": v for k, v in spectrogram.state_dict().items()},
        **{f"logmel_extractor.{k}": v for k, v in logmel.state_dict().items()},
    }
    assert set(state) == set(TORCHLIBROSA_KEYS)
    check_torchlibrosa_frontend(state, LogMelConfig(n_mels=n_mels))  # no error: same front-end
    state["logmel_extractor.melW"] = state["logmel_extractor.melW"] * 1.01
    with pytest.raises(ValueError, match="melW differs"):
        check_torchlibrosa_frontend(state, LogMelConfig(n_mels=n_mels), "ckpt.pth")
    with pytest.raises(ValueError, match="shape"):
        check_torchlibrosa_frontend(state, LogMelConfig(n_mels=n_mels + 1))


def test_silence_is_the_floor_and_lengths_follow_hop() -> None:
    frontend = panns_logmel()
    out, lengths = frontend(torch.zeros(2, 32_000), torch.tensor([32_000, 3_200]))
    assert out.shape == (2, 101, 64)
    assert torch.all(out == 10 * np.log10(AMIN)) and frontend.silence_db == -100.0
    assert lengths.tolist() == [101, 11]  # 1 + samples // 320 (center=True)


def test_tone_peaks_in_its_mel_band() -> None:
    sr, freq = 32_000, 3_000.0
    t = torch.arange(sr) / sr
    out, _ = panns_logmel()(torch.sin(2 * np.pi * freq * t)[None])
    band = int(out[0, 50].argmax())
    edges = mel_to_hz(np.linspace(hz_to_mel(50.0), hz_to_mel(14_000.0), 66))  # band b: edges[b:b+3]
    assert edges[band] < freq < edges[band + 2]


def test_short_and_bad_inputs() -> None:
    frontend = LogMel()
    out, lengths = frontend(torch.randn(1, 100), torch.tensor([100]))  # shorter than n_fft/2
    assert out.shape == (1, 2, 64) and lengths.tolist() == [1]
    with pytest.raises(ValueError, match=r"\(B, S\)"):
        frontend(torch.randn(100))
    with pytest.raises(ValueError, match="does not fit"):
        mel_filterbank(32_000, 1024, 64, 50.0, 20_000.0)
    assert LogMelConfig.from_dict(LogMelConfig(n_mels=224).to_dict()) == LogMelConfig(n_mels=224)
