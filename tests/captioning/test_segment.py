"""Long recordings: window bounds, merging, tiling of overlaps, exact boundaries with a
rule-based captioner, and `aacap caption --segment-seconds` against the model window by window."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.audio import Audio
from aacap.captioning.protocol import CaptionResult
from aacap.decoding import DecodingOptions
from aacap.captioning.segment import (
    Segment,
    caption_long,
    merge_segments,
    segment_bounds,
    segments_from_results,
)


def test_bounds_cover_the_recording() -> None:
    assert segment_bounds(100, 10, 3.0) == [(0, 30), (30, 60), (60, 90), (90, 100)]
    assert segment_bounds(100, 10, 4.0, 2.0) == [(0, 40), (20, 60), (40, 80), (60, 100)]
    assert segment_bounds(25, 10, 4.0) == [(0, 25)]  # shorter than one window
    # a tail under MIN_TAIL_S (1 s) is folded into the window before it
    assert segment_bounds(205, 100, 1.0) == [(0, 100), (100, 205)]
    for n, seg, hop in [(1000, 1.3, 0.7), (999, 2.0, 2.0), (1, 1.0, None)]:
        bounds = segment_bounds(n, 100, seg, hop)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(b[0] <= a[1] for a, b in zip(bounds, bounds[1:]))  # no gaps


@pytest.mark.parametrize("seg, hop, message", [
    (0.0, None, "positive"), (-1.0, None, "positive"), (float("nan"), None, "positive"),
    (2.0, 3.0, "leave gaps"), (2.0, 0.0, "> 0")])
def test_bad_segment_arguments(seg: float, hop: float | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        segment_bounds(100, 10, seg, hop)


def test_merge_equal_neighbours_only() -> None:
    segs = [Segment(0, 2, "A dog barks.", [("a dog barks", -3.0)]),
            Segment(2, 4, "a dog  barks", [("a dog barks", -1.0)]),
            Segment(4, 6, "rain falls", [("rain falls", -2.0)]),
            Segment(6, 8, "A dog barks", [("a dog barks", -2.0)])]
    merged = merge_segments(segs)
    assert [(s.start_s, s.end_s, s.windows) for s in merged] == [(0, 4, 2), (4, 6, 1), (6, 8, 1)]
    assert merged[0].caption == "A dog barks." and merged[0].candidates[0][1] == -1.0


def test_overlapping_windows_tile_the_recording() -> None:
    bounds = segment_bounds(100, 10, 4.0, 2.0)  # windows 0-40, 20-60, 40-80, 60-100 samples
    results = [CaptionResult(None, str(i), [(str(i), 0.0)]) for i in range(4)]
    segs = segments_from_results(bounds, results, 10)
    assert [(s.start_s, s.end_s) for s in segs] == [(0, 3), (3, 5), (5, 7), (7, 10)]


class LoudnessCaptioner:
    """A rule-based captioner: 'loud' when a window's RMS exceeds 0.1, else 'quiet'."""

    name = "loudness"
    sample_rate = 100
    resampler = "soxr"

    def decoding_options(self, options: DecodingOptions | None = None, **fields: object
                         ) -> DecodingOptions:
        assert not fields
        return options or DecodingOptions()

    def caption(self, inputs: Sequence[Audio], *, sample_rate: int | None = None,
                first_index: int = 0, options: DecodingOptions | None = None,
                **fields: object) -> list[CaptionResult]:
        assert sample_rate == self.sample_rate and options == DecodingOptions() and not fields
        out = []
        for clip in inputs:  # checked `Audio` windows at this rate
            x = clip.samples
            word = "loud" if np.sqrt(np.mean(x**2)) > 0.1 else "quiet"
            out.append(CaptionResult(None, word, [(word, -1.0)], len(x) / self.sample_rate))
        return out


def test_caption_long_finds_the_loud_part() -> None:
    x = np.full(3000, 0.01, np.float32)  # 30 s at 100 Hz
    x[1000:1800] = 0.5  # loud from 10 s to 18 s
    with pytest.raises(ValueError, match="needs its sample rate"):  # never assumed
        caption_long(LoudnessCaptioner(), x, 2.0)
    result = caption_long(LoudnessCaptioner(), x, 2.0, sample_rate=100)
    assert [(s.start_s, s.end_s, s.caption) for s in result.segments] == [
        (0.0, 10.0, "quiet"), (10.0, 18.0, "loud"), (18.0, 30.0, "quiet")]
    assert result.headline == "quiet, then loud"  # every distinct caption, in time order
    assert result.to_dict()["caption"] == "quiet, then loud"
    assert result.to_dict()["candidates"] == [{"caption": "quiet, then loud", "score": -1.0,
                                               "logprob": -1.0}]
    assert result.to_dict()["duration_s"] == 30.0 and result.path is None
    assert len(caption_long(LoudnessCaptioner(), x, 2.0, sample_rate=100, merge=False).segments) == 15


def test_caption_command_segments(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from aacap.captioning.loading import load_model
    from aacap.cli import main
    from helpers import tiny_checkpoint

    ckpt = tiny_checkpoint("las2020", tmp_path / "tiny.pt")
    rate = 32000  # the model's rate, so the windows are the file's samples
    x = (0.1 * np.random.default_rng(0).standard_normal(int(5.5 * rate))).astype(np.float32)
    x[2 * rate : 4 * rate] = 0.0
    wav = tmp_path / "long.wav"
    sf.write(wav, x, rate, subtype="FLOAT")
    capsys.readouterr()
    assert main(["caption", str(wav), "--model", str(ckpt), "--json", "--segment-seconds", "2",
                 "--max-length", "4"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["path"] == str(wav) and line["duration_s"] == 5.5
    windows = [x[0:2 * rate], x[2 * rate:4 * rate], x[4 * rate:]]
    direct = load_model(ckpt).caption(windows, sample_rate=rate, max_length=4)
    expected = merge_segments(segments_from_results(
        [(0, 2 * rate), (2 * rate, 4 * rate), (4 * rate, len(x))], direct, rate))
    assert [s["caption"] for s in line["segments"]] == [s.caption for s in expected]
    assert [(s["start_s"], s["end_s"]) for s in line["segments"]] == [
        (s.start_s, s.end_s) for s in expected]
    assert line["segments"][-1]["end_s"] == 5.5
    assert main(["caption", str(wav), "--model", str(ckpt), "--segment-seconds", "2",
                 "--hop-seconds", "1", "--max-length", "4"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows[0].split("\t")) == 2  # the headline, then the timed segments
    assert rows[1].startswith(f"{wav}\t0.00-") and rows[-1].split("\t")[1].endswith("-5.50")
    assert main(["caption", str(wav), "--model", str(ckpt), "--segment-seconds", "2",
                 "--hop-seconds", "3"]) == 2
    assert "leave gaps" in capsys.readouterr().err


def test_headline_joins_the_longest_captions_in_time_order() -> None:
    from aacap.captioning.segment import Segment, headline

    segs = [Segment(0, 10, "A dog barks"), Segment(10, 12, "A bird sings"),
            Segment(12, 30, "Thunder roars"), Segment(30, 31, "TV noise plays"),
            Segment(31, 40, "A cow moos"), Segment(40, 50, "A dog barks")]
    assert headline(segs) == "A dog barks, then thunder roars, then a cow moos"
    assert headline(segs[:1]) == "A dog barks"
    assert headline([Segment(0, 5, "quiet"), Segment(5, 9, "TV noise plays")]) == (
        "quiet, then TV noise plays")


def test_caption_long_stops_where_a_cut_mp3_ends(tmp_path: Path) -> None:
    """An MP3 cut in half still announces its whole length (its header only estimates it):
    the windows past the end of its data are not captioned, and the duration is what decodes."""
    path = tmp_path / "cut.mp3"
    rng = np.random.default_rng(0)
    sf.write(path, 0.1 * rng.standard_normal(8000 * 40).astype(np.float32), 8000, format="MP3")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert sf.info(str(path)).duration > 35  # the header still says 40 s
    result = caption_long(LoudnessCaptioner(), path, 5.0, merge=False)
    assert 15 < result.duration_s < 25
    assert result.segments and all(s.end_s <= result.duration_s + 1e-9 for s in result.segments)
    assert all(s.end_s > s.start_s for s in result.segments)


@pytest.mark.parametrize("samples, message", [
    (np.zeros(0, np.float32), "zero length"), (np.zeros((10, 2), np.float32), "mono float32"),
    (np.zeros(10, np.int16), "mono float32")])
def test_a_decoded_clip_is_refused_when_not_mono_float32_samples(samples: np.ndarray,
                                                                  message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Audio(samples, 16000, "<array>")
