"""Decoding fallback through PyAV (FFmpeg) for what libsndfile cannot read.

libsndfile reads wav, flac, ogg/vorbis, opus and mp3. Phone voice memos (m4a/AAC), video
soundtracks (mp4, mov, webm, mkv) and a few other codecs (AMR, AC-3, WMA) need FFmpeg: the `av`
package (the `av` extra of aacap; its wheels ship FFmpeg). `aacap.audio.AudioFile` and the
service's upload decoder try this module only after libsndfile refused a file, so every
libsndfile format keeps its exact decoding.

A file is opened from a Python file object (never by name: FFmpeg would read `concat:` or
`http:` in a name as a protocol) with FFmpeg's protocols limited to reading that object, and
decoded to float32 at its own rate and channel count. Its frame count is the container's
announced duration, an estimate (AAC priming samples, a WebM without a duration: 0); the
caller counts the frames it reads.
"""

from __future__ import annotations

import functools
import importlib.util
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np

from .errors import first_line

# Suffixes tried through FFmpeg; `aacap batch` looks for these too when PyAV is installed.
AV_EXTENSIONS = {".m4a", ".mp4", ".m4v", ".aac", ".mov", ".webm", ".mkv", ".mka", ".3gp",
                 ".amr", ".ac3", ".wma", ".wmv"}
INSTALL_HINT = "pip install 'aacap[av]'"  # what to do when PyAV is missing
_OPEN_OPTIONS = {"protocol_whitelist": "file,pipe"}  # no network, no nested playlists

AvSource = Union[str, Path, bytes]


class AvError(ValueError):
    """FFmpeg could not open or decode the input; `str(err)` is the short reason."""


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether PyAV is installed (the fallback is then on); it is not imported until a file
    needs it."""
    return importlib.util.find_spec("av") is not None


@dataclass(frozen=True)
class AvHeader:
    """What the container announces about its first audio stream."""

    rate: int  # Hz
    channels: int
    frames: int  # samples per channel from the announced duration; 0 when none is announced
    codec: str  # FFmpeg's codec name, e.g. "aac"
    container: str  # FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"


def _open(source: AvSource) -> tuple[BinaryIO, object]:
    """(file object, av container) of `source`, a path or the bytes of a file."""
    import av

    handle: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    try:
        container = av.open(handle, mode="r", options=_OPEN_OPTIONS)
    except (av.FFmpegError, ValueError, OSError, UnicodeDecodeError) as err:
        handle.close()
        raise AvError(_reason(err)) from None
    return handle, container


def _audio_stream(container) -> object:
    streams = list(container.streams.audio)
    if not streams:
        kinds = sorted({s.type for s in container.streams}) or ["no streams"]
        raise AvError(f"no audio stream (FFmpeg read it as {container.format.name} with "
                      f"{', '.join(kinds)})")
    return streams[0]


def probe(source: AvSource) -> AvHeader:
    """The header of the first audio stream of `source`. Raises `AvError` when FFmpeg does
    not recognise the file or it has no audio, `ImportError` when PyAV is missing."""
    handle, container = _open(source)
    try:
        stream = _audio_stream(container)
        rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        channels = int(stream.codec_context.channels or 0)
        if rate <= 0 or channels <= 0:
            raise AvError(f"{stream.codec_context.name} stream without a sample rate or channels")
        frames = 0
        if stream.duration is not None and stream.time_base is not None:
            frames = round(float(stream.duration * stream.time_base) * rate)
        elif container.duration is not None:  # microseconds (AV_TIME_BASE)
            frames = round(container.duration / 1_000_000 * rate)
        return AvHeader(rate, channels, max(frames, 0), stream.codec_context.name,
                        container.format.name)
    finally:
        container.close()
        handle.close()


def decode_blocks(source: AvSource, rate: int, channels: int) -> Iterator[np.ndarray]:
    """The first audio stream of `source` as (frames, `channels`) float32 blocks at `rate` Hz
    (what `probe` announced: FFmpeg converts a stream whose format changes midway). Raises
    `AvError` when decoding fails partway (a cut or corrupt file)."""
    import av

    handle, container = _open(source)
    try:
        stream = _audio_stream(container)
        layout = "mono" if channels == 1 else "stereo" if channels == 2 else stream.layout.name
        convert = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        try:
            for frame in container.decode(stream):
                for out in convert.resample(frame):
                    yield out.to_ndarray().T  # (channels, n) planar -> (n, channels)
            for out in convert.resample(None):  # flush
                yield out.to_ndarray().T
        except (av.FFmpegError, ValueError) as err:
            raise AvError(_reason(err)) from None
    finally:
        container.close()
        handle.close()


def _reason(err: BaseException) -> str:
    """FFmpeg's message without its errno prefix and file name: 'Invalid data found ...'."""
    return first_line(getattr(err, "strerror", None) or err).strip(" .:")
