"""ConvNeXt encoder: parity with conette 0.3.2's own encoder (run in its separate venv),
CoNeTTE state_dict loading, CoNeTTE's frame-length rule, tiny configs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import torch

from aacap.encoders import build_encoder, convnext
from aacap.encoders.convnext import ConvNextConfig, ConvNextEncoder, load_conette_encoder_state
from aacap.features import TORCHLIBROSA_KEYS

REPO = Path(__file__).resolve().parents[2]
# conette==0.3.2 lives in its own virtualenv (`make conette-venv`, see mk/conette.mk).
_CANDIDATES = [REPO / ".cache" / "venvs" / "conette" / "bin" / "python", REPO.parent / "venvs" / "conette" / "bin" / "python"]
CONETTE_PYTHON = Path(
    os.environ.get("AACAP_CONETTE_PYTHON") or next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])
)
TINY = ConvNextConfig(n_mels=64, depths=(1, 1, 2, 1), dims=(8, 16, 16, 32))

# Runs in the conette venv: conette's ConvNeXt-Tiny exactly as CoNeTTEPreprocessor builds it,
# random weights, on a 2-clip batch; saves its state_dict, inputs and frame outputs. The
# `conette` package is entered without running its __init__ (which builds the whole captioning
# stack: transformers, spaCy, ...); only the encoder's own modules are imported.
CONETTE_SCRIPT = r"""
import importlib.util, sys, types, torch
spec = importlib.util.find_spec("conette")
package = types.ModuleType("conette"); package.__path__ = list(spec.submodule_search_locations)
sys.modules["conette"] = package
from conette.nn.encoders.convnext import convnext_tiny
torch.manual_seed(0)
model = convnext_tiny(pretrained=False, strict=False, drop_path_rate=0.0, after_stem_dim=[252, 56],
    use_speed_perturb=False, waveform_input=True, use_specaug=False, return_clip_outputs=True,
    return_frame_outputs=True).eval()
with torch.no_grad():
    for p in model.parameters():
        if p.requires_grad:  # the frozen STFT/mel tensors stay as torchlibrosa made them
            p.add_(0.05 * torch.randn_like(p))
    model.bn0.running_mean.uniform_(-30.0, -10.0); model.bn0.running_var.uniform_(50.0, 200.0)
wave = 0.1 * torch.randn(2, 64000); shapes = torch.tensor([[64000], [41000]])
with torch.inference_mode():
    out = model(wave, shapes)
torch.save({"state": {"preprocessor.encoder." + k: v for k, v in model.state_dict().items()},
    "wave": wave, "lengths": shapes[:, 0], "frames": out["frame_embs"], "frame_lengths": out["frame_embs_lens"]},
    sys.argv[1])
"""


@pytest.mark.skipif(
    not CONETTE_PYTHON.exists(),
    reason=f"no conette==0.3.2 virtualenv at {CONETTE_PYTHON}: run `make conette-venv` or set AACAP_CONETTE_PYTHON",
)
def test_parity_with_conette_encoder(tmp_path: Path) -> None:
    out = tmp_path / "conette_encoder.pt"
    run = subprocess.run([str(CONETTE_PYTHON), "-c", CONETTE_SCRIPT, str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    ref = torch.load(out, weights_only=True)
    encoder = load_conette_encoder_state(ConvNextEncoder(), ref["state"]).eval()  # prefix auto-detected
    with torch.inference_mode():
        frames, lengths = encoder(ref["wave"], ref["lengths"])
    want = ref["frames"].transpose(1, 2)  # conette: (B, 768, T)
    assert frames.shape == want.shape == (2, 6, 768)
    assert ((frames - want).abs().max() / want.abs().max()).item() < 7.9e-6  # 10x the README's
    assert lengths.tolist() == ref["frame_lengths"].tolist() == [6, 4]


def conette_like_state(encoder: ConvNextEncoder) -> dict[str, torch.Tensor]:
    """Our weights under CoNeTTE's names, plus what CoNeTTE's state_dict has beyond them."""
    stft = pytest.importorskip("torchlibrosa.stft", reason="torchlibrosa makes the reference front-end tensors")
    n_mels = encoder.cfg.n_mels
    state = dict(encoder.state_dict())
    state.update({f"spectrogram_extractor.{k}": v for k, v in stft.Spectrogram(n_fft=1024, hop_length=320).state_dict().items()})
    state.update({f"logmel_extractor.{k}": v for k, v in stft.LogmelFilterBank(sr=32000, n_fft=1024, n_mels=n_mels, fmin=50, fmax=14000).state_dict().items()})
    dim = encoder.out_dim
    state.update({"norm.weight": torch.ones(dim), "norm.bias": torch.zeros(dim), "head_audioset.weight": torch.zeros(527, dim), "head_audioset.bias": torch.zeros(527)})
    return state


def test_state_dict_loading_is_strict() -> None:
    torch.manual_seed(0)
    source = ConvNextEncoder(TINY)
    state = conette_like_state(source)
    assert set(TORCHLIBROSA_KEYS) <= set(state)
    target = load_conette_encoder_state(ConvNextEncoder(TINY), state, prefix="")
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key
    with pytest.raises(ValueError, match="missing.*stages.2.1.dwconv.weight"):
        load_conette_encoder_state(ConvNextEncoder(TINY), {k: v for k, v in state.items() if k != "stages.2.1.dwconv.weight"})
    with pytest.raises(ValueError, match="unexpected.*stages.4"):
        load_conette_encoder_state(ConvNextEncoder(TINY), {**state, "stages.4.0.dwconv.weight": torch.zeros(1)})
    with pytest.raises(ValueError, match="no CoNeTTE encoder weights"):
        load_conette_encoder_state(ConvNextEncoder(TINY), state, prefix="model.")


def test_tiny_encoder_shapes_and_frame_lengths(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    encoder = ConvNextEncoder(TINY).eval()
    wave = 0.1 * torch.randn(3, 32_000)
    lengths = torch.tensor([32_000, 16_000, 50])
    with torch.inference_mode():
        frames, frame_lengths = encoder(wave, lengths)
        logmel, mel_lengths = encoder.frontend(wave, lengths)
        from_logmel, from_logmel_lengths = encoder.forward_logmel(logmel, mel_lengths)
        alone, _ = encoder(wave[1:2], lengths[1:2])
    n_mel_frames = 1 + 32_000 // 320  # 101
    n_frames = ((n_mel_frames + 2 * 4 - 4) // 4 + 1) // 8  # stem (padded by 4 in time), 3 x /2
    assert frames.shape == (3, n_frames, 32) == (3, 3, 32)
    # CoNeTTE's rule: round(length / (padded samples // frames)), here 32000 // 3 = 10666.
    assert frame_lengths.tolist() == [3, 2, 1]  # 16000 / 10666 = 1.5 -> 2; 50 -> 0 -> at least 1
    assert torch.equal(frames, from_logmel) and from_logmel_lengths.tolist() == [3, 2, 1]
    assert torch.allclose(frames[1], alone[0], atol=1e-5)
    monkeypatch.setattr(convnext, "INFERENCE_CHUNK_FRAMES", 101)  # one clip per chunk
    with torch.inference_mode():
        chunked, _ = encoder(wave, lengths)
    assert torch.allclose(chunked, frames, atol=1e-6)
    with torch.inference_mode():
        short, short_lengths = encoder(torch.randn(1, 300), torch.tensor([300]))
    assert short.shape == (1, 1, 32) and short_lengths.tolist() == [1]


def test_full_size_and_config() -> None:
    encoder = ConvNextEncoder()
    assert encoder.out_dim == 768 and encoder.sample_rate == 32_000
    n_params = sum(p.numel() for p in encoder.parameters())
    assert 27_000_000 < n_params < 28_500_000  # ConvNeXt-Tiny without its head: ~27.8 M
    with torch.inference_mode():
        frames, lengths = encoder.eval()(0.1 * torch.randn(1, 320_000), torch.tensor([320_000]))
    assert frames.shape == (1, 31, 768) and lengths.tolist() == [31]  # 10 s -> 31 frames, as CoNeTTE
    assert ConvNextConfig.from_dict(json.loads(json.dumps(TINY.to_dict()))) == TINY
    assert isinstance(build_encoder("cnext", TINY.to_dict()), ConvNextEncoder)
    with pytest.raises(ValueError, match="4 depths"):
        ConvNextConfig(depths=(3, 3))
