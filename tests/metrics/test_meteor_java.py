"""METEOR through the official jar in one persistent JVM (one JVM for this whole module)."""

from __future__ import annotations

import numpy as np
import pytest

from aacap.metrics.java import JavaUnavailable
from aacap.metrics.tokenizer import tokenize


@pytest.fixture(scope="module")
def meteor():
    from aacap.metrics.meteor_java import MeteorJava

    try:
        m = MeteorJava()
    except JavaUnavailable as e:
        pytest.skip(str(e))
    with m:
        yield m


def test_clotho_equals_official(meteor, clotho: list[dict], clotho_corpus: dict) -> None:
    cands = tokenize([d["candidate"] for d in clotho])
    refs = [tokenize(d["references"]) for d in clotho]
    corpus, items = meteor.score(cands, refs)
    assert corpus["meteor"] == pytest.approx(clotho_corpus["meteor"], abs=1e-9)
    official = np.array([d["scores"]["meteor"] for d in clotho])
    np.testing.assert_allclose(items["meteor"], official, rtol=0, atol=1e-9)


def test_same_process_serves_many_calls(meteor) -> None:
    a = meteor.score(["a dog barks"], [["a dog is barking", "dogs bark"]])
    b = meteor.score(["a dog barks", "rain falls"], [["a dog is barking", "dogs bark"], ["rain is falling"]])
    assert a[1]["meteor"][0] == pytest.approx(b[1]["meteor"][0])
    assert 0 < a[0]["meteor"] < 1


def test_separator_and_empty_inputs(meteor) -> None:
    corpus, items = meteor.score(["a ||| b", ""], [["a b"], ["x"]])
    assert items["meteor"].shape == (2,)
    assert items["meteor"][1] == 0.0


def test_hard_captions(meteor) -> None:
    cands = tokenize(["", "caf\u00e9 na\u00efve \u201cquoted\u201d", "line\nbreak\tand tab", "?!...,"])
    refs = [tokenize(r) for r in (["a dog"], ["cafe naive quoted"], ["line break and tab"], [f"r {i}" for i in range(50)])]
    corpus, items = meteor.score(cands, refs)
    assert items["meteor"][2] > 0.9  # same words, one chunk
    assert items["meteor"][0] == 0.0 and np.isfinite(items["meteor"]).all()


def test_python_port_equals_jar_on_raw_and_generated_inputs(meteor, gen) -> None:
    """Untokenised text exercises METEOR's own normaliser (punctuation, contractions, dots)."""
    pytest.importorskip("snowballstemmer", reason="snowballstemmer (metrics extra) not installed")
    from aacap.metrics import meteor as mt

    if not mt.Paraphrases.index_path().is_file():
        pytest.skip("METEOR paraphrase index not built: run `make metrics-meteor` (about a minute)")
    cands, refs = gen(11, n=80, punct=True)
    cands += ["Mr. Smith's dog... doesn't bark!", "U.S.-based co-op, 1,000 $5", "", "a", "\u201cquoted\u201d \u2013 dash"]
    refs += [["mr smith 's dog does n't bark"], ["us based co op 1,000 $ 5"], ["x"], ["a"], ['"quoted" - dash']]
    expected = meteor.score(cands, refs)
    got = mt.Meteor().score(cands, refs)
    assert got[0]["meteor"] == pytest.approx(expected[0]["meteor"], abs=1e-12)
    np.testing.assert_allclose(got[1]["meteor"], expected[1]["meteor"], rtol=0, atol=1e-12)
