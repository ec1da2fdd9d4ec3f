"""Audio files that libsndfile cannot read, made by PyAV (FFmpeg) from a known signal: for the
tests of the decoding fallback (`aacap.audio_av`) and of the outputs of long recordings."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

FREQ = 440.0  # Hz


def signal(seconds: float, rate: int, channels: int = 2) -> np.ndarray:
    """(channels, samples) float32: a 440 Hz tone, its amplitude rising from 0.1 to 0.5 (so a
    shift in time shows), the same in every channel."""
    t = np.arange(int(seconds * rate)) / rate
    x = (0.1 + 0.4 * t / seconds) * np.sin(2 * np.pi * FREQ * t)
    return np.repeat(x[None].astype(np.float32), channels, axis=0)


def encode(path: Path, fmt: str, codec: str, seconds: float = 3.0, rate: int = 48000,
           channels: int = 2, video: str | None = None, options: dict | None = None) -> Path:
    """Write `signal` with PyAV: audio `codec` in container `fmt`, with a small `video` stream
    (a soundtrack) when given; `options` for the muxer."""
    return encode_array(path, fmt, codec, signal(seconds, rate, channels), rate, video, options)


def encode_array(path: Path, fmt: str, codec: str, x: np.ndarray, rate: int,
                 video: str | None = None, options: dict | None = None) -> Path:
    """Write `x` (channels, samples) float32 (1 or 2 channels) at `rate` Hz with PyAV: audio
    `codec` in container `fmt`, with a small `video` stream (5 frames/s, 64x48) when given;
    `options` for the muxer (`{"live": "1"}`: a WebM without duration, as browsers record)."""
    import av

    out = av.open(str(path), "w", format=fmt, options=options or {})
    layout = "stereo" if len(x) == 2 else "mono"
    a = out.add_stream(codec, rate=rate, layout=layout)
    v = None
    if video:
        v = out.add_stream(video, rate=5)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
    step = 1024
    for i in range(0, x.shape[1], step):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x[:, i:i + step]), format="fltp",
                                           layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, i, Fraction(1, rate)
        out.mux(a.encode(frame))
    out.mux(a.encode(None))
    if v is not None:
        for k in range(int(x.shape[1] / rate * 5)):
            img = np.full((48, 64, 3), 40 * (k % 6), np.uint8)
            out.mux(v.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(v.encode(None))
    out.close()
    return path
