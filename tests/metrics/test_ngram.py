"""BLEU, ROUGE-L, CIDEr-D against pycocoevalcap 1.2's scorers (pure Python there too)."""

from __future__ import annotations

import numpy as np
import pytest

from aacap.metrics import ngram
from aacap.metrics.tokenizer import tokenize

coco_bleu = pytest.importorskip("pycocoevalcap.bleu.bleu", reason="pycocoevalcap (test reference) not installed")
from pycocoevalcap.cider.cider import Cider  # noqa: E402
from pycocoevalcap.rouge.rouge import Rouge  # noqa: E402


def reference_scores(cands: list[str], refs: list[list[str]]) -> dict[str, tuple[float, np.ndarray]]:
    res = {i: [c] for i, c in enumerate(cands)}
    gts = {i: r for i, r in enumerate(refs)}
    out = {}
    b, bs = coco_bleu.Bleu(4).compute_score(gts, res, verbose=0)
    for k in range(4):
        out[f"bleu_{k + 1}"] = (b[k], np.array(bs[k]))
    out["rouge_l"] = Rouge().compute_score(gts, res)
    out["cider_d"] = Cider().compute_score(gts, res)
    return out


def ours(cands: list[str], refs: list[list[str]]) -> dict[str, tuple[float, np.ndarray]]:
    out = {}
    for fn in (ngram.bleu, ngram.rouge_l, ngram.cider_d):
        corpus, items = fn(cands, refs)
        out.update({k: (corpus[k], items[k]) for k in corpus})
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k][0] == pytest.approx(b[k][0], abs=1e-9, rel=0), k
        np.testing.assert_allclose(a[k][1], b[k][1], rtol=0, atol=1e-9, err_msg=k)


@pytest.mark.parametrize("seed", range(4))
def test_generated_sets_equal_pycocoevalcap(seed: int, gen) -> None:
    cands, refs = gen(seed, punct=seed % 2 == 1)
    cands, refs = tokenize(cands), [tokenize(r) for r in refs]
    assert_same(ours(cands, refs), reference_scores(cands, refs))


def test_one_and_fifty_references(gen) -> None:
    cands, refs = gen(7, n=20)
    refs = [r[:1] if i % 2 else (r * 50)[:50] for i, r in enumerate(refs)]
    assert_same(ours(cands, refs), reference_scores(cands, refs))


def test_single_item_and_identity() -> None:
    # One item, candidate equal to its reference: BLEU 1, ROUGE-L 1; CIDEr-D is 0 (idf of a
    # one-document corpus is log(1) - log(1) = 0) in both implementations.
    cands, refs = ["a dog barks at the man"], [["a dog barks at the man"]]
    got = ours(cands, refs)
    assert got["bleu_4"][0] == pytest.approx(1.0, abs=1e-6)
    assert got["rouge_l"][0] == 1.0
    assert_same(got, reference_scores(cands, refs))


def test_clotho_equal_pycocoevalcap_and_official(clotho: list[dict], clotho_corpus: dict) -> None:
    cands = tokenize([d["candidate"] for d in clotho])
    refs = [tokenize(d["references"]) for d in clotho]
    got = ours(cands, refs)
    assert_same(got, reference_scores(cands, refs))
    for k in got:
        assert got[k][0] == pytest.approx(clotho_corpus[k], abs=1e-6), k
    official_rouge = np.array([d["scores"]["rouge_l"] for d in clotho])
    np.testing.assert_allclose(got["rouge_l"][1], official_rouge, atol=1e-6)


def test_lcs_matches_dynamic_programming() -> None:
    import random

    rng = random.Random(0)
    for _ in range(300):
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 12))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 12))]
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a)):
            for j in range(len(b)):
                table[i + 1][j + 1] = table[i][j] + 1 if a[i] == b[j] else max(table[i][j + 1], table[i + 1][j])
        assert ngram._lcs(a, b) == table[-1][-1]
