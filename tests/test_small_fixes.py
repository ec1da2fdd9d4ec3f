"""Issue 15's small fixes: checkpoints follow the umask, `--model RUN_FOLDER` captions with
its best.pt, `--set` with an unknown or mistyped field is a one-line error."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import soundfile as sf

from aacap.cli import main
from aacap.config import config_from_args
from aacap.decoders.rnn import RnnDecoderConfig
from helpers import tiny_checkpoint, tone


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_checkpoint_mode_follows_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        path = tiny_checkpoint("las2020", tmp_path / "m.pt")
        reference = tmp_path / "plain"
        reference.write_bytes(b"")  # what `open` makes under this umask
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode == stat.S_IMODE(reference.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


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


@pytest.mark.parametrize("setting, says", [
    ("decoder_args.num_layerz=3", "decoder_args.num_layerz: unknown field of RnnDecoderConfig; "
                                  "its fields: embed_dim, hidden_size, num_layers"),
    ("encoder_args.hiddn=8", "encoder_args.hiddn: unknown field of LasEncoderConfig"),
    ("decoder_args.num_layers=abc", "decoder_args.num_layers='abc': must be int"),
    ("decoder_args.dropout=true", "decoder_args.dropout=True: must be float"),
])
def test_init_set_unknown_or_mistyped_field_is_one_line(tmp_path: Path, capsys, setting: str,
                                                        says: str) -> None:
    assert main(["init", "las2020", str(tmp_path / "m.pt"), "--set", setting]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"aacap init: error: {says}") and err.count("\n") == 1
    assert not (tmp_path / "m.pt").exists()


def test_config_from_args_accepts_what_the_dataclass_takes() -> None:
    cfg = config_from_args(RnnDecoderConfig, {"num_layers": 1, "dropout": 0}, "decoder_args")
    assert cfg.num_layers == 1 and cfg.dropout == 0.0
