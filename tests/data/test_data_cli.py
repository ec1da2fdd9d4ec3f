"""`aacap data ...` end to end on small fixtures."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.cli import main
from aacap.data.manifest import read_manifest

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "sounds"


def _clotho(root: Path) -> None:
    (root / "validation").mkdir(parents=True)
    with open(root / "clotho_captions_validation.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file_name"] + [f"caption_{i}" for i in range(1, 6)])
        for name in ("a.wav", "b.wav", "c.wav"):
            w.writerow([name] + [f"{name} {i}" for i in range(5)])
    sf.write(root / "validation" / "a.wav", np.zeros(4410, np.float32), 44100)
    (root / "validation" / "b.wav").write_bytes(b"not audio")


def test_prepare_writes_manifest_and_reports_bad_audio(tmp_path: Path, capsys) -> None:
    _clotho(tmp_path)
    out = tmp_path / "m.jsonl"
    assert main(["data", "prepare", "clotho", str(tmp_path), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "1 clips, 5 captions" in captured.out and "skipped 2 clips" in captured.out
    err = captured.err.strip().splitlines()
    assert len(err) == 2 and "b.wav: unreadable audio" in err[0] and "c.wav: missing" in err[1]
    (item,) = read_manifest(out)
    assert item.id == "clotho/val/a" and item.duration_s == 0.1


def test_prepare_without_dataset_is_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["data", "prepare", "macs", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("aacap data: error:") and "MACS.yaml" in err and "\n" not in err


def test_wavcaps_download_says_what_to_do(tmp_path: Path, capsys) -> None:
    assert main(["data", "download", "wavcaps", str(tmp_path)]) == 1
    assert "Hugging Face" in capsys.readouterr().err


def test_synth_without_sounds_says_how_to_fetch(tmp_path: Path, capsys) -> None:
    assert main(["data", "synth", str(tmp_path / "o"), "--n-clips", "5",
                 "--cache", str(tmp_path / "none")]) == 1
    assert "aacap data fetch-sounds" in capsys.readouterr().err


def test_synth_then_prepare(tmp_path: Path, capsys) -> None:
    if not list(CACHE.glob("*/.extracted")):
        pytest.skip(f"no recordings in {CACHE}: run `make sounds`")
    out = tmp_path / "corpus"
    assert main(["data", "synth", str(out), "--n-clips", "6", "--seed", "1",
                 "--sample-rate", "16000", "--cache", str(CACHE)]) == 0
    assert main(["data", "prepare", "clotho", str(out), "--out", str(tmp_path / "m.jsonl"),
                 "--splits", "eval", "--name", "synth"]) == 0
    items = read_manifest(tmp_path / "m.jsonl")
    assert len(items) == 1 and items[0].split == "eval" and len(items[0].captions) == 5
    assert items[0].dataset == "synth" and items[0].id == "synth/eval/evaluation_00001"
