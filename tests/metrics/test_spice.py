"""Pure-Python SPICE: scene-graph rules, tuple F-score, agreement with the official values."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("spacy", reason="spaCy (metrics extra) not installed")
from aacap.metrics import spice as sp  # noqa: E402


@pytest.fixture(scope="module")
def graphs():
    try:
        sp._parser()
        sp.wordnet()
    except sp.SpiceUnavailable as e:
        pytest.skip(str(e))
    cache = sp.SceneGraphCache()
    return lambda captions: cache.get(captions)


def test_scene_graph_objects_attributes_relations(graphs) -> None:
    (g,) = graphs(["a small dog is barking at the red car in the street"])
    assert {("dog",), ("car",), ("street",)} <= g
    assert ("dog", "small") in g and ("car", "red") in g
    assert ("dog", "bark at", "car") in g
    (g,) = graphs(["birds are chirping"])
    assert g == {("bird",), ("bird", "chirp")}


def test_f_score_and_synonyms() -> None:
    wn = sp.wordnet()
    cand = {("dog",), ("dog", "bark")}
    assert sp.tuple_f1(cand, cand, wn) == 1.0
    assert sp.tuple_f1(cand, {("cat",)}, wn) == 0.0
    assert sp.tuple_f1(set(), cand, wn) == 0.0
    # car / automobile share a WordNet synset: P = 1/1, R = 1/2
    assert sp.tuple_f1({("car",)}, {("automobile",), ("road",)}, wn) == pytest.approx(2 / 3)
    assert wn.lookup("dogs") == wn.lookup("dog") != frozenset()


def test_cache_roundtrip(tmp_path, graphs) -> None:
    path = tmp_path / "g.json"
    cache = sp.SceneGraphCache(path)
    a = sp.spice(["a dog barks"], [["a dog is barking", "the cat sleeps"]], cache)
    b = sp.spice(["a dog barks"], [["a dog is barking", "the cat sleeps"]], sp.SceneGraphCache(path))
    assert path.is_file() and a[0] == b[0]


def test_agreement_with_official_spice(clotho: list[dict], graphs) -> None:
    """Regression guard on 300 Clotho items: the full-set figures (corpus 0.148 vs official
    0.1376, Pearson 0.878) are measured by benchmarks/metrics.py."""
    items = clotho[:300]
    corpus, per_item = sp.spice([d["candidate"] for d in items], [d["references"] for d in items],
                                sp.SceneGraphCache())
    official = np.array([d["scores"]["spice"] for d in items])
    assert abs(corpus["spice"] - official.mean()) < 0.03
    assert np.corrcoef(per_item["spice"], official)[0, 1] > 0.8
