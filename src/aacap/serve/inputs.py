"""What a request brings: its body under a size limit, the audio in it, and a spectrogram.

Every failure is an `InputError` with the HTTP status to answer (400, 413, 415) and a one-line
reason naming the upload, what is wrong and what to do.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import numpy as np

from ..audio import Audio, AudioError, AudioFile, NotAudioError, TooLongError, read_audio
from ..features import mel_filterbank
from ..features import hz_to_mel, mel_to_hz


class InputError(ValueError):
    """A bad request: `status` is the HTTP status, `str(err)` the one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_body(chunks: AsyncIterator[bytes], declared: str | None, limit: int,
                    idle_timeout_s: float | None = None) -> bytes:
    """The whole request body, or `InputError(413)` as soon as it exceeds `limit` bytes, or
    `InputError(408)` when no byte arrives for `idle_timeout_s` seconds (a stalled client).

    `declared` is the Content-Length header (checked first, so a large upload is refused
    before it is read).
    """
    mb = limit / 2**20
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise InputError(413, f"upload of {int(declared) / 2**20:.1f} MB exceeds this server's "
                              f"limit of {mb:.1f} MB; send a shorter or compressed recording")
    body = bytearray()
    stream = chunks.__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), idle_timeout_s)
        except StopAsyncIteration:
            break
        except asyncio.TimeoutError:
            raise InputError(408, f"the request body stalled: no data for {idle_timeout_s:g} s "
                                  f"after {len(body):,} bytes; send the file in one go") from None
        body += chunk
        if len(body) > limit:
            raise InputError(413, f"upload exceeds this server's limit of {mb:.1f} MB; "
                                  "send a shorter or compressed recording")
    return bytes(body)


def decode_audio(data: bytes, name: str, sample_rate: int, max_audio_s: float,
                 resampler: str = "soxr") -> Audio:
    """Decode an uploaded file (read as `aacap.audio.AudioFile` reads files: any format
    soundfile reads, else FFmpeg through PyAV when it is installed) to mono float32 at
    `sample_rate`.

    Raises `InputError`: 400 for an empty upload or bad audio (no samples, truncated, NaN/Inf),
    413 for a recording longer than `max_audio_s` seconds (checked from the header when it
    announces the length, else while decoding), 415 for bytes that are not a readable audio file.
    """
    if not data:
        raise InputError(400, f"{name}: is empty (0 bytes); send an audio file with samples in "
                              "it, as multipart field 'file' or as the raw request body")
    try:
        return read_audio(AudioFile(data, name=name, max_s=max_audio_s), sample_rate,
                          resampler=resampler)
    except AudioError as err:
        status = (415 if isinstance(err, NotAudioError) else 413 if isinstance(err, TooLongError)
                  else 400)
        raise InputError(status, str(err)) from None


SPEC_N_FFT = 1024  # samples per spectrogram frame
SPEC_N_MELS = 64
SPEC_MAX_FRAMES = 1200  # columns (about) at most, whatever the duration
SPEC_RANGE_DB = 80.0  # dynamic range shown
SPEC_F_MIN = 50.0  # Hz, lowest band edge (the highest is the Nyquist frequency)


def spectrogram(samples: np.ndarray, sample_rate: int) -> dict:
    """A log-mel spectrogram small enough for a page: about `SPEC_MAX_FRAMES` frames at most.

    Returns `{"n_mels", "frames", "hop_s", "f_min_hz", "f_max_hz", "band_hz", "max_db",
    "range_db", "data"}` where the bands span `f_min_hz` to `f_max_hz` (the Nyquist frequency),
    `band_hz` are their centre frequencies (Hz, lowest first) and `data` is base64 of uint8
    (frames, n_mels), row-major, lowest mel first; 255 = `max_db` and 0 = `max_db - range_db`
    or below.
    """
    n_fft = SPEC_N_FFT
    hop = max(sample_rate // 100, -(-len(samples) // SPEC_MAX_FRAMES))  # >= 10 ms
    padded = np.pad(samples, (n_fft // 2, n_fft // 2))
    if len(padded) < n_fft:
        padded = np.pad(padded, (0, n_fft - len(padded)))
    frames = 1 + (len(padded) - n_fft) // hop
    index = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]  # (frames, n_fft)
    power = np.abs(np.fft.rfft(padded[index] * np.hanning(n_fft), axis=1)) ** 2
    f_max = sample_rate / 2
    mel = power @ mel_filterbank(sample_rate, n_fft, SPEC_N_MELS, SPEC_F_MIN, f_max).T
    db = 10.0 * np.log10(np.maximum(mel, 1e-10))  # (frames, n_mels)
    top = float(db.max())
    scaled = np.clip((db - (top - SPEC_RANGE_DB)) / SPEC_RANGE_DB, 0.0, 1.0)
    data = np.round(scaled * 255).astype(np.uint8)
    edges = mel_to_hz(np.linspace(hz_to_mel(SPEC_F_MIN), hz_to_mel(f_max), SPEC_N_MELS + 2))
    return {"n_mels": SPEC_N_MELS, "frames": int(frames), "hop_s": hop / sample_rate,
            "f_min_hz": SPEC_F_MIN, "f_max_hz": f_max,
            "band_hz": [round(float(f), 1) for f in edges[1:-1]],  # the filters' peaks
            "max_db": round(top, 2), "range_db": SPEC_RANGE_DB,
            "data": base64.b64encode(data.tobytes()).decode("ascii")}
