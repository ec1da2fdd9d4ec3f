"""Log-mel front-ends of the PANNs CNN14 and CoNeTTE ConvNeXt encoders.

Both compute what `torchlibrosa` computes inside the reference models (Kong et al. 2020,
`panns_inference.models.Cnn14`; Labbé et al. 2023, `conette.nn.encoders.convnext`):

    power STFT (hann, center=True with reflect padding, |X|^2)
    -> librosa "slaney" mel filterbank (htk=False, norm="slaney")
    -> 10 * log10(max(amin, x)) - 10 * log10(max(amin, ref)), no top_db clipping.

The mel filterbank is built here in numpy (checked against `librosa.filters.mel` in the tests),
so librosa is not a runtime dependency. The STFT uses `torch.stft` (FFT) instead of the
reference's DFT-as-Conv1d; both give the same spectrum up to float32 rounding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np
import torch
from torch import Tensor, nn

SAMPLE_RATE = 32_000  # Hz, PANNs and CoNeTTE
N_FFT = 1024  # samples: 32 ms window
HOP_LENGTH = 320  # samples: 10 ms hop -> 100 frames per second
F_MIN = 50.0  # Hz
F_MAX = 14_000.0  # Hz
AMIN = 1e-10  # power floor before the log (-100 dB)
PANNS_N_MELS = 64
CONETTE_N_MELS = 224


# --- the slaney mel scale and filterbank (librosa.filters.mel semantics) -----------------

_F_SP = 200.0 / 3  # Hz per mel below 1 kHz (linear part)
_MIN_LOG_HZ = 1000.0  # Hz: start of the log part
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP  # 15 mels
_LOGSTEP = np.log(6.4) / 27.0  # log-Hz per mel above 1 kHz


def hz_to_mel(freqs: np.ndarray | float) -> np.ndarray:
    """Slaney (Auditory Toolbox) mel scale: linear below 1 kHz, logarithmic above. Hz -> mel."""
    f = np.asarray(freqs, dtype=np.float64)
    mels = f / _F_SP
    log_part = _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(f >= _MIN_LOG_HZ, log_part, mels)


def mel_to_hz(mels: np.ndarray | float) -> np.ndarray:
    """Inverse of `hz_to_mel`: mel -> Hz."""
    m = np.asarray(mels, dtype=np.float64)
    freqs = _F_SP * m
    log_part = _MIN_LOG_HZ * np.exp(_LOGSTEP * (np.maximum(m, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return np.where(m >= _MIN_LOG_MEL, log_part, freqs)


def mel_filterbank(
    sample_rate: int, n_fft: int, n_mels: int, f_min: float, f_max: float
) -> np.ndarray:
    """Triangular slaney mel filters, area-normalised (librosa `htk=False, norm="slaney"`).

    Returns float32 (n_mels, n_fft // 2 + 1): row m weights the power of each rFFT bin.
    """
    if not 0.0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(f"mel band {f_min}-{f_max} Hz does not fit in 0-{sample_rate / 2} Hz")
    fft_freqs = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)  # (n_freq,) Hz
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))  # Hz
    widths = np.diff(edges)  # (n_mels + 1,)
    ramps = edges[:, None] - fft_freqs[None, :]  # (n_mels + 2, n_freq)
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]  # slaney: constant energy per band
    return weights.astype(np.float32)


# --- the front-end module -------------------------------------------------------------------


@dataclass
class LogMelConfig:
    """Log-mel front-end settings; the defaults are PANNs' (CNN14)."""

    sample_rate: int = SAMPLE_RATE  # Hz
    n_fft: int = N_FFT  # samples, also the window length
    hop_length: int = HOP_LENGTH  # samples
    n_mels: int = PANNS_N_MELS
    f_min: float = F_MIN  # Hz
    f_max: float = F_MAX  # Hz
    amin: float = AMIN  # power floor
    ref: float = 1.0  # power giving 0 dB

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogMelConfig:
        return cls(**data)


class LogMel(nn.Module):
    """Waveform -> log-mel spectrogram in dB, as torchlibrosa's Spectrogram + LogmelFilterBank.

    The window and filterbank are non-persistent buffers: they are derived from the config, so
    they are not part of a state_dict.
    """

    def __init__(self, cfg: LogMelConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or LogMelConfig()
        window = torch.hann_window(cfg.n_fft, periodic=True, dtype=torch.float64)
        fbank = mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.f_min, cfg.f_max)
        self.register_buffer("window", window.float(), persistent=False)  # (n_fft,)
        self.register_buffer("fbank", torch.from_numpy(fbank.T.copy()), persistent=False)
        # fbank: (n_freq, n_mels)
        self.db_offset = 10.0 * float(np.log10(max(cfg.amin, cfg.ref)))

    @property
    def silence_db(self) -> float:
        """The value of a silent frame: the power floor in dB."""
        return 10.0 * float(np.log10(self.cfg.amin)) - self.db_offset

    @property
    def min_samples(self) -> int:
        """Shortest input the reflect padding accepts; shorter batches are zero-padded to it."""
        return self.cfg.n_fft // 2 + 1

    def num_frames(self, lengths: Tensor) -> Tensor:
        """Frames (center=True) of clips of `lengths` samples: 1 + lengths // hop."""
        return 1 + torch.div(lengths, self.cfg.hop_length, rounding_mode="floor")

    def forward(self, wave: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """wave (B, S) float at `cfg.sample_rate`, lengths (B,) samples (None: all S)
        -> log-mel (B, T, n_mels) in dB with T = 1 + S // hop, frame lengths (B,) int64."""
        if wave.ndim != 2:
            raise ValueError(f"expected a waveform batch (B, S), got shape {tuple(wave.shape)}")
        if lengths is None:
            lengths = torch.full((wave.shape[0],), wave.shape[1], dtype=torch.long)
        lengths = lengths.to(device=wave.device, dtype=torch.long)
        if wave.shape[1] < self.min_samples:
            wave = nn.functional.pad(wave, (0, self.min_samples - wave.shape[1]))
        spec = torch.stft(
            wave.float(),
            self.cfg.n_fft,
            hop_length=self.cfg.hop_length,
            window=self.window,
            center=True,
            pad_mode="reflect",
            return_complex=True,
        )  # (B, n_freq, T)
        power = spec.real.square() + spec.imag.square()
        mel = torch.matmul(power.transpose(1, 2), self.fbank)  # (B, T, n_mels)
        logmel = 10.0 * torch.log10(mel.clamp(min=self.cfg.amin)) - self.db_offset
        return logmel, self.num_frames(lengths)


def panns_logmel(n_mels: int = PANNS_N_MELS) -> LogMel:
    """The PANNs front-end: 32 kHz, n_fft 1024, hop 320, 64 mels over 50-14000 Hz."""
    return LogMel(LogMelConfig(n_mels=n_mels))


def conette_logmel(n_mels: int = CONETTE_N_MELS) -> LogMel:
    """CoNeTTE's ConvNeXt front-end: as PANNs but with 224 mels."""
    return LogMel(LogMelConfig(n_mels=n_mels))


# --- checking a reference checkpoint's front-end against ours ------------------------------

TORCHLIBROSA_KEYS = (
    "spectrogram_extractor.stft.conv_real.weight",
    "spectrogram_extractor.stft.conv_imag.weight",
    "logmel_extractor.melW",
)


def check_torchlibrosa_frontend(
    state: Mapping[str, Tensor], cfg: LogMelConfig, source: str = "checkpoint"
) -> None:
    """Check that the frozen torchlibrosa front-end stored in a reference state_dict (PANNs,
    CoNeTTE) is the one `LogMel(cfg)` computes: DFT kernels (n_freq, 1, n_fft) and mel filters
    (n_freq, n_mels). Raises ValueError naming `source` on a missing or different tensor."""
    n = torch.arange(cfg.n_fft, dtype=torch.float64)
    k = torch.arange(cfg.n_fft // 2 + 1, dtype=torch.float64)
    angle = 2.0 * np.pi * torch.outer(k, n) / cfg.n_fft  # (n_freq, n_fft)
    window = torch.hann_window(cfg.n_fft, periodic=True, dtype=torch.float64)
    fbank = mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.f_min, cfg.f_max)
    expected = {
        TORCHLIBROSA_KEYS[0]: (torch.cos(angle) * window)[:, None, :],
        TORCHLIBROSA_KEYS[1]: (-torch.sin(angle) * window)[:, None, :],
        TORCHLIBROSA_KEYS[2]: torch.from_numpy(fbank.T.astype(np.float64)),
    }
    for key, want in expected.items():
        if key not in state:
            raise ValueError(f"{source}: missing front-end tensor {key!r}; is it a PANNs/CoNeTTE state_dict?")
        got = state[key].detach().to("cpu", torch.float64)
        if got.shape != want.shape:
            raise ValueError(
                f"{source}: {key} has shape {tuple(got.shape)}, expected {tuple(want.shape)} "
                f"for {cfg.n_mels} mels and n_fft {cfg.n_fft}; wrong encoder config?"
            )
        err = (got - want).abs().max().item()
        if err > 1e-4 * want.abs().max().item():
            raise ValueError(
                f"{source}: {key} differs from this front-end (max abs diff {err:.3g}); "
                "the checkpoint was made with other STFT/mel settings"
            )
