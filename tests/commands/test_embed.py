"""`aacap embed`: one (frames, dim) .npy per input, equal to the encoder's own output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from aacap.audio import load_audio
from aacap.checkpoint import load_checkpoint
from aacap.cli import main
from aacap.pretrained import ASSETS

from helpers import tiny_checkpoint, tone


@pytest.fixture
def clips(tmp_path: Path) -> list[Path]:
    paths = []
    for i, (seconds, rate) in enumerate([(1.5, 32000), (2.2, 44100)]):
        path = tmp_path / f"clip{i}.wav"
        sf.write(path, tone(seconds, rate, freq=300 + 200 * i, seed=i), rate)
        paths.append(path)
    return paths


def reference_frames(encoder: torch.nn.Module, path: Path) -> np.ndarray:
    wave = torch.from_numpy(load_audio(path, encoder.sample_rate))[None]
    with torch.inference_mode():
        frames, n = encoder.eval()(wave, torch.tensor([wave.shape[1]]))
    return frames[0, : int(n[0])].numpy()


@pytest.mark.parametrize("preset", ["cnn14-trans2022", "las2020"])
def test_embed_with_an_aacap_checkpoint(preset: str, clips: list[Path], tmp_path: Path) -> None:
    ckpt = tiny_checkpoint(preset, tmp_path / "model.pt")
    out = tmp_path / "frames"
    assert main(["embed", *map(str, clips), "--weights", str(ckpt), "--out", str(out)]) == 0
    encoder = load_checkpoint(ckpt).encoder
    for clip in clips:
        frames = np.load(out / f"{clip.stem}.npy")
        assert frames.dtype == np.float32 and frames.ndim == 2 and frames.shape[1] == encoder.out_dim
        assert np.allclose(frames, reference_frames(encoder, clip), atol=1e-5)
    info = json.loads((out / "encoder.json").read_text())
    assert info["encoder"] == load_checkpoint(ckpt).config.encoder and len(info["fingerprint"]) == 64


def test_embed_reports_bad_files_and_wrong_encoders(clips: list[Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    ckpt = tiny_checkpoint("cnn14-trans2022", tmp_path / "model.pt")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    out = tmp_path / "frames"
    code = main(["embed", str(clips[0]), str(bad), str(clips[1]), "--weights", str(ckpt), "--out", str(out)])
    assert code == 1
    assert sorted(p.name for p in out.glob("*.npy")) == ["clip0.npy", "clip1.npy"]
    assert "bad.wav" in capsys.readouterr().err
    assert main(["embed", str(clips[0]), "--encoder", "las", "--weights", str(ckpt), "--out", str(out)]) == 2
    assert "not 'las'" in capsys.readouterr().err
    assert main(["embed", str(clips[0]), "--encoder", "las", "--weights", str(bad), "--out", str(out)]) == 2
    assert "LAS has no published weights" in capsys.readouterr().err


def test_embed_yamnet_default_weights(clips: list[Path], tmp_path: Path) -> None:
    if not (ASSETS / "yamnet.pt").is_file():
        pytest.skip("YAMNet weights absent (make default-model)")
    from aacap.encoders.yamnet import load_yamnet, num_patches

    out = tmp_path / "frames"
    assert main(["embed", str(clips[1]), "--encoder", "yamnet", "--weights", "default", "--out", str(out)]) == 0
    frames = np.load(out / "clip1.npy")
    wave = load_audio(clips[1], 16000)
    assert frames.shape == (num_patches(len(wave)), 1024)
    assert np.allclose(frames, reference_frames(load_yamnet(ASSETS / "yamnet.pt"), clips[1]), atol=1e-5)


def test_embed_cnn14_from_an_official_panns_checkpoint(clips: list[Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkpoint in PANNs' own format (`{'model': state_dict}`, as Cnn14_mAP=0.431.pth), made
    from panns-inference's Cnn14 with random weights: embed loads it by name and its frames are
    the encoder's."""
    home = tmp_path / "home"
    (home / "panns_data").mkdir(parents=True)  # panns_inference fetches this CSV at import otherwise
    (home / "panns_data" / "class_labels_indices.csv").write_text("index,mid,display_name\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MPLCONFIGDIR", str(home / "mpl"))
    models = pytest.importorskip("panns_inference.models", reason="panns-inference (test extra)")
    torch.manual_seed(0)
    ref = models.Cnn14(sample_rate=32000, window_size=1024, hop_size=320, mel_bins=64, fmin=50,
                       fmax=14000, classes_num=527)
    path = tmp_path / "Cnn14_random.pth"
    torch.save({"model": ref.state_dict(), "iteration": 0}, path)
    del ref
    out = tmp_path / "frames"
    assert main(["embed", str(clips[0]), "--encoder", "cnn14", "--weights", str(path), "--out", str(out)]) == 0
    from aacap.encoders.cnn14 import Cnn14Encoder, load_panns_checkpoint

    encoder = load_panns_checkpoint(Cnn14Encoder(), path)
    frames = np.load(out / "clip0.npy")
    assert frames.shape[1] == 2048
    assert np.allclose(frames, reference_frames(encoder, clips[0]), atol=1e-5)
