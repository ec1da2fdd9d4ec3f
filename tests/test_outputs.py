"""`aacap.outputs`: SRT and WebVTT files valid by their grammar and as FFmpeg parses them, the
DCASE submission CSV, the CSV that `aacap evaluate` reads back once references are added."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from aacap.cli import main
from aacap.outputs import (CSV_COLUMNS, FORMATS, OutputWriter, expand_formats, read_records,
                           render, timestamp, to_srt, to_vtt, write_all)

RECORDS = [
    {"path": "field/walk.m4a", "caption": "A dog barks, then rain falls", "duration_s": 25.0,
     "candidates": [{"caption": "A dog barks, then rain falls", "score": -1.25}],
     "tags": [{"name": "Dog", "score": 0.9}],
     "segments": [
         {"start_s": 0.0, "end_s": 10.0, "caption": "A dog barks", "tags": []},
         {"start_s": 10.0, "end_s": 25.0, "caption": "Rain falls on a <roof> & --> a\nleaf",
          "tags": []}]},
    {"path": "b/short clip.wav", "caption": 'A man says "hello", then a door shuts',
     "duration_s": 3.5, "candidates": [{"caption": "x", "score": -0.5}], "tags": []},
]

SRT_CUE = re.compile(r"(\d+)\n(\d\d+:\d\d:\d\d,\d\d\d) --> (\d\d+:\d\d:\d\d,\d\d\d)\n([^\n]+)\n")
VTT_CUE = re.compile(r"(\d\d+:\d\d:\d\d\.\d\d\d) --> (\d\d+:\d\d:\d\d\.\d\d\d)\n([^\n]+)\n")


def seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_timestamps() -> None:
    assert timestamp(0, ",") == "00:00:00,000"
    assert timestamp(3723.4567, ".") == "01:02:03.457"
    assert timestamp(59.9996, ",") == "00:01:00,000"  # rounding carries into the minutes
    assert timestamp(360000.0, ",") == "100:00:00,000"  # hours past 99 keep every digit


def test_srt_is_numbered_cues_separated_by_blank_lines() -> None:
    text = to_srt(RECORDS[0])
    blocks = text.split("\n\n")
    assert len(blocks) == 2
    cues = [SRT_CUE.fullmatch(b + ("" if b.endswith("\n") else "\n")) for b in blocks]
    assert all(cues), blocks
    assert [int(c.group(1)) for c in cues] == [1, 2]
    assert [(seconds(c.group(2)), seconds(c.group(3))) for c in cues] == [(0, 10), (10, 25)]
    assert cues[1].group(4) == "Rain falls on a <roof> & -> a leaf"  # one line, no timing arrow


def test_vtt_has_its_header_and_escapes_text() -> None:
    text = to_vtt(RECORDS[0])
    assert text.startswith("WEBVTT\n\n")
    cues = VTT_CUE.findall(text)
    assert [(seconds(a), seconds(b)) for a, b, _ in cues] == [(0, 10), (10, 25)]
    assert cues[1][2] == "Rain falls on a &lt;roof&gt; &amp; -&gt; a leaf"


def test_a_clip_without_segments_is_one_cue_over_its_duration() -> None:
    cues = SRT_CUE.findall(to_srt(RECORDS[1]))
    assert cues == [("1", "00:00:00,000", "00:00:03,500", RECORDS[1]["caption"])]


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_ffmpeg_parses_the_cues(tmp_path: Path, fmt: str) -> None:
    """FFmpeg's own SubRip and WebVTT demuxers read back every cue, times and text."""
    av = pytest.importorskip("av", reason="PyAV (the `av` extra) is not installed")
    path = tmp_path / f"walk.{fmt}"
    path.write_text(to_srt(RECORDS[0]) if fmt == "srt" else to_vtt(RECORDS[0]), encoding="utf-8")
    with av.open(str(path)) as container:
        assert container.format.name == {"srt": "srt", "vtt": "webvtt"}[fmt]
        stream = container.streams.subtitles[0]
        got = [(float(p.pts * p.time_base), float((p.pts + p.duration) * p.time_base),
                bytes(p).decode("utf-8")) for p in container.demux(stream) if p.size]
    text = "Rain falls on a <roof> & -> a leaf"
    assert got == [(0.0, 10.0, "A dog barks"),
                   (10.0, 25.0, text if fmt == "srt" else
                    text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))]


def test_dcase_csv_is_the_challenge_layout(tmp_path: Path) -> None:
    written = write_all(RECORDS, ["dcase"], tmp_path)
    assert written == [tmp_path / "captions.dcase.csv"]
    with open(written[0], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [["file_name", "caption_predicted"],
                    ["walk.m4a", "A dog barks, then rain falls"],
                    ["short clip.wav", 'A man says "hello", then a door shuts']]


def test_csv_round_trips_through_evaluate(tmp_path: Path, capsys) -> None:
    """What `caption`/`batch` write as CSV, with reference columns added, `aacap evaluate`
    reads: the same scores as the JSONL of the same candidates and references."""
    (out,) = write_all(RECORDS, ["csv"], tmp_path)
    refs = [["a dog barks and then the rain falls", "rain after a dog barked"],
            ["a man says hello and a door closes", "someone greets and shuts a door"]]
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1][:2] == ["walk.m4a", "A dog barks, then rain falls"]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([*rows[0], "caption_1", "caption_2"])
        w.writerows(row + r for row, r in zip(rows[1:], refs))
    jsonl = tmp_path / "same.jsonl"
    jsonl.write_text("".join(json.dumps({"candidate": r["caption"], "references": refs[i]}) + "\n"
                             for i, r in enumerate(RECORDS)))
    scores = []
    for path in (out, jsonl):
        assert main(["evaluate", str(path), "--metrics", "bleu_1,bleu_4,rouge_l,cider_d",
                     "--json"]) == 0
        scores.append(json.loads(capsys.readouterr().out)["scores"])
    assert scores[0] == scores[1] and scores[0]["bleu_1"] > 0


def test_writer_names_files_and_refuses_ambiguous_stdout(tmp_path: Path) -> None:
    twin = {**RECORDS[1], "path": "other/short clip.wav"}
    written = write_all([*RECORDS, twin], ["all"], tmp_path, name="run1")
    names = sorted(p.name for p in written)
    assert names == sorted(["run1.jsonl", "run1.csv", "run1.dcase.csv", "run1.txt",
                            "walk.srt", "short clip.srt", "short clip-2.srt",
                            "walk.vtt", "short clip.vtt", "short clip-2.vtt"])
    assert read_records(tmp_path / "run1.jsonl") == sorted(
        [*RECORDS, twin], key=lambda r: r["path"])
    with pytest.raises(ValueError, match="several formats need an output folder"):
        OutputWriter(["csv", "srt"], None)
    with pytest.raises(ValueError, match="srt without an output folder takes one input"):
        render(RECORDS, "srt")
    assert render(RECORDS[1:], "srt") == to_srt(RECORDS[1])
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        expand_formats(["xml"])
    assert expand_formats(["all"]) == list(FORMATS)


def test_txt_is_what_caption_prints() -> None:
    assert render(RECORDS[:1], "txt", tags=True).splitlines() == [
        "field/walk.m4a\tA dog barks, then rain falls\tDog 0.90",
        "field/walk.m4a\t0.00-10.00\tA dog barks\t",
        "field/walk.m4a\t10.00-25.00\tRain falls on a <roof> & --> a leaf\t",
    ]
