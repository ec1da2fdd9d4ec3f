"""Decoding properties on tiny random decoders (transformer and LSTM, via the `model` fixture):
beam 1 = greedy, top-k 1 = greedy, temperature -> 0 = greedy, cache = no cache, seeds, n-best."""

from __future__ import annotations

import pytest
import torch

from aacap.decoding import Candidate, DecodingOptions, decode
from aacap.decoding.stopwords import STOPWORDS
from aacap.model import Memory

from tinydec import TinyModel, random_memory


def tokens_of(nbest: list[list[Candidate]]) -> list[list[list[int]]]:
    return [[c.tokens for c in cands] for cands in nbest]


def assert_same(a: list[list[Candidate]], b: list[list[Candidate]]) -> None:
    assert tokens_of(a) == tokens_of(b)
    for ca, cb in zip(a, b):
        for x, y in zip(ca, cb):
            assert x.logprob == pytest.approx(y.logprob, abs=1e-4)
            assert x.score == pytest.approx(y.score, abs=1e-4)


def opts(**kw) -> DecodingOptions:
    return DecodingOptions(**{"no_repeat": "none", "max_length": 12, **kw})


def test_greedy_captions_vary_and_end(model: TinyModel, memory: Memory) -> None:
    out = decode(model, memory, opts(method="greedy"))
    assert len(out) == 5 and all(len(c) == 1 for c in out)
    lengths = {len(c[0].tokens) for c in out}
    assert len(lengths) > 1, "the tiny model should produce captions of varied lengths"
    assert all(c[0].caption == model.vocab.decode(c[0].tokens) for c in out)


@pytest.mark.parametrize("no_repeat", ["none", "words"])
def test_beam_1_equals_greedy(model: TinyModel, memory: Memory, no_repeat: str) -> None:
    greedy = decode(model, memory, opts(method="greedy", no_repeat=no_repeat))
    beam = decode(model, memory, opts(method="beam", beam_size=1, no_repeat=no_repeat))
    assert_same(greedy, beam)


@pytest.mark.parametrize("sampling", [{"top_k": 1}, {"temperature": 0.0}, {"temperature": 1e-4},
                                      {"top_k": 1, "top_p": 0.5, "typical_p": 0.5}])
def test_degenerate_sampling_equals_greedy(model: TinyModel, memory: Memory, sampling) -> None:
    greedy = decode(model, memory, opts(method="greedy", min_length=2))
    sampled = decode(model, memory, opts(method="sample", seed=3, min_length=2, **sampling))
    assert_same(greedy, sampled)


@pytest.mark.parametrize("method", [{"method": "greedy"}, {"method": "beam", "beam_size": 4},
                                    {"method": "sample", "num_candidates": 3, "seed": 0,
                                     "top_p": 0.9}])
def test_cache_equals_no_cache(model: TinyModel, memory: Memory, method) -> None:
    cached = decode(model, memory, opts(no_repeat="words", **method))
    uncached = decode(model, memory, opts(no_repeat="words", use_cache=False, **method))
    assert_same(cached, uncached)


def test_logprob_is_the_teacher_forced_sum(model: TinyModel, memory: Memory) -> None:
    """Without constraints, a candidate's logprob equals the decoder's own teacher-forced
    log-likelihood of its tokens (plus <eos> when it ended by itself)."""
    out = decode(model, memory, opts(method="beam", beam_size=3))
    vocab = model.vocab
    for i, cands in enumerate(out):
        for c in cands:
            ended = len(c.tokens) < 12
            seq = torch.tensor([[vocab.bos_id, *c.tokens, *([vocab.eos_id] if ended else [])]])
            with torch.no_grad():
                logp = model.decoder(seq[:, :-1], memory.frames[i:i + 1],
                                     memory.mask[i:i + 1]).log_softmax(-1)
            expected = logp[0].gather(1, seq[0, 1:, None]).sum().item()
            assert c.logprob == pytest.approx(expected, abs=1e-4)
            assert c.score == pytest.approx(expected / (seq.shape[1] - 1), abs=1e-5)


def test_nbest_is_distinct_and_sorted(model: TinyModel, memory: Memory) -> None:
    for penalty in (0.0, 1.0):
        out = decode(model, memory, opts(method="beam", beam_size=5, length_penalty=penalty))
        for cands in out:
            assert len(cands) == 5
            assert len({tuple(c.tokens) for c in cands}) == 5
            scores = [c.score for c in cands]
            assert scores == sorted(scores, reverse=True)
            if penalty == 0.0:
                assert scores == [c.logprob for c in cands]
    fewer = decode(model, memory, opts(method="beam", beam_size=5, num_candidates=2))
    assert tokens_of(fewer) == [t[:2] for t in tokens_of(out)]
    samples = decode(model, memory, opts(method="sample", num_candidates=6, seed=1))
    for cands in samples:
        assert len(cands) == 6 and [c.score for c in cands] == sorted(
            (c.score for c in cands), reverse=True)


def test_beam_beats_or_matches_greedy_on_the_search_objective(model, memory) -> None:
    greedy = decode(model, memory, opts(method="greedy", length_penalty=0.0))
    beam = decode(model, memory, opts(method="beam", beam_size=4, length_penalty=0.0))
    wins = sum(b[0].logprob >= g[0].logprob - 1e-5 for g, b in zip(greedy, beam))
    assert wins >= 4  # shrinking beams may, rarely, lose the greedy path


def test_batching_does_not_change_results(model: TinyModel) -> None:
    """A clip decoded in a padded batch gets what it gets alone (unpadded)."""
    memory = random_memory(B=4)
    options = [opts(method="beam", beam_size=3, no_repeat="words"),
               opts(method="sample", seed=11, num_candidates=2, top_k=5)]
    for o in options:
        batched = decode(model, memory, o)
        for i in range(4):
            n = int(memory.mask[i].sum())
            alone = Memory(memory.frames[i:i + 1, :n], memory.mask[i:i + 1, :n])
            assert_same([batched[i]], decode(model, alone, o, first_index=i))


def test_same_seed_same_samples_on_any_batch_size(model: TinyModel) -> None:
    memory = random_memory(B=6)
    o = opts(method="sample", seed=42, num_candidates=3, temperature=1.5)
    whole = decode(model, memory, o)
    assert_same(whole, decode(model, memory, o))
    chunked = []
    for start in (0, 2, 3):  # chunks of 2, 1 and 3 clips
        stop = {0: 2, 2: 3, 3: 6}[start]
        part = Memory(memory.frames[start:stop], memory.mask[start:stop])
        chunked += decode(model, part, o, first_index=start)
    assert_same(whole, chunked)
    other = decode(model, memory, opts(method="sample", seed=43, num_candidates=3,
                                       temperature=1.5))
    assert tokens_of(other) != tokens_of(whole)
    torch.manual_seed(5)
    a = decode(model, memory, opts(method="sample", num_candidates=3, temperature=1.5))
    torch.manual_seed(5)
    assert tokens_of(a) == tokens_of(
        decode(model, memory, opts(method="sample", num_candidates=3, temperature=1.5)))


def test_length_limits_and_repetition_rules(model: TinyModel, memory: Memory) -> None:
    vocab = model.vocab
    for o in [opts(method="beam", min_length=4, max_length=6),
              opts(method="sample", min_length=3, max_length=5, num_candidates=4, seed=2)]:
        for cands in decode(model, memory, o):
            for c in cands:
                assert o.min_length <= len(c.tokens) <= o.max_length
                assert vocab.eos_id not in c.tokens
    o = opts(method="sample", num_candidates=4, seed=7, temperature=2.0, max_length=20)
    free = decode(model, memory, o)
    assert any(len(set(c.tokens)) < len(c.tokens) for cands in free for c in cands), \
        "hot sampling without a rule should repeat some word"
    for rule in ("words", "ngram:2"):
        ruled = decode(model, memory, DecodingOptions(**{**o.__dict__, "no_repeat": rule}))
        for cands in ruled:
            for c in cands:
                words = [vocab.tokens[t] for t in c.tokens]
                if rule == "words":
                    content = [w for w in words if w not in STOPWORDS]
                    assert len(set(content)) == len(content), words
                else:
                    pairs = list(zip(words, words[1:]))
                    assert len(set(pairs)) == len(pairs), words


def test_task_token_and_training_mode(model: TinyModel, memory: Memory) -> None:
    plain = decode(model, memory, opts(method="greedy"))
    clotho = decode(model, memory, opts(method="greedy", task="clotho"))
    assert [c[0].logprob for c in plain] != pytest.approx([c[0].logprob for c in clotho])
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        decode(model, memory, opts(method="greedy", task="nope"))
    model.decoder.train()  # dropout must not leak into decoding; the mode is restored
    assert_same(plain, decode(model, memory, opts(method="greedy")))
    assert model.decoder.training


def test_empty_batch_and_bad_memory(model: TinyModel) -> None:
    assert decode(model, Memory(torch.zeros(0, 3, 16), torch.zeros(0, 3, dtype=torch.bool))) == []
    with pytest.raises(ValueError, match="memory must be"):
        decode(model, Memory(torch.zeros(2, 3, 16), torch.ones(2, 3)))
