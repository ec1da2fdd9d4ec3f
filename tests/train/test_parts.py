"""The pieces of the training loop, checked against their definitions."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from aacap.train import load_recipe, recipe_names
from aacap.train.augment import mix, mixup_pairs, spec_augment
from aacap.train.data import epoch_examples, global_batches, Clip
from aacap.train.loop import lr_factor, token_loss


def test_lr_schedule_warmup_then_cosine() -> None:
    assert [lr_factor(s, 4, 20, 0.0) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert lr_factor(4, 4, 20, 0.0) == 1.0
    assert lr_factor(12, 4, 20, 0.0) == pytest.approx(0.5)  # half way through the cosine
    assert lr_factor(20, 4, 20, 0.1) == pytest.approx(0.1)
    assert lr_factor(100, 4, 20, 0.1) == pytest.approx(0.1)  # stays at the floor


def test_token_loss_is_the_mean_over_all_targets() -> None:
    torch.manual_seed(0)
    logits = torch.randn(3, 5, 11)
    tokens = torch.tensor([[1, 4, 5, 6, 2, 0], [1, 7, 2, 0, 0, 0], [1, 8, 9, 10, 4, 2]])
    n = int((tokens[:, 1:] != 0).sum())
    ref = F.cross_entropy(logits.flatten(0, 1), tokens[:, 1:].flatten(), ignore_index=0,
                          label_smoothing=0.1)
    assert torch.allclose(token_loss(logits, tokens, 0, 0.1, n), ref, atol=1e-6)
    # two halves normalised by the global count add up to the whole
    halves = token_loss(logits[:1], tokens[:1], 0, 0.1, n) + token_loss(logits[1:], tokens[1:], 0, 0.1, n)
    assert torch.allclose(halves, ref, atol=1e-6)


def test_epoch_order_depends_on_seed_and_epoch_only() -> None:
    clips = [Clip(str(i), "", [f"c{i}{j}" for j in range(3)], None) for i in range(7)]
    a = epoch_examples(clips, 1, 0, "all")
    assert a == epoch_examples(clips, 1, 0, "all")
    assert sorted(a) == [(i, j) for i in range(7) for j in range(3)]
    assert a != epoch_examples(clips, 1, 1, "all") and a != epoch_examples(clips, 2, 0, "all")
    one = epoch_examples(clips, 1, 0, "one")
    assert sorted(i for i, _ in one) == list(range(7))
    batches = global_batches(a, 4, world=2)  # 21 examples: 5 of 4 and a last one of 1, dropped
    assert [len(b) for b in batches] == [4, 4, 4, 4, 4]


def test_spec_augment_masks_stripes_within_ratio() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.ones(8, 50, 20)
    y = spec_augment(x, 2, 0.1, 2, 0.1, g)
    assert ((y == 0) | (y == 1)).all() and (y == 0).any()
    for b in range(8):
        masked_t = (y[b] == 0).all(dim=1).sum()  # time steps zeroed across every channel
        masked_f = (y[b] == 0).all(dim=0).sum()
        assert masked_t <= 2 * 5 and masked_f <= 2 * 2
    again = spec_augment(x, 2, 0.1, 2, 0.1, torch.Generator().manual_seed(0))
    assert torch.equal(y, again)


def test_mixup_mixes_inputs_with_a_beta_weight() -> None:
    g = torch.Generator().manual_seed(0)
    lams = [mixup_pairs(4, 0.4, g)[1] for _ in range(200)]
    assert all(0.0 < v < 1.0 for v in lams)
    assert abs(sum(lams) / len(lams) - 0.5) < 0.1  # Beta(a, a) has mean 1/2
    x = torch.arange(12.0).view(3, 4)
    perm = torch.tensor([2, 0, 1])
    y, lengths = mix(x, torch.tensor([4, 2, 3]), perm, 0.25)
    assert torch.allclose(y, 0.25 * x + 0.75 * x[perm])
    assert lengths.tolist() == [4, 4, 3]


@pytest.mark.parametrize("name", recipe_names())
def test_recipes_resolve(name: str) -> None:
    cfg = load_recipe(name)
    assert cfg.source, f"recipe {name} must say where its settings come from"
    config = cfg.model_config()
    assert config.decoder in ("rnn", "transformer")
    assert cfg.train and all("task" in e for e in cfg.train)


def test_overrides_reach_nested_model_fields() -> None:
    cfg = load_recipe("synth-tiny", ["lr=0.002", "model.decoder_args.num_layers=1", "epochs=3"])
    assert cfg.lr == 0.002 and cfg.epochs == 3
    assert cfg.model_config().decoder_args["num_layers"] == 1
    with pytest.raises(ValueError, match="unknown key"):
        load_recipe("synth-tiny", ["learning_rate=1"])
    assert math.isclose(load_recipe("synth-tiny").lr, 1e-3)


@pytest.mark.parametrize("rate, channels, seconds, fmt", [
    (44100, 2, 10, "WAV"), (32000, 1, 10, "WAV"), (16000, 1, 10, "WAV"), (44100, 1, 2, "WAV"),
    (44100, 2, 10, "MP3"), (48000, 1, 6, "OGG")])
def test_a_cut_clip_is_the_start_of_the_whole_one(tmp_path, rate: int, channels: int,
                                                  seconds: int, fmt: str) -> None:
    """`max_samples` reads only the start of a file; the samples are those of the whole file read
    and cut (a clip shorter than the cut comes whole), compressed formats included."""
    import numpy as np
    import soundfile as sf

    from aacap.audio import load_audio
    from aacap.train.data import InputSource

    path = tmp_path / f"noise.{fmt.lower()}"
    noise = 0.3 * np.random.default_rng(0).standard_normal((rate * seconds, channels))
    sf.write(path, noise.astype(np.float32), rate, format=fmt)
    cut = InputSource([Clip("a", str(path), ["x"], None)], sample_rate=32000, max_samples=4 * 32000)
    whole = load_audio(path, 32000)
    assert np.array_equal(cut[0].numpy(), whole[: 4 * 32000])
