"""Long recordings: caption fixed-length segments, then merge neighbours that say the same.

Captioning models are trained on clips of at most ~30 s. A longer recording is cut into
windows of `segment_s` seconds starting every `hop_s` seconds (overlapping when hop < segment),
each window is captioned, and consecutive windows whose captions are equal (after lower-casing
and dropping punctuation) become one segment spanning them all. Overlapping windows split
their overlap in the middle, so the reported segments tile the recording.

    from aacap.segment import caption_long
    result = caption_long(load_model(), "walk.flac", segment_s=10)
    for seg in result.segments: print(seg.start_s, seg.end_s, seg.caption)
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .audio import Audio, AudioSource, read_audio
from .captioner import Captioner, CaptionResult

MIN_TAIL_S = 1.0  # s: a last window shorter than this is folded into the window before it


@dataclass
class Segment:
    """The caption of the span [start_s, end_s) of a recording (seconds)."""

    start_s: float
    end_s: float
    caption: str
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (caption, logprob)
    windows: int = 1  # windows merged into this segment

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "caption": self.caption,
            "candidates": [{"caption": c, "logprob": lp} for c, lp in self.candidates],
            "windows": self.windows,
        }


@dataclass
class SegmentedResult:
    """A long recording: its merged segments and the caption that covers most of its time."""

    path: str | None
    duration_s: float
    segments: list[Segment]

    @property
    def main(self) -> Segment:
        """The segment caption covering the most seconds (ties: the earliest)."""
        cover: dict[str, float] = {}
        for seg in self.segments:
            key = normalise(seg.caption)
            cover[key] = cover.get(key, 0.0) + seg.end_s - seg.start_s
        best = max(cover.values())
        return next(s for s in self.segments if cover[normalise(s.caption)] == best)

    def to_dict(self) -> dict[str, Any]:
        """`aacap caption --json` fields (caption/candidates of `main`) plus `segments`."""
        main = self.main
        return {
            "path": self.path,
            "caption": main.caption,
            "candidates": [{"caption": c, "logprob": lp} for c, lp in main.candidates],
            "duration_s": round(self.duration_s, 3),
            "segments": [s.to_dict() for s in self.segments],
        }


def check_segment_args(segment_s: float, hop_s: float | None) -> float:
    """Validate window and hop lengths (seconds); returns the hop (default: `segment_s`)."""
    if not (np.isfinite(segment_s) and segment_s > 0):
        raise ValueError(f"--segment-seconds {segment_s} must be a positive number of seconds")
    hop = segment_s if hop_s is None else hop_s
    if not (np.isfinite(hop) and 0 < hop <= segment_s):
        raise ValueError(
            f"--hop-seconds {hop} must be > 0 and <= --segment-seconds {segment_s} "
            "(a larger hop would leave gaps)"
        )
    return float(hop)


def segment_bounds(
    num_samples: int, sample_rate: int, segment_s: float, hop_s: float | None = None
) -> list[tuple[int, int]]:
    """Windows [start, end) in samples covering `num_samples` samples.

    Windows are `segment_s` long and start every `hop_s` seconds (default: no overlap); the last
    one ends at the end of the recording. A last window shorter than `MIN_TAIL_S` (and shorter
    than the window itself) is merged into the previous window rather than captioned alone.
    """
    hop = check_segment_args(segment_s, hop_s)
    size = max(1, round(segment_s * sample_rate))
    step = max(1, round(hop * sample_rate))
    bounds: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + size, num_samples)
        bounds.append((start, end))
        if end >= num_samples:
            break
        start += step
    if len(bounds) > 1:
        tail_start, tail_end = bounds[-1]
        if tail_end - tail_start < min(size, MIN_TAIL_S * sample_rate):
            bounds.pop()
            if bounds[-1][1] < tail_end:  # no overlap reached the end: extend the window before
                bounds[-1] = (bounds[-1][0], tail_end)
    return bounds


_PUNCT = re.compile(r"[^\w\s]")


def normalise(caption: str) -> str:
    """Lower-case, no punctuation, single spaces: what 'the same caption' compares."""
    return " ".join(_PUNCT.sub(" ", caption.lower()).split())


def merge_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Merge runs of consecutive segments with the same normalised caption.

    A merged segment spans from its first start to its last end; it keeps the candidates of the
    window whose best candidate has the highest log-probability.
    """
    merged: list[Segment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if prev is not None and normalise(prev.caption) == normalise(seg.caption):
            best = max((prev, seg), key=lambda s: s.candidates[0][1] if s.candidates else -np.inf)
            merged[-1] = Segment(prev.start_s, max(prev.end_s, seg.end_s), prev.caption,
                                 list(best.candidates), prev.windows + seg.windows)
        else:
            merged.append(Segment(seg.start_s, seg.end_s, seg.caption, list(seg.candidates),
                                  seg.windows))
    return merged


def segments_from_results(
    bounds: Sequence[tuple[int, int]], results: Sequence[CaptionResult], sample_rate: int
) -> list[Segment]:
    """One `Segment` per window from the windows' caption results (same order).

    Overlapping windows (hop < segment) are given the middle of their overlaps as boundaries,
    so the segments tile the recording without overlapping: each reports the part of the time
    where its window is the most central one.
    """
    cuts = [0.0] + [(bounds[i][0] + bounds[i - 1][1]) / 2 for i in range(1, len(bounds))]
    cuts.append(float(bounds[-1][1]))
    return [
        Segment(cuts[i] / sample_rate, cuts[i + 1] / sample_rate, r.caption, list(r.candidates))
        for i, r in enumerate(results)
    ]


def caption_long(
    captioner: Captioner,
    source: AudioSource | Audio,
    segment_s: float,
    hop_s: float | None = None,
    *,
    sample_rate: int | None = None,
    merge: bool = True,
    **options: Any,
) -> SegmentedResult:
    """Caption `source` (path, array at `sample_rate`, or decoded `Audio`) window by window.

    Returns the (merged, unless `merge=False`) segments with times in seconds; `options` are
    decoding options passed to `captioner.caption`.
    """
    sr = captioner.sample_rate
    how = getattr(captioner, "resampler", "soxr")
    clip = source if isinstance(source, Audio) else read_audio(source, sr, sample_rate, how)
    if clip.sample_rate != sr:
        clip = read_audio(clip.samples, sr, clip.sample_rate, how)
    bounds = segment_bounds(len(clip.samples), sr, segment_s, hop_s)
    windows = [clip.samples[a:b] for a, b in bounds]
    results = captioner.caption(windows, sample_rate=sr, **options)
    segments = segments_from_results(bounds, results, sr)
    path = None if clip.source.startswith("<array") else clip.source
    return SegmentedResult(path, clip.duration_s, merge_segments(segments) if merge else segments)


def run_segmented(
    captioner: Captioner, clips: Sequence[Audio], args: argparse.Namespace, options: dict
) -> None:
    """`aacap caption --segment-seconds S`: print each clip's segments (JSON or text lines)."""
    check_segment_args(args.segment_seconds, args.hop_seconds)
    for clip in clips:
        result = caption_long(captioner, clip, args.segment_seconds, args.hop_seconds, **options)
        if args.json:
            print(json.dumps(result.to_dict()), flush=True)
            continue
        for seg in result.segments:
            print(f"{clip.source}\t{seg.start_s:.2f}-{seg.end_s:.2f}\t{seg.caption}", flush=True)
