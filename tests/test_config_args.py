"""`config_from_args`: `--set` with a field the encoder or decoder does not have, or a value of
the wrong type, is a one-line error naming `section.field` (it was a TypeError traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aacap.cli import main
from aacap.config import config_from_args
from aacap.decoders.rnn import RnnDecoderConfig


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
