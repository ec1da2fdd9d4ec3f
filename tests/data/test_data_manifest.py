"""The manifest format: round trip, relative paths, errors naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.data.manifest import (FIELDS, ManifestItem, Problems, audio_item, read_manifest,
                                 write_manifest)


def test_round_trip_keeps_every_field_and_unicode(tmp_path: Path) -> None:
    items = [ManifestItem("clotho/dev/a", str(tmp_path / "a.wav"), ["A café door slams.", "b"],
                          12.5, "clotho", "dev"),
             ManifestItem("macs/full/b", str(tmp_path / "b.wav"), [], 0.25, "macs", "full")]
    path = tmp_path / "m" / "x.jsonl"
    assert write_manifest(path, items) == 2
    assert read_manifest(path) == items
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert tuple(first) == FIELDS
    assert "café" in path.read_text(encoding="utf-8")  # not \u-escaped


def test_relative_audio_paths_resolve_against_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "m.jsonl"
    path.parent.mkdir()
    path.write_text(json.dumps({"id": "x", "audio": "clips/x.wav", "captions": ["c"],
                                "duration_s": 1, "dataset": "d", "split": "s"}) + "\n\n")
    (item,) = read_manifest(path)
    assert item.audio == str(tmp_path / "sub" / "clips" / "x.wav")
    assert item.duration_s == 1.0


@pytest.mark.parametrize("line, word", [('{"id": "x"}', "lacks audio"),
                                        ("not json", "JSON"),
                                        ('{"id": "x", "audio": "a", "captions": "one", '
                                         '"duration_s": 1, "dataset": "d", "split": "s"}',
                                         "list of strings")])
def test_bad_line_names_file_and_line(tmp_path: Path, line: str, word: str) -> None:
    path = tmp_path / "bad.jsonl"
    ok = json.dumps({"id": "y", "audio": "a", "captions": [], "duration_s": 1, "dataset": "d",
                     "split": "s"})
    path.write_text(ok + "\n" + line + "\n")
    with pytest.raises(ValueError, match=rf"bad.jsonl:2: .*{word}"):
        read_manifest(path)


def test_missing_manifest_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="aacap data prepare"):
        read_manifest(tmp_path / "none.jsonl")


def test_audio_item_duration_and_problems(tmp_path: Path) -> None:
    good = tmp_path / "good.flac"
    sf.write(good, np.zeros(22050, np.float32), 44100)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF0000WAVEjunk")
    problems = Problems()
    item = audio_item("d/s/good", good, ["c"], "d", "s", problems)
    assert item is not None and item.duration_s == 0.5 and item.audio == str(good.resolve())
    assert audio_item("d/s/bad", bad, ["c"], "d", "s", problems) is None
    assert audio_item("d/s/gone", tmp_path / "gone.wav", ["c"], "d", "s", problems) is None
    assert [p.id for p in problems] == ["d/s/bad", "d/s/gone"]
    assert "unreadable audio" in str(problems[0]) and "missing audio file" in str(problems[1])
    assert all("\n" not in str(p) for p in problems)
