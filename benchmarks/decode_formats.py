"""Decoding speed of each input format: libsndfile's (wav, flac, ogg, mp3) against the FFmpeg
fallback's (m4a/AAC, webm/Opus, mp4 soundtrack with video), on the same recording.

    python benchmarks/decode_formats.py [--minutes 5] [--repeat 3]

The recording is `--minutes` of a 48 kHz stereo signal (a tone whose amplitude rises, plus
noise), written once per format (PyAV encodes what libsndfile cannot write). For each file:
`AudioFile(path)` (header) then `read(32000)` (decoded, mixed to mono and resampled to 32 kHz,
what `aacap caption` does before the model), best of `--repeat`. Prints one table row per
format: size, seconds of decoding, times faster than real time. Needs the `av` extra.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

RATE = 48000  # Hz, the recording's (Opus takes 48 kHz, not 44.1)
TARGET = 32000  # Hz, the models'


def recording(seconds: float) -> np.ndarray:
    """(2, samples) float32."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = (0.1 + 0.3 * t / seconds) * np.sin(2 * np.pi * 440 * t)
    x = x + 0.02 * np.random.default_rng(0).standard_normal(len(t))
    return np.stack([x, x]).astype(np.float32)


def write_all(folder: Path, x: np.ndarray) -> list[tuple[str, str, Path]]:
    """(format, decoder, path) for each file written."""
    from av_helpers import encode_array

    out = []
    for suffix, fmt, subtype in (("wav", "WAV", "PCM_16"), ("flac", "FLAC", "PCM_16"),
                                 ("ogg", "OGG", "VORBIS"), ("mp3", "MP3", "MPEG_LAYER_III")):
        path = folder / f"rec.{suffix}"
        with sf.SoundFile(str(path), "w", RATE, 2, subtype, format=fmt) as f:
            for i in range(0, x.shape[1], 2**16):  # one huge write crashes libvorbis's encoder
                f.write(np.ascontiguousarray(x[:, i:i + 2**16].T))
        out.append((suffix, "libsndfile", path))
    for name, container, codec, video in (("m4a (AAC)", "mp4", "aac", None),
                                          ("webm (Opus)", "webm", "libopus", None),
                                          ("mp4 (AAC + video)", "mp4", "aac", "mpeg4")):
        path = folder / f"rec-{codec}-{video}.{name.split()[0]}"
        encode_array(path, container, codec, x, RATE, video=video)
        out.append((name, "FFmpeg (PyAV)", path))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    from aacap.audio import AudioFile

    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        files = write_all(Path(tmp), recording(seconds))
        print(f"{args.minutes:g} min of 48 kHz stereo -> mono 32 kHz, best of {args.repeat}")
        print("| format | decoder | size (MB) | decode + resample (s) | x real time |")
        print("|---|---|---|---|---|")
        for name, decoder, path in files:
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                samples = AudioFile(path).read(TARGET)
                best = min(best, time.perf_counter() - start)
            assert abs(len(samples) / TARGET - seconds) < 0.2, (name, len(samples) / TARGET)
            print(f"| {name} | {decoder} | {path.stat().st_size / 1e6:.1f} | {best:.2f} | "
                  f"{seconds / best:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
