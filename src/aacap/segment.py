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

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .audio import Audio, AudioFile, AudioSource, read_audio
from .captioner import Captioner, CaptionResult, candidates_json

MIN_TAIL_S = 1.0  # s: a last window shorter than this is folded into the window before it
MIN_WINDOW_S = 0.5  # s: shortest window and hop accepted
WINDOWS_PER_CALL = 16  # windows captioned per model call (memory: this many windows at once)


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
            "candidates": candidates_json(self.candidates),
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
            "candidates": candidates_json(main.candidates),
            "duration_s": round(self.duration_s, 3),
            "segments": [s.to_dict() for s in self.segments],
        }


def check_segment_args(segment_s: float, hop_s: float | None) -> float:
    """Validate window and hop lengths (seconds); returns the hop (default: `segment_s`).
    Both must be at least `MIN_WINDOW_S`: shorter windows hold too little sound to caption
    and multiply the work."""
    if not (np.isfinite(segment_s) and segment_s > 0):
        raise ValueError(f"segment_seconds={segment_s} must be a positive number of seconds")
    if segment_s < MIN_WINDOW_S:
        raise ValueError(f"segment_seconds={segment_s:g} is below the minimum of "
                         f"{MIN_WINDOW_S:g} s; use longer windows")
    hop = segment_s if hop_s is None else hop_s
    if not (np.isfinite(hop) and 0 < hop <= segment_s):
        raise ValueError(
            f"hop_seconds={hop} must be > 0 and <= segment_seconds={segment_s} "
            "(a larger hop would leave gaps)"
        )
    if hop < MIN_WINDOW_S:
        raise ValueError(f"hop_seconds={hop:g} is below the minimum of {MIN_WINDOW_S:g} s; "
                         "use a longer hop")
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
    """Caption `source` (path, `AudioFile`, array at `sample_rate`, or decoded `Audio`)
    window by window.

    Returns the (merged, unless `merge=False`) segments with times in seconds; `options` are
    decoding options passed to `captioner.caption`. A file is streamed: memory holds
    `WINDOWS_PER_CALL` windows at a time, whatever the recording's length.
    """
    sr = captioner.sample_rate
    check_segment_args(segment_s, hop_s)
    if isinstance(source, (str, Path)):
        source = AudioFile(source).scan()
    if isinstance(source, AudioFile):
        name, total = str(source.path), source.num_samples(sr)
        bounds = segment_bounds(total, sr, segment_s, hop_s)
        reach = bounds[:-1] + [(bounds[-1][0], bounds[-1][1] + sr)]  # resampler rounding
        windows: Iterator[np.ndarray] = source.windows(sr, reach)
    else:
        clip = source if isinstance(source, Audio) else read_audio(source, sr, sample_rate)
        if clip.sample_rate != sr:
            clip = read_audio(clip.samples, sr, clip.sample_rate)
        name, total = clip.source, len(clip.samples)
        bounds = segment_bounds(total, sr, segment_s, hop_s)
        windows = (clip.samples[a:b] for a, b in bounds)
    results: list[CaptionResult] = []
    last = 0
    for batch in _batches(windows, WINDOWS_PER_CALL):
        last = bounds[len(results) + len(batch) - 1][0] + len(batch[-1])
        results += captioner.caption(batch, sample_rate=sr, first_index=len(results), **options)
    bounds[-1] = (bounds[-1][0], last)  # where the recording really ends
    segments = segments_from_results(bounds, results, sr)
    path = None if name.startswith("<array") else name
    return SegmentedResult(path, last / sr, merge_segments(segments) if merge else segments)


def _batches(items: Iterable[np.ndarray], size: int) -> Iterator[list[np.ndarray]]:
    batch: list[np.ndarray] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def print_segmented(result: SegmentedResult, as_json: bool) -> None:
    """`aacap caption --segment-seconds S` output: one JSON line, or a text line per segment."""
    if as_json:
        print(json.dumps(result.to_dict(), allow_nan=False), flush=True)
        return
    for seg in result.segments:
        print(f"{result.path}\t{seg.start_s:.2f}-{seg.end_s:.2f}\t{seg.caption}", flush=True)
