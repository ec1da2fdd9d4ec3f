"""Logit filters keep exactly the tokens they should, on hand-made logits."""

from __future__ import annotations

import math

import torch

from aacap.decoding.filters import (
    MinLength, NoRepeatNgram, NoRepeatWords, Temperature, TopK, TopP, Typical, sampling_probs,
)
from aacap.decoding.options import DecodingOptions
from aacap.decoding.search import sample_inverse_cdf
from aacap.decoding.stopwords import STOPWORDS
from aacap.vocab import Vocabulary

INF = float("inf")


def kept(logits: torch.Tensor) -> list[list[int]]:
    return [torch.isfinite(row).nonzero()[:, 0].tolist() for row in logits]


def from_probs(*rows: list[float]) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float64).log().float()


def test_top_k_keeps_the_k_best() -> None:
    logits = torch.tensor([[0.1, 3.0, -1.0, 2.0, 0.5], [5.0, 4.0, 3.0, 2.0, 1.0]])
    TopK(2).apply(logits, torch.zeros(2, 1, dtype=torch.long))
    assert kept(logits) == [[1, 3], [0, 1]]
    assert logits[0, 1] == 3.0 and logits[0, 3] == 2.0  # survivors untouched
    one = torch.tensor([[0.1, 3.0, -1.0]])
    TopK(10).apply(one, torch.zeros(1, 1, dtype=torch.long))  # k > V keeps everything
    assert kept(one) == [[0, 1, 2]]


def test_top_p_keeps_the_smallest_nucleus() -> None:
    probs = [0.1, 0.5, 0.05, 0.3, 0.05]  # sorted: 1 (.5), 3 (.3), 0 (.1), 2/4 (.05)
    for p, expected in [(0.4, [1]), (0.75, [1, 3]), (0.85, [0, 1, 3]), (1.0, [0, 1, 2, 3, 4])]:
        logits = from_probs(probs)
        TopP(p).apply(logits, torch.zeros(1, 1, dtype=torch.long))
        assert kept(logits)[0] == expected, p
    tiny = from_probs([0.9, 0.1])
    TopP(1e-6).apply(tiny, torch.zeros(1, 1, dtype=torch.long))  # the best token always stays
    assert kept(tiny) == [[0]]


def test_sampling_probs_of_a_score_vector() -> None:
    """Temperature, then top-k, then top-p over what top-k kept (renormalised), as the decoders."""
    scores = torch.tensor([0.1, 0.5, 0.05, 0.3, 0.05], dtype=torch.float64).log()
    # temperature 0.5 squares the probabilities: .01 .25 .0025 .09 .0025 (sum .355); top-k 3
    # keeps .25 .09 .01 (sum .35), i.e. .714 .257 .029
    nucleus = DecodingOptions(method="sample", temperature=0.5, top_k=3, top_p=0.9)
    probs = sampling_probs(scores, nucleus)
    assert probs.shape == (5,)
    assert torch.allclose(probs, torch.tensor([0.0, 0.25, 0.0, 0.09, 0.0], dtype=torch.float64) / 0.34)
    assert torch.equal(sampling_probs(scores[None], nucleus)[0], probs)  # (R, V) alike
    # top-p 0.71 after top-k keeps one token (.714); over all five it would keep two (.704)
    one = DecodingOptions(method="sample", temperature=0.5, top_k=3, top_p=0.71)
    assert sampling_probs(scores, one).tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_typical_keeps_tokens_closest_to_the_entropy() -> None:
    probs = [0.4, 0.3, 0.2, 0.1]
    entropy = -sum(p * math.log(p) for p in probs)  # 1.2799 nats
    distance = [abs(-math.log(p) - entropy) for p in probs]  # .364, .076, .330, 1.023
    order = sorted(range(4), key=distance.__getitem__)
    assert order == [1, 2, 0, 3]
    for mass, expected in [(0.25, [1]), (0.45, [1, 2]), (0.85, [0, 1, 2]), (0.95, [0, 1, 2, 3])]:
        logits = from_probs(probs)
        Typical(mass).apply(logits, torch.zeros(1, 1, dtype=torch.long))
        assert kept(logits)[0] == expected, mass
    # impossible tokens stay impossible
    logits = torch.tensor([[0.0, -INF, 0.0]])
    Typical(0.99).apply(logits, torch.zeros(1, 1, dtype=torch.long))
    assert kept(logits) == [[0, 2]]


def test_temperature_scales_logits() -> None:
    logits = torch.tensor([[1.0, -2.0, 4.0]])
    Temperature(0.5).apply(logits, torch.zeros(1, 1, dtype=torch.long))
    assert logits.tolist() == [[2.0, -4.0, 8.0]]


def test_min_length_forbids_eos_until_enough_words() -> None:
    f = MinLength(eos_id=2, min_length=2)
    for generated, allowed in [(0, False), (1, False), (2, True), (5, True)]:
        logits = torch.zeros(3, 6)
        f.apply(logits, torch.ones(3, 1 + generated, dtype=torch.long))
        assert bool(torch.isfinite(logits[:, 2]).all()) is allowed
        assert torch.isfinite(logits[:, [0, 1, 3, 4, 5]]).all()


def test_no_repeat_words_allows_only_stopwords_to_repeat() -> None:
    vocab = Vocabulary.build("the a dog barks and the dog".split())
    f = NoRepeatWords.for_vocab(vocab)
    ids = vocab.index
    tokens = torch.tensor([[vocab.bos_id, ids["the"], ids["dog"], ids["and"]],
                           [vocab.bos_id, ids["barks"], ids["barks"], ids["a"]]])
    logits = torch.zeros(2, len(vocab))
    f.apply(logits, tokens)
    banned = [set(range(len(vocab))) - set(row) for row in kept(logits)]
    # the start token counts as seen (as in CoNeTTE); stopwords may repeat
    assert banned == [{vocab.bos_id, ids["dog"]}, {vocab.bos_id, ids["barks"]}]
    assert {"the", "a", "and", "while", "of"} <= STOPWORDS and "dog" not in STOPWORDS


def test_no_repeat_ngram() -> None:
    # generated: 5 6 7 5 6 -> next 7 would repeat (5 6 7) for n=3; for n=2, after "6": ban 7
    tokens = torch.tensor([[1, 5, 6, 7, 5, 6], [1, 5, 6, 7, 8, 9]])
    logits = torch.zeros(2, 10)
    NoRepeatNgram(3).apply(logits, tokens)
    assert [set(range(10)) - set(r) for r in kept(logits)] == [{7}, set()]
    logits = torch.zeros(2, 10)
    NoRepeatNgram(2).apply(logits, tokens)  # row 2 ends with 9, never followed before
    assert [set(range(10)) - set(r) for r in kept(logits)] == [{7}, set()]
    logits = torch.zeros(2, 10)
    NoRepeatNgram(1).apply(logits, tokens)
    assert [set(range(10)) - set(r) for r in kept(logits)] == [{5, 6, 7}, {5, 6, 7, 8, 9}]
    short = torch.zeros(1, 10)
    NoRepeatNgram(3).apply(short, torch.tensor([[1, 5, 6]]))
    assert kept(short) == [list(range(10))]


def test_inverse_cdf_sampling_never_draws_impossible_tokens_and_follows_probs() -> None:
    logits = from_probs([0.5, 0.0, 0.3, 0.2, 0.0]).expand(40000, 5).clone()
    g = torch.Generator().manual_seed(0)
    u = torch.rand(40000, generator=g, dtype=torch.float64)
    u[:3] = torch.tensor([0.0, 1.0 - 1e-16, 0.5])  # edges
    token = sample_inverse_cdf(logits, u)
    assert set(token.tolist()) == {0, 2, 3}
    freq = torch.bincount(token, minlength=5).double() / len(token)
    torch.testing.assert_close(freq, torch.tensor([0.5, 0.0, 0.3, 0.2, 0.0], dtype=torch.float64),
                               atol=0.01, rtol=0)


def test_top_k_keeps_the_first_of_tied_scores_and_top_p_reaches_a_rounded_mass() -> None:
    """Ties at the top-k cut keep the best-ranked (lowest index) entries, as a ranked pool
    needs; a mass of 0.7 + 0.2 reaches top_p = 0.9 although float32 sums it to 0.8999..."""
    tied = torch.tensor([1.0] + [0.3] * 20)
    kept = sampling_probs(tied, DecodingOptions(method="sample", top_k=5)).nonzero().flatten()
    assert kept.tolist() == [0, 1, 2, 3, 4]
    logits = torch.tensor([0.7, 0.2, 0.1]).log()
    kept = sampling_probs(logits, DecodingOptions(method="sample", top_p=0.9)).nonzero().flatten()
    assert kept.tolist() == [0, 1]
