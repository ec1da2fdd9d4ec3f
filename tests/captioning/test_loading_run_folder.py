"""`load_model` of a training folder (`aacap train --out DIR`): its best.pt, else last.pt."""

from __future__ import annotations

import json
from pathlib import Path

import soundfile as sf

from aacap.cli import main
from helpers import tiny_checkpoint, tone


def caption_json(capsys, wav: Path, model: Path) -> dict:
    assert main(["caption", str(wav), "--model", str(model), "--json", "--max-length", "5"]) == 0
    return json.loads(capsys.readouterr().out)


def test_model_training_folder_uses_best_then_last(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text('{"epochs": 2}')  # what `aacap train` writes beside
    tiny_checkpoint("las2020", run / "last.pt", seed=1)
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(1.0, 32000), 32000)
    capsys.readouterr()
    assert caption_json(capsys, wav, run) == caption_json(capsys, wav, run / "last.pt")
    tiny_checkpoint("las2020", run / "best.pt", seed=2)
    capsys.readouterr()
    best = caption_json(capsys, wav, run / "best.pt")
    assert caption_json(capsys, wav, run) == best
    assert best != caption_json(capsys, wav, run / "last.pt")  # the two differ: the test can fail
