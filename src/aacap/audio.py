"""Audio input: any file soundfile reads, or an array, to mono float32 at the model's rate.

Every failure is an `AudioError` whose message is one line naming the input, what is wrong
and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
import soundfile as sf
import soxr

AudioSource = Union[str, Path, np.ndarray]

# How a model wants its audio brought to its rate; its config names one (`ModelConfig.resampler`).
RESAMPLERS = (
    "soxr",  # channel mean, then soxr high quality (every aacap preset)
    "torchaudio-sinc",  # each channel through torchaudio 0.13.1's sinc resample, then the mean (CoNeTTE)
)

PANNS_SAMPLE_RATE = 32000  # Hz, PANNs / CoNeTTE encoders
YAMNET_SAMPLE_RATE = 16000  # Hz, YAMNet


class AudioError(ValueError):
    """Bad audio input; `str(err)` is a one-line message for the user."""


@dataclass(frozen=True)
class Audio:
    """A decoded clip: mono float32 samples at `sample_rate`, and where it came from."""

    samples: np.ndarray  # (num_samples,) float32
    sample_rate: int  # Hz
    source: str  # file path, or "<array N>" for in-memory input

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def load_audio(source: AudioSource, target_sr: int, source_sr: int | None = None,
               resampler: str = "soxr") -> np.ndarray:
    """Read `source` and return mono float32 samples at `target_sr` Hz, shape (num_samples,).

    `source` is a path to any format soundfile reads (wav, flac, ogg/vorbis, opus, mp3), or an
    array of shape (num_samples,) or (num_samples, channels) whose rate `source_sr` defaults to
    `target_sr`. With `resampler="soxr"` channels are averaged, then the rate is converted with
    soxr (high quality); with `"torchaudio-sinc"` each channel is resampled as torchaudio 0.13.1
    does (`aacap.resample`), then averaged, as CoNeTTE prepares its inputs.
    """
    return read_audio(source, target_sr, source_sr, resampler).samples


def read_audio(source: AudioSource, target_sr: int, source_sr: int | None = None,
               resampler: str = "soxr") -> Audio:
    """Like `load_audio`, keeping the source name and rate in an `Audio`."""
    if isinstance(source, np.ndarray):
        name = f"<array of shape {tuple(source.shape)}>"
        data, rate = np.asarray(source), int(source_sr or target_sr)
        if data.ndim == 2 and data.shape[0] < data.shape[1] and data.shape[0] <= 8:
            data = data.T  # (channels, samples) -> (samples, channels)
    else:
        name = str(source)
        data, rate = _read_file(Path(source))
    if resampler not in RESAMPLERS:
        raise ValueError(f"unknown resampler {resampler!r}; choose one of {', '.join(RESAMPLERS)}")
    return Audio(_to_mono_rate(data, rate, target_sr, name, resampler), target_sr, name)


def _read_file(path: Path) -> tuple[np.ndarray, int]:
    if not path.exists():
        raise AudioError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise AudioError(f"{path}: is a directory, not an audio file; pass the files inside it")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as err:
        reason = str(err).split("\n")[0].split(": ")[-1] or "unreadable"
        raise AudioError(
            f"{path}: not a readable audio file ({reason}); use wav, flac, ogg, opus or mp3"
        ) from None
    return data, rate


def _to_mono_rate(data: np.ndarray, rate: int, target_sr: int, name: str,
                  resampler: str = "soxr") -> np.ndarray:
    if data.dtype.kind not in "fiu":
        raise AudioError(f"{name}: samples must be numbers, got dtype {data.dtype}")
    if data.ndim not in (1, 2):
        raise AudioError(f"{name}: expected (samples,) or (samples, channels), got {data.shape}")
    if data.dtype.kind in "iu":
        data = data.astype(np.float32) / np.iinfo(data.dtype).max
    data = data.astype(np.float32, copy=False)
    if resampler == "torchaudio-sinc" and data.size and rate > 0 and np.isfinite(data).all():
        return _sinc_mono(data, rate, target_sr)
    mono = data.mean(axis=1) if data.ndim == 2 else data
    if mono.size == 0:
        raise AudioError(f"{name}: contains no samples (zero length); pass a non-empty recording")
    if not np.isfinite(mono).all():
        raise AudioError(f"{name}: contains NaN or infinite samples; the file is corrupt")
    if rate <= 0:
        raise AudioError(f"{name}: invalid sample rate {rate}")
    if rate != target_sr:
        mono = soxr.resample(mono, rate, target_sr, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(mono)


def _sinc_mono(data: np.ndarray, rate: int, target_sr: int) -> np.ndarray:
    """CoNeTTE's order: resample each channel (torchaudio 0.13.1's sinc), then the channel mean."""
    import torch

    from .resample import sinc_resample

    channels = torch.from_numpy(np.ascontiguousarray(data.T if data.ndim == 2 else data[None]))
    mono = sinc_resample(channels, rate, target_sr).mean(dim=0)  # (channels, S) -> (S,)
    return np.ascontiguousarray(mono.numpy(), dtype=np.float32)
