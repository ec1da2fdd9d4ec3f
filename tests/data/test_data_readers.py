"""Dataset readers on small fixtures written in each corpus's layout as distributed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.data import prepare_corpus
from aacap.data.audiocaps import prepare_audiocaps
from aacap.data.clotho import prepare_clotho
from aacap.data.macs import prepare_macs
from aacap.data.manifest import Problems
from aacap.data.wavcaps import prepare_wavcaps


def _wav(path: Path, seconds: float, rate: int = 44100) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.random.default_rng(0).normal(0, 0.1, int(seconds * rate)).astype(np.float32),
             rate, format="FLAC" if path.suffix == ".flac" else None)


def _clotho(csv_dir: Path, audio_dir: Path) -> None:
    csv_dir.mkdir(parents=True, exist_ok=True)
    rows = {"development": [("Santa Motor.wav", 2.0), ("rain, café.wav", 1.5),
                            ("missing.wav", 1.0)],
            "evaluation": [("birds.wav", 0.5)]}
    for split, files in rows.items():
        with open(csv_dir / f"clotho_captions_{split}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file_name"] + [f"caption_{i}" for i in range(1, 6)])
            for name, seconds in files:
                w.writerow([name] + [f"{name} caption {i}, with comma" for i in range(1, 6)])
                if name != "missing.wav":
                    _wav(audio_dir / split / name, seconds)
        with open(csv_dir / f"clotho_metadata_{split}.csv", "w", newline="",
                  encoding="ISO-8859-1") as f:
            w = csv.writer(f)
            w.writerow(["file_name", "keywords", "sound_id", "sound_link", "start_end_samples",
                        "manufacturer", "license"])
            for name, _ in files:
                w.writerow([name, "rain;café", 1, "https://freesound.org/x", "[0, 1]", "Zoë", "CC"])


@pytest.mark.parametrize("layout", ["zenodo", "aac-datasets"])
def test_clotho_reads_both_layouts_and_reports_missing(tmp_path: Path, layout: str) -> None:
    if layout == "zenodo":
        _clotho(tmp_path, tmp_path)
    else:
        base = tmp_path / "CLOTHO_v2.1"
        _clotho(base / "clotho_csv_files", base / "clotho_audio_files")
    problems = Problems()
    items = prepare_clotho(tmp_path, problems=problems)
    assert [i.id for i in items] == ["clotho/dev/Santa Motor", "clotho/dev/rain, café",
                                     "clotho/eval/birds"]
    assert [i.split for i in items] == ["dev", "dev", "eval"]
    assert [i.duration_s for i in items] == [2.0, 1.5, 0.5]
    assert items[1].captions == [f"rain, café.wav caption {i}, with comma" for i in range(1, 6)]
    assert all(Path(i.audio).is_file() and i.dataset == "clotho" for i in items)
    assert [p.id for p in problems] == ["clotho/dev/missing"]
    assert prepare_clotho(tmp_path, splits=("eval",), problems=Problems())[0].id == "clotho/eval/birds"


def test_clotho_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="clotho_captions_<split>.csv"):
        prepare_clotho(tmp_path)
    _clotho(tmp_path, tmp_path)
    with pytest.raises(ValueError, match="unknown Clotho split 'test'"):
        prepare_clotho(tmp_path, splits=("test",))


def _audiocaps(base: Path) -> None:
    rows = {"train": [(1, "yt_A-1", 30, "a dog barks"), (2, "yt_B", 0, "rain falls")],
            "val": [(10 + i, "yt_C", 120, f"val caption {i}") for i in range(5)]
            + [(20, "yt_gone", 10, "deleted video")]}
    for split, lines in rows.items():
        with open(base / f"{split}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["audiocap_id", "youtube_id", "start_time", "caption"])
            w.writerows(lines)
    _wav(base / "audio_32000Hz" / "train" / "yt_A-1_30.flac", 1.0, 32000)
    _wav(base / "audio_32000Hz" / "train" / "yt_B_0.flac", 0.5, 32000)
    _wav(base / "audio_32000Hz" / "val" / "yt_C_120.flac", 10.0, 32000)


def test_audiocaps_merges_rows_and_finds_files_by_youtube_id_and_start(tmp_path: Path) -> None:
    base = tmp_path / "AUDIOCAPS"
    base.mkdir()
    _audiocaps(base)
    problems = Problems()
    items = prepare_audiocaps(tmp_path, problems=problems)
    assert [i.id for i in items] == ["audiocaps/train/yt_A-1_30", "audiocaps/train/yt_B_0",
                                     "audiocaps/val/yt_C_120"]
    assert items[2].captions == [f"val caption {i}" for i in range(5)]
    assert [i.duration_s for i in items] == [1.0, 0.5, 10.0]
    assert [p.id for p in problems] == ["audiocaps/val/yt_gone_10"]
    assert problems[0].audio.endswith("audio_32000Hz/val/yt_gone_10.flac")
    # The AUDIOCAPS folder itself is a valid root too.
    assert len(prepare_corpus("audiocaps", base, problems=Problems())) == 3


def test_macs_reads_yaml_annotations(tmp_path: Path) -> None:
    pytest.importorskip("yaml", reason="MACS.yaml needs PyYAML")
    base = tmp_path / "MACS"
    (base / "audio").mkdir(parents=True)
    (base / "MACS.yaml").write_text(
        "files:\n"
        "- filename: airport-lisbon-1000-40000-a.wav\n"
        "  annotations:\n"
        "  - annotator_id: 7\n    sentence: people talk in a large hall\n    tags: [adults_talking]\n"
        "  - annotator_id: 9\n    sentence: 'a voice announces: boarding'\n    tags: [announcement]\n"
        "- filename: park-paris-1-a.wav\n"
        "  annotations:\n  - annotator_id: 1\n    sentence: birds sing\n    tags: [birds]\n")
    _wav(base / "audio" / "airport-lisbon-1000-40000-a.wav", 1.0, 48000)
    problems = Problems()
    items = prepare_macs(tmp_path, problems=problems)
    assert len(items) == 1 and items[0].id == "macs/full/airport-lisbon-1000-40000-a"
    assert items[0].captions == ["people talk in a large hall", "a voice announces: boarding"]
    assert items[0].split == "full" and items[0].duration_s == 1.0
    assert [p.id for p in problems] == ["macs/full/park-paris-1-a"]


def test_wavcaps_maps_ids_to_flac_files_per_source(tmp_path: Path) -> None:
    base = tmp_path / "WavCaps"
    data = {"as": ("AudioSet_SL", "as_final.json", [{"id": "Y-abc_30.wav", "caption": "a car",
                                                     "duration": 10.0}]),
            "sb": ("SoundBible", "sb_final.json", [{"id": "2049", "caption": "a bell rings",
                                                    "duration": 3.0},
                                                   {"id": "77", "caption": "gone",
                                                    "duration": 1.0}])}
    for folder, name, entries in data.values():
        (base / "json_files" / folder).mkdir(parents=True)
        (base / "json_files" / folder / name).write_text(json.dumps({"num_captions_per_audio": 1,
                                                                    "data": entries}))
    _wav(base / "Audio" / "AudioSet_SL" / "Y-abc_30.flac", 1.0, 32000)
    _wav(base / "Audio" / "SoundBible" / "2049.flac", 0.5, 32000)
    problems = Problems()
    items = prepare_wavcaps(tmp_path, problems=problems)
    assert [(i.id, i.captions, i.split) for i in items] == [
        ("wavcaps/as/Y-abc_30", ["a car"], "as"), ("wavcaps/sb/2049", ["a bell rings"], "sb")]
    assert [p.id for p in problems] == ["wavcaps/sb/77"]
