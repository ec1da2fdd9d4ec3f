"""`aacap init` + `aacap caption` on every preset (tiny sizes), with bad files among good ones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.cli import main
from aacap.presets import PRESETS
from helpers import tiny_checkpoint, tone


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_captions_and_skips_bad_files(
    preset: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    ckpt = tiny_checkpoint(preset, tmp_path / f"{preset}.pt", seed=3)
    good = [tmp_path / "a.wav", tmp_path / "b.flac"]
    sf.write(good[0], tone(1.0, 44100), 44100)
    sf.write(good[1], np.stack([tone(1.5, 16000)] * 2, axis=1), 16000)
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF....WAVEfmt garbage")
    missing = tmp_path / "missing.ogg"
    capsys.readouterr()
    code = main(["caption", str(good[0]), str(corrupt), str(missing), str(good[1]),
                 "--model", str(ckpt), "--json", "--max-length", "5"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["path"] for line in lines] == [str(p) for p in good]
    for line in lines:
        assert set(line) == {"path", "caption", "candidates", "duration_s", "tags"}
        assert line["candidates"] and line["candidates"][0]["caption"] == line["caption"]
        assert len(line["caption"].split()) <= 5
    assert abs(lines[1]["duration_s"] - 1.5) < 1e-3
    err_lines = [l for l in err.splitlines() if "skipped" in l]
    assert len(err_lines) == 2 and str(corrupt) in err_lines[0] and str(missing) in err_lines[1]


def test_checkpoint_rebuilds_the_same_model(tmp_path: Path) -> None:
    import torch

    from aacap.checkpoint import load_checkpoint

    a = load_checkpoint(tiny_checkpoint("cnn14-trans2022", tmp_path / "a.pt", seed=3))
    b = load_checkpoint(tiny_checkpoint("cnn14-trans2022", tmp_path / "b.pt", seed=3))  # same seed
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    assert a.config.decoder_args["num_layers"] == 2


def test_bad_checkpoint_and_unknown_model(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(0.5), 32000)
    junk = tmp_path / "junk.pt"
    junk.write_text("nope")
    assert main(["caption", str(wav), "--model", str(junk)]) == 2
    assert "not a readable checkpoint" in capsys.readouterr().err
    assert main(["caption", str(wav), "--model", "las2020"]) == 2
    assert "no trained weights" in capsys.readouterr().err


def test_models_json_lists_the_presets_default_and_hub_models(capsys: pytest.CaptureFixture) -> None:
    assert main(["models", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {*PRESETS, "default", "conette"}
    conette = by_name["conette"]  # a published model by hub name: where from, licence, scores
    assert conette["source"] == "hf://Labbeti/conette@main" and conette["licence"].startswith("MIT")
    assert conette["published_scores"]["SPIDEr"] == 0.3097 and "cached" in conette
    assert by_name["default"]["encoder"] == "yamnet" and by_name["default"]["sample_rate"] == 16000
    assert by_name["cnext-trans2023"]["encoder"] == "cnext"
    assert by_name["cnn14-rnn2021"]["sample_rate"] == 32000
    # CNN14 alone has 79.7 M weights with its heads; our encoder drops fc1 and the classifier.
    assert 70e6 < by_name["cnn14-trans2022"]["parameters"] < 100e6
    # counted with the random init skipped: the same count as a built model, init restored after
    from torch.nn import init

    from aacap.model import CaptionModel
    from aacap.vocab import Vocabulary

    built = CaptionModel(PRESETS["las2020"], Vocabulary.builtin())
    assert by_name["las2020"]["parameters"] == built.num_parameters()
    assert init.normal_.__module__ == "torch.nn.init"
