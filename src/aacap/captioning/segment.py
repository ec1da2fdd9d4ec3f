"""Long recordings: caption fixed-length segments, then merge neighbours that say the same.

Captioning models are trained on clips of at most ~30 s. A longer recording is cut into
windows of `segment_s` seconds starting every `hop_s` seconds (overlapping when hop < segment),
each window is captioned, and consecutive windows whose captions are equal (after lower-casing
and dropping punctuation) become one segment spanning them all. Overlapping windows split
their overlap in the middle, so the reported segments tile the recording.

    from aacap.captioning.segment import caption_long
    result = caption_long(load_model(), "walk.flac", segment_s=10)
    for seg in result.segments: print(seg.start_s, seg.end_s, seg.caption)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..audio import Audio, AudioFile, AudioSource, source_path
from ..config import FieldError
from ..decoding import DecodingOptions
from .lengths import LONG_RECORDING_S, LONG_SEGMENT_S  # noqa: F401 - also this module's
from .protocol import Captioner, CaptionResult, candidate_dicts, open_input, tag_dicts

MIN_TAIL_S = 1.0  # s: a last window shorter than this is folded into the window before it
MIN_WINDOW_S = 0.5  # s: shortest window and hop accepted
WINDOWS_PER_CALL = 16  # windows captioned per model call (memory: this many windows at once)
HEADLINE_PARTS = 3  # distinct segment captions a headline joins at most
NUM_TAGS = 5  # classes listed per clip and per segment


@dataclass
class Segment:
    """The caption of the span [start_s, end_s) of a recording (seconds)."""

    start_s: float
    end_s: float
    caption: str
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (caption, score)
    windows: int = 1  # windows merged into this segment
    score_name: str = "logprob"  # what a candidate's value is (see `CaptionResult`)
    tags: list[tuple[str, float]] = field(default_factory=list)  # (class name, score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "caption": self.caption,
            "candidates": candidate_dicts(self.candidates, self.score_name),
            "windows": self.windows,
            "tags": tag_dicts(self.tags),
        }


@dataclass
class SegmentedResult:
    """A long recording: its merged segments and a headline caption that summarises them."""

    path: str | None
    duration_s: float
    segments: list[Segment]

    @property
    def headline(self) -> str:
        """The recording's caption: its one segment caption, else the `HEADLINE_PARTS`
        distinct captions covering the most time, in time order, joined by ', then '."""
        return headline(self.segments)

    @property
    def tags(self) -> list[tuple[str, float]]:
        """The recording's top classes: each class's best score over the segments."""
        tags: list[tuple[str, float]] = []
        for seg in self.segments:
            tags = _max_tags(tags, seg.tags)
        return tags

    def as_result(self) -> CaptionResult:
        """The recording as one `CaptionResult`: the headline, its tags and the segments.
        Its one candidate is the headline, scored by the mean best score of its segments."""
        head, keys = self.headline, _headline_keys(self.segments)
        parts = [s for s in self.segments if caption_key(s.caption) in keys]
        scores = [s.candidates[0][1] for s in parts if s.candidates]
        name = self.segments[0].score_name
        candidates = [(head, round(float(np.mean(scores)), 4))] if scores else []
        return CaptionResult(self.path, head, candidates, self.duration_s, score_name=name,
                             tags=self.tags, segments=list(self.segments))

    def to_dict(self) -> dict[str, Any]:
        """`aacap caption --json` fields (the headline as caption) plus `segments`."""
        return self.as_result().to_dict()


def _coverage(segments: Sequence[Segment]) -> dict[str, float]:
    """Seconds covered by each normalised caption."""
    cover: dict[str, float] = {}
    for seg in segments:
        key = caption_key(seg.caption)
        cover[key] = cover.get(key, 0.0) + seg.end_s - seg.start_s
    return cover


def _headline_keys(segments: Sequence[Segment]) -> set[str]:
    cover = _coverage(segments)
    ranked = sorted(cover, key=lambda k: -cover[k])  # stable: ties keep time order
    return set(ranked[:HEADLINE_PARTS])


def headline(segments: Sequence[Segment]) -> str:
    """A caption for the whole recording from its segments' captions (see `SegmentedResult`):
    'A dog barks, then thunder roars, then a cow moos'."""
    keys, seen, parts = _headline_keys(segments), set(), []
    for seg in segments:
        key = caption_key(seg.caption)
        if key in keys and key not in seen:
            seen.add(key)
            parts.append(seg.caption.strip().rstrip("."))
    joined = [parts[0]] + [_lower_first(p) for p in parts[1:]]
    return ", then ".join(joined)


def _lower_first(text: str) -> str:
    """'A dog barks' -> 'a dog barks'; acronyms and 'I' keep their capital."""
    first = text.split(" ", 1)[0]
    if first == "I" or (len(first) > 1 and first[1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def check_segment_args(segment_s: float | None, hop_s: float | None) -> float:
    """Validate window and hop lengths (seconds); returns the hop (default: `segment_s`).
    Both must be at least `MIN_WINDOW_S`: shorter windows hold too little sound to caption
    and multiply the work. No window (`segment_s` None: a hop given alone) is refused."""
    if segment_s is None:
        raise FieldError("hop_seconds", hop_s, "needs segment_seconds (the window to hop)",
                         shown=f"{hop_s:g}" if isinstance(hop_s, (int, float)) else None)
    if not (np.isfinite(segment_s) and segment_s > 0):
        raise FieldError("segment_seconds", segment_s, "must be a positive number of seconds",
                         shown=f"{segment_s}")
    if segment_s < MIN_WINDOW_S:
        raise FieldError("segment_seconds", segment_s, f"is below the minimum of {MIN_WINDOW_S:g}"
                         " s; use longer windows", shown=f"{segment_s:g}")
    hop = segment_s if hop_s is None else hop_s
    if not (np.isfinite(hop) and 0 < hop <= segment_s):
        raise FieldError("hop_seconds", hop, f"must be > 0 and <= segment_seconds={segment_s} "
                         "(a larger hop would leave gaps)", shown=f"{hop}")
    if hop < MIN_WINDOW_S:
        raise FieldError("hop_seconds", hop, f"is below the minimum of {MIN_WINDOW_S:g} s; "
                         "use a longer hop", shown=f"{hop:g}")
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


def caption_key(caption: str) -> str:
    """Lower-case, no punctuation, single spaces: what 'the same caption' compares."""
    return " ".join(_PUNCT.sub(" ", caption.lower()).split())


def merge_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Merge runs of consecutive segments with the same normalised caption.

    A merged segment spans from its first start to its last end; it keeps the candidates of the
    window whose best candidate scores highest, and each class's best tag score.
    """
    merged: list[Segment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if prev is not None and caption_key(prev.caption) == caption_key(seg.caption):
            best = max((prev, seg), key=lambda s: s.candidates[0][1] if s.candidates else -np.inf)
            merged[-1] = Segment(prev.start_s, max(prev.end_s, seg.end_s), prev.caption,
                                 list(best.candidates), prev.windows + seg.windows,
                                 prev.score_name, _max_tags(prev.tags, seg.tags))
        else:
            merged.append(Segment(seg.start_s, seg.end_s, seg.caption, list(seg.candidates),
                                  seg.windows, seg.score_name, list(seg.tags)))
    return merged


def _max_tags(a: Sequence[tuple[str, float]], b: Sequence[tuple[str, float]]
              ) -> list[tuple[str, float]]:
    """Two tag lists -> each class's best score, best first, `NUM_TAGS` long."""
    best = dict(a)
    for name, score in b:
        best[name] = max(best.get(name, 0.0), score)
    return sorted(best.items(), key=lambda t: -t[1])[:NUM_TAGS]


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
        Segment(cuts[i] / sample_rate, cuts[i + 1] / sample_rate, r.caption, list(r.candidates),
                score_name=r.score_name, tags=list(r.tags))
        for i, r in enumerate(results)
    ]


def caption_long(
    captioner: Captioner,
    source: AudioSource,
    segment_s: float,
    hop_s: float | None = None,
    *,
    sample_rate: int | None = None,
    merge: bool = True,
    options: DecodingOptions | None = None,
    **fields: Any,
) -> SegmentedResult:
    """Caption `source` (path, `AudioFile`, array at `sample_rate`, or decoded `Audio`)
    window by window.

    Returns the (merged, unless `merge=False`) segments with times in seconds. Decoding:
    `options`, or `DecodingOptions` fields over the model's defaults. A file is decoded once
    (`open_input`), a long one streamed: memory holds `WINDOWS_PER_CALL` windows at a time,
    whatever the recording's length. The windows go to the captioner as checked `Audio`.
    """
    sr = captioner.sample_rate
    check_segment_args(segment_s, hop_s)
    options = captioner.decoding_options(options, **fields)
    source = open_input(source, sr, sample_rate, captioner.resampler)
    bounds, waves = window_stream(source, sr, segment_s, hop_s)
    name = source.name if isinstance(source, AudioFile) else source.source
    path = source_path(source)
    windows = (Audio(wave, sr, name, path) for wave in waves)  # window_stream yields none empty
    results: list[CaptionResult] = []
    end = 0
    for batch in _batches(windows, WINDOWS_PER_CALL):
        end = bounds[len(results) + len(batch) - 1][0] + len(batch[-1].samples)
        results += captioner.caption(batch, sample_rate=sr, first_index=len(results),
                                     options=options)
    return segmented_result(source_path(source), bounds, results, sr, end, merge)


def window_stream(source: Audio | AudioFile, rate: int, segment_s: float,
                  hop_s: float | None = None
                  ) -> tuple[list[tuple[int, int]], Iterator[np.ndarray]]:
    """A recording at `rate` cut into windows: (bounds [start, end) in samples, the windows'
    samples in order). A decoded clip is sliced; a file is streamed (memory: one window)."""
    if isinstance(source, AudioFile):
        bounds = segment_bounds(source.num_samples(rate), rate, segment_s, hop_s)
        return bounds, _until_empty(source.windows(rate, bounds))
    bounds = segment_bounds(len(source.samples), rate, segment_s, hop_s)
    return bounds, (source.samples[a:b] for a, b in bounds)


def _until_empty(waves: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """The windows up to the first empty one: a file whose header over-estimates its length
    (MP3) ends early, and the windows past its end hold nothing to caption."""
    for wave in waves:
        if not len(wave):
            return
        yield wave


def segmented_result(path: str | None, bounds: list[tuple[int, int]],
                     results: Sequence[CaptionResult], rate: int, end: int, merge: bool = True
                     ) -> SegmentedResult:
    """The windows' captions as timed segments (merged unless `merge=False`); `end` is where
    the recording really ends (samples), which the last window's bound only estimates."""
    bounds = list(bounds[:len(results)])  # a file that ended early: fewer windows than bounds
    bounds = [*bounds[:-1], (bounds[-1][0], end)]
    segments = segments_from_results(bounds, results, rate)
    return SegmentedResult(path, end / rate, merge_segments(segments) if merge else segments)


def _batches(items: Iterable[Audio], size: int) -> Iterator[list[Audio]]:
    batch: list[Audio] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
