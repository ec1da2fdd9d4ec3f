"""`aacap caption --precision`: a neural model decodes in int8 (or bf16 on AMX CPUs); the
retrieval default model refuses in one line; switching back to fp32 restores the decoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
import torch

from aacap.checkpoint import load_checkpoint
from aacap.captioning.neural import NeuralCaptioner
from aacap.cli import main
from helpers import tiny_checkpoint, tone

SHIPPED_BANK = Path(__file__).resolve().parents[2] / "src" / "aacap" / "assets" / "default" / "bank.npz"


@pytest.mark.parametrize("preset", ["cnn14-trans2022", "cnn14-rnn2021"])
def test_int8_captions_through_the_cli(preset: str, tmp_path: Path, capsys: pytest.CaptureFixture,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = NeuralCaptioner.use_precision
    monkeypatch.setattr(NeuralCaptioner, "use_precision",
                        lambda self, precision: asked.append(precision) or real(self, precision))
    ckpt = tiny_checkpoint(preset, tmp_path / "m.pt", seed=3)
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(1.0, 32000), 32000)
    capsys.readouterr()
    assert main(["caption", str(wav), "--model", str(ckpt), "--precision", "int8", "--json", "--max-length", "5"]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["path"] == str(wav) and len(line["caption"].split()) <= 5
    assert asked == ["int8"]  # the flag reached the captioner


def test_precision_switches_and_restores_the_decoder(tmp_path: Path) -> None:
    captioner = NeuralCaptioner(load_checkpoint(tiny_checkpoint("cnn14-trans2022", tmp_path / "m.pt")), "m")
    fp32 = captioner.model.decoder
    captioner.use_precision("int8")
    assert captioner.model.decoder is not fp32
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in captioner.model.decoder.modules())
    captioner.use_precision("fp32")
    assert captioner.model.decoder is fp32


@pytest.mark.skipif(not SHIPPED_BANK.exists(), reason="shipped default-model assets absent")
def test_default_model_refuses_a_precision(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(1.0, 32000), 32000)
    code = main(["caption", str(wav), "--model", "default", "--precision", "int8"])
    err = capsys.readouterr().err
    assert code != 0 and "has no neural decoder" in err and len(err.strip().splitlines()) == 1
