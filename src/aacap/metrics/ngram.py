"""BLEU-1..4, ROUGE-L and CIDEr-D on PTB-tokenised captions, equal to pycocoevalcap 1.2.

Inputs are already tokenised captions (space-separated tokens, see ``tokenizer.py``):
``candidates: list[str]`` (N) and ``mult_references: list[list[str]]`` (N lists, >= 1 each).
Each function returns ``(corpus_scores, per_item_scores)`` with per-item arrays of shape (N,).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

import numpy as np

_TINY, _SMALL = 1e-15, 1e-9  # pycocoevalcap's guards against division by zero in BLEU


def _ngrams(words: list[str], n: int) -> Counter:
    """Counts of all 1..n-grams of a token list."""
    counts: Counter = Counter()
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            counts[tuple(words[i : i + k])] += 1
    return counts


def bleu(candidates: Sequence[str], mult_references: Sequence[Sequence[str]], n: int = 4
         ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """BLEU-1..n with the closest reference length (ties: the shorter one), as pycocoevalcap.

    Per-item BLEU uses the item's own counts; corpus BLEU sums the counts and lengths of all
    items before taking the geometric mean and the brevity penalty.
    """
    total_correct, total_guess = [0] * n, [0] * n
    total_test, total_ref = 0, 0
    per_item = np.zeros((n, len(candidates)))
    for i, (cand, refs) in enumerate(zip(candidates, mult_references)):
        words = cand.split()
        test_len = len(words)
        max_ref: dict[tuple, int] = {}
        ref_lens = []
        for ref in refs:
            ref_words = ref.split()
            ref_lens.append(len(ref_words))
            for gram, c in _ngrams(ref_words, n).items():
                if c > max_ref.get(gram, 0):
                    max_ref[gram] = c
        ref_len = min((abs(rl - test_len), rl) for rl in ref_lens)[1]
        correct = [0] * n
        for gram, c in _ngrams(words, n).items():
            correct[len(gram) - 1] += min(max_ref.get(gram, 0), c)
        guess = [max(0, test_len - k) for k in range(n)]
        per_item[:, i] = _bleu_from_counts(correct, guess, test_len, ref_len)
        total_test += test_len
        total_ref += ref_len
        for k in range(n):
            total_correct[k] += correct[k]
            total_guess[k] += guess[k]
    corpus = _bleu_from_counts(total_correct, total_guess, total_test, total_ref)
    names = [f"bleu_{k + 1}" for k in range(n)]
    return dict(zip(names, map(float, corpus))), dict(zip(names, per_item))


def _bleu_from_counts(correct: list[int], guess: list[int], test_len: int, ref_len: int) -> list[float]:
    scores, product = [], 1.0
    for k in range(len(correct)):
        product *= (correct[k] + _TINY) / (guess[k] + _SMALL)
        scores.append(product ** (1.0 / (k + 1)))
    ratio = (test_len + _TINY) / (ref_len + _SMALL)
    if ratio < 1:
        scores = [s * math.exp(1 - 1 / ratio) for s in scores]
    return scores


def _lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004)."""
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        u = v & masks.get(tok, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def rouge_l(candidates: Sequence[str], mult_references: Sequence[Sequence[str]], beta: float = 1.2
            ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """ROUGE-L: F-measure (beta 1.2) of the best LCS precision and the best LCS recall over the
    references; corpus value is the mean. Tokens are split on single spaces as pycocoevalcap."""
    scores = np.zeros(len(candidates))
    for i, (cand, refs) in enumerate(zip(candidates, mult_references)):
        c = cand.split(" ")
        prec, rec = 0.0, 0.0
        for ref in refs:
            r = ref.split(" ")
            lcs = _lcs(r, c)
            prec = max(prec, lcs / len(c))
            rec = max(rec, lcs / len(r))
        if prec != 0 and rec != 0:
            scores[i] = (1 + beta**2) * prec * rec / (rec + beta**2 * prec)
    return {"rouge_l": float(scores.mean())}, {"rouge_l": scores}


def cider_d(candidates: Sequence[str], mult_references: Sequence[Sequence[str]], n: int = 4,
            sigma: float = 6.0) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """CIDEr-D as coco-caption computes it (its ``Cider`` class): tf-idf n-gram vectors with
    document frequencies from the corpus' references, clipped candidate weights, a Gaussian
    length penalty (sigma 6) on the bigram-count difference, mean over n = 1..4 and over the
    references, times 10. Corpus value is the mean over items."""
    ref_counts = [[_ngrams(r.split(), n) for r in refs] for refs in mult_references]
    doc_freq: Counter = Counter()
    for counts in ref_counts:
        doc_freq.update(set().union(*counts))
    log_n_docs = math.log(float(len(mult_references)))
    idf = {g: log_n_docs - math.log(max(1.0, df)) for g, df in doc_freq.items()}

    def vectorize(counts: Counter) -> tuple[dict, list[float], int]:
        """tf-idf weights, their norm per n-gram order, and the number of bigrams."""
        vec = {g: tf * idf.get(g, log_n_docs) for g, tf in counts.items()}
        norm = [0.0] * n
        for g, w in vec.items():
            norm[len(g) - 1] += w * w
        length = sum(tf for g, tf in counts.items() if len(g) == 2)
        return vec, [math.sqrt(x) for x in norm], length

    scores = np.zeros(len(candidates))
    for i, cand in enumerate(candidates):
        vec_c, norm_c, len_c = vectorize(_ngrams(cand.split(), n))
        total = [0.0] * n
        for counts in ref_counts[i]:
            vec_r, norm_r, len_r = vectorize(counts)
            penalty = math.exp(-((len_c - len_r) ** 2) / (2 * sigma**2))
            val = [0.0] * n
            for g, w in vec_c.items():
                wr = vec_r.get(g)
                if wr is not None:
                    val[len(g) - 1] += min(w, wr) * wr
            for k in range(n):
                if norm_c[k] != 0 and norm_r[k] != 0:
                    val[k] /= norm_c[k] * norm_r[k]
                total[k] += val[k] * penalty
        scores[i] = sum(total) / n / len(ref_counts[i]) * 10.0
    return {"cider_d": float(scores.mean())}, {"cider_d": scores}
