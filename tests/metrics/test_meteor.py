"""The pure-Python METEOR 1.5 port against the official values and the jar."""

from __future__ import annotations

import numpy as np
import pytest

from aacap.metrics.tokenizer import tokenize

pytest.importorskip("snowballstemmer", reason="snowballstemmer (metrics extra) not installed")
from aacap.metrics import meteor as mt  # noqa: E402


@pytest.fixture(scope="module")
def port(_private_cache) -> "mt.Meteor":
    if not mt.Paraphrases.index_path().is_file():
        pytest.skip("METEOR paraphrase index not built: run `make metrics-meteor` (about a minute)")
    try:
        return mt.Meteor()
    except mt.MeteorUnavailable as e:
        pytest.skip(str(e))


def test_clotho_equals_official(port, clotho: list[dict], clotho_corpus: dict) -> None:
    cands = tokenize([d["candidate"] for d in clotho])
    refs = [tokenize(d["references"]) for d in clotho]
    corpus, items = port.score(cands, refs)
    assert corpus["meteor"] == pytest.approx(clotho_corpus["meteor"], abs=1e-12)
    official = np.array([d["scores"]["meteor"] for d in clotho])
    np.testing.assert_allclose(items["meteor"], official, rtol=0, atol=1e-12)


def test_identical_and_disjoint() -> None:
    stats = mt.Stats(test_len=3, ref_len=3, test_content=[3.0, 0, 0, 0], ref_content=[3.0, 0, 0, 0],
                     chunks=1, test_words=3, ref_words=3)
    assert stats.score() == pytest.approx(1.0)  # perfect match: no fragmentation penalty
    assert mt.Stats(test_len=2, ref_len=2).score() == 0.0
    assert mt._java_hash("hello") == 99162322 and mt._java_hash("\u00e9t\u00e9") == 227742  # values from Java
