"""The synthetic corpus: Clotho's layout read back by the Clotho reader, disjoint splits,
deterministic output, captions that match how the clip was mixed."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.data.clotho import prepare_clotho, read_metadata_csv
from aacap.data.manifest import Problems
from aacap.data.sounds import LabelledSound, list_sounds
from aacap.data.synth import (SynthConfig, make_captions, split_recordings, synthesize,
                              trim_silence)

RATE = 16000
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "sounds"
CFG = SynthConfig(n_clips=40, seed=3, sample_rate=RATE, min_clip_s=3.0, max_clip_s=5.0)


@pytest.fixture(scope="module")
def fake_sounds(tmp_path_factory: pytest.TempPathFactory) -> list[LabelledSound]:
    """8 concepts x 3 recordings (2 takes of one of them): tones, chirps and noise, 0.3-3 s."""
    root = tmp_path_factory.mktemp("sounds")
    rng = np.random.default_rng(0)
    out = []
    for c in range(8):
        for g in range(3):
            seconds = [0.3, 1.0, 3.0][(c + g) % 3]
            t = np.arange(int(seconds * RATE)) / RATE
            x = 0.2 * np.sin(2 * np.pi * (200 + 150 * c + 20 * g) * t) + rng.normal(0, 0.02, len(t))
            x = np.concatenate([np.zeros(800), x, np.zeros(800)]).astype(np.float32)
            for take in (1, 2) if g == 0 else (1,):
                path = root / f"c{c}_g{g}.{take}.wav"
                sf.write(path, x, RATE)
                out.append(LabelledSound(path, f"concept{c}", (f"thing {c} sounding",
                                                               f"object {c} humming"),
                                         "test", f"test:c{c}_g{g}"))
    return out


@pytest.fixture(scope="module")
def corpus(fake_sounds, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    assert synthesize(fake_sounds, out, CFG) == {"development": 28, "validation": 6,
                                                 "evaluation": 6}
    return out


def _events(out: Path) -> list[dict[str, str]]:
    with open(out / "synth_events.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_reads_back_through_the_clotho_reader(corpus: Path) -> None:
    problems = Problems()
    items = prepare_clotho(corpus, problems=problems)
    assert not problems and len(items) == 40
    assert [sum(i.split == s for i in items) for s in ("dev", "val", "eval")] == [28, 6, 6]
    for item in items:
        assert len(item.captions) == 5 and len(set(item.captions)) == 5
        assert all(c[0].isupper() and c.endswith(".") for c in item.captions)
        assert 3.0 <= item.duration_s <= 5.0
        assert sf.info(item.audio).samplerate == RATE
    meta = read_metadata_csv(corpus / "clotho_metadata_validation.csv")
    assert len(meta) == 6 and all(m["keywords"].startswith("concept") for m in meta.values())


def test_splits_share_no_source_recording(corpus: Path, fake_sounds) -> None:
    groups: dict[str, set[str]] = {}
    for e in _events(corpus):
        groups.setdefault(e["split"], set()).add(e["group"])
    assert set(groups) == {"development", "validation", "evaluation"}
    assert not groups["development"] & groups["validation"]
    assert not groups["development"] & groups["evaluation"]
    assert not groups["validation"] & groups["evaluation"]
    pools = split_recordings(fake_sounds, seed=3)
    for split, sounds in pools.items():  # each concept with 3 groups reaches every split
        assert len({s.concept for s in sounds}) == 8, split


def test_captions_follow_the_mix(corpus: Path) -> None:
    by_clip: dict[str, list[dict[str, str]]] = {}
    for e in _events(corpus):
        by_clip.setdefault(e["file_name"], []).append(e)
    captions = {i.audio.rsplit("/", 1)[1]: i.captions for i in prepare_clotho(corpus)}
    relations = set()
    for name, events in by_clip.items():
        relation = events[0]["relation"]
        relations.add(relation)
        has_bg = any(e["role"] == "background" for e in events)
        assert has_bg == (relation in ("background", "three"))
        assert all(("background" in c) == has_bg for c in captions[name]), captions[name]
        main = [e for e in events if e["role"] == "main"]
        if relation in ("followed_by", "three"):
            second = next(e for e in events if e["role"] == "second")
            assert float(second["onset_s"]) >= float(main[0]["onset_s"]) + float(main[0]["duration_s"])
        if relation == "repeat":
            assert len(main) >= 2
        if events[0]["loudness"] == "loud":
            assert sum("sound of" in c for c in captions[name]) == 3
    assert relations == {"single", "repeat", "followed_by", "while", "background", "three"}


def test_event_levels_are_what_the_events_file_says(corpus: Path) -> None:
    checked = 0
    for e in _events(corpus):
        if e["relation"] not in ("single", "repeat"):
            continue
        x, rate = sf.read(corpus / e["split"] / e["file_name"], dtype="float32")
        if np.max(np.abs(x)) >= 0.98:  # peak-limited clips are scaled down
            continue
        a = int(round(float(e["onset_s"]) * rate))
        seg = x[a: a + int(round(float(e["duration_s"]) * rate))]
        rms_db = 20 * np.log10(np.sqrt(np.mean(seg.astype(np.float64) ** 2)))
        assert abs(rms_db - float(e["level_db"])) < 0.5
        checked += 1
    assert checked >= 5


def test_same_seed_same_corpus_other_seed_other(fake_sounds, corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    synthesize(fake_sounds, again, CFG)
    for f in sorted(corpus.rglob("*")):
        if f.is_file():
            assert (again / f.relative_to(corpus)).read_bytes() == f.read_bytes(), f
    other = tmp_path / "other"
    synthesize(fake_sounds, other, SynthConfig(**{**CFG.__dict__, "seed": 4}))
    assert ((other / "clotho_captions_development.csv").read_text()
            != (corpus / "clotho_captions_development.csv").read_text())


def test_held_out_package_is_refused(fake_sounds, tmp_path: Path) -> None:
    bad = fake_sounds[:3] + [LabelledSound(fake_sounds[0].path, "x", ("x",), "0ad-data", "0ad:x")]
    with pytest.raises(ValueError, match="held-out"):
        synthesize(bad, tmp_path, CFG)


def test_captions_are_distinct_and_use_synonyms() -> None:
    rng = np.random.default_rng(0)
    caps = make_captions("while", [("a dog barking", "a barking dog"), ("rain falling",
                                                                        "rain pouring")],
                         "quiet", rng)
    assert len(set(caps)) == 5
    assert caps[0].startswith(("The faint", "The quiet", "The soft", "A dog barking"))
    assert "a barking dog" in " ".join(caps).lower() or "rain pouring" in " ".join(caps)


def test_trim_silence() -> None:
    x = np.concatenate([np.zeros(1600), np.ones(3200) * 0.5, np.zeros(1600)]).astype(np.float32)
    assert len(trim_silence(x, RATE)) == 3200


def test_real_recordings_build_a_corpus(tmp_path: Path) -> None:
    sounds = list_sounds(CACHE)
    if not sounds:
        pytest.skip(f"no recordings in {CACHE}: run `make sounds`")
    counts = synthesize(sounds, tmp_path, SynthConfig(n_clips=20, seed=0))
    problems = Problems()
    items = prepare_clotho(tmp_path, problems=problems)
    assert not problems and len(items) == sum(counts.values()) == 20
    assert all(len(set(i.captions)) == 5 for i in items)
