"""What a request brings: its body under a size limit, the audio in it, and a spectrogram.

Every failure is an `InputError` with the HTTP status to answer (400, 413, 415) and a one-line
reason naming the upload, what is wrong and what to do.
"""

from __future__ import annotations

import asyncio
import base64
import io
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from ..audio import ESTIMATED_LENGTH, AudioError, array_name, decodable_frames, not_audio_reason
from ..audio import is_text, read_audio, read_blocks, truncation_in_log
from ..audio_av import AvError, available as av_available, decode_blocks as av_decode_blocks
from ..audio_av import probe as av_probe
from ..native_stderr import silenced_native_stderr
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


@dataclass
class Decoded:
    samples: np.ndarray  # (num_samples,) float32 at `sample_rate`
    sample_rate: int  # Hz
    name: str

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def decode_audio(data: bytes, name: str, sample_rate: int, max_audio_s: float,
                 resampler: str = "soxr") -> Decoded:
    """Decode an uploaded file (any format soundfile reads, else FFmpeg through PyAV when it
    is installed: m4a, mp4, webm, ...) to mono float32 at `sample_rate`.

    Raises `InputError`: 400 for an empty upload or bad samples (zero length, NaN/Inf), 413 for
    a recording longer than `max_audio_s` seconds (checked from the header, before decoding),
    415 for bytes that are not a readable audio file.
    """
    if not data:
        raise InputError(400, f"{name}: is empty (0 bytes); send an audio file with samples in "
                              "it, as multipart field 'file' or as the raw request body")
    try:
        with _soundfile(data, name) as f:
            if f.frames <= 0:
                raise InputError(400, f"{name}: contains no audio samples ({len(data)} bytes, "
                                      "a header with 0 frames); send a non-empty recording")
            cut = truncation_in_log(f.extra_info, f.frames, f.samplerate)
            if cut:
                raise InputError(400, f"{name}: truncated: {cut}; the upload was cut short, "
                                      "send the whole file")
            if f.samplerate > 0 and f.frames / f.samplerate > max_audio_s:
                raise InputError(413, f"{name}: {f.frames / f.samplerate:.1f} s of audio "
                                      f"exceeds this server's limit of {max_audio_s:g} s; "
                                      "cut the recording into parts")
            array, rate = _read_all(f, name), f.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError, EOFError) as err:
        array, rate = _read_with_av(data, name, max_audio_s, err)
    try:
        clip = read_audio(array, sample_rate, rate, resampler)
    except AudioError as err:
        message = str(err).replace(array_name(array), name, 1)
        raise InputError(400, message) from None
    return Decoded(clip.samples, sample_rate, name)


def _read_with_av(data: bytes, name: str, max_audio_s: float, err: BaseException
                  ) -> tuple[np.ndarray, int]:
    """An upload libsndfile refused with `err`, decoded by FFmpeg (PyAV): (frames, channels)
    float32 and its rate. 415 when FFmpeg cannot read it either (or is not installed, or it is
    text), 413 past `max_audio_s` (announced or decoded), 400 when decoding fails partway."""
    refused = InputError(415, f"{name}: {not_audio_reason(data[:512], err)}")
    if not av_available() or is_text(data[:512]):
        raise refused
    try:
        header = av_probe(data)
    except AvError:
        raise refused from None
    too_long = InputError(413, f"{name}: more than {max_audio_s:g} s of audio, this server's "
                               "limit; cut the recording into parts")
    if header.frames > max_audio_s * header.rate:
        raise too_long
    blocks, read = [], 0
    try:
        for block in av_decode_blocks(data, header.rate, header.channels):
            blocks.append(block)
            read += len(block)
            if read > max_audio_s * header.rate:
                raise too_long
    except AvError as av_err:
        raise InputError(400, f"{name}: truncated or corrupt: FFmpeg stopped after "
                              f"{read / header.rate:.2f} s ({av_err}); send the whole file"
                         ) from None
    if not read:
        raise InputError(400, f"{name}: contains no audio samples ({header.codec} stream of "
                              "0 frames); send a non-empty recording")
    return np.concatenate(blocks), header.rate


def _read_all(f: sf.SoundFile, name: str) -> np.ndarray:
    """Every frame of an open upload, (frames, channels) float32; decoding that stops before
    the frame count of the header is a 400 saying how much was read."""
    blocks, read = [], 0
    try:
        for block in read_blocks(f, 2**18):
            blocks.append(block)
            read += len(block)
    except (sf.LibsndfileError, RuntimeError) as err:
        why = str(err).split("\n")[0].split(": ")[-1].strip(" .")
        raise InputError(400, _cut(name, decodable_frames(f), f, why)) from None
    if read < f.frames and f.format not in ESTIMATED_LENGTH:
        raise InputError(400, _cut(name, read, f, "the data ends early"))
    return np.concatenate(blocks) if blocks else np.zeros((0, f.channels), np.float32)


def _cut(name: str, read: int, f: sf.SoundFile, why: str) -> str:
    return (f"{name}: truncated or corrupt: decoding stopped after {read / f.samplerate:.2f} s "
            f"of the {f.frames / f.samplerate:.2f} s its header announces ({why}); send the "
            "whole file")


def _soundfile(data: bytes, name: str) -> sf.SoundFile:
    """Open uploaded bytes. libsndfile recognises some files (MP3 with an ID3 tag) only by
    their extension, so when the bytes alone fail, they are read from a temporary file named
    with the upload's suffix."""
    try:
        with silenced_native_stderr(data[:3] == b"ID3"):  # libmpg123's ID3 warnings
            return sf.SoundFile(io.BytesIO(data))
    except sf.LibsndfileError:
        suffix = Path(name).suffix.lower()
        if not suffix or not suffix[1:].isalnum():
            raise
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        with silenced_native_stderr(data[:3] == b"ID3"):
            f = sf.SoundFile(tmp.name)
        f.read(frames=0)  # opened while the file exists; its descriptor keeps it readable
        return f


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
